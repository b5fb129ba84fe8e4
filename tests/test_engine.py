"""The Assistant: answers in the asker's script with a source, declines honestly, never crashes."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.kb.index import RANKING
from bot.kb.text import han_count, to_simplified
from tests.helpers import fixture_assistant, fixture_copy


@pytest.fixture(scope="module")
def assistant():
    return fixture_assistant()


@pytest.mark.parametrize(
    "question, lang",
    [
        ("過往資歷認可免試期幾時完", "zh-Hant"),
        ("免試期甚麼時候結束？", "zh-Hant"),
        ("过往资历认可免试期什么时候结束", "zh-Hans"),
        ("When does the RPL exemption period end?", "en"),
        ("when does the rpl exemption perid finish", "en"),  # typo mended against the vocabulary
        ("過往資力認可幾時截止", "zh-Hant"),  # one-character typo in a known name
        ("RPL 幾時截止?", "zh-Hant"),  # mixed scripts: Chinese wins
    ],
)
def test_deadline_questions_get_the_exemption_dates_in_the_askers_script(
    assistant, question, lang
):
    answer = assistant.answer(question)
    assert answer.answered and answer.kind == "answer"
    assert answer.entries == ["rpl-elderly-care-exemption"]
    assert answer.lang == lang
    assert "2028" in answer.text
    if lang == "en":
        assert "31 August 2028" in answer.text and "Source:" in answer.text
        assert han_count(answer.text) == 0
    elif lang == "zh-Hans":
        assert to_simplified(answer.text) == answer.text and "来源" in answer.text
    else:
        assert "2028年8月31日" in answer.text and "來源" in answer.text


def test_an_answer_ends_with_its_source_and_document_date(assistant):
    text = assistant.answer("免試期幾時完").text
    assert text.splitlines()[-1] == "來源：資歷架構通訊（2024年1月）"


@pytest.mark.parametrize(
    "question",
    [
        "sing me a song",
        "恒指今日升定跌？",
        "今晚去边度食饭好？",
        "IVE 課程學費要幾多錢？",
        "申請居屋要咩條件？",
    ],
)
def test_off_topic_questions_are_declined_with_topics(assistant, question):
    answer = assistant.answer(question)
    assert not answer.answered and answer.kind == "decline"
    assert (
        "過往資歷認可" in answer.text
        or "Recognition of Prior Learning" in answer.text
        or "过往资历认可" in answer.text
    )


@pytest.mark.parametrize("question", ["", "   ", "???", "🙂🙂🙂", "\x00\x07\x1b", "！？。"])
def test_empty_or_symbol_only_input_asks_for_words(assistant, question):
    answer = assistant.answer(question)
    assert not answer.answered and answer.kind == "empty" and answer.text


@pytest.mark.parametrize(
    "question",
    [
        "x" * 10_000,
        "免試期" * 4000,
        '" * : ( ) NEAR OR AND',
        'exemption" OR "*',
        "NEAR(免試期 2028)",
        "<b>免試期</b><script>alert(1)</script>",
        "\u202e免試期\u200b幾時完",
    ],
)
def test_hostile_input_gets_a_reply_or_a_decline(assistant, question):
    answer = assistant.answer(question)
    assert answer.text
    assert answer.kind in {"answer", "choose", "decline", "empty"}


def test_markup_in_a_question_is_not_echoed(assistant):
    answer = assistant.answer("<script>alert(1)</script> 免試期幾時完")
    assert "<script>" not in answer.text


def test_a_very_long_question_is_answered_with_a_note(assistant):
    answer = assistant.answer("免試期幾時完？" + "請問" * 400)
    assert answer.text.startswith("（你的訊息太長")


def test_a_button_answers_its_entry_with_related_topics(assistant):
    answer = assistant.answer_entry("rpl-elderly-care", "en")
    assert answer is not None and answer.answered
    assert answer.text.startswith("From 1 September 2023")
    assert [c.id for c in answer.related] == ["rpl-elderly-care-exemption"]
    assert assistant.answer_entry("no-such-entry", "en") is None


def test_the_json_form_carries_the_cli_contract_fields(assistant):
    data = assistant.answer("Tell me about VPES").as_json()
    assert set(data) == {"q", "answered", "lang", "text", "entries", "score"}
    assert data["entries"] == ["vpes"] and data["lang"] == "en" and data["answered"] is True


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=400))
def test_any_text_gets_a_well_formed_answer(assistant, text):
    answer = assistant.answer(text)
    assert answer.lang in {"zh-Hant", "zh-Hans", "en"}
    assert answer.text.strip()
    assert answer.answered == (answer.kind in {"answer", "eligibility"})
    assert all(e in assistant.kb.entries for e in answer.entries)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from(["過往資歷認可免試期幾時完", "Tell me about VPES", "VPES 設喺邊個城市？"]),
    st.text(alphabet=" \t\n！？?!。.", max_size=8),
)
def test_punctuation_and_spacing_do_not_change_the_match(assistant, question, noise):
    assert assistant.answer(question + noise).entries == assistant.answer(question).entries


@pytest.mark.slow  # rebuilds the index
def test_reload_swaps_in_good_knowledge_and_reports_the_change(tmp_path):
    from bot.assistant import Assistant

    kb_dir, index = fixture_copy(tmp_path)
    assistant = Assistant.open(kb_dir, index)
    path = kb_dir / "entries.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "VTC's first operation centre in the Mainland", "VTC's first Mainland operation centre"
        ),
        encoding="utf-8",
    )
    report = assistant.reload(kb_dir)
    assert report.ok and report.changed == ["vpes"] and report.added == report.removed == []
    assert "first Mainland operation centre" in assistant.answer("Tell me about VPES").text


def test_a_broken_reload_keeps_the_old_answers_and_lists_errors(tmp_path):
    from bot.assistant import Assistant

    kb_dir, index = fixture_copy(tmp_path)
    assistant = Assistant.open(kb_dir, index)
    (kb_dir / "entries.yaml").write_text("entries: [\n", encoding="utf-8")
    report = assistant.reload(kb_dir)
    assert not report.ok and str(report.errors[0]).startswith("entries.yaml: YAML syntax error")
    assert "2028" in assistant.answer("免試期幾時完").text
    # A fresh process also starts on the last good index rather than refusing to answer.
    from bot.config import Config
    from bot.startup import open_assistant

    config = Config(
        env={"KNOWLEDGE_DIR": str(kb_dir), "DATA_DIR": str(tmp_path / "var")}, dotenv=None
    )
    assert "2028" in open_assistant(config).answer("免試期幾時完").text


def test_search_ranks_entries_for_inline_mode(assistant):
    assert assistant.search("exemption period", limit=3)[0] == "rpl-elderly-care-exemption"
    assert assistant.search("VPES", limit=10, min_score=0.3) == ["vpes"]
    assert assistant.search("sing me a song") == []


def test_a_large_index_ranks_the_rarest_words_within_the_budget_in_sqlite(assistant, monkeypatch):
    from bot.kb import index as index_module

    index = assistant.index
    common = sorted(index.df, key=lambda w: -index.df[w])[:6]
    rarest = min(common, key=lambda w: index.df[w])
    monkeypatch.setattr(index_module, "POSTING_BUDGET", 1)  # every index is "large" now
    rows = index._conn.execute(
        f"SELECT rowid, {RANKING} AS s FROM entries_fts WHERE entries_fts MATCH ? ORDER BY s, rowid",
        (f'"{rarest}"',),
    ).fetchall()
    assert index.search(common, limit=500) == [(index._ids[r], -score) for r, score in rows]


def test_search_scores_are_sqlites_own_bm25_for_the_whole_question(assistant):
    """Word scores are kept between questions; their sums must be what one SQLite query gives,
    to the last bit and in the same order, for common words, a hyphenated one and unknown ones."""
    index = assistant.index
    common = sorted(index.df, key=lambda w: -index.df[w])[:8]
    hyphenated = [w for w in index.df if "-" in w][:2]
    for words in (common, [*common[5:], *hyphenated, "nosuchword"], ["nosuchword"]):
        match = " OR ".join(f'"{w}"' for w in sorted(words))
        rows = index._conn.execute(
            f"SELECT rowid, {RANKING} AS s FROM entries_fts WHERE entries_fts MATCH ? ORDER BY s",
            (match,),
        ).fetchall()
        expected = [(index._ids[rowid], -score) for rowid, score in rows]
        assert expected or words == ["nosuchword"]
        for _ in range(2):  # the second time from the kept scores
            assert index.search(words, limit=500) == expected


def test_the_index_stores_every_words_scores_as_sqlite_gives_them(assistant):
    """A new word costs a lookup, not a full-text query: what the build stored is SQLite's own."""
    from bot.kb.index import _scored

    index = assistant.index
    assert index._postings
    for word in index.df:
        assert index._stored_scores(word) == _scored(index._conn, word), word
    assert index._stored_scores("nosuchword") is None


@pytest.mark.parametrize(
    "text, start",
    [
        ("thanks!", "You're welcome"),
        ("多謝", "不用客氣"),
        ("hi", "Hello"),
        ("你好", "你好！"),
        ("收到", "好的！"),
    ],
)
def test_thanks_and_greetings_get_a_friendly_word_not_an_entry(assistant, text, start):
    answer = assistant.answer(text)
    assert not answer.answered and answer.entries == [] and answer.text.startswith(start)


@pytest.mark.parametrize("text", ["help", "test", "2028", "12", "測試"])
def test_a_lone_word_that_names_nothing_is_declined(assistant, text):
    assert not assistant.answer(text).answered


@pytest.mark.parametrize(
    "text, entry", [("VPES", "vpes"), ("免試期", "rpl-elderly-care-exemption")]
)
def test_a_lone_name_is_answered(assistant, text, entry):
    assert assistant.answer(text).entries == [entry]


@pytest.mark.slow  # builds a second index (or copies it from an earlier run)
def test_answers_stay_consistent_while_reloads_swap_the_knowledge(tmp_path):
    """An answer never pairs one index's matcher with another's entries (no KeyError mid-reload)."""
    import shutil
    import sys
    import threading
    import time

    from bot.assistant import Assistant
    from bot.kb.index import Index
    from tests.helpers import FIXTURE_KB, build_index_cached

    kb_dir = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_KB, kb_dir)
    text = (kb_dir / "entries.yaml").read_text(encoding="utf-8")
    vpes_at = text.index("  - id: vpes")
    (kb_dir / "entries.yaml").write_text(
        text[:vpes_at], encoding="utf-8"
    )  # a knowledge base without vpes
    # Its index as an earlier run built it, when one did (var/test-indexes): builds are not this
    # test's subject.
    build_index_cached("no-vpes", kb_dir, tmp_path / "small" / "index.sqlite")
    small = Assistant.open(kb_dir, tmp_path / "small" / "index.sqlite").index
    full = fixture_assistant()
    both = [full.index, small]
    stop = threading.Event()

    def reloads() -> None:
        i = 0
        while not stop.is_set():
            full.swap(both[i % 2])
            i += 1

    # The threads take turns every 0.1 ms rather than every 5 ms: a fifth of a second then holds
    # more answers cut short by a swap than the default interval gives in a whole second.
    switching = sys.getswitchinterval()
    sys.setswitchinterval(0.0001)
    thread = threading.Thread(target=reloads)
    thread.start()
    try:
        deadline = time.monotonic() + 0.2
        while time.monotonic() < deadline:
            answer = full.answer("Tell me about VPES")
            assert answer.entries in ([], ["vpes"]) or answer.kind in {"choose", "decline"}
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(switching)
    assert isinstance(full.index, Index)


@pytest.mark.slow  # rebuilds the index
def test_rebuilding_the_index_leaves_no_stray_files(tmp_path):
    from bot.assistant import Assistant
    from bot.kb.index import build_index
    from bot.kb.loader import load_knowledge

    kb_dir, path = fixture_copy(tmp_path)
    in_use = Assistant.open(kb_dir, path)  # a built index in use, with its jieba cache
    build_index(load_knowledge(kb_dir), kb_dir, path)
    Assistant.open(kb_dir, path)  # the new one loaded: a second generation of every file
    assert in_use.answer("Tell me about VPES").entries == ["vpes"]
    names = sorted(p.name for p in path.parent.iterdir())
    # Plus at most the most frequent jieba words kept for the next build and one jieba cache.
    assert names[:2] == ["index.jieba.dict", "index.sqlite"] and len(names) <= 4
    assert all(n.startswith(("jieba-top-", "jieba.u")) for n in names[2:])


def test_skipping_comparisons_for_far_candidates_changes_no_decision_nor_any_near_choice(
    monkeypatch,
):
    """Candidates that could not come second or near the best are not compared with sample
    questions; with every candidate compared, the decision, the best two and every candidate
    within NEAR_BEST of the best are the same."""
    import random

    from bot.kb import matcher as matcher_module
    from tests.helpers import real_assistant

    assistant = real_assistant()
    pool = [q for e in assistant.kb.entries.values() for q in e.questions.all()]
    questions = random.Random(3).sample(pool, 300)
    matcher = matcher_module.Matcher(assistant.index)
    fast = [matcher.match(q) for q in questions]
    monkeypatch.setattr(matcher_module, "RERANK_WEIGHT", 10.0)  # never skip
    full = [matcher.match(q) for q in questions]

    def near(m):
        best = m.candidates[0].score if m.candidates else 0.0
        return [c for c in m.candidates if c.score >= best - matcher_module.NEAR_BEST]

    for a, b in zip(fast, full, strict=True):
        assert (a.decision, a.candidates[:2], near(a)) == (b.decision, b.candidates[:2], near(b))


def test_a_particle_jieba_glues_onto_a_known_word_is_left_out():
    from tests.helpers import real_assistant

    matcher = real_assistant().matcher
    words = [w for w, _ in matcher.content_units("谁负责为安老从业员做评估")]
    assert "安老" in words and "为安老" not in words
