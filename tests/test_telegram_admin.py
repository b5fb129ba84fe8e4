"""Admin operations end to end over the fake Bot API server: admin and non-admin on every admin verb,
hot reload (good change, broken YAML, schema error, `bot.py reload` from outside), group
subscriptions, broadcasts (preview, Confirm/Cancel, 500 groups with 429/403/5xx, a crash mid-way
and the restart), event reminders under an injected clock, statistics and the human inbox."""

from __future__ import annotations

import argparse
import asyncio
import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.telegram.app import RetryingRateLimiter
from bot.telegram.context import services_of
from tests.conftest import TG_TODAY, running_bot, tg_config
from tests.fakes.messages import buttons, to, wait_text
from tests.fakes.updates import DEFAULT_GROUP_ID, DEFAULT_USER_ID, make_user
from tests.harness import copy_index, copy_knowledge, job_runs, wait_held

ADMIN = 9001
ADMIN_USER = make_user(ADMIN, "Ada", language_code="en")
ADMIN_CHAT = -1009999
WORKER = DEFAULT_USER_ID
GROUP = DEFAULT_GROUP_ID
REFUSED = "抱歉，這個指令只供本服務的管理員使用。"
HKT = timezone(timedelta(hours=8))
QUESTION = "免試期幾時完？"
OFF_TOPIC = "今日天氣點呀？"


def admin_config(tmp_path: Path, server, **overrides):
    settings = dict(
        ADMIN_IDS=ADMIN,
        ADMIN_CHAT_ID=ADMIN_CHAT,
        TELEGRAM_MAX_RATE=0,
        REMINDER_CHECK_SECONDS=0,
        BROADCAST_PROGRESS=0.05,
        BROADCAST_WORKERS=4,
    )
    settings.update(overrides)
    return tg_config(tmp_path, server.base_url, **settings)


def fast(**extra):
    """Telegram's limits off (the tests would wait on them); retries kept, with short back-off."""
    return {
        "rate_limiter": RetryingRateLimiter(
            max_retries=3, overall_max_rate=0, group_max_rate=0, backoff=0.01
        ),
        "knowledge_poll": 0,
        **extra,
    }


def ops_of(bot):
    return services_of(bot.app)


def subscribe_groups(store, ids, lang="zh-Hant"):
    with store.db.atomic():
        for chat_id in ids:
            store.upsert_chat(chat_id, "supergroup", f"Group {chat_id}")
            store.subscribe(chat_id, lang)


@pytest.fixture
async def admin_bot(tg_server, tg_assistant, tg_store, tmp_path):
    async with running_bot(
        tg_server, admin_config(tmp_path, tg_server), tg_assistant, tg_store, **fast()
    ) as bot:
        await tg_server.wait_for("setMyCommands", 4)
        yield bot


@pytest.fixture
def own_assistant(tg_knowledge, tg_index, tmp_path):
    """A private copy of the test knowledge and its index: reloads must not touch the shared one."""
    from bot.assistant import Assistant

    kb, index = copy_knowledge(tg_knowledge, tg_index, tmp_path)
    return Assistant.open(kb, index, today=lambda: TG_TODAY)


@pytest.fixture
async def reload_bot(tg_server, own_assistant, tg_store, tmp_path):
    config = admin_config(
        tmp_path, tg_server, KNOWLEDGE_DIR=own_assistant.index.path.parent.parent / "knowledge"
    )
    async with running_bot(
        tg_server, config, own_assistant, tg_store, **fast(knowledge_poll=0.1)
    ) as bot:
        await tg_server.wait_for("setMyCommands", 4)
        yield bot


# -- who may ---------------------------------------------------------------------------------------


ADMIN_VERBS = {  # verb -> the start of the admin's reply
    "/admin": "Admin commands:",
    "/broadcast Hello": "No group is subscribed",
    "/broadcasts": "No broadcasts yet.",
    "/subscribers": "No group is subscribed yet.",
    "/stats": "<b>Statistics from",
    "/stats 400": "Usage: /stats",
}


async def test_every_admin_verb_refuses_others_politely_and_logs_it(admin_bot, caplog):
    caplog.set_level(logging.INFO)
    bot = admin_bot
    for verb in [*ADMIN_VERBS, "/reload"]:
        call = await bot.reply_to(bot.updates.private_text(verb), chat_id=WORKER)
        assert call.params["text"] == REFUSED, verb
        assert (
            f"admin verb {verb.split()[0]} refused: user {WORKER} in chat {WORKER} is not an admin"
            in caplog.text
        )
    for verb, expected in ADMIN_VERBS.items():
        call = await bot.reply_to(bot.updates.private_text(verb, user=ADMIN_USER), chat_id=ADMIN)
        assert call.params["text"].startswith(expected), (verb, call.params["text"])
    # In a group, a bare /stats may be another bot's: refused out loud only when it names this bot.
    call = await bot.reply_to(bot.updates.group_text("/stats@vt_helper_bot"), chat_id=GROUP)
    assert call.params["text"] == REFUSED
    bot.server.push_update(bot.updates.group_text("/stats"))
    await bot.idle()
    assert (
        len(bot.server.sent_messages(GROUP)) == 1
        and caplog.text.count("admin verb /stats refused") == 4
    )
    # In a workers' group even an admin is asked to use a private chat; the admin chat is fine.
    call = await bot.reply_to(bot.updates.group_text("/stats", user=ADMIN_USER), chat_id=GROUP)
    assert call.params["text"].startswith("To keep internal figures private")
    call = await bot.reply_to(
        bot.updates.group_text("/subscribers", user=ADMIN_USER, chat_id=ADMIN_CHAT),
        chat_id=ADMIN_CHAT,
    )
    assert call.params["text"] == "No group is subscribed yet."
    assert bot.store.recent_broadcasts() == []
    # Admins see the admin verbs in their command menu, group administrators /subscribe and /reminders.
    calls = await bot.server.wait_for("setMyCommands", 8)
    menus = {
        (
            c.params["scope"]["type"],
            c.params["scope"].get("chat_id"),
            c.params.get("language_code"),
        ): [m["command"] for m in c.params["commands"]]
        for c in calls
    }
    assert menus[("chat", ADMIN, None)][-8:] == [
        "admin",
        "reload",
        "broadcast",
        "broadcasts",
        "subscribers",
        "stats",
        "review",
        "knowledge",
    ]
    assert menus[("all_chat_administrators", None, "zh")][-3:] == [
        "subscribe",
        "unsubscribe",
        "reminders",
    ]
    assert "reload" not in menus[("all_private_chats", None, None)]


async def test_reload_is_for_admins_and_reports_an_unchanged_knowledge(reload_bot, caplog):
    bot = reload_bot
    call = await bot.reply_to(bot.updates.private_text("/reload"), chat_id=WORKER)
    assert call.params["text"] == REFUSED
    calls = await bot.push_and_wait(
        bot.updates.private_text("/reload", user=ADMIN_USER), predicate=to(ADMIN), timeout=20
    )
    assert calls[0].params["text"] == "Checking and reloading the knowledge files…"
    result = (await bot.server.wait_for("editMessageText", 1, 20, to(ADMIN)))[
        0
    ]  # "checking" becomes the result
    assert result.params["message_id"] == calls[0].result["message_id"]
    assert (
        result.params["text"].startswith("Knowledge reloaded:")
        and "0 added, 0 changed, 0 removed" in result.params["text"]
    )


# -- hot reload ------------------------------------------------------------------------------------


BAD_SCHEMA = """entries:
  - id: bad-entry
    type: fact
    topic: rpl
    title: {zh: 壞資料, en: Bad entry}
    answer: {zh: 只有中文}
    questions: {zh-Hant: [壞資料？], yue: [壞資料？], zh-Hans: [坏资料？], en: [bad entry?]}
    source: {doc: qf-newsletter-2024-01, section: x}
  - id: bad-type
    type: no-such-type
    topic: rpl
    title: {zh: 壞類型, en: Bad type}
    answer: {zh: 壞, en: Bad}
    questions: {zh-Hant: [壞類型？], yue: [壞類型？], zh-Hans: [坏类型？], en: [bad type?]}
    source: {doc: qf-newsletter-2024-01, section: x}
"""
NEW_ENTRY = """entries:
  - id: reload-new-entry
    type: fact
    topic: rpl
    title: {zh: 熱更新測試, en: Hot reload test}
    answer: {zh: 這是熱更新後的新資料。, en: This entry arrived with a hot reload.}
    aliases: [熱更新測試, hot reload test]
    questions: {zh-Hant: [熱更新測試是甚麼？], yue: [熱更新測試係咩？], zh-Hans: [热更新测试是什么？], en: [What is the hot reload test?]}
    source: {doc: qf-newsletter-2024-01, section: x}
"""


async def test_reload_with_broken_yaml_then_a_schema_error_then_a_good_change(reload_bot):
    bot = reload_bot
    kb_dir = Path(ops_of(bot).reloader.knowledge_dir)
    before = (await bot.reply_to(bot.updates.private_text(QUESTION), chat_id=WORKER)).params[
        "text"
    ]
    assert before.startswith("<b>五年免試期</b>")

    async def reload() -> str:
        edits = await bot.push_and_wait(
            bot.updates.private_text("/reload", user=ADMIN_USER),
            "editMessageText",
            predicate=to(ADMIN),
            timeout=20,
        )  # the "checking" message, edited
        return "\n".join(c.params["text"] for c in edits)

    (kb_dir / "broken.yaml").write_text(
        "entries:\n  - id: [oops\n    type: fact\n", encoding="utf-8"
    )
    report = await reload()
    assert report.startswith(
        "Reload refused: 1 error(s) in the knowledge files. I keep answering from the previous knowledge."
    )
    assert "broken.yaml: YAML syntax error (line 3" in report
    assert (await bot.reply_to(bot.updates.private_text(QUESTION), chat_id=WORKER)).params[
        "text"
    ] == before

    (kb_dir / "broken.yaml").write_text(BAD_SCHEMA, encoding="utf-8")
    report = await reload()
    assert "Reload refused: 2 error(s)" in report
    assert "broken.yaml · entry bad-entry · field answer.en: Field required" in report
    assert "broken.yaml · entry bad-type · field type" in report
    assert (await bot.reply_to(bot.updates.private_text(QUESTION), chat_id=WORKER)).params[
        "text"
    ] == before

    (kb_dir / "broken.yaml").unlink()
    (kb_dir / "reload_new.yaml").write_text(NEW_ENTRY, encoding="utf-8")
    entries = kb_dir / "entries.yaml"
    entries.write_text(
        entries.read_text(encoding="utf-8").replace(
            "期內可以查閱工作證明文件方式遞交申請", "期內可以工作證明文件申請（已更新）"
        ),
        encoding="utf-8",
    )
    report = await reload()
    assert "1 added, 1 changed, 0 removed." in report
    assert "Added: reload-new-entry" in report and "Changed: rpl-elderly-care-exemption" in report
    after = (await bot.reply_to(bot.updates.private_text(QUESTION), chat_id=WORKER)).params["text"]
    assert "（已更新）" in after
    new = await bot.reply_to(bot.updates.private_text("熱更新測試是甚麼？"), chat_id=WORKER)
    assert new.params["text"].startswith("<b>熱更新測試</b>")


async def test_answers_keep_flowing_during_a_reload(reload_bot, monkeypatch):
    bot = reload_bot
    reloader = ops_of(bot).reloader
    release = asyncio.Event()
    real_build = reloader.build_in_child

    async def slow_build():
        await asyncio.wait_for(
            release.wait(), 5
        )  # the reload's process is busy until the worker got an answer
        return await real_build()

    monkeypatch.setattr(reloader, "build_in_child", slow_build)
    bot.server.push_update(bot.updates.private_text("/reload", user=ADMIN_USER))
    await wait_text(bot.server, ADMIN, "Checking and reloading")
    answer = await bot.reply_to(bot.updates.private_text(QUESTION), chat_id=WORKER)
    assert answer.params["text"].startswith("<b>五年免試期</b>")
    # A second /reload meanwhile (from the admin chat: the admin's own chat waits for its first one)
    busy = await bot.reply_to(
        bot.updates.group_text("/reload", user=ADMIN_USER, chat_id=ADMIN_CHAT), chat_id=ADMIN_CHAT
    )
    assert busy.params["text"] == "A reload is already running; please wait."
    release.set()
    await bot.server.wait_for(
        "editMessageText",
        1,
        20,
        lambda c: (
            str(c.chat_id) == str(ADMIN) and "Knowledge reloaded" in (c.params.get("text") or "")
        ),
    )


async def test_bot_py_reload_against_the_running_bot_is_picked_up_and_reported(reload_bot):
    from bot.cli import cmd_reload

    bot = reload_bot
    kb_dir = Path(ops_of(bot).reloader.knowledge_dir)
    (kb_dir / "reload_new.yaml").write_text(NEW_ENTRY, encoding="utf-8")
    bot.store.set_language(
        ADMIN, "en"
    )  # notices to the admin chat follow the (first) admin's /lang
    config = tg_config(kb_dir.parent, KNOWLEDGE_DIR=kb_dir, DATA_DIR=kb_dir.parent / "var")
    assert (
        await asyncio.to_thread(cmd_reload, config, argparse.Namespace()) == 0
    )  # what `python bot.py reload` does
    notice = await wait_text(bot.server, ADMIN_CHAT, "command line", timeout=10)
    assert (
        "(bot.py reload)" in notice.params["text"]
        and "1 added, 0 changed, 0 removed" in notice.params["text"]
    )
    new = await bot.reply_to(
        bot.updates.private_text("What is the hot reload test?"), chat_id=WORKER
    )
    assert new.params["text"].startswith("<b>Hot reload test</b>")


# -- subscriptions ---------------------------------------------------------------------------------------


async def test_group_subscriptions_for_group_admins_and_bot_admins(admin_bot, caplog):
    caplog.set_level(logging.INFO)
    bot, server, store = admin_bot, admin_bot.server, admin_bot.store
    member = make_user(1002, "Mei")
    call = await bot.reply_to(bot.updates.group_text("/subscribe", user=member), chat_id=GROUP)
    assert call.params["text"] == "抱歉，只有本群組的管理員可以更改訂閱設定。"
    assert "/subscribe refused in group" in caplog.text and store.subscription(GROUP) is None
    assert server.calls_of("getChatMember")[-1].params["user_id"] == 1002

    server.set_chat_member_status(GROUP, 1003, "administrator")
    boss = make_user(1003, "Boss", language_code="en")
    call = await bot.reply_to(bot.updates.group_text("/subscribe", user=boss), chat_id=GROUP)
    assert call.params["text"].startswith("This group is now subscribed")
    assert store.subscription(GROUP)["lang"] == "en"
    call = await bot.reply_to(bot.updates.group_text("/subscribe", user=boss), chat_id=GROUP)
    assert call.params["text"] == "This group is already subscribed."
    call = await bot.reply_to(bot.updates.group_text("/reminders off", user=boss), chat_id=GROUP)
    assert (
        call.params["text"].startswith("Event reminders are off")
        and store.subscription(GROUP)["reminders"] == 0
    )
    call = await bot.reply_to(bot.updates.group_text("/reminders", user=boss), chat_id=GROUP)
    assert "are off for this group now" in call.params["text"]
    call = await bot.reply_to(bot.updates.group_text("/reminders on", user=member), chat_id=GROUP)
    assert "只有本群組的管理員" in call.params["text"]

    # A bot admin may manage any group; /subscribe in private explains itself.
    call = await bot.reply_to(
        bot.updates.group_text("/subscribe", user=ADMIN_USER, chat_id=-1005, title="Carers"),
        chat_id=-1005,
    )
    assert call.params["text"].startswith("This group is now subscribed")
    call = await bot.reply_to(bot.updates.private_text("/subscribe", user=boss), chat_id=1003)
    assert call.params["text"].startswith("Use this command in a group")
    listing = await bot.reply_to(
        bot.updates.private_text("/subscribers", user=ADMIN_USER), chat_id=ADMIN
    )
    text = listing.params["text"]
    assert (
        "Subscribed groups: 2 active, 0 inactive" in text
        and "Carers" in text
        and "no reminders" in text
    )

    # Removed from a group: unsubscribed. A group upgraded to a supergroup keeps its subscription.
    server.push_update(bot.updates.bot_removed_from_group(chat_id=-1005, title="Carers"))
    old, new = -4005, -1004005
    call = await bot.reply_to(
        bot.updates.group_text("/subscribe", user=ADMIN_USER, chat_id=old, chat_type="group"),
        chat_id=old,
    )
    assert store.subscription(old) is not None
    server.push_update(bot.updates.migrate_to_chat(old_chat_id=old, new_chat_id=new))
    server.push_update(bot.updates.migrate_from_chat(new_chat_id=new, old_chat_id=old))
    await bot.idle()
    assert store.subscription(-1005) is None
    assert store.subscription(old) is None and store.subscription(new)["active"] == 1
    call = await bot.reply_to(bot.updates.group_text("/unsubscribe", user=boss), chat_id=GROUP)
    assert call.params["text"] == "This group is unsubscribed: no more announcements or reminders."
    assert [s["chat_id"] for s in store.subscriptions()] == [new]


async def test_anonymous_group_admin_may_subscribe(admin_bot):
    bot = admin_bot
    group = {"id": GROUP, "type": "supergroup", "title": "Anon"}
    update = bot.updates.group_text(
        "/subscribe", user=make_user(1087968824, "Group", language_code=None)
    )
    update["message"]["sender_chat"] = group
    call = await bot.reply_to(update, chat_id=GROUP)
    assert call.params["text"].startswith("本群組已訂閱公告及活動提醒")


# -- broadcasts ----------------------------------------------------------------------------------------


async def start_broadcast(bot, text: str = "/broadcast 課程<b>更新</b> & news", **kw):
    """Admin writes /broadcast; returns the question message (with Confirm/Cancel) after the preview."""
    calls = await bot.push_and_wait(
        bot.updates.private_text(text, user=ADMIN_USER, **kw),
        count=2,
        predicate=to(ADMIN),
        method="sendMessage",
    )
    return calls


async def test_broadcast_to_500_groups_with_429_403_and_5xx_exactly_once(admin_bot):
    bot, server, store = admin_bot, admin_bot.server, admin_bot.store
    group_ids = [-1002000000000 - i for i in range(500)]
    blocked = set(group_ids[7::25])  # 20 groups removed or blocked the bot
    subscribe_groups(store, group_ids)
    preview, question = await start_broadcast(bot, "/broadcast 課程<b>更新</b> & news")
    assert (
        preview.params["text"] == "課程&lt;b&gt;更新&lt;/b&gt; &amp; news"
        and preview.params["parse_mode"] == "HTML"
    )
    assert question.params["text"].startswith(
        "Above is the preview of broadcast #1. Send it to 500 subscribed groups?"
    )
    assert [d for _, d in buttons(question)][:2] == [
        "bc:ok:1",
        "bc:no:1",
    ]  # then the announcement options
    assert not any(
        str(c.chat_id) in map(str, group_ids) for c in server.calls_of("sendMessage")
    )  # nothing yet

    server.fail(
        "sendMessage", "429", times=6, retry_after=0.05
    )  # Telegram's flood control, several times
    ambiguous = group_ids[10:13]
    for chat_id in ambiguous:  # a 5xx may follow a delivery: uncertain, never repeated
        server.fail("sendMessage", "502", times=1, chat_id=chat_id)
    for chat_id in blocked:
        server.fail(
            "sendMessage",
            "403",
            times=5,
            chat_id=chat_id,
            description="Forbidden: bot was kicked from the supergroup chat",
        )
    server.fail(
        "sendMessage",
        "400",
        times=1,
        chat_id=group_ids[3],
        description="Bad Request: chat not found",
    )
    loop = asyncio.get_running_loop()
    started = loop.time()
    bot.server.push_update(
        bot.updates.callback_query("bc:ok:1", user=ADMIN_USER, message=question.result)
    )
    report = await wait_text(server, ADMIN, "Broadcast #1 finished", timeout=30)
    elapsed = loop.time() - started
    assert report.params["text"].startswith(
        "Broadcast #1 finished: of 500 groups, 476 sent, 21 failed, 0 skipped, 3 uncertain."
    )
    assert (
        "21 groups removed or blocked the bot and are now marked inactive."
        in report.params["text"]
    )

    delivered: dict[int, int] = {}
    for call in server.sent_messages():
        if str(call.chat_id) in {str(g) for g in group_ids}:
            delivered[int(call.chat_id)] = delivered.get(int(call.chat_id), 0) + 1
    inactive = blocked | {group_ids[3]}
    assert all(
        delivered.get(g) == 1 for g in group_ids if g not in inactive and g not in ambiguous
    )  # one copy each
    assert not any(
        g in delivered for g in inactive | set(ambiguous)
    )  # the 502s were not sent again
    assert all(
        len([c for c in server.calls_of("sendMessage") if str(c.chat_id) == str(g)]) == 1
        for g in ambiguous
    )
    assert {s["chat_id"] for s in store.subscriptions(active=False)} == inactive
    assert all(store.chat(g)["status"] == "kicked" for g in inactive)
    assert all(
        server.get_message(g, 1)["text"] == preview.params["text"] for g in group_ids[:3]
    )  # what was previewed
    counts = store.delivery_counts(1)
    assert counts["sent"] == 476 and counts["failed"] == 21 and counts["uncertain"] == 3
    assert counts["pending"] == counts["attempting"] == 0
    assert store.broadcast(1)["status"] == "done"
    edits = [c for c in server.calls_of("editMessageText") if str(c.chat_id) == str(ADMIN)]
    assert edits[0].params["text"] == "Broadcast #1: sending to 500 groups…"
    assert (
        edits[-1].params["text"]
        == "Broadcast #1: 500/500 done (476 sent, 21 failed, 0 skipped, 3 uncertain)"
    )
    assert elapsed < 15

    listing = await bot.reply_to(
        bot.updates.private_text("/broadcasts", user=ADMIN_USER), chat_id=ADMIN
    )
    assert (
        "#1 " in listing.params["text"]
        and "done · 500 groups: 476 sent, 21 failed, 0 skipped, 3 uncertain"
        in listing.params["text"]
    )
    # A second press of Confirm sends nothing more.
    again = bot.updates.callback_query("bc:ok:1", user=ADMIN_USER, message=question.result)
    acks = await bot.push_and_wait(again, "answerCallbackQuery")
    assert acks[0].params["text"] == "This broadcast was already confirmed or cancelled."
    await bot.idle()
    assert (
        sum(1 for c in server.sent_messages() if str(c.chat_id) in {str(g) for g in group_ids})
        == 476
    )


async def test_broadcast_a_photo_by_reply_cancel_and_non_admin_confirm(admin_bot, caplog):
    caplog.set_level(logging.INFO)
    bot, server, store = admin_bot, admin_bot.server, admin_bot.store
    groups = [-1003000000001, -1003000000002, -1003000000003]
    subscribe_groups(store, groups)
    photo = bot.updates.photo(caption="新課程海報", user=ADMIN_USER)[
        "message"
    ]  # an earlier message in the admin's chat
    # Cancel: nothing is sent.
    preview = await bot.push_and_wait(
        bot.updates.private_text("/broadcast", user=ADMIN_USER, reply_to_message=photo),
        "copyMessage",
    )
    assert (
        preview[0].params["from_chat_id"] == ADMIN
        and preview[0].params["message_id"] == photo["message_id"]
    )
    question = await wait_text(server, ADMIN, "Send it to 3 subscribed groups?")
    # Someone else pressing Confirm is refused and logged.
    intruder = bot.updates.callback_query("bc:ok:1", user=WORKER, message=question.result)
    acks = await bot.push_and_wait(intruder, "answerCallbackQuery")
    assert acks[0].params["text"] == REFUSED and "broadcast confirmation refused" in caplog.text
    assert store.broadcast(1)["status"] == "draft"
    edits = await bot.push_and_wait(
        bot.updates.callback_query("bc:no:1", user=ADMIN_USER, message=question.result),
        "editMessageText",
    )
    assert edits[0].params["text"] == "Broadcast #1 cancelled: nothing was sent."
    # Then again, confirmed: each group gets a copy of the photo.
    await bot.push_and_wait(
        bot.updates.private_text("/broadcast", user=ADMIN_USER, reply_to_message=photo),
        "copyMessage",
    )
    question = await wait_text(server, ADMIN, "preview of broadcast #2")
    server.push_update(
        bot.updates.callback_query("bc:ok:2", user=ADMIN_USER, message=question.result)
    )
    report = await wait_text(server, ADMIN, "Broadcast #2 finished")
    assert "3 sent, 0 failed, 0 skipped, 0 uncertain" in report.params["text"]
    copies = [c for c in server.calls_of("copyMessage") if c.chat_id in groups]
    assert sorted(c.chat_id for c in copies) == sorted(groups) and all(c.ok for c in copies)
    assert all(server.get_message(g, 1)["caption"] == "新課程海報" for g in groups)
    listing = await bot.reply_to(
        bot.updates.private_text("/broadcasts", user=ADMIN_USER), chat_id=ADMIN
    )
    assert "#1 " in listing.params["text"] and "cancelled" in listing.params["text"]


async def test_a_broadcast_interrupted_mid_way_resumes_after_restart_without_duplicates(
    tg_server, tg_assistant, tmp_path
):
    """The delivery task is cancelled abruptly while sends are in flight (as a crash would), then a new
    Application on the same state database resumes: no group gets the broadcast twice, none is lost."""
    from bot.store import Store

    server = tg_server
    config = admin_config(tmp_path, server)
    group_ids = [-1004000000000 - i for i in range(200)]
    store = Store.open(config.state_path)
    subscribe_groups(store, group_ids)
    async with running_bot(server, config, tg_assistant, store, **fast()) as bot:
        _, question = await start_broadcast(bot, "/broadcast 重要通知")
        server.push_update(
            bot.updates.callback_query("bc:ok:1", user=ADMIN_USER, message=question.result)
        )
        await server.wait_for(
            "sendMessage", 60, timeout=10, predicate=lambda c: c.chat_id in group_ids
        )
        server.latency = (
            1.0  # hold what arrives from now on: the sends in flight when the "crash" comes
        )
        await wait_held(server, "sendMessage", group_ids, 4)  # each of the 4 workers has one
        ops_of(bot).broadcaster.task.cancel()  # the crash: no chance to mark anything
        server.latency = 0.0
    store.close()

    store = Store.open(config.state_path)  # the restarted process
    counts = store.delivery_counts(1)
    assert counts["attempting"] >= 1 and counts["pending"] >= 1  # interrupted for real
    interrupted = counts["attempting"]
    async with running_bot(server, config, tg_assistant, store, **fast()) as bot:
        report = await wait_text(server, ADMIN, "Broadcast #1 finished", timeout=20)
    text = report.params["text"]
    assert (
        f"of 200 groups, {200 - interrupted} sent, 0 failed, 0 skipped, {interrupted} uncertain."
        in text
    )
    assert f"{interrupted} groups may or may not have received it" in text
    counts = store.delivery_counts(1)
    assert counts["uncertain"] == interrupted and counts["sent"] == 200 - interrupted
    await server.wait_until(
        lambda: all(c.status is not None for c in server.calls_of("sendMessage")),
        5,
        "the held sends to be answered",
    )
    arrived: dict[int, int] = {}
    for call in server.calls_of("sendMessage"):
        if call.chat_id in group_ids and call.status == 200:
            arrived[call.chat_id] = arrived.get(call.chat_id, 0) + 1
    assert sorted(arrived) == sorted(
        group_ids
    )  # no loss: the interrupted ones had reached Telegram
    assert set(arrived.values()) == {1}  # no duplicate
    store.close()


# -- reminders ------------------------------------------------------------------------------------------


async def test_a_reminder_fires_once_at_the_right_time_even_across_restarts(
    tg_server, tg_assistant, tmp_path
):
    from bot.store import Store

    server = tg_server
    config = admin_config(
        tmp_path, server, REMINDER_CHECK_SECONDS=0.05, REMINDER_DAYS=7, REMINDER_HOUR=10
    )
    store = Store.open(config.state_path)
    on, off, english = -1005000000001, -1005000000002, -1005000000003
    subscribe_groups(store, [on, off])
    subscribe_groups(store, [english], lang="en")
    store.set_reminders(off, False)
    clock = [
        datetime(2031, 5, 3, 9, 59, tzinfo=HKT)
    ]  # the forum is on 10 May 2031: due from 3 May, 10:00

    def reminders_to(chat_id):
        return [
            c for c in server.sent_messages(chat_id) if c.params.get("text", "").startswith("📅")
        ]

    async with running_bot(server, config, tg_assistant, store, **fast()) as bot:
        ops_of(bot).now = lambda: clock[0]
        await job_runs(bot.app, "reminders", 3)  # several runs of the job
        assert not reminders_to(on)
        clock[0] = datetime(2031, 5, 3, 10, 0, tzinfo=HKT)
        call = await wait_text(server, on, "資歷架構論壇2031")
        assert call.params["text"].startswith(
            "📅 提提你：「資歷架構論壇2031」將於2031年5月10日舉行。（還有 7 日）"
        )
        assert buttons(call) == [("查看詳情", "e:t:qf-forum-2031")]
        await wait_text(server, english, "QF Forum 2031")
        await job_runs(bot.app, "reminders", 3)  # more runs: nothing is sent twice
        # The button under it answers the entry.
        reply = await bot.reply_to(
            bot.updates.callback_query("e:t:qf-forum-2031", message=call.result), chat_id=on
        )
        assert reply.params["text"].startswith("<b>資歷架構論壇2031</b>")
    store.close()

    store = Store.open(config.state_path)
    async with running_bot(server, config, tg_assistant, store, **fast()) as bot:
        ops_of(bot).now = lambda: clock[0]
        clock[0] = datetime(2031, 5, 9, 18, 0, tzinfo=HKT)
        await job_runs(bot.app, "reminders", 3)
        clock[0] = datetime(2031, 5, 11, 10, 0, tzinfo=HKT)  # past: never announced again
        await job_runs(bot.app, "reminders", 3)
    assert len(reminders_to(on)) == 1 and len(reminders_to(english)) == 1
    assert reminders_to(off) == []
    assert sorted(
        (r["entry_id"], r["chat_id"], r["status"]) for r in store.reminders_sent()
    ) == sorted([("qf-forum-2031", on, "sent"), ("qf-forum-2031", english, "sent")])
    store.close()


# -- stats -------------------------------------------------------------------------------------------------


async def test_stats_count_questions_answers_languages_and_unanswered(admin_bot):
    bot = admin_bot
    for text in (QUESTION, "When does the exemption period end?", OFF_TOPIC, OFF_TOPIC):
        await bot.reply_to(bot.updates.private_text(text), chat_id=WORKER)
    ops_of(bot).now = lambda: datetime.now(HKT)
    # A chart, the figures in its caption (tests/test_telegram_review.py checks the image).
    [call] = await bot.push_and_wait(
        bot.updates.private_text("/stats 3", user=ADMIN_USER), "sendPhoto", predicate=to(ADMIN)
    )
    text = call.params["caption"]
    assert "4 questions from 1 users; 2 answered (50%)." in text
    assert "• zh-Hant: 3 (1, 33%)" in text and "• en: 1 (1, 100%)" in text
    assert f"1. {OFF_TOPIC} ×2" in text
    today = datetime.now(HKT).strftime("%m-%d")  # the day the questions were asked (not fixed)
    assert text.split("Per day (questions / answered):\n")[1].splitlines() == [
        f"{today}  4 / 2"
    ]  # empty days left out


# -- the human inbox ----------------------------------------------------------------------------------------


async def test_human_inbox_round_trip(admin_bot, caplog):
    caplog.set_level(logging.INFO)
    bot, server, store = admin_bot, admin_bot.server, admin_bot.store
    decline = await bot.reply_to(bot.updates.private_text(OFF_TOPIC), chat_id=WORKER)
    label, data = buttons(decline)[-1]
    assert label == "🙋 問真人職員" and data.startswith("ip:")
    answered = await bot.reply_to(bot.updates.private_text(QUESTION), chat_id=WORKER)
    assert not any(
        d.startswith("ip:") for _, d in buttons(answered)
    )  # only declines offer a person

    # Someone else cannot pass the worker's question on.
    other = bot.updates.callback_query(data, user=make_user(1002, "Mei"), message=decline.result)
    acks = await bot.push_and_wait(other, "answerCallbackQuery")
    assert acks[0].params["text"] == "只有發問的人可以轉交這個問題。"

    calls = await bot.push_and_wait(
        bot.updates.callback_query(data, message=decline.result),
        count=2,
        predicate=lambda c: str(c.chat_id) in (str(WORKER), str(ADMIN_CHAT)),
    )
    item = next(c for c in calls if c.chat_id == ADMIN_CHAT)
    assert item.params["text"].startswith(
        "🙋 #Q1 Ka Ming Chan 想問真人職員（繁體中文，私人對話）："
    )
    assert f"<blockquote>{OFF_TOPIC}</blockquote>" in item.params["text"]
    told = next(c for c in calls if c.chat_id == WORKER)
    assert told.params["text"] == "已把你的問題轉交我們的職員，他們的回覆會在這裡出現。"
    again = await bot.push_and_wait(
        bot.updates.callback_query(data, message=decline.result), "answerCallbackQuery"
    )
    assert again[0].params["text"] == "你的問題已經轉交職員了。"

    # A non-admin in the admin chat cannot answer; an admin's reply reaches the worker, quoting the question.
    stranger = bot.updates.reply_to_bot(
        "I'll answer!", bot_message=item.result, user=make_user(1002, "Mei")
    )
    refused = await bot.reply_to(stranger, chat_id=ADMIN_CHAT)
    assert refused.params["text"] == "只有本服務的管理員可以回覆工友的問題，你的回覆沒有轉發。"
    assert "inbox reply refused" in caplog.text
    reply = bot.updates.reply_to_bot(
        "明天天晴，<記得>帶傘", bot_message=item.result, user=ADMIN_USER
    )
    relayed = await bot.reply_to(reply, chat_id=WORKER)
    assert (
        relayed.params["text"]
        == f"職員就你的問題「{OFF_TOPIC}」回覆：\n\n明天天晴，&lt;記得&gt;帶傘"
    )
    assert relayed.params["reply_parameters"]["message_id"] == decline.result["message_id"]
    confirm = await wait_text(server, ADMIN_CHAT, "Relayed to the worker (#Q1)")
    assert confirm.params["reply_parameters"]["message_id"] == reply["message"]["message_id"]
    assert store.inbox_item(1)["status"] == "answered"

    # A reply near Telegram's 4,096 characters: the header goes first, the reply is copied as it is.
    long_reply = bot.updates.reply_to_bot("<>" * 2040, bot_message=item.result, user=ADMIN_USER)
    server.push_update(long_reply)
    copied = await server.wait_for(
        "copyMessage", predicate=lambda c: str(c.chat_id) == str(WORKER)
    )
    assert copied[0].params["message_id"] == long_reply["message"]["message_id"]
    assert any(
        c.params["text"].startswith("職員就你的問題") and len(c.params["text"]) < 200
        for c in server.sent_messages(WORKER)
    )


async def test_inbox_question_from_a_group_is_answered_in_the_group(admin_bot):
    bot = admin_bot
    ask = bot.updates.mention(OFF_TOPIC)
    decline = await bot.reply_to(ask, chat_id=GROUP)
    data = buttons(decline)[-1][1]
    calls = await bot.push_and_wait(
        bot.updates.callback_query(data, message=decline.result),
        count=2,
        predicate=lambda c: str(c.chat_id) in (str(GROUP), str(ADMIN_CHAT)),
    )
    item = next(c for c in calls if c.chat_id == ADMIN_CHAT)
    assert "（繁體中文，群組「HK Workers Training Group」）" in item.params["text"]
    relayed = await bot.reply_to(
        bot.updates.reply_to_bot("請致電查詢", bot_message=item.result, user=ADMIN_USER),
        chat_id=GROUP,
    )
    assert (
        relayed.params["reply_parameters"]["message_id"] == ask["message"]["message_id"]
    )  # quotes the asker
    assert relayed.params["text"].endswith("請致電查詢")


# -- a real crash --------------------------------------------------------------------------------------------


async def test_bot_process_killed_mid_broadcast_then_restarted_no_duplicate_no_loss(
    tg_server, tg_knowledge, tg_index, tmp_path
):
    """`python bot.py run` is killed with SIGKILL while a broadcast is half sent, then started again:
    it resumes, every group ends with exactly one copy, and the interrupted sends are not repeated."""
    import os
    import signal
    import sys

    from bot.store import Store
    from tests.conftest import ROOT, TG_TOKEN

    server = tg_server
    data = tmp_path / "data"
    data.mkdir()
    copy_index(tg_index, data)
    group_ids = [-1006000000000 - i for i in range(150)]
    store = Store.open(data / "state.sqlite")
    subscribe_groups(store, group_ids)
    broadcast = store.create_broadcast(ADMIN, ADMIN, "en", html="<b>停電通知</b> power cut")
    assert (
        store.confirm_broadcast(broadcast) == 150
    )  # confirmed: the bot sends it as soon as it runs
    store.close()
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TG_TOKEN,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "KNOWLEDGE_DIR": str(tg_knowledge),
        "DATA_DIR": str(data),
        "LOG_LEVEL": "INFO",
        "WEBHOOK_URL": "",
        "ADMIN_IDS": str(ADMIN),
        "ADMIN_CHAT_ID": str(ADMIN_CHAT),
        "TELEGRAM_MAX_RATE": "300",
        "BROADCAST_PROGRESS": "0.2",
        "BROADCAST_WORKERS": "4",
        "REMINDER_CHECK_SECONDS": "0",
    }

    async def start(name: str):
        log = open(tmp_path / f"{name}.log", "wb")
        return await asyncio.create_subprocess_exec(
            sys.executable, "bot.py", "run", cwd=ROOT, env=env, stdout=log, stderr=log
        ), log

    def sends() -> list:
        return [c for c in server.calls_of("sendMessage") if c.chat_id in group_ids]

    proc, log = await start("first")
    try:
        await server.wait_for(
            "sendMessage", 40, timeout=30, predicate=lambda c: c.chat_id in group_ids
        )
        server.latency = (
            30.0  # what arrives now is held: the sends in flight when the process dies
        )
        await wait_held(server, "sendMessage", group_ids, 4, timeout=30)  # one per worker
    finally:
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        log.close()
        server.latency = 0.0
    store = Store.open(data / "state.sqlite")
    interrupted = store.delivery_counts(broadcast)["attempting"]
    store.close()
    assert 1 <= interrupted <= 4 and len(sends()) < 150  # killed mid-way, with sends in flight

    proc, log = await start("second")
    try:
        report = await wait_text(server, ADMIN, "Broadcast #1 finished", timeout=30)
        proc.send_signal(
            signal.SIGHUP
        )  # `kill -HUP`: reload the knowledge; the admin chat is told
        notice = await wait_text(server, ADMIN_CHAT, "知識", timeout=30)
        assert (
            notice.params["text"].startswith("已重新載入知識")
            and "新增 0 項、修改 0 項、刪除 0 項" in notice.params["text"]
        )
    finally:
        proc.send_signal(signal.SIGINT)
        await asyncio.wait_for(proc.wait(), 20)
        log.close()
    assert (
        f"of 150 groups, {150 - interrupted} sent, 0 failed, 0 skipped, {interrupted} uncertain."
        in report.params["text"]
    )
    arrived: dict[int, int] = {}
    for call in sends():  # held calls (status None) reached Telegram too: it answers them later
        if call.status in (200, None):
            arrived[call.chat_id] = arrived.get(call.chat_id, 0) + 1
    assert sorted(arrived) == sorted(group_ids), "a group never got the broadcast"
    assert set(arrived.values()) == {1}, "a group got the broadcast twice"
    text = (tmp_path / "second.log").read_text()
    assert (
        "marked uncertain and not sent again" in text and "resuming 1 unfinished broadcast" in text
    )


async def test_a_group_upgraded_to_a_supergroup_mid_broadcast_still_gets_one_copy(admin_bot):
    bot, server, store = admin_bot, admin_bot.server, admin_bot.store
    group_ids = [-3000 - i for i in range(40)]
    new = -1009999999999
    subscribe_groups(store, group_ids)
    _, question = await start_broadcast(bot, "/broadcast upgrade test")
    server.latency = 0.05  # slow enough that the groups at the far end are still queued
    bot.server.push_update(
        bot.updates.callback_query("bc:ok:1", user=ADMIN_USER, message=question.result)
    )
    [first] = await server.wait_for("sendMessage", predicate=lambda c: int(c.chat_id) in group_ids)
    old = (
        max(group_ids) if int(first.chat_id) == min(group_ids) else min(group_ids)
    )  # the far end of the queue
    bot.server.push_update(bot.updates.migrate_to_chat(old_chat_id=old, new_chat_id=new))
    report = await wait_text(server, ADMIN, "Broadcast #1 finished", timeout=30)
    assert "of 40 groups, 40 sent" in report.params["text"]
    sent_to = [int(c.chat_id) for c in server.sent_messages() if int(c.chat_id) in (old, new)]
    assert sent_to == [new]
