"""Knowledge validation: every error reported with its file, entry and field; nothing half-loaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.kb.loader import KnowledgeInvalid, load_knowledge
from tests.helpers import FIXTURE_KB


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE_KB, tmp_path / "knowledge")
    return tmp_path / "knowledge"


def errors_of(directory: Path) -> list[str]:
    with pytest.raises(KnowledgeInvalid) as exc:
        load_knowledge(directory)
    return [str(e) for e in exc.value.errors]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_fixture_loads(kb_dir):
    kb = load_knowledge(kb_dir)
    assert set(kb.entries) == {"rpl-elderly-care", "rpl-elderly-care-exemption", "vpes"}
    assert kb.files["vpes"] == "entries.yaml" and kb.digest


def test_yaml_syntax_error_names_the_file_and_line(kb_dir):
    (kb_dir / "broken.yaml").write_text(
        "entries:\n  - id: x\n    title: [unclosed\n", encoding="utf-8"
    )
    [err] = errors_of(kb_dir)
    assert err.startswith("broken.yaml: YAML syntax error (line")


def test_schema_errors_name_entry_and_field(kb_dir):
    edit(kb_dir / "entries.yaml", "      en: VPES was set up", "      xx: VPES was set up")
    errs = errors_of(kb_dir)
    assert "entries.yaml · entry vpes · field answer.en: Field required" in errs
    assert any(e.startswith("entries.yaml · entry vpes · field answer.xx") for e in errs)


def test_missing_language_of_sample_questions_is_an_error(kb_dir):
    edit(
        kb_dir / "entries.yaml",
        "      yue: [VPES 係咩嚟？, VPES 喺邊？, VTC 喺內地有冇辦事處？]\n",
        "",
    )
    assert "entries.yaml · entry vpes · field questions.yue: Field required" in errors_of(kb_dir)


def test_bad_dates_are_errors(kb_dir):
    edit(kb_dir / "entries.yaml", "end: 2028-08-31", "end: 2028-02-30")
    [err] = errors_of(kb_dir)
    assert err.startswith("entries.yaml · entry rpl-elderly-care-exemption · field when.end")
    assert "not a real date" in err


def test_reversed_span_is_an_error(kb_dir):
    edit(
        kb_dir / "entries.yaml",
        "start: 2023-09-01, end: 2028-08-31",
        "start: 2028-09-01, end: 2023-08-31",
    )
    assert any("is before start" in e for e in errors_of(kb_dir))


def test_duplicate_ids_across_files_and_dangling_references(kb_dir):
    text = (kb_dir / "entries.yaml").read_text(encoding="utf-8")
    vpes = text[text.index("  - id: vpes") :]
    (kb_dir / "more.yaml").write_text(
        "entries:\n"
        + vpes.replace("source: {doc: vtc-vpes", "related: [nowhere]\n    source: {doc: vtc-vpes"),
        encoding="utf-8",
    )
    errs = errors_of(kb_dir)
    assert "more.yaml · entry vpes · field id: duplicate id (also in entries.yaml)" in errs


def test_unknown_topic_source_parent_and_related(kb_dir):
    edit(kb_dir / "entries.yaml", "parent: rpl-elderly-care", "parent: rpl-nothing")
    edit(kb_dir / "entries.yaml", "topic: vtc-mainland", "topic: nowhere")
    edit(kb_dir / "entries.yaml", "source: {doc: vtc-vpes", "source: {doc: no-doc")
    edit(kb_dir / "entries.yaml", "related: [rpl-elderly-care-exemption]", "related: [ghost]")
    errs = errors_of(kb_dir)
    assert (
        "entries.yaml · entry rpl-elderly-care-exemption · field parent: no entry with id 'rpl-nothing'"
        in errs
    )
    assert "entries.yaml · entry vpes · field topic: unknown topic 'nowhere'" in errs
    assert "entries.yaml · entry vpes · field source.doc: unknown document 'no-doc'" in errs
    assert (
        "entries.yaml · entry rpl-elderly-care · field related.0: no entry with id 'ghost'" in errs
    )


def test_check_knowledge_prints_every_error_and_exits_1(kb_dir, monkeypatch, capsys):
    edit(kb_dir / "entries.yaml", "type: organisation", "type: pizza")
    (kb_dir / "broken.yaml").write_text("entries: [", encoding="utf-8")
    monkeypatch.setenv("KNOWLEDGE_DIR", str(kb_dir))
    with pytest.raises(SystemExit) as exc:
        main(["check-knowledge"])
    assert exc.value.code == 1
    out = capsys.readouterr().out
    assert "broken.yaml: YAML syntax error" in out
    assert "entries.yaml · entry vpes · field type:" in out


def test_check_knowledge_passes_on_the_fixture(kb_dir, monkeypatch, capsys):
    monkeypatch.setenv("KNOWLEDGE_DIR", str(kb_dir))
    with pytest.raises(SystemExit) as exc:
        main(["check-knowledge"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("ok: 3 entries")


def test_a_span_ending_in_a_month_that_contains_its_start_is_valid(kb_dir):
    edit(
        kb_dir / "entries.yaml",
        "start: 2023-09-01, end: 2028-08-31",
        "start: 2028-08-15, end: 2028-08",
    )
    assert load_knowledge(kb_dir).entries["rpl-elderly-care-exemption"].when is not None
