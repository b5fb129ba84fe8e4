"""A typed answer to the question /check is asking (issue 11, point 3), understood without buttons:

- yes/no in written Chinese, Cantonese, Simplified and English: 有 / 係 / 是 / yes …, 冇 / 唔係 / 不是 / no …
  (negatives are read first: 唔係 holds 係, 沒有 holds 有);
- numbers, of years or otherwise: "8", "8年", "八年", "十二年", "eight years", "2.5";
- a choice by its number in the list ("2"), its label, or the rules' own cues ("我係護理員"); a two-way
  choice asked as a question ("你是否護理員？") also by yes (the first option) or no (the second);
- for a yes/no question, a number of years: more than zero is yes, zero is no ("做咗8年" → yes).

`understand(rules, fact, text)` returns the fact's value, or None when the text does not answer it
(the text is then treated as an ordinary question).
"""

from __future__ import annotations

import re
import unicodedata

from bot.rules import Fact, Rules, extract_facts
from bot.rules.schema import Value

NO = (
    "唔係",
    "唔系",
    "不是",
    "沒有",
    "没有",
    "冇",
    "無",
    "无",
    "唔",
    "不",
    "否",
    "未",
    "no",
    "nope",
    "n",
    "not",
    "nah",
    "never",
    "none",
)
YES = (
    "係",
    "系",
    "是",
    "有",
    "對",
    "对",
    "啱",
    "yes",
    "y",
    "yeah",
    "yep",
    "yup",
    "sure",
    "correct",
    "right",
    "ok",
    "okay",
)
YEAR = re.compile(r"年|years?|yrs?")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_ZH_DIGIT = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "兩": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_NUMBER = re.compile(r"[零〇一二兩两三四五六七八九十]+")
_EN_NUMBER: dict[str, float] = {
    w: float(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
}
_EN_NUMBER.update({"thirty": 30, "forty": 40, "fifty": 50, "half": 0.5})
_FILLER = re.compile(r"[\s,.!?;:~，。！？；：、…()（）「」\"'呀啊啦喇囉嘅嗎吗咯嘛了的]+")


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def _zh_number(word: str) -> float | None:
    """一 … 九十九 (enough for years)."""
    if "十" not in word:
        return float(_ZH_DIGIT[word]) if len(word) == 1 and word in _ZH_DIGIT else None
    tens, _, ones = word.partition("十")
    if (tens and tens not in _ZH_DIGIT) or (ones and ones not in _ZH_DIGIT):
        return None
    return float((_ZH_DIGIT[tens] if tens else 1) * 10 + (_ZH_DIGIT[ones] if ones else 0))


def number_in(text: str) -> float | None:
    """The number a short answer states, if it states one."""
    clean = _clean(text)
    found = _DIGITS.search(clean)
    if found:
        return float(found.group())
    for word in _ZH_NUMBER.findall(clean):
        value = _zh_number(word)
        if value is not None:
            return value
    for word in re.findall(r"[a-z]+", clean):
        if word in _EN_NUMBER:
            return float(_EN_NUMBER[word])
    return None


def yes_no(text: str) -> bool | None:
    """True for yes, False for no, None when it is neither (or both)."""
    words = _FILLER.sub(" ", _clean(text)).split()
    compact = "".join(words)
    if not compact:
        return None
    latin = set(words)
    for form in NO:
        if (form.isascii() and form in latin) or (not form.isascii() and compact.startswith(form)):
            return False
    for form in YES:
        if (form.isascii() and form in latin) or (not form.isascii() and compact.startswith(form)):
            return True
    return None


def _as_number(value: float) -> Value:
    return int(value) if float(value).is_integer() else value


def understand(rules: Rules, fact: Fact, text: str) -> Value | None:
    """The value `text` gives `fact` (the question being asked), or None."""
    clean = _clean(text)
    if not clean or len(clean) > 200:
        return None
    if fact.kind == "number":
        number = number_in(clean)
        return _as_number(number) if number is not None else None
    stated = extract_facts(rules, text).get(fact.id)
    if stated is not None and fact.option(stated) is not None:
        return stated
    if fact.kind == "bool":
        answer = yes_no(clean)
        if answer is None and YEAR.search(clean):
            years = number_in(clean)
            answer = None if years is None else years > 0
        return answer if answer is not None and fact.option(answer) is not None else None
    # a choice: its number in the list, or its label in any language
    options = fact.options
    if clean.isdigit() and 1 <= int(clean) <= len(options):
        return options[int(clean) - 1].value
    squeezed = _FILLER.sub("", clean)
    for option in options:
        labels = {
            _FILLER.sub("", _clean(option.label.text(lang)))
            for lang in ("zh-Hant", "zh-Hans", "en")
        }
        if squeezed in labels:
            return option.value
    if len(options) == 2:  # "你是否護理員？" – "係": a two-way choice asked as a yes/no question
        answer = yes_no(clean)
        if answer is not None:
            return options[0 if answer else 1].value
    return None
