"""Admins improve the knowledge from the chat, end to end over the fake Bot API server: /review and
one-tap teaching with undo, "not in the documents" and skip, knowledge files sent and sent back
(/knowledge, a refused edit, Confirm and Cancel), and /stats as a chart. Each test runs on its own
copy of the test knowledge in a temp dir."""

from __future__ import annotations

import logging
import struct
from datetime import datetime

import pytest

from tests.conftest import TG_TODAY, running_bot
from tests.fakes.messages import buttons, to
from tests.fakes.updates import make_user
from tests.harness import copy_knowledge
from tests.test_telegram_admin import (
    ADMIN,
    ADMIN_USER,
    HKT,
    OFF_TOPIC,
    QUESTION,
    REFUSED,
    WORKER,
    admin_config,
    fast,
    ops_of,
)

# Declined by the engine today; Assistant.search ranks the elderly-care RPL entry first.
UNKNOWN = "How do care home staff get their experience recognised?"
VARIANT = "how do care-home staff get their experience recognised"
ENTRY_TITLE = "Recognition of Prior Learning for elderly care"
DECLINE_EN = "Sorry, I don't have information on that"


@pytest.fixture
def kb_copy(tg_knowledge, tg_index, tmp_path):
    """A private copy of the test knowledge and its index: these tests change files and swap indexes."""
    kb, _ = copy_knowledge(tg_knowledge, tg_index, tmp_path)
    return kb


@pytest.fixture
async def curate_bot(tg_server, kb_copy, tg_store, tmp_path):
    from bot.assistant import Assistant

    assistant = Assistant.open(kb_copy, tmp_path / "var" / "index.sqlite", today=lambda: TG_TODAY)
    config = admin_config(tmp_path, tg_server, KNOWLEDGE_DIR=kb_copy, DATA_DIR=tmp_path / "data")
    async with running_bot(tg_server, config, assistant, tg_store, **fast()) as bot:
        await tg_server.wait_for("setMyCommands", 4)
        yield bot


async def ask(bot, text: str) -> str:
    return (await bot.reply_to(bot.updates.private_text(text), chat_id=WORKER)).params["text"]


async def admin_says(bot, text: str, count: int = 1) -> list:
    return await bot.push_and_wait(
        bot.updates.private_text(text, user=ADMIN_USER), count=count, predicate=to(ADMIN)
    )


async def tap(
    bot, data: str, message: dict, user=ADMIN_USER, method: str = "editMessageText"
) -> list:
    return await bot.push_and_wait(
        bot.updates.callback_query(data, user=user, message=message), method, timeout=30
    )


async def refused_tap(bot, data: str, message: dict) -> None:
    stranger = bot.updates.callback_query(data, user=make_user(1002, "Mei"), message=message)
    acks = await bot.push_and_wait(stranger, "answerCallbackQuery")
    assert acks[0].params["text"] == REFUSED


# -- /review ----------------------------------------------------------------------------------------------


async def test_teach_a_declined_question_in_one_tap_then_undo_it(curate_bot, kb_copy, caplog):
    caplog.set_level(logging.INFO)
    bot = curate_bot
    entries = kb_copy / "entries.yaml"
    original = entries.read_bytes()
    for text in (UNKNOWN, UNKNOWN, VARIANT):
        assert (await ask(bot, text)).startswith(DECLINE_EN)
    await ask(bot, QUESTION)  # answered: not for review

    # Only admins may review.
    call = await bot.reply_to(bot.updates.private_text("/review"), chat_id=WORKER)
    assert call.params["text"] == REFUSED and "admin verb /review refused" in caplog.text

    header, item = await admin_says(bot, "/review", count=2)
    assert header.params["text"].startswith("1 question(s) to review, most asked first (1 shown).")
    text = item.params["text"]
    assert text.startswith(
        f"<b>❓ “{UNKNOWN}” (asked 3 times)</b>"
    )  # near-identical phrasings are one item
    assert f"Also asked as: {VARIANT}" in text and "The bot replied that it did not know." in text
    teach_label, teach_data = buttons(item)[0]
    assert teach_label == f"➕ teach as a phrasing of “{ENTRY_TITLE}”" and teach_data == "rv:t:1:0"
    assert [d for _, d in buttons(item)][-2:] == ["rv:n:1", "rv:s:1"]

    # Someone else's tap changes nothing.
    await refused_tap(bot, teach_data, item.result)
    assert entries.read_bytes() == original

    [taught] = await tap(bot, teach_data, item.result)
    assert taught.params["text"].startswith(
        f"✅ From now on, “{UNKNOWN}” → {ENTRY_TITLE}. "
        "(Added to entries.yaml, entry rpl-elderly-care, among its English sample questions.)"
    )
    assert "still does not answer" not in taught.params["text"]
    [(undo_label, undo_data)] = buttons(taught)
    assert undo_label == "↩ Undo" and undo_data.startswith("kc:u:")
    # The file gained one line, in the entry's English sample questions; the rest is byte for byte.
    after = entries.read_text(encoding="utf-8")
    assert after.replace(
        f"      en: [What is RPL for elderly care?, Can community care workers apply for RPL?, elderly care rpl, {UNKNOWN}]",
        "      en: [What is RPL for elderly care?, Can community care workers apply for RPL?, elderly care rpl]",
    ) == original.decode("utf-8")
    change = bot.store.knowledge_change(int(undo_data.split(":")[2]))
    assert (
        change["admin_id"],
        change["action"],
        change["entry_id"],
        change["form"],
        change["phrasing"],
    ) == (ADMIN, "teach", "rpl-elderly-care", "en", UNKNOWN)

    # The worker asks again: answered from that entry. /review no longer lists it.
    assert (await ask(bot, UNKNOWN)).startswith(f"<b>{ENTRY_TITLE}</b>")
    [nothing] = await admin_says(bot, "/review")
    assert nothing.params["text"].startswith("Nothing to review")

    # Undo (admins only): the file is back byte for byte, the index swapped again, the item back in /review.
    await refused_tap(bot, undo_data, taught.result)
    [undone] = await tap(bot, undo_data, taught.result)
    assert (
        undone.params["text"]
        == f"↩ Undone: entries.yaml is back as it was before change #{change['id']}, and in use."
    )
    assert entries.read_bytes() == original
    assert (await ask(bot, UNKNOWN)).startswith(DECLINE_EN)
    header, item = await admin_says(bot, "/review", count=2)
    assert f"“{UNKNOWN}” (asked" in item.params["text"]
    acks = await tap(bot, undo_data, taught.result, method="answerCallbackQuery")
    assert acks[0].params["text"] == "This change was already undone."


async def test_not_in_the_documents_never_comes_back_and_skip_comes_back_when_asked_again(
    curate_bot,
):
    bot = curate_bot
    await ask(bot, OFF_TOPIC)
    await ask(bot, UNKNOWN)
    header, first, second = await admin_says(bot, "/review", count=3)
    assert header.params["text"].startswith("2 question(s) to review")
    by_question = {c.params["text"].split("”")[0].split("“")[-1]: c for c in (first, second)}
    off_topic = next(c for c in (first, second) if OFF_TOPIC in c.params["text"])
    unknown = by_question[UNKNOWN]

    await refused_tap(bot, "rv:n:" + buttons(off_topic)[-2][1].split(":")[2], off_topic.result)
    [dismissed] = await tap(bot, buttons(off_topic)[-2][1], off_topic.result)
    assert (
        dismissed.params["text"]
        == f"🚫 “{OFF_TOPIC}”: marked as not in the documents; it will not come back."
    )
    [skipped] = await tap(bot, buttons(unknown)[-1][1], unknown.result)
    assert (
        skipped.params["text"]
        == f"⏭ “{UNKNOWN}”: skipped; it comes back if someone asks it again."
    )
    acks = await tap(bot, buttons(unknown)[-1][1], unknown.result, method="answerCallbackQuery")
    assert acks[0].params["text"] == "This item was already dealt with."
    [nothing] = await admin_says(bot, "/review")
    assert nothing.params["text"].startswith("Nothing to review")

    await ask(bot, OFF_TOPIC)  # dismissed: stays away
    await ask(bot, UNKNOWN)  # skipped: asked again, so it is back
    header, item = await admin_says(bot, "/review", count=2)
    assert header.params["text"].startswith("1 question(s) to review")
    assert f"“{UNKNOWN}” (asked 1 times)" in item.params["text"]


# -- knowledge files over Telegram ----------------------------------------------------------------------------


def upload(bot, name: str, content: bytes, user=ADMIN_USER) -> dict:
    """The admin sends a file back: its bytes are on the fake server, as Telegram would hold them."""
    update = bot.updates.document(
        file_name=name, mime_type="application/x-yaml", file_size=len(content), user=user
    )
    bot.server.files[update["message"]["document"]["file_id"]] = content
    return update


async def test_knowledge_files_out_an_edit_refused_then_fixed_confirmed_and_answered(
    curate_bot, kb_copy, tmp_path
):
    bot, server = curate_bot, curate_bot.server
    call = await bot.reply_to(bot.updates.private_text("/knowledge"), chat_id=WORKER)
    assert call.params["text"] == REFUSED

    bot.server.push_update(bot.updates.private_text("/knowledge", user=ADMIN_USER))
    docs = await server.wait_for("sendDocument", 3, predicate=to(ADMIN))
    intro = server.sent_messages(ADMIN)[-1]
    assert intro.params["text"].startswith("Here are the 3 knowledge files.")
    sent = {c.params["document"].filename: c.params["document"].content for c in docs}
    assert sorted(sent) == ["entries.yaml", "sources.yaml", "telegram_test.yaml"]
    assert sent["entries.yaml"] == (kb_copy / "entries.yaml").read_bytes()

    original = sent["entries.yaml"].decode("utf-8")
    assert "2028年8月31日" in original and "31 August 2028" in original
    edited = original.replace("2028年8月31日", "2029年8月31日").replace(
        "31 August 2028", "31 August 2029"
    )
    edited += """  - id: rpl-helpdesk
    type: fact
    topic: rpl
    title: {zh: 資歷認可查詢熱線測試, en: RPL helpdesk test}
    answer: {zh: 這是上載後的新項目。, en: This entry arrived in an uploaded file.}
    aliases: [資歷認可查詢熱線測試, RPL helpdesk test]
    questions: {zh-Hant: [資歷認可查詢熱線測試是甚麼？], yue: [資歷認可查詢熱線測試係咩？], zh-Hans: [资历认可查询热线测试是什么？], en: [What is the RPL helpdesk test?]}
    source: {doc: qf-newsletter-2024-01, section: x}
"""
    broken = edited.replace(
        "  - id: rpl-helpdesk\n    type: fact\n", "  - id: rpl-helpdesk\n    type: factoid\n"
    )

    # One error: refused with file, entry and field; nothing written.
    refused = await bot.reply_to(upload(bot, "entries.yaml", broken.encode()), chat_id=ADMIN)
    text = refused.params["text"]
    assert text.startswith(
        "entries.yaml was not saved: 1 error(s). The bot keeps answering from the current files."
    )
    assert "entries.yaml · entry rpl-helpdesk · field type" in text
    assert (kb_copy / "entries.yaml").read_text(encoding="utf-8") == original
    # A worker sending a .yaml file is refused too.
    call = await bot.reply_to(
        upload(bot, "entries.yaml", edited.encode(), user=WORKER), chat_id=WORKER
    )
    assert call.params["text"] == REFUSED

    # Fixed: the changes, then Cancel (nothing written), then again and Confirm.
    question = await bot.reply_to(upload(bot, "entries.yaml", edited.encode()), chat_id=ADMIN)
    text = question.params["text"]
    assert text.startswith(
        "entries.yaml checked: no errors. If you confirm: 1 entries added, 1 changed, 0 removed."
    )
    assert "Added: rpl-helpdesk" in text and "Changed: rpl-elderly-care-exemption" in text
    assert (
        "Entries whose figures or dates change:\n• rpl-elderly-care-exemption: 2028 → 2029" in text
    )
    assert [d for _, d in buttons(question)] == ["ku:ok:1", "ku:no:1"]
    [cancelled] = await tap(bot, "ku:no:1", question.result)
    assert cancelled.params["text"] == "Cancelled: entries.yaml was not changed."
    assert (kb_copy / "entries.yaml").read_text(encoding="utf-8") == original

    question = await bot.reply_to(upload(bot, "entries.yaml", edited.encode()), chat_id=ADMIN)
    await refused_tap(bot, "ku:ok:2", question.result)
    [applied] = await tap(bot, "ku:ok:2", question.result)
    assert applied.params["text"].startswith(
        "✅ entries.yaml saved (the old one is kept as a backup) and in use:"
    )
    assert buttons(applied)[0][0] == "↩ Undo"
    assert (kb_copy / "entries.yaml").read_text(encoding="utf-8") == edited
    backups = list((tmp_path / "data" / "knowledge-backups").glob("entries.*.yaml"))
    assert [b.read_text(encoding="utf-8") for b in backups] == [original]
    assert not [
        p for p in kb_copy.iterdir() if p.name.startswith(".")
    ]  # no temporary file left behind
    # Swapped: workers are answered from the new file.
    assert "2029年8月31日" in await ask(bot, QUESTION)
    assert (await ask(bot, "What is the RPL helpdesk test?")).startswith(
        "<b>RPL helpdesk test</b>"
    )
    acks = await tap(bot, "ku:ok:2", question.result, method="answerCallbackQuery")
    assert acks[0].params["text"] == "This file was already saved or cancelled."


async def test_an_upload_confirmed_after_the_file_changed_is_not_applied(curate_bot, kb_copy):
    bot = curate_bot
    entries = kb_copy / "entries.yaml"
    edited = entries.read_text(encoding="utf-8").replace("31 August 2028", "31 August 2030")
    question = await bot.reply_to(upload(bot, "entries.yaml", edited.encode()), chat_id=ADMIN)
    meanwhile = entries.read_text(encoding="utf-8") + "\n# edited on the server meanwhile\n"
    entries.write_text(meanwhile, encoding="utf-8")
    bot.server.push_update(
        bot.updates.callback_query("ku:ok:1", user=ADMIN_USER, message=question.result)
    )
    stale = await bot.server.wait_for(
        "sendMessage", predicate=lambda c: "changed after you sent yours" in c.params["text"]
    )
    assert stale[0].params["text"].startswith("entries.yaml changed after you sent yours")
    assert entries.read_text(encoding="utf-8") == meanwhile


async def test_a_badly_named_file_is_refused(curate_bot):
    bot = curate_bot
    call = await bot.reply_to(upload(bot, "entries (1).yaml", b"entries: []\n"), chat_id=ADMIN)
    assert call.params["text"].startswith(
        "Please send a .yaml file named like the knowledge files"
    )


# -- /stats as a chart -------------------------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    return struct.unpack(">II", data[16:24])


async def test_stats_is_a_chart_with_the_figures_in_its_caption(curate_bot):
    bot = curate_bot
    for text in (QUESTION, "When does the exemption period end?", OFF_TOPIC, OFF_TOPIC):
        await ask(bot, text)
    ops_of(bot).now = lambda: datetime.now(HKT)
    call = await bot.reply_to(
        bot.updates.private_text("/stats", user=make_user(1002, "Mei")), chat_id=1002
    )
    assert call.params["text"] == REFUSED
    [photo] = await bot.push_and_wait(
        bot.updates.private_text("/stats 3", user=ADMIN_USER), "sendPhoto", predicate=to(ADMIN)
    )
    caption = photo.params["caption"]
    assert caption.startswith("<b>Statistics from")
    assert "4 questions from 1 users; 2 answered (50%)." in caption
    assert "• zh-Hant: 3 (1, 33%)" in caption and "• en: 1 (1, 100%)" in caption
    assert "Top subjects:\n• Recognition of Prior Learning (RPL): 2" in caption
    assert f"1. {OFF_TOPIC} ×2" in caption
    image = photo.params["photo"].content
    assert png_size(image) == (1000, 750)
    assert 10_000 < len(image) < 1_000_000


async def test_review_buttons_from_a_stale_message_are_answered(curate_bot):
    bot = curate_bot
    acks = await bot.push_and_wait(
        bot.updates.callback_query("rv:t:99:0", user=ADMIN_USER), "answerCallbackQuery"
    )
    assert acks[0].params["text"] == "This item was already dealt with."


async def test_a_change_whose_index_cannot_be_built_is_rolled_back(
    curate_bot, kb_copy, monkeypatch
):
    bot = curate_bot
    entries = kb_copy / "entries.yaml"
    original = entries.read_bytes()
    edited = original.replace(b"31 August 2028", b"31 August 2031")
    question = await bot.reply_to(upload(bot, "entries.yaml", edited), chat_id=ADMIN)
    seen: list[bytes] = []

    reloader = ops_of(bot).reloader

    async def failing_build() -> dict:  # reloads build in a child process: that build fails
        seen.append((reloader.knowledge_dir / "entries.yaml").read_bytes())
        return {
            "ok": False,
            "total": 1,
            "errors": [
                {
                    "file": "index",
                    "entry": None,
                    "field": None,
                    "message": "could not build the index: disk full",
                }
            ],
        }

    monkeypatch.setattr(reloader, "build_in_child", failing_build)
    bot.server.push_update(
        bot.updates.callback_query("ku:ok:1", user=ADMIN_USER, message=question.result)
    )
    [report] = await bot.server.wait_for(
        "sendMessage", predicate=lambda c: "rolled back" in c.params["text"], timeout=20
    )
    assert "index: could not build the index: disk full" in report.params["text"]
    assert (
        seen[0] == edited and entries.read_bytes() == original
    )  # tried with the new file, then put back
    assert bot.store.recent_changes() == []
