"""The pieces behind /review and knowledge uploads, without Telegram: which sample-question list a
phrasing belongs in, adding it without disturbing the file, validating beside the live files,
atomic replacement with backups, the change summary, grouping questions, and the review log."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.editing.files import BACKUPS_KEPT, replace_file, sha256, summarise, validate_with
from bot.editing.phrasing import EditRefused, add_phrasing, question_form
from bot.editing.review import group, key_of
from bot.kb.loader import KnowledgeInvalid, load_knowledge
from tests.helpers import FIXTURE_KB, ROOT, load_yaml


@pytest.fixture
def kb_dir(tmp_path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_KB, target)
    return target


# -- which list, and adding to it --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, form",
    [
        ("免試期甚麼時候結束？", "zh-Hant"),
        ("免試期幾時完？", "yue"),
        ("老人院做嘢可唔可以攞資歷？", "yue"),
        ("免试期什么时候结束？", "zh-Hans"),
        ("When does the RPL exemption end?", "en"),
        ("RPL 係咪即係以工作經驗換學歷？", "yue"),
    ],
)
def test_a_phrasing_goes_to_the_list_of_its_language_form(text, form):
    assert question_form(text) == form


FLOW_AND_BLOCK = """# A comment at the top stays.
entries:
  - id: flow
    questions: {zh-Hant: [甲是甚麼？], yue: [甲係咩？], zh-Hans: [甲是什么？], en: [What is A]}
  - id: block
    questions:
      en:
        - What is B?  # a note on B
      # a comment between the lists
      yue: ['B 係咩？']

  # ---------------------------------------------------------------- next section
  - id: last
    questions:
      en:
        - What is C?
"""


def test_adding_to_a_flow_list_changes_that_line_only():
    text, form = add_phrasing(FLOW_AND_BLOCK, "flow", "甲, 即係咩？")
    assert form == "yue"
    assert text == FLOW_AND_BLOCK.replace("yue: [甲係咩？]", "yue: [甲係咩？, '甲, 即係咩？']")


def test_adding_to_a_block_list_adds_one_line_and_comments_stay_where_they_were():
    text, _ = add_phrasing(FLOW_AND_BLOCK, "block", "What: is B, really?")
    assert text == FLOW_AND_BLOCK.replace(
        "        - What is B?  # a note on B\n",
        "        - What is B?  # a note on B\n        - 'What: is B, really?'\n",
    )
    text, _ = add_phrasing(FLOW_AND_BLOCK, "last", "Tell me about C")
    assert text == FLOW_AND_BLOCK + "        - Tell me about C\n"
    assert load_yaml(text)["entries"][2]["questions"]["en"] == [
        "What is C?",
        "Tell me about C",
    ]


def test_a_duplicate_an_unknown_entry_and_a_file_that_would_reflow_are_refused():
    with pytest.raises(EditRefused) as exc:
        add_phrasing(FLOW_AND_BLOCK, "flow", "what is a")
    assert exc.value.reason == "duplicate"
    with pytest.raises(EditRefused) as exc:
        add_phrasing(FLOW_AND_BLOCK, "nowhere", "What is A?")
    assert exc.value.reason == "entry"
    wrapped = "entries:\n  - id: w\n    questions:\n      en: [one,\n           two]\n"
    # ruamel would re-space the comment after a flow mapping it edits: refused rather than reformatted.
    commented = "entries:\n  - id: w\n    questions: {en: [one], yue: [一]}  # why\n"
    for text in (wrapped, commented):
        with pytest.raises(EditRefused) as exc:
            add_phrasing(text, "w", "three")
        assert exc.value.reason == "layout"


@pytest.mark.slow  # every real knowledge file, four times
def test_every_real_knowledge_file_takes_a_phrasing_keeping_every_other_line():
    """Read-only over knowledge/: each entry file, its last entry, the four forms in turn."""
    phrasings = [
        ("zh-Hant", "測試問題是甚麼？"),
        ("yue", "測試問題係咩嚟？"),
        ("zh-Hans", "测试问题是什么？"),
        ("en", "What is the test question?"),
    ]
    files = [
        p
        for p in sorted((ROOT / "knowledge").glob("*.yaml"))
        if p.name not in ("sources.yaml", "rules.yaml")
    ]
    assert len(files) >= 4
    for n, path in enumerate(files):
        original = path.read_text(encoding="utf-8")
        entry = load_yaml(original)["entries"][-1]
        form, phrasing = phrasings[n % 4]
        text, used = add_phrasing(
            original, entry["id"], phrasing
        )  # refuses unless one line changed or added
        assert used == form
        edited = load_yaml(text)["entries"][-1]["questions"][form]
        assert edited == entry["questions"][form] + [phrasing], (path.name, form)


# -- files: validate beside, replace atomically, summarise -------------------------------------------------


def test_a_candidate_is_validated_beside_the_live_files_which_stay_untouched(kb_dir):
    live = {p.name: p.read_bytes() for p in kb_dir.iterdir()}
    broken = (
        (kb_dir / "entries.yaml")
        .read_text(encoding="utf-8")
        .replace("type: fact", "type: factoid", 1)
    )
    with pytest.raises(KnowledgeInvalid) as exc:
        validate_with(kb_dir, "entries.yaml", broken.encode())
    assert [str(e) for e in exc.value.errors][0].startswith(
        "entries.yaml · entry rpl-elderly-care-exemption · field type"
    )
    assert {p.name: p.read_bytes() for p in kb_dir.iterdir()} == live
    good = validate_with(kb_dir, "entries.yaml", live["entries.yaml"].replace(b"2028", b"2029"))
    assert "2029" in good.entries["rpl-elderly-care-exemption"].answer.zh


def test_replace_keeps_a_backup_and_a_failed_write_leaves_the_old_file_whole(
    kb_dir, tmp_path, monkeypatch
):
    target = kb_dir / "entries.yaml"
    old = target.read_bytes()
    backups = tmp_path / "backups"
    assert replace_file(kb_dir, "entries.yaml", b"entries: []\n", backups) == old
    assert target.read_bytes() == b"entries: []\n"
    assert [p.read_bytes() for p in backups.iterdir()] == [old]

    def crash(src, dst):  # the process dies between writing the new bytes and the rename
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        replace_file(kb_dir, "entries.yaml", b"half", None)
    assert target.read_bytes() == b"entries: []\n"
    assert sorted(p.name for p in kb_dir.iterdir()) == [
        "entries.yaml",
        "sources.yaml",
    ]  # no temporary file left
    monkeypatch.undo()
    assert (
        replace_file(kb_dir, "new.yaml", None, backups) is None
    )  # removing a file that is not there


def test_backups_are_pruned_per_file(kb_dir, tmp_path):
    backups = tmp_path / "backups"
    for n in range(BACKUPS_KEPT + 3):
        replace_file(kb_dir, "entries.yaml", f"entries: []  # {n}\n".encode(), backups)
    kept = sorted(backups.glob("entries.*.yaml"))
    assert len(kept) == BACKUPS_KEPT and kept[-1].read_bytes() == b"entries: []  # %d\n" % (
        BACKUPS_KEPT + 1
    )


def test_the_summary_names_entries_added_changed_removed_and_figures_changed(kb_dir):
    old = load_knowledge(kb_dir)
    text = (kb_dir / "entries.yaml").read_text(encoding="utf-8")
    text = text.replace("2028年8月31日", "2029年8月31日").replace(
        "31 August 2028", "31 August 2029"
    )
    text = text.replace("VPES 是 VTC 在深圳成立的公司", "VPES 是職業訓練局在深圳成立的公司")
    new = validate_with(kb_dir, "entries.yaml", text.encode())
    summary = summarise(old, new)
    assert (
        summary.changed == ["rpl-elderly-care-exemption", "vpes"]
        and not summary.added
        and not summary.removed
    )
    assert [(f.entry_id, f.before, f.after) for f in summary.figures] == [
        ("rpl-elderly-care-exemption", ["2028"], ["2029"])
    ]
    assert sha256(None) == "" and len(sha256(b"x")) == 64


# -- grouping what to review --------------------------------------------------------------------------------


def rows(*texts: str, start: int = 1) -> list[dict]:
    return [
        {"id": start + i, "text": t, "lang": "en", "kind": "decline", "entry_ids": []}
        for i, t in enumerate(texts)
    ]


def test_near_identical_phrasings_are_one_item_most_frequent_first():
    items = group(
        rows(
            "Where is VPES?",
            "where is vpes",
            "Where's VPES??",
            "What is the fee?",
            "Where is VPES?",
            "Where is the VPES office",
        ),
        {},
    )
    assert [(i.question, i.count) for i in items] == [
        ("Where is VPES?", 4),
        ("What is the fee?", 1),
        ("Where is the VPES office", 1),
    ]
    assert items[0].texts == ["Where is VPES?", "Where's VPES??"] and items[0].last_query_id == 5
    items = group(rows("免試期幾時完？", "免試期幾時完", "免试期几时完？", "免試期幾時完呀？"), {})
    assert [(i.question, i.count) for i in items] == [("免試期幾時完？", 4)]
    assert key_of("免試期幾時完？") == key_of("免试期几时完") == "免试期几时完"


def test_dismissed_questions_stay_away_and_skipped_ones_return_only_when_asked_again():
    marks = {
        key_of("What is the fee?"): {"status": "dismissed", "last_query_id": 1},
        key_of("Where is VPES?"): {"status": "skipped", "last_query_id": 2},
    }
    items = group(rows("What is the fee?", "Where is VPES?", "What is the fee?"), marks)
    assert items == []
    items = group(
        rows("What is the fee?", "Where is VPES?", "What is the fee?", "Where is VPES?"), marks
    )
    assert [(i.question, i.count) for i in items] == [("Where is VPES?", 1)]


# -- the review log -------------------------------------------------------------------------------------


def test_review_log_verbs(store):
    from bot.store.migrations import MIGRATIONS

    assert store.version == MIGRATIONS[-1][0]
    q1 = store.log_query(1, "private", "en", "Where is VPES?", False, [], 0.1, "decline")
    store.log_query(1, "private", "en", "What is VPES?", True, ["vpes"], 0.9, "answer")
    q3 = store.log_query(1, "private", "en", "VPES office?", True, ["vpes"], 0.55, "answer")
    store.log_query(1, "private", "en", "hi", False, [], 0.0, "empty")
    assert [r["id"] for r in store.review_queries(None, 0.6)] == [
        q1,
        q3,
    ]  # declined, and answered unsure

    item = store.create_review_item(
        9, "Where is VPES?", ["Where is VPES?"], 1, ["en"], ["decline"], [], ["vpes"], q1
    )
    assert store.review_item(item)["candidates"] == ["vpes"]
    change = store.record_change(
        9,
        "teach",
        "entries.yaml",
        b"old bytes",
        sha256(b"new"),
        entry_id="vpes",
        form="en",
        phrasing="Where is VPES?",
        item_id=item,
    )
    assert store.resolve_review_item(item, "taught", 9, [key_of("Where is VPES?")], change)
    assert not store.resolve_review_item(
        item, "skipped", 9, [key_of("Where is VPES?")]
    )  # one outcome per item
    assert (
        store.review_marks([key_of("Where is VPES?")])[key_of("Where is VPES?")]["status"]
        == "taught"
    )
    recorded = store.knowledge_change(change)
    assert (
        bytes(recorded["before"]) == b"old bytes" and recorded["admin_id"] == 9 and recorded["at"]
    )
    assert store.mark_change_undone(change, 9) and not store.mark_change_undone(change, 9)
    store.reopen_review_item(item)
    assert (
        store.review_item(item)["status"] == "open"
        and store.review_marks([key_of("Where is VPES?")]) == {}
    )
    assert store.recent_changes()[0]["undone_at"]

    upload = store.create_upload(9, 9, "entries.yaml", b"entries: []\n", "")
    assert store.finish_upload(upload, "applied") and not store.finish_upload(upload, "cancelled")
    assert bytes(store.knowledge_upload(upload)["content"]) == b"entries: []\n"


def test_the_taught_message_names_the_form_in_the_admins_language():
    from bot.telegram.curation_render import taught

    reply = taught(
        "免試期幾時完？",
        "五年免試期",
        "entries.yaml",
        "rpl-elderly-care-exemption",
        "yue",
        False,
        7,
        "zh-Hant",
    )
    assert reply.parts[0].startswith(
        "✅ 由現在起，「免試期幾時完？」→ 五年免試期。（已加入 entries.yaml 項目 "
        "rpl-elderly-care-exemption 的粵語問法。）"
    )
    assert "仍未能直接用這一項回答" in reply.parts[0]
    assert (
        reply.markup is not None and reply.markup.inline_keyboard[0][0].callback_data == "kc:u:7"
    )


def test_teaching_one_entry_gives_the_file_a_whole_file_edit_would():
    """Only the entry's own lines are round-tripped; the file must come out the same as when the
    whole file is, for an entry in the middle of a real file."""
    from bot.editing.phrasing import _edited

    path = min(
        (
            p
            for p in (ROOT / "knowledge").glob("*.yaml")
            if p.name not in ("sources.yaml", "rules.yaml")
        ),
        key=lambda p: p.stat().st_size,
    )
    original = path.read_text(encoding="utf-8")
    entries = load_yaml(original)["entries"]
    entry = entries[len(entries) // 2]
    text, form = add_phrasing(original, entry["id"], "中間那一項怎樣申請？")
    assert text == _edited(original, entry["id"], "中間那一項怎樣申請？", form)


def test_an_entry_whose_questions_follow_a_comment_at_the_margin_is_still_taught():
    original = (
        "entries:\n"
        "  - id: a\n"
        "    title: {zh: 甲, en: A}\n"
        "# a note at the margin, inside the entry\n"
        "    questions:\n"
        "      zh-Hant:\n"
        "        - 甲是甚麼？\n"
        "  - id: b\n"
        "    questions:\n"
        "      zh-Hant:\n"
        "        - 乙是甚麼？\n"
    )
    text, _ = add_phrasing(original, "a", "甲怎樣申請？", "zh-Hant")
    assert load_yaml(text)["entries"][0]["questions"]["zh-Hant"] == ["甲是甚麼？", "甲怎樣申請？"]
    assert load_yaml(text)["entries"][1] == load_yaml(original)["entries"][1]
