"""User-facing strings of the Telegram bot, same shape as bot/i18n/catalog.py (merged into it).

Plain text only: bot/telegram/render.py escapes every string and adds the markup. `zh` is Traditional
Chinese (Hong Kong) and is written so that the derived Simplified text reads naturally too.
Command descriptions (`tg_cmd_*`) are at most 256 characters, as setMyCommands requires.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # -- /start and /help -------------------------------------------------------------------
    "tg_welcome": {
        "zh": "你好，{name}！我可以解答有關職業培訓、資歷架構和「過往資歷認可」等計劃的問題，並註明資料來源。"
        "用繁體、簡體、廣東話或英文直接發問就可以。",
        "en": "Hello, {name}! I answer questions about vocational training and qualification schemes, "
        "such as the Qualifications Framework and Recognition of Prior Learning, and I name my sources. "
        "Just ask, in English or Chinese.",
    },
    "tg_welcome_anon": {
        "zh": "你好！我可以解答有關職業培訓、資歷架構和「過往資歷認可」等計劃的問題，並註明資料來源。"
        "用繁體、簡體、廣東話或英文直接發問就可以。",
        "en": "Hello! I answer questions about vocational training and qualification schemes, such as the "
        "Qualifications Framework and Recognition of Prior Learning, and I name my sources. "
        "Just ask, in English or Chinese.",
    },
    "tg_examples": {"zh": "例如：", "en": "For example:"},
    "tg_welcome_tail": {
        "zh": "按下面的問題試試看。用 /lang 選擇回覆語言，/help 查看所有功能。",
        "en": "Tap a question below to try. Use /lang to choose the language of my replies and /help to see what I can do.",
    },
    "tg_group_hello": {
        "zh": "大家好！為免洗版，我在群組內只會在被問到時回答：用 /ask 加上問題、提及 @{bot}，或者回覆我的訊息。",
        "en": "Hello everyone! So as not to flood the group, I answer only when asked: use /ask with your question, "
        "mention @{bot}, or reply to one of my messages.",
    },
    "tg_help_title": {"zh": "使用方法", "en": "How to use me"},
    "tg_help_body": {
        "zh": "直接輸入問題（繁體、簡體、廣東話或英文都可以），我會根據官方文件回答，並註明來源。"
        "如果我不肯定你想問哪一項，會列出選擇讓你按。",
        "en": "Type your question (in English, or in Traditional or Simplified Chinese, Cantonese welcome). "
        "I answer from official documents and name the source. If I'm not sure which item you mean, "
        "I'll offer choices to tap.",
    },
    "tg_help_commands": {"zh": "指令：", "en": "Commands:"},
    "tg_help_groups": {
        "zh": "在群組內：用 /ask 加上問題、提及 @{bot}，或回覆我的訊息。",
        "en": "In groups: use /ask with your question, mention @{bot}, or reply to one of my messages.",
    },
    "tg_help_inline": {
        "zh": "在任何對話中輸入 @{bot} 加上關鍵字，就可以搜尋並分享答案。",
        "en": "In any chat, type @{bot} and a few words to search and share an answer.",
    },
    # Command descriptions for the menu (setMyCommands) and /help.
    "tg_cmd_start": {"zh": "開始使用及例子", "en": "Welcome and example questions"},
    "tg_cmd_help": {"zh": "使用說明", "en": "How to use this bot"},
    "tg_cmd_lang": {"zh": "選擇回覆語言", "en": "Choose the language of replies"},
    "tg_cmd_schemes": {"zh": "按類別瀏覽計劃及資料", "en": "Browse schemes by category"},
    "tg_cmd_events": {"zh": "活動及重要日期", "en": "Events and key dates"},
    "tg_cmd_ask": {
        "zh": "發問，例如 /ask 免試期幾時完？",
        "en": "Ask a question, e.g. /ask when does the exemption period end?",
    },
    "tg_cmd_about": {"zh": "資料來源及日期", "en": "Sources and their dates"},
    # -- /ask and questions -------------------------------------------------------------------
    "tg_ask_usage": {
        "zh": "請在 /ask 後面寫下你的問題，例如：/ask {example}",
        "en": "Write your question after /ask, for example: /ask {example}",
    },
    "tg_mention_usage": {
        "zh": "請在提及我之後寫下你的問題，例如：@{bot} {example}",
        "en": "Write your question after mentioning me, for example: @{bot} {example}",
    },
    "tg_unknown_command": {
        "zh": "我不認識這個指令。輸入 /help 查看可用的指令。",
        "en": "I don't know that command. Send /help to see the commands I understand.",
    },
    # -- /lang -------------------------------------------------------------------------------
    "tg_lang_prompt": {
        "zh": "請選擇我回覆你的語言：",
        "en": "Choose the language I reply to you in:",
    },
    "tg_lang_current": {"zh": "目前：{name}", "en": "Now: {name}"},
    "tg_lang_follow": {"zh": "跟隨每條訊息的文字", "en": "Follow each message's language"},
    "tg_lang_set": {
        "zh": "好的，我之後會用{name}回覆你。",
        "en": "Done: I'll reply to you in {name}.",
    },
    "tg_lang_set_auto": {
        "zh": "好的，我會用你每條訊息所用的語言和字體回覆。",
        "en": "Done: I'll reply in the language and script of each of your messages.",
    },
    "tg_lang_usage": {
        "zh": "/lang 後面可以寫 zh-Hant（繁體）、zh-Hans（簡體）、en（英文）或 auto（跟隨訊息）。",
        "en": "After /lang you can write zh-Hant (Traditional), zh-Hans (Simplified), en (English) or auto (follow each message).",
    },
    # -- /schemes ------------------------------------------------------------------------------
    "tg_schemes_title": {"zh": "按類別瀏覽", "en": "Browse by category"},
    "tg_schemes_prompt": {"zh": "請選擇一個類別：", "en": "Choose a category:"},
    "tg_topic_page": {
        "zh": "第 {page}/{pages} 頁，共 {count} 項",
        "en": "Page {page} of {pages}, {count} items",
    },
    "tg_topic_pick": {"zh": "按一項查看答案：", "en": "Tap an item to see its answer:"},
    "tg_topic_empty": {
        "zh": "這個類別暫時沒有資料。",
        "en": "There is nothing in this category yet.",
    },
    "tg_prev": {"zh": "‹ 上一頁", "en": "‹ Previous"},
    "tg_next": {"zh": "下一頁 ›", "en": "Next ›"},
    "tg_back": {"zh": "« 所有類別", "en": "« All categories"},
    # -- /events -------------------------------------------------------------------------------
    "tg_events_title": {"zh": "活動及重要日期", "en": "Events and key dates"},
    "tg_events_asof": {"zh": "（以 {date} 計）", "en": "(as of {date})"},
    "tg_events_upcoming": {"zh": "即將舉行", "en": "Upcoming"},
    "tg_events_ongoing": {"zh": "進行中", "en": "Now on"},
    "tg_events_past": {"zh": "已過去", "en": "Past"},
    "tg_event_past_mark": {"zh": "已過", "en": "past"},
    "tg_events_none": {"zh": "暫時沒有已知日期的活動。", "en": "No dated events are known yet."},
    "tg_events_more_past": {
        "zh": "另有 {count} 項較早的活動。",
        "en": "{count} earlier events not shown.",
    },
    # -- /about --------------------------------------------------------------------------------
    "tg_about_title": {"zh": "資料來源", "en": "Sources"},
    "tg_about_intro": {
        "zh": "我只根據以下文件回答，每個答案都會註明出處：",
        "en": "I answer only from these documents, and every answer names its source:",
    },
    "tg_about_undated": {"zh": "文件未註明日期", "en": "undated"},
    "tg_about_counts": {
        "zh": "共 {entries} 項資料，分為 {topics} 個類別。",
        "en": "{entries} items in {topics} categories.",
    },
    "tg_about_note": {
        "zh": "作出重要決定前，請向有關機構核實最新資料。",
        "en": "Before acting on an answer, please check the latest details with the organisation concerned.",
    },
    # -- inline mode ---------------------------------------------------------------------------
    "tg_inline_private": {"zh": "在私人對話中問我", "en": "Ask me in a private chat"},
    # -- limits and errors ---------------------------------------------------------------------
    "tg_flood": {
        "zh": "你的訊息有點密，請休息一會（約 {seconds} 秒）再問，謝謝！",
        "en": "You're sending messages very quickly. Please wait a little (about {seconds} seconds) before asking again. Thank you!",
    },
    "tg_error": {
        "zh": "抱歉，系統出了點問題，請稍後再試。",
        "en": "Sorry, something went wrong on my side. Please try again in a moment.",
    },
    "tg_expired": {
        "zh": "這個按鈕已經失效，請重新發問。",
        "en": "This button is no longer valid; please ask again.",
    },
    # Follow-ups and structured answers (issue 8/9).
    "tg_more": {"zh": "📄 全文：{title}", "en": "📄 In full: {title}"},
    # -- /events that knows today (issue 10): open deadlines first, past ones in the past tense -------
    "tg_events_deadlines": {"zh": "截止日期未過", "en": "Deadlines still open"},
    "tg_event_closes": {"zh": "截止：{date}", "en": "Closes {date}"},
    "tg_event_opens": {"zh": "{date}起開始", "en": "Opens {date}"},
    "tg_events_no_upcoming": {
        "zh": "資料中沒有即將舉行的活動。",
        "en": "The documents list no upcoming events.",
    },
    "tg_event_held": {"zh": "已於{date}舉行", "en": "Held {date}"},
    "tg_event_closed": {"zh": "已於{date}截止", "en": "Closed {date}"},
    "tg_events_older": {"zh": "較早的活動 »", "en": "Earlier events »"},
    "tg_events_older_title": {"zh": "較早的活動", "en": "Earlier events"},
    "tg_events_older_page": {
        "zh": "第 {page}/{pages} 頁，共 {count} 項",
        "en": "Page {page} of {pages}, {count} items",
    },
    "tg_events_back": {"zh": "« 活動及重要日期", "en": "« Events and key dates"},
}
