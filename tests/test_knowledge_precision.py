"""Precision of the real knowledge base: what an answer implies about time, lists and names.

test_knowledge_truth.py checks that every figure and date is in the document; these tests check the
ways a true fact can still mislead a worker (issue 10):
- a state that can change (an office holder, a count, an open round, "is working on") told as if it
  were today's: such an entry is `changeable`, and every rendering carries the document's date;
- an answer that opens with "Yes." whatever was asked;
- an alias that names another subject (東莞市科協 is not the Guangdong provincial association);
- a list the document leaves open (「包括……等」) turned into a closed count ("covers five areas");
- a `when` that lists a plan (an institute "planned for 2026", a blueprint "to be published") as a
  dated happening;
- two English names for one qualification.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pytest

from bot.i18n import render_date, t
from bot.kb.loader import KnowledgeBase
from bot.kb.schema import Entry, first_day, last_day
from bot.kb.text import Lang, fold
from tests.helpers import ROOT, each, fixture_assistant, real_knowledge

SEEDS = ROOT.parent / "shared" / "seeds"
LANGS: tuple[Lang, ...] = ("zh-Hant", "zh-Hans", "en")


@lru_cache(maxsize=1)
def kb() -> KnowledgeBase:
    return real_knowledge()


def entries() -> list[Entry]:
    return list(kb().entries.values())


def ids(items: list[Entry]) -> list[str]:
    return [e.id for e in items]


def entry_id(entry: Entry) -> str:
    return entry.id


# -- "Yes." openers ------------------------------------------------------------------------------

YES_OPENERS = ("Yes.", "Yes,", "No.", "是。", "係。", "有。", "可以。", "是的。")


def test_no_answer_opens_with_a_bare_yes() -> None:
    """An entry answers many questions; a "Yes." written for one of them is wrong for the others
    ("What internships are there?" → "Yes. ...")."""

    def check(entry: Entry) -> None:
        for lang in LANGS:
            text = entry.answer.text(lang)
            assert not text.startswith(YES_OPENERS), (
                f"{entry.id} [{lang}] opens with a verdict: {text[:40]!r}"
            )

    each(entries(), check, entry_id)


# -- changeable facts ---------------------------------------------------------------------------

# Words that state something as it is now: an office holder, a count "at present", work under way.
ZH_NOW = re.compile(r"現時|目前|現任|現正|正進行|正在|正與|正逐步|正數字化|正致力")
ZH_HOLDER = re.compile(r"(?:總經理|會長|主席|署長|召集人)(?:為|是)[\u4e00-\u9fff]{2,4}")
EN_NOW = re.compile(
    r"\b(?:currently|now|at present|presently|is working on|is working with|are working on)\b",
    re.I,
)
EN_HOLDER = re.compile(
    r"\b(?:General Manager|president|chairman|vice-chairman|chair|convenor|Director)\b[^.;]{0,160}?"
    r"\bis\s+(?:(?:Mr|Ms|Mrs|Dr|Ir|Prof)\.?\s+)?(?:[\u4e00-\u9fff]{2,4}|[A-Z][a-z]+\s+[A-Z][a-z]+)"
)

# Entries whose text matches a marker above but states no changing state, each with its reason.
NOT_CHANGEABLE = {
    "emsd-director-alfred-sit": "past tense, tied to the 6 November signing in the undated article; it points to the "
    "later Director, and 'who is the Director' is answered by the changeable "
    "emsd-officials-vmvrs-launch",
    "am-job-ads-manufacturing-trends": "「或正進行整合」 is the report's hedged reading of job ads over a stated "
    "period (2024-2025), not a state it reports as running",
}


def now_markers(entry: Entry) -> list[str]:
    found = []
    for rx in (ZH_NOW, ZH_HOLDER):
        found += [m.group() for m in rx.finditer(entry.answer.zh)]
    for rx in (EN_NOW, EN_HOLDER):
        found += [m.group() for m in rx.finditer(entry.answer.en)]
    return found


def test_a_fact_stated_in_the_present_is_marked_changeable() -> None:
    def check(entry: Entry) -> None:
        markers = now_markers(entry)
        if entry.id in NOT_CHANGEABLE:
            assert markers, f"{entry.id} no longer needs its allowlist entry"
            return
        assert not markers or entry.changeable, (
            f"{entry.id} states {markers} as current but is not `changeable: true`: replies would say it as of today"
        )

    each(entries(), check, entry_id)


def test_the_allowlist_names_real_entries_with_reasons() -> None:
    for entry_id, reason in NOT_CHANGEABLE.items():
        assert entry_id in kb().entries and len(reason) > 20


def test_the_known_changeable_states_are_marked() -> None:
    """The classes the review found: office holders, a count, an open round, work under way in 2020."""
    expected = {
        "qf-secretariat",
        "hkag",
        "elderly-care-itac",
        "automotive-itac",  # 總經理, 會長, 主席
        "emsd-officials-vmvrs-launch",  # who is the EMSD Director
        "rpl-elderly-care-count",
        "vpes-partner-institutions",  # 「現時共有45個」, 「目前…超過100所」
        "leas-application",  # the 2024 round opening in March
        "gwin-applications",
        "bim-am",
        "bim-am-standards-patent",
        "i-cremation",
        "lift-escalator-ai-monitoring",  # "EMSD is working on…" (speech of 27 August 2020)
    }
    unmarked = sorted(i for i in expected if not kb().entries[i].changeable)
    assert not unmarked


@pytest.mark.parametrize(
    "entry",
    [e for e in entries() if e.changeable],
    ids=ids([e for e in entries() if e.changeable]),
)
def test_a_changeable_fact_does_not_repeat_its_date_prefix(entry: Entry) -> None:
    """The reply adds "據{date}的資料，" / "As at {date}, "; the text itself must not say it again,
    nor keep a "now" the prefix already dates."""
    source = kb().sources[entry.source.doc]
    zh, en = entry.answer.zh, entry.answer.en
    assert not re.search(r"現時|目前", zh), entry.id
    assert not re.search(r"\bcurrently\b", en, re.I), entry.id
    if source.date:
        assert not zh.startswith("據"), (
            f"{entry.id}: the reply already starts 據{source.date}的資料，"
        )
        assert not re.match(r"(?:As at|According to)\b", en), (
            f"{entry.id}: the reply already starts 'As at …'"
        )
    # "As at January 2024, The …" reads badly: the English text continues the prefix's sentence.
    assert not re.match(r"(?:The|Its|Their)\b", en), (
        f"{entry.id}: start the English text in lower case"
    )


def test_the_emsd_director_question_gives_the_later_document_with_both_sources() -> None:
    """Two documents disagree over time: the undated article (薛永恒) and the January 2024 newsletter
    (彭耀雄 as Director in November 2023). 'Who is the Director' lands on the later one, which names both."""
    k = kb()
    holders = [e for e in k.entries.values() if "機電署署長" in e.aliases]
    assert [e.id for e in holders] == ["emsd-officials-vmvrs-launch"]
    later = holders[0]
    assert later.changeable and k.sources[later.source.doc].date == "2024-01"
    for text in (later.answer.zh, later.answer.en):
        assert "彭耀雄" in text and "2023" in text and "薛永恒" in text
    assert "undated" in later.answer.en and "沒有註明年份" in later.answer.zh
    earlier = k.entries["emsd-director-alfred-sit"]
    assert "彭耀雄" in earlier.answer.zh and "彭耀雄" in earlier.answer.en
    assert "機電署署長" not in earlier.aliases and "EMSD Director" not in earlier.aliases


# -- rendering with the as-of date ---------------------------------------------------------------


@pytest.fixture(scope="module")
def assistant():
    return fixture_assistant()


@pytest.mark.parametrize(
    "entry",
    [e for e in entries() if e.changeable],
    ids=ids([e for e in entries() if e.changeable]),
)
def test_a_changeable_fact_renders_with_its_document_date_in_every_language(
    assistant, entry: Entry
) -> None:
    source = kb().sources[entry.source.doc]
    for lang in LANGS:
        shown = assistant.render_entry(entry, lang, kb())
        if source.date:
            date = render_date(source.date, lang)
            assert shown.startswith(t("as_of", lang, date=date)), (
                f"{entry.id} [{lang}] is not dated: {shown[:80]!r}"
            )
        else:
            assert shown.startswith(t("as_of_undated", lang, source=source.title.text(lang))), (
                shown[:80]
            )


# -- aliases name their own subject --------------------------------------------------------------

ORG_WORD = re.compile(
    r"局|署|會|会|學院|学院|中心|公司|廳|厅|協|协|bureau|department|association|council|committee|"
    r"institute|centre|center|college|secretariat|society|academy",
    re.I,
)
ABBREVIATION = re.compile(r"^[A-Z][A-Za-z&]{1,7}$")
# Organisations the documents name that are not the subject of any entry, or a short form shared by
# several: no entry may take them as its own name.
NOT_AN_ALIAS = {
    "東莞市科協": "the Dongguan municipal association, not the Guangdong provincial one (emsd-speech-2020)",
    "科協": "names the provincial and the municipal associations alike (「廣東省、市科協」)",
}


def key(name: str) -> str:
    return fold(name).replace(" ", "")


@lru_cache(maxsize=1)
def organisation_names() -> dict[str, set[str]]:
    names: dict[str, set[str]] = {}
    for e in entries():
        if e.type != "organisation":
            continue
        found = [e.title.zh, e.title.en] + [
            re.split(r"[（(]", x)[0] for x in (e.title.zh, e.title.en)
        ]
        found += [a for a in e.aliases if ORG_WORD.search(a) or ABBREVIATION.match(a)]
        for name in found:
            names.setdefault(key(name), set()).add(e.id)
    return names


def test_no_alias_is_another_organisations_name() -> None:
    def check(entry: Entry) -> None:
        wrong = {
            a: sorted(organisation_names()[key(a)])
            for a in entry.aliases
            if key(a) in organisation_names() and entry.id not in organisation_names()[key(a)]
        }
        assert not wrong, f"{entry.id} takes the name of another organisation: {wrong}"

    each(entries(), check, entry_id)


def test_no_alias_is_another_entrys_title() -> None:
    titles = {key(e.title.zh): e.id for e in entries()} | {
        key(e.title.en): e.id for e in entries()
    }

    def check(entry: Entry) -> None:
        wrong = {
            a: titles[key(a)] for a in entry.aliases if titles.get(key(a), entry.id) != entry.id
        }
        assert not wrong, f"{entry.id}: {wrong}"

    each(entries(), check, entry_id)


@pytest.mark.parametrize("name", sorted(NOT_AN_ALIAS))
def test_a_different_organisations_name_is_nobodys_alias(name: str) -> None:
    takers = [e.id for e in entries() if key(name) in {key(a) for a in e.aliases}]
    assert not takers, f"{name!r} ({NOT_AN_ALIAS[name]}) is an alias of {takers}"


# -- open lists stay open ------------------------------------------------------------------------

CN_COUNT = r"(?:[一二兩三四五六七八九十]|\d+)"
CLOSED_ZH = re.compile(r"涵蓋(?:以下)?" + CN_COUNT + r"(?:個|大|項)")
CLOSED_EN = re.compile(
    r"\b(?:covers?|covering|spans?)\s+(?:the\s+)?(?:two|three|four|five|six|seven|eight|nine|ten|\d+)\s+"
    r"(?:\w+\s+)?(?:areas|fields|aspects|sectors|domains)\b",
    re.I,
)


EN_NUMBERS = {
    "two": "兩",
    "three": "三",
    "four": "四",
    "five": "五",
    "six": "六",
    "seven": "七",
    "eight": "八",
    "nine": "九",
    "ten": "十",
}


def document_counts(entry: Entry) -> str:
    """The source document's own text, to see whether it states a count itself (「職責包括兩大範疇」)."""
    path = SEEDS / kb().sources[entry.source.doc].file
    return "".join(path.read_text(encoding="utf-8").split()) if path.exists() else ""


def test_an_open_list_is_not_told_as_a_closed_count() -> None:
    """「包括製冷及空調……和汽車維修等方面」 gives examples: never "the memorandum covers five areas".
    A count the document states itself (「職責包括兩大範疇」) may be repeated."""
    docs = {e.id: doc for e in entries() if (doc := document_counts(e))}
    if not docs:
        pytest.skip("the seed documents (../shared/seeds) are not beside this checkout")

    def check(entry: Entry) -> None:
        doc = docs[entry.id]
        found = [
            m.group()
            for text in (entry.answer.zh, entry.title.zh)
            for m in CLOSED_ZH.finditer(text)
        ]
        for text in (entry.answer.en, entry.title.en):
            for m in CLOSED_EN.finditer(text):
                number = next(
                    (
                        zh
                        for en, zh in EN_NUMBERS.items()
                        if re.search(rf"\b{en}\b", m.group(), re.I)
                    ),
                    "",
                )
                if not number or not re.search(number + r"(?:大|個)(?:範疇|方面|領域)", doc):
                    found.append(m.group())
        assert not found, f"{entry.id} closes a list: {found}"

    each([e for e in entries() if e.id in docs], check, entry_id)


def test_the_memorandum_training_areas_say_they_are_examples() -> None:
    entry = kb().entries["emsd-gz-talent-mou-areas"]
    assert "等" in entry.answer.zh and "並非完整清單" in entry.answer.zh
    assert "examples, not a complete list" in entry.answer.en


# -- dates that are happenings, not plans --------------------------------------------------------

PLANNED = re.compile(
    r"計劃於|將於|預計|\bplanned\b|\bplans? to\b|\bwas to\b|\bwill be\b|\bis to be\b", re.I
)
# A `when` on a non-event that is an announced date still ahead of its document, with the reason.
ANNOUNCED = {
    "leas-application": "the opening of the 2024 application round as the January 2024 newsletter announced it "
    "(a date to act on, told as at January 2024: the entry is changeable)",
}


@pytest.mark.parametrize(
    "entry",
    [e for e in entries() if e.when and e.type != "event"],
    ids=ids([e for e in entries() if e.when and e.type != "event"]),
)
def test_a_when_on_a_non_event_is_a_real_date(entry: Entry) -> None:
    """A `when` makes the entry a dated happening (/events, 'past' or 'upcoming'): it must be something
    that happened by the document's date, or a deadline; a plan ("計劃於2026年成立", "將於2020年下半年
    公布") has no `when`."""
    assert entry.when is not None
    year = entry.when.start[:4]
    assert year in entry.answer.zh and year in entry.answer.en, (
        f"{entry.id}: the date is not stated in the text"
    )
    if entry.id in ANNOUNCED:
        return
    is_deadline = entry.when.end is not None and len(entry.when.end) == 10
    assert is_deadline or not PLANNED.search(entry.answer.zh + " " + entry.answer.en), (
        f"{entry.id} describes a plan but has a `when`"
    )
    doc_date = kb().sources[entry.source.doc].date
    if doc_date and not is_deadline:
        assert first_day(entry.when.start) <= last_day(doc_date), (
            f"{entry.id} happens after its own document"
        )


@pytest.mark.parametrize("entry_id", ["am-hk-ai-rd-institute", "smart-city-blueprint-2"])
def test_planned_things_carry_no_date(entry_id: str) -> None:
    assert kb().entries[entry_id].when is None


# -- names as the documents give them ------------------------------------------------------------

EIGHT = [
    "保持環境整潔、舒適及安全",
    "執行職安健",
    "一般家居照顧",
    "一般外出照顧",
    "輔助生活活動",
    "感染控制",
    "預防心、社、靈危機",
    "與服務使用者的溝通",
]


def english_names(text: str) -> dict[str, str]:
    """'Infection Control [感染控制]' pairs in a text, keyed by the Chinese name."""
    flat = " ".join(text.split())
    out = {}
    for zh in EIGHT:
        m = re.search(r"([A-Z][A-Za-z ,]+?)\s*\[" + re.escape(zh) + r"\]", flat)
        if m:
            out[zh] = re.sub(r"^(?:and|or)\s+", "", m.group(1).split("; ")[-1].strip())
    return out


def test_the_eight_carer_qualifications_have_one_english_name_each() -> None:
    rpl = english_names((ROOT / "knowledge" / "rpl.yaml").read_text(encoding="utf-8"))
    rules = english_names((ROOT / "knowledge" / "rules.yaml").read_text(encoding="utf-8"))
    assert set(rpl) == set(EIGHT) and set(rules) == set(EIGHT)
    assert rules == rpl


def test_official_names_are_given_in_full() -> None:
    texts = " ".join(" ".join([e.title.en, e.answer.en]) for e in entries())
    assert "HR and Social Security" not in texts
    assert "Guangdong Provincial Human Resources and Social Security Department" in texts
    assert (
        "Guangzhou Municipal Human Resources and Social Security Bureau"
        in kb().entries["hrssgz"].title.en
    )
    # The VTC article writes 广东省人力资源及社会保障厅: the Chinese name keeps its 及.
    assert "廣東省人力資源及社會保障廳" in kb().entries["vpes-mous"].answer.zh


def test_manufacturing_is_one_of_four_sectors_not_the_industry_total() -> None:
    for entry_id in ("am-job-ads-manufacturing", "am-job-ads-manufacturing-trends"):
        entry = kb().entries[entry_id]
        assert "四個界別之一" in entry.answer.zh, entry_id
        assert re.search(r"one of (?:the|its) (?:report's )?four sectors", entry.answer.en), (
            entry_id
        )
