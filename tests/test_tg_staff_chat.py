"""Issue 11, point 8, as staff live their chat: only replies to #Q items go to workers; replies to the
bot's other notices and chatter there are neither answered nor logged; a non-admin's reply to a #Q
item is told plainly it was not passed on; /stats leaves out empty days and counts buttons, /check
results and 👍/👎."""

from __future__ import annotations

from datetime import datetime

from tests import test_telegram_admin as admin_tests
from tests.fakes.updates import DEFAULT_USER_ID, make_user
from tests.test_telegram_admin import ADMIN_CHAT, ADMIN_USER, HKT, ops_of

admin_bot = admin_tests.admin_bot  # the fixture

WORKER = DEFAULT_USER_ID


async def test_staff_chatter_is_not_answered_nor_logged(admin_bot):
    bot, server, store = admin_bot, admin_bot.server, admin_bot.store
    notice = server.updates.bot_message(
        server.updates.chat(ADMIN_CHAT, server.updates.user(ADMIN_USER)),
        "Knowledge reloaded: 40 entries; 0 added, 0 changed, 0 removed.",
    )
    server.push_update(
        bot.updates.reply_to_bot("thanks, looks good", bot_message=notice, user=ADMIN_USER)
    )
    server.push_update(
        bot.updates.mention("免試期幾時完？", chat_id=ADMIN_CHAT, user=make_user(1002, "Mei"))
    )
    server.push_update(bot.updates.group_text("lunch?", chat_id=ADMIN_CHAT, user=ADMIN_USER))
    await bot.idle()
    assert server.sent_messages(ADMIN_CHAT) == []
    assert store.query_count() == 0

    # Admin verbs still work there.
    call = await bot.reply_to(
        bot.updates.group_text("/subscribers", chat_id=ADMIN_CHAT, user=ADMIN_USER),
        chat_id=ADMIN_CHAT,
    )
    assert call.params["text"] == "No group is subscribed yet."


async def test_stats_leave_out_empty_days_and_count_buttons_checks_and_thumbs(admin_bot):
    bot, store = admin_bot, admin_bot.store
    answer = await bot.reply_to(bot.updates.private_text("免試期幾時完？"), chat_id=WORKER)
    up = next(
        b["callback_data"]
        for row in answer.params["reply_markup"]["inline_keyboard"]
        for b in row
        if b.get("callback_data", "").endswith(":u")
    )
    await bot.push_and_wait(
        bot.updates.callback_query(up, message=answer.result), "answerCallbackQuery"
    )
    related = answer.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await bot.push_and_wait(
        bot.updates.callback_query(related, message=answer.result)
    )  # a topic opened by button
    store.log_query(
        WORKER, "private", "zh-Hant", "[評估] 物流業", True, ["rpl-logistics"], 1.0, "check"
    )
    ops_of(bot).now = lambda: datetime.now(HKT)

    [call] = await bot.push_and_wait(
        bot.updates.private_text("/stats 30", user=ADMIN_USER), "sendPhoto"
    )
    text = call.params["caption"]
    assert (
        "1 questions from 1 users; 1 answered (100%)." in text
    )  # buttons and checks are not questions …
    assert (
        "Topics opened by button: 1; eligibility checks completed: 1; answers rated 👍 1 / 👎 0."
        in text
    )  # … but counted
    per_day = text.split("Per day (questions / answered):\n")[1].splitlines()
    assert len(per_day) == 1 and "0 / 0" not in text  # one line: the one day with use
