"""Follow-ups in Telegram, told as the users' stories: what they send, what they see."""

from __future__ import annotations

from tests.fakes.updates import DEFAULT_GROUP_ID, DEFAULT_USER_ID, make_user

USER = DEFAULT_USER_ID
GROUP = DEFAULT_GROUP_ID
MEI = make_user(2002, "Mei", language_code="en")
WING = make_user(2003, "Wing", language_code="zh-hk")


async def test_a_follow_up_in_private_leans_on_the_last_subject(tg_bot):
    first = await tg_bot.reply_to(tg_bot.updates.private_text("What is RPL for elderly care?"))
    assert "community care" in first.params["text"]
    follow = await tg_bot.reply_to(tg_bot.updates.private_text("and when does it end?"))
    text = follow.params["text"]
    assert "31 August 2028" in text
    assert text.startswith("<i>(About: Five-year exemption period)</i>")  # which subject it took


async def test_two_members_of_a_group_keep_their_own_threads(tg_bot):
    await tg_bot.reply_to(
        tg_bot.updates.mention("What is RPL for elderly care?", user=MEI), chat_id=GROUP
    )
    await tg_bot.reply_to(tg_bot.updates.mention("VPES 係咩嚟？", user=WING), chat_id=GROUP)
    mei = await tg_bot.reply_to(
        tg_bot.updates.mention("when does it end?", user=MEI), chat_id=GROUP
    )
    assert "31 August 2028" in mei.params["text"]  # Mei's subject, not Wing's VPES


async def test_replying_to_the_bots_answer_in_a_group_is_a_follow_up(tg_bot):
    answer = await tg_bot.reply_to(
        tg_bot.updates.mention("What is RPL for elderly care?", user=MEI), chat_id=GROUP
    )
    follow = await tg_bot.reply_to(
        tg_bot.updates.reply_to_bot("when does it end?", bot_message=answer.result, user=MEI),
        chat_id=GROUP,
    )
    assert "31 August 2028" in follow.params["text"]


async def test_a_button_sets_the_subject_for_the_next_question(tg_bot):
    await tg_bot.reply_to(tg_bot.updates.callback_query("e:e:rpl-elderly-care"))
    follow = await tg_bot.reply_to(tg_bot.updates.private_text("when does it end?"))
    assert "31 August 2028" in follow.params["text"]


async def test_the_language_can_change_mid_conversation(tg_bot):
    await tg_bot.reply_to(tg_bot.updates.private_text("安老 RPL 係咩嚟？"))
    follow = await tg_bot.reply_to(
        tg_bot.updates.private_text("in English please: when does it end?")
    )
    assert "31 August 2028" in follow.params["text"]


async def test_a_new_question_after_a_follow_up_is_read_alone(tg_bot):
    await tg_bot.reply_to(tg_bot.updates.private_text("What is RPL for elderly care?"))
    other = await tg_bot.reply_to(tg_bot.updates.private_text("Where is VPES based?"))
    assert "Shenzhen" in other.params["text"] and "About:" not in other.params["text"]
