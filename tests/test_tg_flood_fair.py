"""Issue 11, point 4, as workers and admins live it: flood control counts messages only — a worker
browsing pages never earns a "slow down" — and never holds back the bot's admins."""

from __future__ import annotations

from tests.conftest import running_bot, tg_config
from tests.fakes.updates import DEFAULT_USER_ID, make_user

USER = DEFAULT_USER_ID
ADMIN = 9001
QUESTION = "免試期幾時完？"
SLOW_DOWN = "你的訊息有點密"


async def test_browsing_pages_never_counts_and_typing_still_does(
    tg_server, tg_assistant, tg_store, tmp_path
):
    config = tg_config(tmp_path, tg_server.base_url, FLOOD_MAX_MESSAGES=3, FLOOD_WINDOW_SECONDS=30)
    async with running_bot(tg_server, config, tg_assistant, tg_store) as bot:
        menu = await bot.reply_to(bot.updates.private_text("/schemes"), chat_id=USER)
        # Twelve taps through a category's pages and back, within seconds: every one is served.
        message = menu.result
        for data in ["p:t:vehicle:0", "p:t:vehicle:1", "p:t:vehicle:0", "t:t"] * 3:
            edits = await bot.push_and_wait(
                bot.updates.callback_query(data, message=message), "editMessageText"
            )
            message = edits[0].result
        acks = bot.server.calls_of("answerCallbackQuery")
        assert len(acks) == 12 and not any(SLOW_DOWN in (a.params.get("text") or "") for a in acks)

        # Messages are what counts: two more questions fit the three-message window, the next is told to wait.
        for _ in range(2):
            call = await bot.reply_to(bot.updates.private_text(QUESTION), chat_id=USER)
            assert call.params["text"].startswith("<b>五年免試期</b>")
        call = await bot.reply_to(bot.updates.private_text(QUESTION), chat_id=USER)
        assert call.params["text"].startswith(SLOW_DOWN)
        # … and their buttons keep working meanwhile.
        edits = await bot.push_and_wait(
            bot.updates.callback_query("p:t:vehicle:1", message=message), "editMessageText"
        )
        assert "第 2/2 頁" in edits[0].params["text"]


async def test_the_bots_admins_are_never_held_back(tg_server, tg_assistant, tg_store, tmp_path):
    config = tg_config(
        tmp_path,
        tg_server.base_url,
        FLOOD_MAX_MESSAGES=2,
        FLOOD_WINDOW_SECONDS=30,
        ADMIN_IDS=ADMIN,
        TELEGRAM_MAX_RATE=0,
    )
    admin = make_user(ADMIN, "Ada", language_code="en")
    async with running_bot(tg_server, config, tg_assistant, tg_store) as bot:
        for _ in range(6):  # an admin working through many groups' questions in a row
            call = await bot.reply_to(
                bot.updates.private_text("When does the exemption period end?", user=admin),
                chat_id=ADMIN,
            )
            assert call.params["text"].startswith("<b>Five-year exemption period</b>")
        call = await bot.reply_to(
            bot.updates.private_text("/subscribers", user=admin), chat_id=ADMIN
        )
        assert not call.params["text"].startswith("You're sending messages very quickly")
