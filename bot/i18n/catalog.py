"""User-facing strings. Keys are stable; `zh` is Traditional Chinese (Hong Kong), `en` English."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "source": {"zh": "來源：{source}", "en": "Source: {source}"},
    "source_with_date": {"zh": "來源：{source}（{date}）", "en": "Source: {source} ({date})"},
    "date_span": {"zh": "{start}至{end}", "en": "{start} to {end}"},
    "decline": {
        "zh": "抱歉，我未有這方面的資料，不想亂估答錯你。我可以解答以下題目：",
        "en": "Sorry, I don't have information on that, and I'd rather not guess. I can answer questions on:",
    },
    "decline_hint": {
        "zh": "你可以試下用其他字眼再問，或者揀一個題目。",
        "en": "Try asking in other words, or pick a topic.",
    },
    "empty": {
        "zh": "請用文字輸入你的問題，例如：「過往資歷認可免試期幾時完？」",
        "en": 'Please type your question in words, for example: "When does the RPL exemption period end?"',
    },
    "choose": {
        "zh": "我不太肯定你想問哪一項，請選擇：",
        "en": "I'm not sure which of these you mean; please choose one:",
    },
    "also": {"zh": "相關題目：", "en": "Related:"},
    "smalltalk_thanks": {
        "zh": "不用客氣！有其他關於職業培訓或資歷的問題，隨時問我。",
        "en": "You're welcome! Ask me anything else about vocational training and qualifications.",
    },
    "smalltalk_hello": {
        "zh": "你好！我可以解答職業培訓及資歷計劃的問題，例如：「過往資歷認可免試期幾時完？」",
        "en": 'Hello! I answer questions about vocational training and qualification schemes, for example: "When does the RPL exemption period end?"',
    },
    "smalltalk_ok": {
        "zh": "好的！有其他問題隨時問我。",
        "en": "OK! Ask me anytime if you have another question.",
    },
    "not_in_documents": {
        "zh": "抱歉，我手上的文件沒有提供{thing}，我不想亂估答錯你。我知道的相關資料是：{title}。",
        "en": "Sorry, the documents I rely on don't give {thing}, and I'd rather not guess. What I do know about is: {title}.",
    },
    "ask_fee": {"zh": "費用或收費", "en": "fees or costs"},
    "ask_contact": {
        "zh": "電話、地址或網址等聯絡資料",
        "en": "contact details such as a phone number, address or website",
    },
    "ask_salary": {"zh": "薪酬資料", "en": "salary information"},
    "ask_allowance": {"zh": "津貼或資助金額", "en": "allowances or subsidy amounts"},
    "ask_admission": {"zh": "入學要求", "en": "entry requirements"},
    "ask_licence": {"zh": "牌照要求", "en": "licensing requirements"},
    # Facts the documents do not give about a known subject, and the subject a follow-up leaned on.
    "not_stated": {
        "zh": "文件沒有提到{title}的{thing}。文件提到的是：{gist}",
        "en": "The documents don't give {thing} for {title}. What they do say: {gist}",
    },
    "not_stated_other": {
        "zh": "文件沒有提到{thing}的情況，只提到「{title}」：{gist}",
        "en": "The documents say nothing about {thing}; they only cover {title}: {gist}",
    },
    "not_stated_dated": {
        "zh": "文件沒有提到{title}{thing}；最新的資料來自{date}的文件：{gist}",
        "en": "The documents say nothing about {title} {thing}; the latest they give is from {date}: {gist}",
    },
    "ask_when": {"zh": "日期", "en": "a date"},
    "ask_deadline": {"zh": "截止日期", "en": "a deadline"},
    "ask_howmany": {"zh": "數字", "en": "a figure"},
    "ask_hours": {"zh": "開放或辦公時間", "en": "opening or office hours"},
    "ask_where": {"zh": "地點", "en": "a place"},
    "ask_holder": {"zh": "擔任該職位的人", "en": "who holds the post"},
    "ask_edition": {"zh": "你問的那一屆或那一期", "en": "the edition or phase you asked about"},
    "ask_place": {"zh": "你提到的地方", "en": "the place you asked about"},
    "undated_short": {"zh": "未註明日期", "en": "undated"},
    "undated": {"zh": "未註明日期的文件", "en": "an undated document"},
    "latest_only": {
        "zh": "（這是文件中最新的資料，來自{date}；文件沒有更新的消息。）",
        "en": "(This is the latest the documents give, from {date}; they say nothing later.)",
    },
    "ask_later": {"zh": "下一屆或下一輪的情況", "en": "in a next round or edition"},
    "events_in": {"zh": "{period}的活動：", "en": "Events in {period}:"},
    "events_coming": {"zh": "即將舉行的活動：", "en": "Coming up:"},
    "events_none_coming": {
        "zh": "文件沒有列出今天（{today}）之後舉行的活動。",
        "en": "The documents list no events after today ({today}).",
    },
    "events_still_open": {
        "zh": "仍然開放：{title}（至{end}）。",
        "en": "Still open: {title} (until {end}).",
    },
    "events_latest": {"zh": "最近舉行過的活動：", "en": "The latest past events: "},
    "about_subject": {"zh": "（關於：{title}）", "en": "(About: {title})"},
    "as_of": {"zh": "據{date}的資料，", "en": "As at {date}, "},
    "as_of_undated": {
        "zh": "據《{source}》（未註明日期），",
        "en": 'According to "{source}" (undated), ',
    },
    "truncated": {
        "zh": "（你的訊息太長，我只讀了開首部分。）",
        "en": "(Your message was long, so I read only the beginning.)",
    },
}
from bot.i18n.catalog_telegram import MESSAGES as _TG

MESSAGES.update(_TG)
from bot.i18n.catalog_check import MESSAGES as _CHECK

MESSAGES.update(_CHECK)
from bot.i18n.catalog_admin import MESSAGES as _ADMIN

MESSAGES.update(_ADMIN)
from bot.i18n.catalog_rules import MESSAGES as _RULES

MESSAGES.update(_RULES)  # eligibility replies (issue 10)
from bot.i18n.catalog_announce import MESSAGES as _ANNOUNCE

MESSAGES.update(_ANNOUNCE)  # announcements (issue 16)
from bot.i18n.catalog_experience import MESSAGES as _EXPERIENCE

MESSAGES.update(_EXPERIENCE)  # issue 11
