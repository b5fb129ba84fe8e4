"""Issue 11, point 7, as a worker lives it: a photo's caption is read as the question, an edited
question is answered again (its earlier reply edited), and a voice note is told plainly to type."""

from __future__ import annotations

from tests.fakes.updates import DEFAULT_GROUP_ID, DEFAULT_USER_ID

USER = DEFAULT_USER_ID
GROUP = DEFAULT_GROUP_ID


async def test_a_photo_with_a_caption_is_answered_from_the_caption(tg_bot):
    bot = tg_bot
    call = await bot.reply_to(bot.updates.photo(caption="免試期幾時完？"), chat_id=USER)
    assert call.params["text"].startswith("<b>五年免試期</b>")
    assert bot.store.queries(1)[0]["text"] == "免試期幾時完？"

    # In a group, a captioned photo that mentions the bot is a question too; one that does not is left alone.
    mention = bot.updates.photo(
        caption="@vt_helper_bot When does the exemption period end?",
        chat_id=GROUP,
        caption_entities=[{"type": "mention", "offset": 0, "length": 14}],
    )
    call = await bot.reply_to(mention, chat_id=GROUP)
    assert call.params["text"].startswith("<b>Five-year exemption period</b>")
    bot.server.push_update(bot.updates.photo(caption="our training day", chat_id=GROUP))
    await bot.idle()
    assert len(bot.server.sent_messages(GROUP)) == 1

    # A photo without words still asks for words.
    call = await bot.reply_to(bot.updates.photo(), chat_id=USER)
    assert call.params["text"].startswith("請用文字輸入你的問題")


async def test_an_edited_question_edits_the_earlier_reply(tg_bot):
    bot = tg_bot
    asked = bot.updates.private_text("今日天氣點呀？")
    first = await bot.reply_to(asked, chat_id=USER)
    assert first.params["text"].startswith("抱歉，我未有這方面的資料")

    # The worker fixes their question in place.
    edited_message = dict(
        asked["message"], text="免試期幾時完？", edit_date=asked["message"]["date"] + 5
    )
    edits = await bot.push_and_wait(
        bot.updates.wrap("edited_message", edited_message), "editMessageText"
    )
    assert edits[0].params["message_id"] == first.result["message_id"]
    assert edits[0].params["text"].startswith("<b>五年免試期</b>")
    assert len(bot.server.sent_messages(USER)) == 1  # no second reply
    assert bot.store.queries(1)[0]["text"] == "免試期幾時完？"

    # An edit the bot has no reply for (say, after a restart) gets a fresh reply.
    old = bot.updates.message(
        asked["message"]["chat"],
        asked["message"]["from"],
        "When does the exemption period end?",
        message_id=500,
        edit_date=1,
    )
    call = await bot.reply_to(bot.updates.wrap("edited_message", old), chat_id=USER)
    assert call.params["text"].startswith("<b>Five-year exemption period</b>")


async def test_a_voice_note_is_told_plainly_to_type(tg_bot):
    bot = tg_bot
    sender = bot.updates.user()
    voice = bot.updates.message(
        bot.updates.chat(None, sender),
        sender,
        None,
        voice={"file_id": "AwACvoice1", "file_unique_id": "AgADv1", "duration": 4},
    )
    call = await bot.reply_to(bot.updates.wrap("message", voice), chat_id=USER)
    assert (
        call.params["text"]
        == "我暫時聽不到語音或影片訊息，請用文字輸入你的問題，例如：「過往資歷認可免試期幾時完？」"
    )
    assert bot.store.query_count() == 0  # nothing was asked


async def test_an_edited_command_is_not_run_again(tg_bot):
    bot = tg_bot
    command = bot.updates.private_text("/about")
    await bot.reply_to(command, chat_id=USER)
    bot.server.push_update(
        bot.updates.wrap("edited_message", dict(command["message"], text="/help", edit_date=1))
    )
    await bot.idle()
    assert (
        len(bot.server.sent_messages(USER)) == 1 and bot.server.calls_of("editMessageText") == []
    )
