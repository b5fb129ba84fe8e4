"""Announcements end to end over the fake Bot API server, as an admin runs them: groups tagged by
their admins, an announcement targeted at one tag, tested first, pinned, scheduled five minutes
ahead under an injected clock and fired once across a restart, then corrected and withdrawn
everywhere; language versions per group; a late and a missed schedule; a crash in the middle of
"edit everywhere" resumed without editing any copy twice."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest

from tests.conftest import running_bot
from tests.fakes.messages import buttons, wait_text
from tests.fakes.updates import make_user
from tests.harness import job_runs, wait_held
from tests.test_telegram_admin import (
    ADMIN,
    ADMIN_USER,
    HKT,
    REFUSED,
    WORKER,
    admin_config,
    fast,
    start_broadcast,
    subscribe_groups,
)

CARE_A, CARE_B, MECHANICS, OTHER = -1008000000001, -1008000000002, -1008000000003, -1008000000004
GROUP_BOSS = make_user(1003, "Boss", language_code="en")
NOON = datetime(2026, 3, 15, 10, 0, tzinfo=HKT)


@pytest.fixture
def clock(monkeypatch) -> list[datetime]:
    """The workers' clock, moved by the test: `clock[0] = ...`. The admin operations read the time
    through `datetime.now` in bot/telegram/operations.py (`Services.now`); patching it there holds
    from the very first run of the schedule job, before a test could replace `Services.now`."""
    import bot.telegram.operations as operations

    moments = [NOON]

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):  # noqa: ANN001, ANN206 - datetime.now's signature
            return moments[0].astimezone(tz) if tz is not None else moments[0]

    monkeypatch.setattr(operations, "datetime", Clock)
    return moments


def config(tmp_path, server, **overrides):
    return admin_config(tmp_path, server, SCHEDULE_CHECK_SECONDS=0.05, **overrides)


def copies_in(server, chat_id) -> list:
    """Announcements the bot delivered to a group (its replies to commands there quote them)."""
    return [
        c for c in server.sent_messages(chat_id) if c.ok and "reply_parameters" not in c.params
    ]


async def press(
    bot, data: str, message: dict, user=ADMIN_USER, method: str = "answerCallbackQuery"
):
    """Press a button under `message`; the bot's answer to the press (or the first call of `method`)."""
    calls = await bot.push_and_wait(
        bot.updates.callback_query(data, user=user, message=message), method
    )
    return calls[0]


async def edited_panel(bot, data: str, panel: dict):
    """Press a panel button that redraws the panel; the redrawn panel's text and buttons."""
    call = await press(bot, data, panel, method="editMessageText")
    return call


async def tag(bot, chat_id: int, title: str, text: str, user) -> str:
    call = await bot.reply_to(
        bot.updates.group_text(text, chat_id=chat_id, title=title, user=user), chat_id=chat_id
    )
    return call.params["text"]


async def test_the_admins_story_tag_target_test_pin_schedule_restart_fire_once_edit_and_delete(
    tg_server, tg_assistant, tmp_path, caplog, clock
):
    from bot.store import Store

    caplog.set_level(logging.INFO)
    server = tg_server
    cfg = config(tmp_path, server)
    store = Store.open(cfg.state_path)
    subscribe_groups(store, [CARE_A, CARE_B, MECHANICS, OTHER])
    server.set_chat_member_status(CARE_A, GROUP_BOSS["id"], "administrator")
    server.set_chat_member_status(MECHANICS, GROUP_BOSS["id"], "administrator")
    server.set_chat_member_status(
        CARE_A, server.bot_id, "administrator"
    )  # the bot may pin in CARE_A only

    async with running_bot(server, cfg, tg_assistant, store, **fast()) as bot:
        # 1. Three groups are tagged: by their own admins, and one by a bot admin; a plain member may not.
        assert (
            await tag(bot, CARE_A, "Care A", "/tag elderly-care", GROUP_BOSS)
            == "This group's tags: #elderly-care"
        )
        assert (
            await tag(bot, CARE_B, "Care B", "/tag #Elderly-Care care-homes", ADMIN_USER)
            == "This group's tags: #care-homes #elderly-care"
        )
        assert (
            await tag(bot, MECHANICS, "Mechanics", "/tag mechanics", GROUP_BOSS)
            == "This group's tags: #mechanics"
        )
        refused = await tag(bot, MECHANICS, "Mechanics", "/tag spam", make_user(1002, "Mei"))
        assert refused == "抱歉，只有本群組的管理員可以更改這個設定。" and store.tags_of(
            MECHANICS
        ) == ["mechanics"]
        assert (
            await tag(bot, MECHANICS, "Mechanics", "/tag bad!tag", GROUP_BOSS)
            == 'Tags are letters, digits, "-" and "_", up to 24 characters: bad!tag'
        )
        listing = await bot.reply_to(
            bot.updates.private_text("/subscribers", user=ADMIN_USER), chat_id=ADMIN
        )
        assert (
            "#care-homes #elderly-care" in listing.params["text"]
            and "#mechanics" in listing.params["text"]
        )

        # 2. The admin drafts the announcement; the panel offers the audience, a test, pinning and a time.
        text = "/broadcast 長者護理課程講座：3月16日上午10時"
        preview, panel = await start_broadcast(bot, text)
        assert preview.params["text"] == "長者護理課程講座：3月16日上午10時"
        assert panel.params["text"].startswith(
            "Above is the preview of broadcast #1. Send it to 4 subscribed groups?"
        )
        assert (
            "🎯 Audience: all subscribed groups" in panel.params["text"]
            and "📣 #A1" in panel.params["text"]
        )
        assert [d for _, d in buttons(panel)] == [
            "bc:ok:1",
            "bc:no:1",
            "an:aud:1",
            "an:test:1",
            "an:pin:1",
            "an:when:1",
        ]
        # Nobody else may touch the panel.
        intruder = await press(bot, "an:aud:1", panel.result, user=WORKER)
        assert intruder.params["text"] == REFUSED

        # 3. Target one tag: the audience choices list every tag with its number of groups.
        audience = await edited_panel(bot, "an:aud:1", panel.result)
        labels = [label for label, _ in buttons(audience)]
        assert {"#care-homes (1)", "#elderly-care (2)", "#mechanics (1)"} <= set(labels)
        chosen = await edited_panel(bot, "an:tag:1:elderly-care", panel.result)
        assert chosen.params["text"].startswith(
            "Above is the preview of broadcast #1. Send it to 2 subscribed groups?"
        )
        assert "🎯 Audience: groups tagged #elderly-care" in chosen.params["text"]
        assert "✓ #elderly-care (2)" in [label for label, _ in buttons(chosen)]
        main = await edited_panel(bot, "an:pin:1", panel.result)
        assert "📌 Pin after sending: yes" in main.params["text"]

        # 4. A test, to the admin only, exactly as the groups will see it.
        acked = await press(bot, "an:test:1", panel.result)
        assert acked.params["text"] == "The test is in your private chat."
        test_copy, note = [c.params["text"] for c in server.sent_messages(ADMIN)[-2:]]
        assert test_copy == preview.params["text"]
        assert note.startswith("↑ Test of broadcast #1 (繁 version), sent only to you")
        assert not any(copies_in(server, g) for g in (CARE_A, CARE_B, MECHANICS, OTHER))

        # 5. Scheduled five minutes ahead, by replying to the panel with the time.
        reply = bot.updates.reply_to_bot(
            "2026-03-15 10:05", bot_message=panel.result, user=ADMIN_USER
        )
        done = await bot.reply_to(reply, chat_id=ADMIN)
        assert done.params["text"].startswith(
            "🕘 Broadcast #1 is scheduled for 15 March 2026 10:05, "
            "to groups tagged #elderly-care (2 groups now)."
        )
        listed = await bot.reply_to(
            bot.updates.private_text("/scheduled", user=ADMIN_USER), chat_id=ADMIN
        )
        assert (
            "#1 · 15 March 2026 10:05 · groups tagged #elderly-care (2 groups) · 長者護理課程講座"
            in listed.params["text"]
        )
        assert buttons(listed) == [("✖ Cancel #1", "an:x:1")]
        assert (await bot.reply_to(bot.updates.private_text("/scheduled"), chat_id=WORKER)).params[
            "text"
        ] == REFUSED
        assert (await press(bot, "an:x:1", listed.result, user=WORKER)).params["text"] == REFUSED
        recent = await bot.reply_to(
            bot.updates.private_text("/broadcasts", user=ADMIN_USER), chat_id=ADMIN
        )
        assert "#1 " in recent.params["text"] and "· scheduled ·" in recent.params["text"]
        clock[0] = datetime(2026, 3, 15, 10, 4, tzinfo=HKT)
        await job_runs(bot.app, "scheduled-announcements", 3)  # several runs of the job: not yet
    store.close()
    assert not any(copies_in(server, g) for g in (CARE_A, CARE_B, MECHANICS, OTHER))

    # 6. The bot restarts before the time; at 10:05 it fires, once.
    store = Store.open(cfg.state_path)
    async with running_bot(server, cfg, tg_assistant, store, **fast()) as bot:
        await job_runs(bot.app, "scheduled-announcements", 2)
        assert not any(copies_in(server, g) for g in (CARE_A, CARE_B))
        clock[0] = datetime(2026, 3, 15, 10, 5, 30, tzinfo=HKT)
        fired = await wait_text(server, ADMIN, "Scheduled broadcast #1")
        assert (
            fired.params["text"]
            == "🕘 Scheduled broadcast #1 (15 March 2026 10:05): sending to 2 groups…"
        )
        report = await wait_text(server, ADMIN, "Broadcast #1 finished")
        await job_runs(bot.app, "scheduled-announcements", 3)  # more runs: nothing fires twice
        assert [len(copies_in(server, g)) for g in (CARE_A, CARE_B, MECHANICS, OTHER)] == [
            1,
            1,
            0,
            0,
        ]
        assert copies_in(server, CARE_A)[0].params["text"] == preview.params["text"]

        # 7. Pinned where the bot may pin; the report says where it could not.
        lines = report.params["text"].split("\n")
        assert (
            lines[0]
            == "Broadcast #1 finished: of 2 groups, 2 sent, 0 failed, 0 skipped, 0 uncertain."
        )
        assert lines[1] == "📌 Pinned in 1 of 2 groups."
        assert (
            lines[2].startswith(f"• Care B <code>{CARE_B}</code>: ")
            and "Not enough rights to manage pinned messages" in lines[2]
        )
        copy_a = copies_in(server, CARE_A)[0].result["message_id"]
        assert server.pinned == {CARE_A: copy_a}
        assert [d for _, d in buttons(report)] == ["an:e:1", "an:d:1"]

        # 8. Edit everywhere: the admin sends the corrected text, confirms, every copy is edited once.
        refused = await press(bot, "an:e:1", report.result, user=WORKER)
        assert refused.params["text"] == REFUSED
        await press(bot, "an:e:1", report.result)
        ask = await wait_text(server, ADMIN, "✏️ #E1")
        assert (
            "Reply to this message with the corrected text of broadcast #1; its 2 delivered copies"
            in ask.params["text"]
        )
        corrected = "長者護理課程講座：改為3月17日上午10時"
        question = await bot.reply_to(
            bot.updates.reply_to_bot(corrected, bot_message=ask.result, user=ADMIN_USER),
            chat_id=ADMIN,
        )
        assert (
            question.params["text"]
            == "Edit the 2 delivered copies of broadcast #1 to the text above?"
        )
        assert (
            await press(bot, question_button(question, "op:ok"), question.result, user=WORKER)
        ).params["text"] == REFUSED
        await press(bot, question_button(question, "op:ok"), question.result)
        edit_report = await wait_text(server, ADMIN, "Edit of broadcast #1 finished")
        assert (
            edit_report.params["text"]
            == "Edit of broadcast #1 finished: of 2 copies, 2 edited, 0 failed."
        )
        for group in (CARE_A, CARE_B):
            copy = copies_in(server, group)[0].result["message_id"]
            assert server.get_message(group, copy)["text"] == corrected
            assert (
                len([c for c in server.calls_of("editMessageText") if c.chat_id == group and c.ok])
                == 1
            )

        # 9. Delete everywhere.
        await press(bot, "an:d:1", report.result)
        question = await wait_text(
            server, ADMIN, "Delete the 2 delivered copies of broadcast #1 from every group?"
        )
        await press(bot, question_button(question, "op:ok"), question.result)
        delete_report = await wait_text(server, ADMIN, "Delete of broadcast #1 finished")
        assert (
            delete_report.params["text"]
            == "Delete of broadcast #1 finished: of 2 copies, 2 deleted, 0 failed."
        )
        deletes = server.calls_of("deleteMessage")
        assert sorted(c.chat_id for c in deletes) == sorted([CARE_A, CARE_B]) and all(
            c.ok for c in deletes
        )
        assert server.get_message(CARE_A, copy_a) is None
        # Nothing is left to list; a second press of Cancel on the old list says so.
        listed = await bot.reply_to(
            bot.updates.private_text("/scheduled", user=ADMIN_USER), chat_id=ADMIN
        )
        assert listed.params["text"] == "No announcement is scheduled."
    store.close()


def question_button(call, prefix: str) -> str:
    return next(d for _, d in buttons(call) if d.startswith(prefix))


async def test_each_group_gets_its_language_and_an_edit_changes_one_version(
    tg_server, tg_assistant, tmp_path
):
    from bot.store import Store

    server = tg_server
    cfg = config(tmp_path, server)
    store = Store.open(cfg.state_path)
    english, traditional, simplified = -1008100000001, -1008100000002, -1008100000003
    subscribe_groups(store, [english, traditional, simplified])
    async with running_bot(server, cfg, tg_assistant, store, **fast()) as bot:
        # The English group's admin sets its language; the Simplified group's askers write Simplified.
        server.set_chat_member_status(english, GROUP_BOSS["id"], "administrator")
        call = await bot.reply_to(
            bot.updates.group_text("/grouplang en", chat_id=english, user=GROUP_BOSS),
            chat_id=english,
        )
        assert call.params["text"] == "Announcements here come in: EN (set by the group's admins)"
        for user_id in (2001, 2002):
            await bot.reply_to(
                bot.updates.mention(
                    "免试期什么时候结束？",
                    chat_id=simplified,
                    user=make_user(user_id, "Li", language_code="zh-cn"),
                ),
                chat_id=simplified,
            )
        call = await bot.reply_to(
            bot.updates.group_text("/grouplang", chat_id=simplified, user=ADMIN_USER),
            chat_id=simplified,
        )
        assert (
            call.params["text"]
            == "Announcements here come in: 简 (the language most askers here use)"
        )

        # A Chinese announcement with an English version sent as a reply to the panel.
        _, panel = await start_broadcast(bot, "/broadcast 新課程今日開始報名")
        added = await bot.reply_to(
            bot.updates.reply_to_bot(
                "en: Enrolment for the new course opens today",
                bot_message=panel.result,
                user=ADMIN_USER,
            ),
            chat_id=ADMIN,
        )
        assert added.params["text"] == "Added the EN version of broadcast #1."
        [redrawn] = await server.wait_for("editMessageText", 1, 5, lambda c: c.chat_id == ADMIN)
        assert "🌐 Versions: 繁 · EN" in redrawn.params["text"]
        # Targeting one language: only the English group.
        only_en = await edited_panel(bot, "an:lang:1:en", panel.result)
        assert "Send it to 1 subscribed groups?" in only_en.params["text"]
        everyone = await edited_panel(bot, "an:all:1", panel.result)
        assert "Send it to 3 subscribed groups?" in everyone.params["text"]
        # The test shows both versions.
        await press(bot, "an:test:1", panel.result)
        await wait_text(server, ADMIN, "(EN version)")
        assert "Enrolment for the new course opens today" in [
            c.params["text"] for c in server.sent_messages(ADMIN)
        ]

        await press(bot, "bc:ok:1", panel.result)
        report = await wait_text(server, ADMIN, "Broadcast #1 finished")
        assert (
            "of 3 groups, 3 sent" in report.params["text"]
            and "Pinned" not in report.params["text"]
        )
        assert (
            copies_in(server, english)[0].params["text"]
            == "Enrolment for the new course opens today"
        )
        assert copies_in(server, traditional)[0].params["text"] == "新課程今日開始報名"
        assert (
            copies_in(server, simplified)[0].params["text"] == "新課程今日開始報名"
        )  # no 简 version: the first one

        # Correcting the English version edits the English copy only.
        await press(bot, "an:e:1", report.result)
        ask = await wait_text(server, ADMIN, "✏️ #E1")
        question = await bot.reply_to(
            bot.updates.reply_to_bot(
                "en: Enrolment opens tomorrow", bot_message=ask.result, user=ADMIN_USER
            ),
            chat_id=ADMIN,
        )
        assert (
            question.params["text"]
            == "Edit the 1 delivered copies of broadcast #1 to the text above?"
        )
        await press(bot, question_button(question, "op:ok"), question.result)
        await wait_text(
            server, ADMIN, "Edit of broadcast #1 finished: of 1 copies, 1 edited, 0 failed."
        )
        edits = [
            c
            for c in server.calls_of("editMessageText")
            if c.chat_id in (english, traditional, simplified)
        ]
        assert [(c.chat_id, c.params["text"]) for c in edits] == [
            (english, "Enrolment opens tomorrow")
        ]
    store.close()


async def test_a_schedule_fires_late_after_downtime_and_is_missed_after_too_long(
    tg_server, tg_assistant, tmp_path, clock
):
    from bot.store import Store

    server = tg_server
    cfg = config(tmp_path, server, SCHEDULE_MAX_DELAY_MINUTES=60)
    store = Store.open(cfg.state_path)
    group = -1008200000001
    subscribe_groups(store, [group])
    async with running_bot(server, cfg, tg_assistant, store, **fast()) as bot:
        for n, when in ((1, "10:30"), (2, "+2h")):
            _, panel = await start_broadcast(bot, f"/broadcast 通知 {n}")
            await bot.reply_to(
                bot.updates.reply_to_bot(when, bot_message=panel.result, user=ADMIN_USER),
                chat_id=ADMIN,
            )
        _, panel = await start_broadcast(bot, "/broadcast 通知 3")
        nobody = await edited_panel(bot, "an:lang:3:en", panel.result)
        assert "Send it to 0 subscribed groups?" in nobody.params["text"]
        refused = await press(bot, "bc:ok:3", panel.result)
        assert (
            refused.params["text"]
            == "No group matches the chosen audience; change the audience first."
        )
        await edited_panel(bot, "an:all:3", panel.result)
        unreadable = bot.updates.reply_to_bot(
            "tomorrow 9am", bot_message=panel.result, user=ADMIN_USER
        )
        assert (
            (await bot.reply_to(unreadable, chat_id=ADMIN))
            .params["text"]
            .startswith("I can't read that time.")
        )
        picker = await edited_panel(bot, "an:when:3", panel.result)  # the presets are buttons
        assert [label for label, _ in buttons(picker)][2:5] == [
            "In an hour (11:00)",
            "Tomorrow 09:00",
            "Tomorrow 18:00",
        ]
        in_hour = next(d for label, d in buttons(picker) if label.startswith("In an hour"))
        scheduled = await press(bot, in_hour, panel.result, method="editMessageText")
        assert scheduled.params["text"].startswith(
            "🕘 Broadcast #3 is scheduled for 15 March 2026 11:00"
        )
        past = bot.updates.reply_to_bot(
            "2026-03-15 09:00", bot_message=panel.result, user=ADMIN_USER
        )
        assert (await bot.reply_to(past, chat_id=ADMIN)).params[
            "text"
        ] == "This broadcast was already confirmed or cancelled."
        listed = await bot.reply_to(
            bot.updates.private_text("/scheduled", user=ADMIN_USER), chat_id=ADMIN
        )
        assert [d for _, d in buttons(listed)] == ["an:x:1", "an:x:3", "an:x:2"]
        cancelled = await press(bot, "an:x:3", listed.result)
        assert cancelled.params["text"] == "Broadcast #3 cancelled."
    store.close()

    # Down from 10:00 to 11:10: #1 (10:30) is 40 minutes late, within the hour allowed; #2 (12:00) is not due.
    store = Store.open(cfg.state_path)
    clock[0] = datetime(2026, 3, 15, 11, 10, tzinfo=HKT)
    async with running_bot(server, cfg, tg_assistant, store, **fast()) as bot:
        late = await wait_text(server, ADMIN, "Scheduled broadcast #1")
        assert late.params["text"] == (
            "🕘 Scheduled broadcast #1 (15 March 2026 10:30): the bot was down, 40 min late; "
            "sending to 1 groups…"
        )
        await wait_text(server, ADMIN, "Broadcast #1 finished")
    store.close()

    # Down again until 13:30: #2 (12:00) is 90 minutes late, more than the hour allowed: not sent.
    store = Store.open(cfg.state_path)
    clock[0] = datetime(2026, 3, 15, 13, 30, tzinfo=HKT)
    async with running_bot(server, cfg, tg_assistant, store, **fast()) as bot:
        missed = await wait_text(server, ADMIN, "Scheduled broadcast #2")
        assert missed.params["text"].startswith(
            "⚠️ Scheduled broadcast #2 (15 March 2026 12:00) was not sent: "
            "the bot was down more than 60 minutes"
        )
        await job_runs(bot.app, "scheduled-announcements", 3)  # more runs: #2 stays unsent
    assert [c.params["text"] for c in copies_in(server, group)] == ["通知 1"]
    assert [(store.broadcast(n) or {}).get("status") for n in (1, 2, 3)] == [
        "done",
        "missed",
        "cancelled",
    ]
    store.close()


async def test_a_crash_during_edit_everywhere_resumes_without_editing_a_copy_twice(
    tg_server, tg_assistant, tmp_path
):
    """The edit job is cancelled abruptly while edits are in flight (as a crash would), then a new
    Application on the same state database resumes it: every copy ends corrected, none edited twice."""
    from bot.store import Store

    server = tg_server
    cfg = config(tmp_path, server)
    groups = [-1008300000000 - i for i in range(200)]
    store = Store.open(cfg.state_path)
    subscribe_groups(store, groups)
    corrected = "停電通知（更正）：3月16日"
    async with running_bot(server, cfg, tg_assistant, store, **fast()) as bot:
        _, panel = await start_broadcast(bot, "/broadcast 停電通知：3月15日")
        await press(bot, "bc:ok:1", panel.result)
        report = await wait_text(server, ADMIN, "Broadcast #1 finished", timeout=20)
        await press(bot, "an:e:1", report.result)
        ask = await wait_text(server, ADMIN, "✏️ #E1")
        question = await bot.reply_to(
            bot.updates.reply_to_bot(corrected, bot_message=ask.result, user=ADMIN_USER),
            chat_id=ADMIN,
        )
        await press(bot, question_button(question, "op:ok"), question.result)
        await server.wait_for(
            "editMessageText", 60, timeout=10, predicate=lambda c: c.chat_id in groups
        )
        server.latency = (
            1.0  # hold what arrives from now on: the edits in flight when the "crash" comes
        )
        await wait_held(server, "editMessageText", groups, 4)  # each of the 4 workers has one
        bot.app.bot_data["announcements"].task.cancel()  # the crash: nothing more is marked
        server.latency = 0.0
    store.close()

    store = Store.open(cfg.state_path)
    counts = store.copy_counts(1)
    assert counts["attempting"] >= 1 and counts["pending"] >= 1  # interrupted for real
    async with running_bot(server, cfg, tg_assistant, store, **fast()) as bot:
        done = await wait_text(server, ADMIN, "Edit of broadcast #1 finished", timeout=20)
    assert (
        done.params["text"]
        == "Edit of broadcast #1 finished: of 200 copies, 200 edited, 0 failed."
    )
    await server._wait_until(
        lambda: all(c.status is not None for c in server.calls_of("editMessageText")),
        5,
        lambda: "held edits were not answered",
    )
    applied: dict[int, int] = {}
    for call in server.calls_of("editMessageText"):
        if call.chat_id in groups and call.ok:
            applied[call.chat_id] = applied.get(call.chat_id, 0) + 1
    assert sorted(applied) == sorted(groups)  # every copy corrected
    assert set(applied.values()) == {
        1
    }  # none edited twice (a repeat is answered "message is not modified")
    assert all(
        (server.get_message(g, copies_in(server, g)[0].result["message_id"]) or {}).get("text")
        == corrected
        for g in groups
    )
    assert store.copy_counts(1)["done"] == 200
    store.close()
