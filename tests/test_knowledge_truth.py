"""Every figure, date, URL and phone number in knowledge/ must be stated by the document its entry cites.

The check reads the source documents themselves (../shared/seeds/), so an admin's edit that types
a wrong year or a made-up number fails CI with the entry and the offending value.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from bot.kb import understand
from bot.kb.schema import Entry
from tests.helpers import ROOT, real_knowledge

SEEDS = ROOT.parent / "shared" / "seeds"
MONTHS = {m: i for i, m in enumerate(understand.MONTHS, 1)}
CN_DIGITS = {
    "一": 1,
    "二": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
URL = re.compile(r"https?://[^\s<>\"'）)]+")
PHONE = re.compile(r"(?<!\d)(?:\+?852[\s-]?)?[2-9]\d{3}[\s-]?\d{4}(?!\d)")
NUMBER = re.compile(r"(?<![0-9A-Za-z.])\d{1,3}(?:[, ]\d{3})+(?:\.\d+)?(?![0-9])|\d+(?:\.\d+)?")
YEAR_SPAN = re.compile(r"(?:19|20)\d\d[\s-](?:19|20)\d\d")
CN_NUMERAL = re.compile(r"[一二兩三四五六七八九]?十[一二三四五六七八九]?")
ZH_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日")
ZH_DAY_AFTER = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*[至到\-–]\s*(\d{1,2})\s*日")
EN_DATE = re.compile(
    r"(\d{1,2})(?:\s*(?:–|-|to|and)\s*(\d{1,2}))?\s+(" + "|".join(MONTHS) + r")(?:\s+(\d{4}))?",
    re.I,
)
EN_DATE_MD = re.compile(
    r"(" + "|".join(MONTHS) + r")\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s*(\d{4}))?", re.I
)

requires_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(),
    reason="the source documents (../shared/seeds) are not beside this checkout",
)


@cache
def doc_text(file: str) -> str:
    return (SEEDS / file).read_text(encoding="utf-8")


def numbers_in(text: str) -> set[float]:
    out = set()
    for m in NUMBER.finditer(text):
        try:
            out.add(float(re.sub(r"[, ]", "", m.group())))
        except ValueError:
            pass
    return out


@cache
def doc_numbers(file: str) -> frozenset[float]:
    text = doc_text(file)
    nums = numbers_in(text)
    nums |= {float(v) for k, v in CN_DIGITS.items() if k in text}
    for m in CN_NUMERAL.finditer(text):  # 十五 = 15, 二十 = 20
        tens, _, units = m.group().partition("十")
        nums.add(float(CN_DIGITS.get(tens, 1) * 10 + CN_DIGITS.get(units, 0)))
    # 億 (100 million) figures are rendered in English as billions: 179億 = HK$17.9 billion.
    nums |= {n / 10 for n in nums}
    nums |= {n * 1000 for n in nums}  # "HK$1 billion" from 10億 = 1,000 million
    return frozenset(round(n, 6) for n in nums)


@cache
def doc_days(file: str) -> frozenset[tuple[int, int]]:
    """(month, day) pairs the document states, in Chinese or English, including ends of ranges."""
    text = doc_text(file)
    days = {(int(m), int(d)) for _, m, d in ZH_DATE.findall(text)}
    days |= {(int(m), int(d2)) for m, _, d2 in ZH_DAY_AFTER.findall(text)}
    for d1, d2, month, _ in EN_DATE.findall(text):
        days.add((MONTHS[month.lower()], int(d1)))
        if d2:
            days.add((MONTHS[month.lower()], int(d2)))
    return frozenset(days)


def entry_texts(entry: Entry) -> list[str]:
    texts = [entry.title.zh, entry.title.en, entry.answer.zh, entry.answer.en]
    if entry.place:
        texts += [entry.place.zh, entry.place.en]
    return texts


def problems(entry: Entry, file: str) -> list[str]:
    doc = doc_text(file)
    digits_doc = re.sub(r"[\s,]", "", doc)
    found = []
    for text in entry_texts(entry):
        for url in URL.findall(text):
            if url.rstrip(".,;") not in doc:
                found.append(f"URL {url}")
        for phone in PHONE.findall(text):
            if YEAR_SPAN.fullmatch(phone.strip()):
                continue  # 2023-2024 is a period, not a phone number
            if re.sub(r"\D", "", phone) not in digits_doc:
                found.append(f"phone {phone}")
        rest = text
        for y, m, d in ZH_DATE.findall(text):
            if (int(m), int(d)) not in doc_days(file):
                found.append(f"date {y}年{m}月{d}日")
        for d1, d2, month, y in EN_DATE.findall(text):
            for d in filter(None, (d1, d2)):
                if (MONTHS[month.lower()], int(d)) not in doc_days(file):
                    found.append(f"date {d} {month} {y}")
        for month, d, y in EN_DATE_MD.findall(text):
            if (MONTHS[month.lower()], int(d)) not in doc_days(file):
                found.append(f"date {month} {d} {y}")
        for n in numbers_in(rest):
            if round(n, 6) not in doc_numbers(file):
                found.append(f"figure {n:g}")
    return found


@requires_seeds
def test_every_figure_date_url_and_phone_is_in_the_cited_document():
    kb = real_knowledge()
    failures = []
    for entry in kb.entries.values():
        file = kb.sources[entry.source.doc].file
        for p in problems(entry, file):
            failures.append(f"{kb.files[entry.id]} · {entry.id}: {p} is not in {file}")
    assert not failures, "\n".join(failures)


@requires_seeds
def test_every_cited_document_exists():
    kb = real_knowledge()
    for source in kb.sources.values():
        assert (SEEDS / source.file).is_file(), source.file


@requires_seeds
def test_the_checker_catches_invented_values():
    kb = real_knowledge()
    entry = kb.entries["rpl-elderly-care-exemption"]
    bad = entry.model_copy(
        update={
            "answer": entry.answer.model_copy(
                update={
                    "en": "Call 2345 6789 or see https://example.org before 30 September 2029; the fee is HK$1,234."
                }
            )
        }
    )
    found = problems(bad, kb.sources[entry.source.doc].file)
    assert "phone 2345 6789" in found
    assert "URL https://example.org" in found
    assert any(p.startswith("date 30 September") for p in found)
    assert "figure 1234" in found and "figure 2029" in found
