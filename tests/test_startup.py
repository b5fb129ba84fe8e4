"""Start-up: a fresh process reads the built index without redoing the build's work, and gets the
same knowledge and the same answers as one that did (issue 8: start-up to first answer <= 1.0 s)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from bot.assistant import Assistant
from bot.kb.index import DICT_NAME, Index
from bot.kb.schema import Entry, Source, Topic, stored
from bot.kb.text import _SIMPLIFIED_ONLY, Segmenter, _char_script, converter, s2t_changed
from tests.helpers import ROOT, real_assistant


@pytest.fixture(scope="module")
def engine():
    """The engine over the real knowledge base, from a built index."""
    return real_assistant()


def same_model(a: Any, b: Any) -> bool:
    """Equal values, and for models also the same fields set (what exclude_unset dumps see)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, BaseModel):
        return (
            a.model_fields_set == b.model_fields_set
            and a.__pydantic_extra__ == b.__pydantic_extra__
            and all(same_model(getattr(a, f), getattr(b, f)) for f in type(a).model_fields)
        )
    if isinstance(a, list):
        return len(a) == len(b) and all(same_model(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def test_the_index_gives_back_every_entry_source_and_topic_as_validating_it_would(
    engine,
) -> None:
    """The index holds what validated models dumped; reading it back without validating again
    gives models equal, field for field and nested model by nested model, to validated ones."""
    conn = sqlite3.connect(engine.index.path)
    try:
        rows = [json.loads(raw) for (raw,) in conn.execute("SELECT entry FROM entries")]
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    finally:
        conn.close()
    assert rows
    for data in rows:
        assert same_model(stored(Entry, data), Entry.model_validate(data)), data["id"]
    for model, key in ((Source, "sources"), (Topic, "topics")):
        for data in json.loads(meta[key]).values():
            assert same_model(stored(model, data), model.model_validate(data)), data["id"]


def test_a_stored_entry_with_a_date_a_place_and_a_simplified_override_is_complete() -> None:
    data = Entry.model_validate(
        {
            "id": "demo-event",
            "type": "event",
            "topic": "rpl",
            "title": {"zh": "示範活動", "en": "A demo event", "zh-Hans": "示范活动"},
            "answer": {"zh": "活動於二〇二四年舉行。", "en": "It took place in 2024."},
            "questions": {
                "zh-Hant": ["活動幾時舉行？"],
                "yue": ["活動幾時搞？"],
                "zh-Hans": ["活动什么时候举行？"],
                "en": ["When was the event?"],
            },
            "when": {"start": "2024-03", "end": "2024-04-02"},
            "place": {"zh": "沙田", "en": "Sha Tin"},
            "source": {"doc": "qf-newsletter", "section": "Events"},
        }
    ).model_dump(by_alias=True, exclude_none=True)
    entry = stored(Entry, data)
    assert same_model(entry, Entry.model_validate(data))
    assert entry.title.text("zh-Hans") == "示范活动"
    assert entry.when is not None and entry.when.end == "2024-04-02"
    assert entry.place is not None and entry.place.text("en") == "Sha Tin"
    assert entry.questions.first("zh-Hant") == "活動幾時搞？"


def test_the_segmenter_reads_its_cache_and_cuts_as_jieba_built_it(engine, tmp_path: Path) -> None:
    """A new Segmenter over a fresh copy of the dictionary builds jieba's cache; the next one reads
    it; both cut the same, and a cache older than the dictionary is rebuilt, not trusted."""
    dictionary = tmp_path / f"index.{DICT_NAME}"
    dictionary.write_bytes(engine.index.path.with_name(f"index.{DICT_NAME}").read_bytes())
    built = Segmenter(dictionary, tmp_path)
    caches = list(tmp_path.glob("jieba.u*.cache"))
    assert len(caches) == 1
    read = Segmenter(dictionary, tmp_path)
    assert read._tk.FREQ == built._tk.FREQ and read._tk.total == built._tk.total
    text = "過往資歷認可免試期幾時完 rpl exemption 2024-2025"
    assert read.tokens(text) == built.tokens(text) == engine.index.segmenter.tokens(text)

    caches[0].write_bytes(b"not a cache")  # damaged: rebuilt, never a crash
    assert Segmenter(dictionary, tmp_path).tokens(text) == built.tokens(text)


def test_a_fresh_process_answers_without_building_validators_or_importing_pkg_resources(
    engine,
) -> None:
    """What start-up skips: pydantic's validators for the knowledge models (the index holds
    validated data) and pkg_resources (which jieba would import only to open its own files)."""
    probe = (
        "import sys; from pathlib import Path; from bot.assistant import Assistant\n"
        "from bot.kb.schema import Bilingual, Entry\n"
        "a = Assistant(__import__('bot.kb.index').kb.index.Index(Path(sys.argv[1])))\n"
        "r = a.answer(sys.argv[2])\n"
        "print(r.answered, Entry.__pydantic_complete__, Bilingual.__pydantic_complete__,"
        " 'pkg_resources' in sys.modules, 'jieba' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(engine.index.path), "過往資歷認可免試期幾時完"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["True", "False", "False", "False", "True"]


def test_an_index_opened_twice_gives_the_same_knowledge(engine) -> None:
    again = Index(engine.index.path)
    assert dict(again.kb.entries) == dict(engine.kb.entries)
    assert dict(again.kb.sources) == dict(engine.kb.sources)
    assert dict(again.kb.topics) == dict(engine.kb.topics)


def test_the_simplified_only_table_is_what_opencc_s2t_says() -> None:
    """detect_lang reads the table instead of loading s2t; it must agree with s2t on every Han
    character (after an OpenCC upgrade: `python -m scripts.simplified_only`)."""
    assert "".join(sorted(_SIMPLIFIED_ONLY)) == s2t_changed()
    assert len(_SIMPLIFIED_ONLY) > 3000  # the file was read, not found empty


@pytest.mark.parametrize(
    "char", ["資", "资", "的", "㐷", "什", "麼", "么", "\uf900", "𠮶", "a", "？", "😀"]
)
def test_a_characters_script_is_what_both_conversions_say(char: str) -> None:
    t2s, s2t = converter("t2s"), converter("s2t")
    expected = 1 if t2s.convert(char) != char else -1 if s2t.convert(char) != char else 0
    assert _char_script.__wrapped__(char) == expected


def test_a_fresh_process_loads_s2t_only_when_a_reply_needs_it() -> None:
    """Telling the script of a Traditional question does not load s2t; the first reply that puts
    folded words back into Traditional loads it then, and converts as s2t always did."""
    probe = (
        "import sys; from bot.kb import text\n"
        "langs = [text.detect_lang(q) for q in sys.argv[1:]]\n"
        "before = text.converter.cache_info().currsize\n"
        "back = text.in_script('过往资历认可', 'zh-Hant')\n"
        "print(*langs, before, text.converter.cache_info().currsize, back)\n"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            probe,
            "過往資歷認可免試期幾時完",
            "过往资历认可什么时候截止",
            "RPL?",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    # t2s only (detect_lang), then s2t as well; the conversion is s2t's.
    assert out == ["zh-Hant", "zh-Hans", "en", "1", "2", "過往資歷認可"]


def test_the_rules_cues_are_compiled_by_the_first_question_that_reads_facts() -> None:
    """Opening an index leaves the rules' few hundred cue patterns uncompiled; the first question
    read for facts compiles them, and is answered from the rules as before."""
    fresh = Index(real_assistant().index.path)
    cues = fresh.kb.rules.cues
    assert "cues" not in vars(cues) and "not_cues" not in vars(cues)
    answer = Assistant(fresh).answer(
        "I am a registered vehicle mechanic in the body repair category. "
        "Which qualification can I get?"
    )
    assert answer.kind == "eligibility" and "level 3" in answer.text.lower()
    assert "cues" in vars(cues) and "not_cues" in vars(cues)


def test_a_built_index_comes_with_jiebas_cache_so_its_first_load_does_not_build_one(
    tmp_path: Path,
) -> None:
    """An index build leaves jieba's cache of the new dictionary beside it: the first process to
    open the index reads it (jieba would otherwise spend about a second building it), and cuts as
    a segmenter that built it from the dictionary does."""
    from bot.kb.index import build_index
    from bot.kb.loader import load_knowledge
    from tests.helpers import FIXTURE_KB

    path = tmp_path / "var" / "index.sqlite"
    build_index(load_knowledge(FIXTURE_KB), FIXTURE_KB, path)
    dictionary = path.with_name(f"index.{DICT_NAME}")
    caches = list(path.parent.glob("jieba.u*.cache"))
    assert len(caches) == 1 and caches[0].stat().st_mtime > dictionary.stat().st_mtime
    written = caches[0].stat().st_mtime_ns
    loaded = Segmenter(dictionary, path.parent)
    assert caches[0].stat().st_mtime_ns == written  # read, not rebuilt
    fresh = Segmenter(dictionary, tmp_path)  # no cache there: built from the dictionary
    assert loaded._tk.FREQ == fresh._tk.FREQ and loaded._tk.total == fresh._tk.total


def test_the_index_holds_each_entrys_reading_so_no_answer_works_one_out(
    engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Folding an entry and finding what its sample questions ask cost about a millisecond; a fresh
    bot reads them from the index, equal to what working them out gives."""
    from bot.kb import readings

    fresh = {e.id: readings.read(e) for e in engine.index.kb.entries.values()}

    def refuse(entry: Entry) -> readings.Reading:
        raise AssertionError(f"{entry.id} was read again")

    monkeypatch.setattr(readings, "read", refuse)
    opened = Index(engine.index.path)
    for entry in opened.kb.entries.values():
        assert opened.kb.readings.of(entry) == fresh[entry.id], entry.id
    assert opened.kb.readings.of(entry).names[0]  # names, longest first


def test_readings_stored_by_other_code_are_worked_out_again_and_the_index_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Changed reading code (a new ask cue) makes the stored readings stale: they are not trusted,
    and the index is not fresh, so `make run` (ensure_index) builds it again."""
    from bot.kb import index as index_module
    from bot.kb import readings
    from tests.helpers import fixture_copy

    knowledge, path = fixture_copy(tmp_path)
    assert index_module.is_fresh(path, knowledge)
    monkeypatch.setattr(index_module, "readings_code", lambda: "other-code")
    assert not index_module.is_fresh(path, knowledge)
    worked_out: list[str] = []
    real_read = readings.read

    def counted(entry: Entry) -> readings.Reading:
        worked_out.append(entry.id)
        return real_read(entry)

    monkeypatch.setattr(readings, "read", counted)
    opened = Index(path)
    entry = next(iter(opened.kb.entries.values()))
    assert opened.kb.readings.of(entry) == real_read(entry)
    assert worked_out == [entry.id]


def test_a_build_reads_jiebas_most_frequent_words_kept_by_an_earlier_one(tmp_path: Path) -> None:
    """Sorting jieba's 349,000 dictionary lines takes a second; a build in another process (a
    reload, a teach) reads the list an earlier build kept beside the index instead (that builds
    keep it, test_faults' file listing checks)."""
    from bot.kb import text

    text._kept_top(tmp_path, 1000).write_text("甲乙 5 n\n", encoding="utf-8")
    try:
        assert text._jieba_top(1000, tmp_path) == "甲乙 5 n\n"
        assert text._jieba_top(1000) == "甲乙 5 n\n"  # and this process keeps it
    finally:
        text._TOP.pop(1000, None)
