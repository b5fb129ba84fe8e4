"""Things workers ask for that the documents never give: fees, phone numbers, salaries...

The brief is firm that the bot never invents a fee, a phone number, a URL or an address. When a
question asks for one of these and the best entry does not state it, the honest reply is "the
documents don't say", not the entry's general answer. Cues are matched on folded (Simplified,
lower-case) text; `evidence` is what an answer stating the thing would contain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from bot.kb.understand import LATIN_END, LATIN_START


@dataclass(frozen=True)
class Ask:
    key: str  # the i18n key naming the thing, "ask_<key>"
    cues: re.Pattern[str]
    evidence: re.Pattern[str]


def _cues(*words: str) -> re.Pattern[str]:
    latin = [w for w in words if w.isascii()]
    han = [w for w in words if not w.isascii()]
    parts = []
    if latin:
        parts.append(LATIN_START + "(?:" + "|".join(re.escape(w) for w in latin) + ")" + LATIN_END)
    if han:
        parts.append("|".join(re.escape(w) for w in han))
    return re.compile("|".join(parts))


ASKS: tuple[Ask, ...] = (
    Ask(
        "fee",
        _cues(
            "学费",
            "费用",
            "收费",
            "几钱",
            "几多钱",
            "多少钱",
            "价钱",
            "价格",
            "要俾钱",
            "交钱",
            "畀钱",
            "付钱",
            "要唔要钱",
            "要钱",
            "使唔使钱",
            "使钱",
            "收唔收钱",
            "收钱",
            "免唔免费",
            "免费",
            "好贵",
            "贵唔贵",
            "贵不贵",
            "几贵",
            "会唔会贵",
            "expensive",
            "free of charge",
            "fee",
            "fees",
            "cost",
            "costs",
            "price",
            "prices",
            "tuition",
            "charge",
            "charges",
            "how much does",
        ),
        # An entry that discusses cost at all ("GWIN costs less than 5G") answers a cost question.
        re.compile(r"hk\$|港元|港币|港幣|\$\s?\d|成本|费用|費用|cost|cheap", re.I),
    ),
    Ask(
        "contact",
        _cues(
            "电话",
            "电话号码",
            "热线",
            "whatsapp",
            "电邮",
            "email",
            "e-mail",
            "地址",
            "网址",
            "phone",
            "telephone",
            "hotline",
            "address",
            "website",
            "fax",
            "传真",
        ),
        re.compile(r"\d{4}\s?\d{4}|https?://|@\w|地址|address", re.I),
    ),
    # 人工 is Cantonese for pay, but 人工智能 is AI.
    Ask(
        "salary",
        re.compile(
            _cues(
                "薪金",
                "薪酬",
                "工资",
                "月薪",
                "收入",
                "salary",
                "salaries",
                "wage",
                "wages",
                "income",
                "pay",
                "earn",
                "earns",
                "earnings",
                "get paid",
            ).pattern
            + r"|人工(?!智)"
        ),
        re.compile(r"薪|工资|工資|人工(?!智)|salary|wage|income", re.I),
    ),
    Ask(
        "allowance",
        _cues(
            "津贴",
            "补贴",
            "资助",
            "资助额",
            "allowance",
            "allowances",
            "stipend",
            "subsidy",
            "subsidies",
            "subsidised",
            "subsidized",
        ),
        re.compile(r"津贴|津貼|补贴|補貼|资助|資助|allowance|stipend|subsid|fund", re.I),
    ),
    Ask(
        "admission",
        _cues(
            "入学要求",
            "入学资格",
            "收生要求",
            "entry requirement",
            "entry requirements",
            "admission requirement",
            "admission requirements",
        ),
        re.compile(r"入学|入學|收生|admission|entry requirement", re.I),
    ),
    Ask(
        "hours",
        _cues(
            "开放时间",
            "办公时间",
            "营业时间",
            "开门时间",
            "几点开",
            "几点关",
            "几点开门",
            "opening hours",
            "office hours",
            "open hours",
            "opening time",
            "what time does",
            "what time is",
        ),
        re.compile(
            r"\d{1,2}[:：]\d{2}|\d{1,2}\s?(?:a\.?m|p\.?m)|上午\d|下午\d|开放时间|開放時間|opening hours",
            re.I,
        ),
    ),
    Ask(
        "licence",
        re.compile(
            _cues("牌照", "licence", "license", "licences", "licenses", "permit").pattern
            + r"|[考攞领拿].{0,2}牌"
        ),
        re.compile(r"牌照|licen[cs]e|permit", re.I),
    ),
)


# A clause that says the document does NOT give something ("沒有列出費用", "gives no fee") is not
# evidence that it does.
_CLAUSE = re.compile(r"[^，。；,;.]+|[，。；,;.]")
_NEGATION = re.compile(r"沒有|没有|未有|並無|并无|未註明|未注明|\bno\b|\bnot\b|\bnor\b|n't", re.I)


@lru_cache(maxsize=8192)
def stated(text: str) -> str:
    """The text without its "the document does not give …" clauses."""
    return "".join(" " if _NEGATION.search(c) else c for c in _CLAUSE.findall(text))


# What a "the document does not say …" clause names, for the kinds of ask it answers.
_ABSENT: dict[str, re.Pattern[str]] = {
    "eligible": re.compile(r"申请资格|申請資格|资格|資格|eligib|who can apply", re.I),
    "how": re.compile(r"申请方法|申請方法|报名方法|報名方法|how to apply", re.I),
    "deadline": re.compile(r"截止|deadline|closing date", re.I),
    # A date not given ("沒有給出新的日期", "no new date"); "文章沒有註明日期" is about the document.
    "when": re.compile(r"(?<!註明)(?<!注明)(?<!標明)(?<!标明)日期|\bdates?\b", re.I),
}
# "When" is answered by "next year"; only a question for the day itself meets a recorded "no date".
_DAY_ASKED = re.compile(
    r"哪一?天|哪日|边一?日|几月几[号日]|几号|具体日期|确实日期|确定日期|"
    r"\b(?:which|what) (?:exact )?(?:day|date)\b|\bexact date\b",
    re.I,
)


@lru_cache(maxsize=8192)
def _negated(text: str) -> str:
    return " ".join(c for c in _CLAUSE.findall(text) if _NEGATION.search(c))


def recorded_absent(kinds: Iterable[str], answer_text: str, folded_question: str) -> str | None:
    """The entry itself records that the document does not give the kind of fact asked
    ("文章…沒有說明申請資格"): the honest answer is that record, not the rest of the entry."""
    negated = _negated(answer_text)
    kinds = set(kinds)
    return next(
        (
            k
            for k in _ABSENT  # the narrowest kind first: a deadline is also a date
            if k in kinds
            and _ABSENT[k].search(negated)
            and (k != "when" or _DAY_ASKED.search(folded_question))
        ),
        None,
    )


def unanswerable_ask(folded_question: str, answer_text: str) -> Ask | None:
    """The thing the question asks for when the answer does not state it; None otherwise."""
    answer_text = stated(answer_text)
    for ask in ASKS:
        if ask.cues.search(folded_question) and not ask.evidence.search(answer_text):
            return ask
    return None
