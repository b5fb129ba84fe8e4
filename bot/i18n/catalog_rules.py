"""User-facing strings of the eligibility replies (bot/rules/render.py), merged into bot/i18n/catalog.py
like the other catalog files.

A reply starts with the verdict in plain words (可以 / 未必 / 要睇… / 未可以 / 不可以; Yes / Not
necessarily / It depends on … / Not yet / No), then why and what the person gets, the next step, what
is still unknown, and the source. The rules' own texts (who gets what, next steps, the documents'
quotes) come from knowledge/rules.yaml, not from here. Plain text: the Telegram layer escapes it.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # -- eligibility replies: verdict first (issue 10) ----------------------------------------------
    "rl_yes": {"zh": "可以。{text}", "en": "Yes. {text}"},
    "rl_unclear": {"zh": "未必。{text}", "en": "Not necessarily. {text}"},
    "rl_depends": {"zh": "要睇{what}。{text}", "en": "It depends on {what}. {text}"},
    "rl_not_yet": {
        "zh": "未可以：{title}由{date}起才開始。{text}",
        "en": "Not yet: {title} starts on {date}. {text}",
    },
    "rl_expired": {"zh": "不可以：{title}已於{date}結束。", "en": "No: {title} ended on {date}."},
    "rl_no": {
        "zh": "不可以經「{title}」：文件講的是「{condition}」，而你是「{actual}」。",
        "en": "No, not by “{title}”: it is for {condition}, and you said “{actual}”.",
    },
    "rl_ended": {"zh": "{title}已於{date}結束。", "en": "{title} ended on {date}."},
    "rl_opens": {"zh": "{title}由{date}起才開始。", "en": "{title} starts on {date}."},
    "rl_routes": {"zh": "可能適用：{titles}。", "en": "May apply: {titles}."},
    "rl_routes_more": {
        "zh": "可能適用：{titles}等共{count}條途徑。",
        "en": "May apply: {titles} and more ({count} routes).",
    },
    "rl_next_step": {"zh": "下一步：{text}", "en": "Next step: {text}"},
    "rl_unknown": {"zh": "仍未知：{items}。", "en": "Still unknown: {items}."},
    "rl_also": {"zh": "亦可能適用：{titles}", "en": "May also apply: {titles}"},
    "rl_source": {"zh": "來源：{title}", "en": "Source: {title}"},
    "rl_sep": {"zh": "；", "en": "; "},
    "rl_or": {"zh": "／", "en": " / "},
}
