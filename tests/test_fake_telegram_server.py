"""Proves the fake Bot API server speaks PTB's dialect, so e2e tests can trust it.

Every test drives a real ``telegram.Bot`` (or ``Application``) over real HTTP on
127.0.0.1; nothing touches the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    MenuButtonCommands,
    Message,
    MessageEntity,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)

from tests.fakes.telegram_server import FakeTelegramServer, UploadedFile, running_fake_server
from tests.fakes.updates import DEFAULT_GROUP_ID, DEFAULT_USER_ID, UpdateBuilder, text_entities
from tests.harness import free_port

TOKEN = "123:ABC"
USER_ID = DEFAULT_USER_ID
GROUP_ID = DEFAULT_GROUP_ID
T = TypeVar("T")


def present(value: T | None) -> T:
    """`value`, which PTB types as optional, asserted to be there."""
    assert value is not None
    return value


@contextlib.asynccontextmanager
async def connected_bot(server: FakeTelegramServer) -> AsyncIterator[Bot]:
    """A real, initialised Bot pointed at the fake server (shut down afterwards)."""
    bot = Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url)
    async with bot:
        yield bot


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(text, callback_data=data)] for text, data in pairs]
    return InlineKeyboardMarkup(rows)


# --------------------------------------------------------------------- basics
async def test_get_me_returns_configured_bot() -> None:
    async with running_fake_server(bot_username="vt_helper_bot", bot_id=42) as server:
        async with connected_bot(server) as bot:
            me = await bot.get_me()
        assert (me.id, me.username, me.is_bot) == (42, "vt_helper_bot", True)
        assert bot.username == "vt_helper_bot"  # initialize() called getMe
        assert [call.method for call in server.calls] == ["getMe", "getMe"]
        assert server.calls[0].token == TOKEN


async def test_wrong_token_is_rejected_when_token_is_pinned() -> None:
    async with running_fake_server(token="999:XYZ") as server:
        bot = Bot(TOKEN, base_url=server.base_url)
        with pytest.raises(InvalidToken, match="rejected"):
            await bot.initialize()
        await bot.shutdown()


async def test_send_message_records_decoded_inline_keyboard() -> None:
    markup = keyboard(("僱員再培訓局", "course:erb"), ("Qualifications Framework", "course:qf"))
    async with running_fake_server() as server, connected_bot(server) as bot:
        message = await bot.send_message(USER_ID, "揀一個：", reply_markup=markup)

        (call,) = server.calls_of("sendMessage")
        assert call.params["chat_id"] == USER_ID
        assert call.params["text"] == "揀一個："
        assert call.params["reply_markup"] == markup.to_dict()
        assert message.reply_markup == markup
        assert message.chat.type == "private"
        assert present(message.from_user).id == server.bot_id
        assert server.sent_messages(chat_id=USER_ID) == [call]
        assert call.result["message_id"] == message.message_id


async def test_strings_stay_strings_and_scalars_are_decoded() -> None:
    async with running_fake_server() as server, connected_bot(server) as bot:
        await bot.send_message(USER_ID, "123", disable_notification=True)
        await bot.answer_callback_query("4567", text="[1]")

    send, answer = server.calls_of("sendMessage")[0], server.calls_of("answerCallbackQuery")[0]
    assert send.params == {"chat_id": USER_ID, "text": "123", "disable_notification": True}
    assert answer.params == {"callback_query_id": "4567", "text": "[1]"}


async def test_message_ids_interleave_and_thread_is_echoed() -> None:
    async with running_fake_server() as server, connected_bot(server) as bot:
        pushed = server.push_update(server.updates.group_text("hi", message_thread_id=7))
        first = await bot.send_message(GROUP_ID, "one", message_thread_id=7)
        second = await bot.send_message(GROUP_ID, "two")
        private = await bot.send_message(USER_ID, "dm")

    assert pushed["message"]["message_id"] == 1
    assert (first.message_id, second.message_id, private.message_id) == (2, 3, 1)
    assert first.chat.type == "supergroup"
    assert first.chat.title == pushed["message"]["chat"]["title"]  # learned from the update
    assert (first.message_thread_id, first.is_topic_message) == (7, True)
    assert second.message_thread_id is None


# --------------------------------------------------------------- long polling
async def test_long_poll_returns_update_pushed_while_waiting() -> None:
    async with running_fake_server() as server, connected_bot(server) as bot:
        started = time.monotonic()
        poll = asyncio.create_task(bot.get_updates(timeout=5))
        await server.wait_for("getUpdates")
        pushed = server.push_update(server.updates.private_text("/start"))
        (update,) = await asyncio.wait_for(poll, 2)

        assert time.monotonic() - started < 1
        assert update.update_id == pushed["update_id"]
        message = present(update.message)
        assert message.text == "/start"
        assert message.entities[0].type == MessageEntity.BOT_COMMAND
        await server.wait_delivered()


async def test_get_updates_honours_offset_and_limit() -> None:
    async with running_fake_server(start_update_id=500) as server, connected_bot(server) as bot:
        for text in ("a", "b", "c"):
            server.push_update(server.updates.private_text(text))

        first_two = await bot.get_updates(limit=2)
        assert [u.update_id for u in first_two] == [500, 501]
        again = await bot.get_updates()  # nothing confirmed yet: same updates again
        assert [present(u.message).text for u in again] == ["a", "b", "c"]

        rest = await bot.get_updates(offset=first_two[-1].update_id + 1)
        assert [present(u.message).text for u in rest] == ["c"]
        assert len(server.pending_updates) == 1  # a and b were confirmed and dropped

        assert await bot.get_updates(offset=rest[-1].update_id + 1, timeout=0) == ()
        assert server.pending_updates == []


async def test_empty_long_poll_waits_for_its_timeout() -> None:
    async with running_fake_server() as server, connected_bot(server) as bot:
        started = time.monotonic()
        assert await bot.get_updates(timeout=dtm.timedelta(seconds=0.3)) == ()
        assert 0.25 < time.monotonic() - started < 1
        assert server.calls_of("getUpdates")[0].params["timeout"] == 0.3


async def test_stop_releases_a_pending_long_poll() -> None:
    server = FakeTelegramServer()
    await server.start()
    async with connected_bot(server) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await server.wait_for("getUpdates")
        started = time.monotonic()
        await server.stop()
        assert await asyncio.wait_for(poll, 2) == ()
        assert time.monotonic() - started < 1


# ---------------------------------------------------------- failure injection
@pytest.mark.parametrize(
    ("kind", "exception", "message"),
    [
        ("429", RetryAfter, "Flood control exceeded"),
        ("403", Forbidden, "bot was blocked by the user"),
        ("400", BadRequest, "chat not found"),
        ("500", NetworkError, "Internal Server Error"),
        ("502", NetworkError, "Bad Gateway"),
    ],
)
async def test_injected_error_raises_ptb_exception_then_recovers(
    kind: str, exception: type[Exception], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # RetryAfter.__init__ reads its own deprecated int property unless PTB_TIMEDELTA is set.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with running_fake_server() as server, connected_bot(server) as bot:
        failure = server.fail("sendMessage", kind)
        # PTB strips "Bad Request: " and capitalises the rest, hence (?i).
        with pytest.raises(exception, match=f"(?i){message}") as caught:
            await bot.send_message(USER_ID, "hello")
        assert type(caught.value) is exception  # BadRequest is a NetworkError subclass
        assert failure.remaining == 0

        assert (await bot.send_message(USER_ID, "hello again")).text == "hello again"
        failed, succeeded = server.calls_of("sendMessage")
        assert (failed.status, failed.injected, failed.result) == (int(kind), kind, None)
        assert succeeded.ok
        assert server.sent_texts() == ["hello again"]


async def test_retry_after_carries_the_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # opt in; avoids PTB's int deprecation warning
    async with running_fake_server() as server, connected_bot(server) as bot:
        server.fail("sendMessage", "429", times=2, retry_after=7)
        for _ in range(2):
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(USER_ID, "x")
            assert caught.value.retry_after == dtm.timedelta(seconds=7)
        await bot.send_message(USER_ID, "x")


async def test_rate_limiter_retries_a_fractional_retry_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with running_fake_server() as server:
        bot = ExtBot(TOKEN, base_url=server.base_url, rate_limiter=AIORateLimiter(max_retries=2))
        async with bot:
            server.fail("sendMessage", "429", times=2, retry_after=0.05)
            assert (await bot.send_message(USER_ID, "eventually")).text == "eventually"
        assert [c.status for c in server.calls_of("sendMessage")] == [429, 429, 200]
        with pytest.raises(ValueError, match="retry_after"):
            server.fail("sendMessage", "429", retry_after=0)


async def test_failure_can_target_one_chat() -> None:
    async with running_fake_server() as server, connected_bot(server) as bot:
        server.fail("sendmessage", "403", chat_id=2002)  # method names are case-insensitive
        await bot.send_message(USER_ID, "fine")
        with pytest.raises(Forbidden):
            await bot.send_message(2002, "blocked")
        await bot.send_message(2002, "fine now")
        assert server.sent_texts(chat_id=2002) == ["fine now"]


async def test_slow_answers_normally_after_delay() -> None:
    async with running_fake_server() as server, connected_bot(server) as bot:
        server.fail("sendMessage", "slow", delay=0.2)
        started = time.monotonic()
        await bot.send_message(USER_ID, "slow")
        assert time.monotonic() - started >= 0.2


async def test_timeout_raises_timed_out_but_telegram_still_sent_it() -> None:
    async with running_fake_server(timeout_margin=0.3) as server, connected_bot(server) as bot:
        server.fail("sendMessage", "timeout", delay=0.1)
        with pytest.raises(TimedOut):
            await bot.send_message(USER_ID, "lost answer", read_timeout=0.1)
        await bot.send_message(USER_ID, "next")
        assert server.sent_texts() == ["lost answer", "next"]  # the classic duplicate risk


async def test_latency_applies_to_every_call() -> None:
    async with running_fake_server(latency=0.1) as server, connected_bot(server) as bot:
        started = time.monotonic()
        await bot.send_chat_action(USER_ID, "typing")
        assert time.monotonic() - started >= 0.1
        server.latency = 0.0
        started = time.monotonic()
        await bot.send_chat_action(USER_ID, "typing")
        assert time.monotonic() - started < 0.1


async def test_errors_on_get_updates_are_injectable() -> None:
    async with running_fake_server() as server, connected_bot(server) as bot:
        server.fail("getUpdates", "502")
        with pytest.raises(NetworkError):
            await bot.get_updates()
        assert await bot.get_updates() == ()


# ------------------------------------------------------------------ wait_for
async def test_wait_for_waits_for_matching_calls() -> None:
    async with running_fake_server() as server, connected_bot(server) as bot:
        waiting = asyncio.create_task(
            server.wait_for("sendMessage", predicate=lambda c: c.text == "second")
        )
        await bot.send_message(USER_ID, "first")
        assert not waiting.done()  # a call that does not match is not enough
        await bot.send_message(USER_ID, "second")
        calls = await waiting
        assert [c.text for c in calls] == ["second"]


async def test_wait_until_waits_for_a_condition_and_names_it_on_timeout() -> None:
    async with running_fake_server() as server, connected_bot(server) as bot:
        before = len(server.calls)
        waiting = asyncio.create_task(server.wait_until(lambda: len(server.calls) >= before + 2))
        await bot.send_message(USER_ID, "one")
        assert not waiting.done()
        await bot.send_message(USER_ID, "two")
        await waiting
        with pytest.raises(AssertionError, match="waiting for three more calls"):
            await server.wait_until(
                lambda: len(server.calls) >= before + 5, 0.05, "three more calls"
            )


async def test_wait_for_timeout_lists_recorded_calls() -> None:
    async with running_fake_server() as server, connected_bot(server) as bot:
        await bot.send_message(USER_ID, "only one")
        with pytest.raises(AssertionError, match=r"(?s)expected 2 matching sendMessage.*only one"):
            await server.wait_for("sendMessage", count=2, timeout=0.1)


# ----------------------------------------------------------------- builders
BUILDERS: dict[str, Callable[[UpdateBuilder], dict[str, Any]]] = {
    "private_text": lambda b: b.private_text("/start@vt_helper_bot 你好", language_code="en"),
    "group_text": lambda b: b.group_text("hello", message_thread_id=3),
    "mention": lambda b: b.mention(),
    "reply_to_bot": lambda b: b.reply_to_bot("係呀"),
    "callback_query": lambda b: b.callback_query("course:erb"),
    "inline_query": lambda b: b.inline_query("電工"),
    "bot_added": lambda b: b.bot_added_to_group(as_admin=True),
    "bot_removed": lambda b: b.bot_removed_from_group(),
    "bot_blocked": lambda b: b.bot_blocked_by_user(),
    "migrate_to": lambda b: b.migrate_to_chat(),
    "migrate_from": lambda b: b.migrate_from_chat(),
    "photo": lambda b: b.photo(caption="my cert"),
    "document": lambda b: b.document(chat_id=GROUP_ID),
}


@pytest.mark.parametrize("name", BUILDERS)
def test_every_builder_de_jsons_in_ptb(name: str) -> None:
    data = BUILDERS[name](UpdateBuilder())
    update = Update.de_json(data, None)
    assert update.update_id == data["update_id"]
    assert update.api_kwargs == {}  # no field PTB does not know
    assert update.effective_user is not None


def test_callback_and_inline_queries_de_json() -> None:
    builder = UpdateBuilder()
    callback = Update.de_json(builder.callback_query("course:qf", chat_id=GROUP_ID), None)
    query = present(callback.callback_query)
    assert query.data == "course:qf"
    message = query.message
    assert isinstance(message, Message)  # not an InaccessibleMessage
    assert present(message.from_user).is_bot
    assert message.chat.id == GROUP_ID
    assert present(message.reply_markup).inline_keyboard[0][0].callback_data == "course:qf"

    inline = present(Update.de_json(builder.inline_query("電工", offset="10"), None).inline_query)
    assert (inline.query, inline.offset, inline.from_user.id) == ("電工", "10", USER_ID)


def test_entities_use_utf16_offsets() -> None:
    builder = UpdateBuilder(bot_username="vt_helper_bot")
    message = present(
        Update.de_json(builder.mention("😀 問下 @vt_helper_bot 有冇課程"), None).message
    )
    (entity,) = message.entities
    assert (entity.type, entity.offset) == (MessageEntity.MENTION, 6)  # the emoji counts 2
    assert message.parse_entity(entity) == "@vt_helper_bot"

    command = present(Update.de_json(builder.private_text("/help@vt_helper_bot"), None).message)
    assert command.parse_entities() == {command.entities[0]: "/help@vt_helper_bot"}
    assert text_entities("plain text") == []


def test_my_chat_member_and_migration_shapes() -> None:
    builder = UpdateBuilder()
    added = present(Update.de_json(builder.bot_added_to_group(), None).my_chat_member)
    assert (added.old_chat_member.status, added.new_chat_member.status) == ("left", "member")
    assert added.new_chat_member.user.id == builder.bot_id
    migrate = present(
        Update.de_json(builder.migrate_to_chat(old_chat_id=-5, new_chat_id=-1005), None).message
    )
    assert migrate.migrate_to_chat_id == -1005
    assert migrate.chat.type == "group"


# ----------------------------------------------------------- other methods
async def test_reply_to_real_bot_message_round_trips() -> None:
    async with running_fake_server() as server, connected_bot(server) as bot:
        sent = await bot.send_message(USER_ID, "你想問邊個課程？")
        (call,) = server.sent_messages()
        update = Update.de_json(
            server.push_update(server.updates.reply_to_bot("電工", bot_message=call.result)), bot
        )
        message = present(update.message)
        assert present(message.reply_to_message).message_id == sent.message_id
        assert message.message_id == sent.message_id + 1
        answer = await bot.send_message(USER_ID, "好", reply_to_message_id=message.message_id)
        assert present(answer.reply_to_message).text == "電工"


async def test_chat_member_statuses() -> None:
    expected = {
        "creator": ChatMemberOwner,
        "administrator": ChatMemberAdministrator,
        "member": ChatMemberMember,
        "restricted": ChatMemberRestricted,
        "left": ChatMemberLeft,
        "kicked": ChatMemberBanned,
    }
    async with running_fake_server() as server, connected_bot(server) as bot:
        for user_id, status in enumerate(expected, start=1):
            server.set_chat_member_status(GROUP_ID, user_id, status)
        for user_id, (status, cls) in enumerate(expected.items(), start=1):
            member = await bot.get_chat_member(GROUP_ID, user_id)
            assert (type(member), member.status) == (cls, status)
        assert (await bot.get_chat_member(GROUP_ID, 99)).status == "member"  # default
        admins = await bot.get_chat_administrators(GROUP_ID)
        assert {a.status for a in admins} == {"creator", "administrator"}
        chat = await bot.get_chat(GROUP_ID)
        assert (chat.id, chat.type) == (GROUP_ID, "supergroup")


async def test_commands_menu_and_webhook_methods() -> None:
    commands = [BotCommand("start", "開始"), BotCommand("help", "幫助")]
    scope = BotCommandScopeChat(USER_ID)
    async with running_fake_server() as server, connected_bot(server) as bot:
        assert await bot.set_my_commands(commands, scope=scope, language_code="zh")
        assert await bot.get_my_commands(scope=scope, language_code="zh") == tuple(commands)
        assert await bot.get_my_commands() == ()
        assert await bot.delete_my_commands(scope=scope, language_code="zh")
        assert await bot.get_my_commands(scope=scope, language_code="zh") == ()
        recorded_scope = server.calls_of("setMyCommands")[0].params["scope"]
        assert recorded_scope == {"type": "chat", "chat_id": USER_ID}

        assert await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
        assert isinstance(await bot.get_chat_menu_button(), MenuButtonCommands)

        assert await bot.set_webhook("https://example.invalid/hook")
        assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"
        with pytest.raises(Conflict):
            await bot.get_updates()
        assert await bot.delete_webhook(drop_pending_updates=True)
        assert await bot.get_updates() == ()


async def test_edit_delete_answer_copy_forward() -> None:
    async with running_fake_server() as server, connected_bot(server) as bot:
        sent = await bot.send_message(USER_ID, "v1", reply_markup=keyboard(("a", "a")))
        edited = await bot.edit_message_text("v2", USER_ID, sent.message_id)
        assert isinstance(edited, Message)  # not True: the bot's own message
        assert (edited.text, edited.reply_markup) == ("v2", None)  # no markup: keyboard gone
        assert edited.edit_date is not None
        marked = await bot.edit_message_reply_markup(
            USER_ID, sent.message_id, reply_markup=keyboard(("b", "b"))
        )
        assert isinstance(marked, Message)
        assert marked.reply_markup == keyboard(("b", "b"))
        assert present(server.get_message(USER_ID, sent.message_id))["text"] == "v2"

        copied = await bot.copy_message(GROUP_ID, USER_ID, sent.message_id)
        forwarded = await bot.forward_message(GROUP_ID, USER_ID, sent.message_id)
        assert forwarded.text == "v2" and present(forwarded.forward_origin).type == "user"
        assert forwarded.message_id == copied.message_id + 1

        assert await bot.delete_message(USER_ID, sent.message_id)
        assert server.get_message(USER_ID, sent.message_id) is None
        assert await bot.answer_callback_query("cb1", text="OK")
        results = [InlineQueryResultArticle("r1", "電工課程", InputTextMessageContent("電工"))]
        assert await bot.answer_inline_query("iq1", results, cache_time=0)
        assert server.calls_of("answerInlineQuery")[0].params["results"][0]["id"] == "r1"
        assert await bot.leave_chat(GROUP_ID)
        assert await bot.do_api_request("someFutureMethod", api_kwargs={"x": 1}) is True
        assert server.calls_of("someFutureMethod")[0].params == {"x": 1}


async def test_uploads_are_recorded_and_downloadable() -> None:
    async with running_fake_server() as server, connected_bot(server) as bot:
        doc = await bot.send_document(
            USER_ID, b"%PDF-1.4 cert", filename="cert.pdf", caption="證書"
        )
        photo = await bot.send_photo(GROUP_ID, "existing-file-id")
        upload = server.calls_of("sendDocument")[0].params["document"]
        assert isinstance(upload, UploadedFile)
        assert (upload.filename, upload.content) == ("cert.pdf", b"%PDF-1.4 cert")
        document = present(doc.document)
        assert (document.file_name, doc.caption) == ("cert.pdf", "證書")
        assert photo.photo[0].file_id == "existing-file-id"

        file = await bot.get_file(document.file_id)
        assert bytes(await file.download_as_bytearray()) == b"%PDF-1.4 cert"


async def test_validation_mirrors_telegram_limits() -> None:
    async with running_fake_server() as server, connected_bot(server) as bot:
        with pytest.raises(BadRequest, match="too long"):
            await bot.send_message(USER_ID, "字" * 4097)
        with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
            await bot.send_message(USER_ID, "x", reply_markup=keyboard(("a", "課" * 22)))
        await bot.send_message(USER_ID, "<b>" + "字" * 4096 + "</b>", parse_mode="HTML")
        assert len(server.sent_messages()) == 1


async def test_json_and_query_string_requests_are_decoded() -> None:
    async with running_fake_server() as server, aiohttp.ClientSession() as session:
        url = f"{server.base_url}{TOKEN}"
        markup = {"inline_keyboard": [[{"text": "a", "callback_data": "a"}]]}
        payload = {"chat_id": 5, "text": "j", "reply_markup": markup}
        async with session.post(f"{url}/sendMessage", json=payload) as resp:
            body = await resp.json()
        assert body["ok"] and body["result"]["reply_markup"] == markup
        query = {"chat_id": "-5", "user_id": "7"}
        async with session.get(f"{url}/getChatMember", params=query) as resp:
            assert (await resp.json())["result"]["status"] == "member"
        assert server.calls_of("getChatMember")[0].params == {"chat_id": -5, "user_id": 7}
        assert server.calls_of("getChatMember")[0].http_method == "GET"


# --------------------------------------------------------------- Application
async def test_application_polls_and_echoes_over_http() -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = present(update.effective_message)
        await message.reply_text(f"echo: {message.text}")

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await present(update.effective_message).reply_text("welcome")

    async with running_fake_server() as server:
        app = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(server.base_url)
            .base_file_url(server.base_file_url)
            .build()
        )
        assert app.updater is not None
        app.add_handler(CommandHandler("start", start))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        server.push_update(server.updates.private_text("/start"))
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0, timeout=dtm.timedelta(seconds=1))
            server.push_update(server.updates.mention("有冇電工課程？"))
            calls = await server.wait_for("sendMessage", count=2, timeout=3)
            await app.updater.stop()
            await app.stop()

        assert {c.text for c in calls} == {
            "welcome",
            f"echo: @{server.bot_username} 有冇電工課程？",
        }
        assert {c.chat_id for c in calls} == {USER_ID, GROUP_ID}
        assert server.pending_updates == []  # the final getUpdates confirmed everything
        assert server.calls_of("deleteWebhook")  # PTB's bootstrap


async def test_application_receives_updates_via_webhook() -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = present(update.effective_message)
        await message.reply_text(present(message.text))

    port = free_port()
    async with running_fake_server() as server:
        app = ApplicationBuilder().token(TOKEN).base_url(server.base_url).build()
        assert app.updater is not None
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with app:
            await app.start()
            await app.updater.start_webhook(
                listen="127.0.0.1",
                port=port,
                url_path="hook",
                webhook_url=f"http://127.0.0.1:{port}/hook",
                secret_token="s3cret",
            )
            assert server.webhook_secret_token == "s3cret"
            status = await server.post_to_webhook(server.updates.private_text("via hook"))
            await server.wait_for("sendMessage")
            await app.updater.stop()
            await app.stop()
        assert status == 200
        assert server.sent_texts() == ["via hook"]
