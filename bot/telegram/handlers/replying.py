"""What happens around an answer to a worker's question (issue 11), kept apart from the questions
handler so the engine's side of it can change freely:

- `typing`: when a reply takes longer than TYPING_AFTER seconds, the chat shows "typing…" until it is
  sent (renewed every 4 s, as Telegram's indicator fades after 5). The engine itself answers on the
  event loop, as before: moving it to a worker thread made the GIL hand-offs cost more than the
  answers (p50 250 ms against 30 ms in scripts/bench_telegram.py), and an engine answer takes
  milliseconds — a slow reply is one waiting on Telegram or on the chat's earlier updates.
- `decorate`: 🙋 under a decline or a "which did you mean", 👍/👎 and ↗ Share under an answer, and
  under a free-text eligibility answer the question it still needs, as buttons that continue in /check.
- `deliver`: the reply to a question, or — for an edited question — the earlier reply edited in place
  (a new reply when it cannot be edited).
- `remember`: the turn (for staff), who owns the reply's buttons (groups), which reply answers which
  question (edits).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from telegram import Message, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError

from bot.telegram import admin_render
from bot.telegram.context import BotContext
from bot.telegram.handlers import feedback, handoff
from bot.telegram.recent import recent
from bot.telegram.render import Reply
from bot.telegram.send import reply_to, send

if TYPE_CHECKING:
    from bot.assistant import Answer

logger = logging.getLogger(__name__)
TYPING_AFTER = 1.0  # seconds before "typing…" is shown (tests shorten it)
TYPING_EVERY = 4.0


async def _typing(context: BotContext, message: Message) -> None:
    while True:
        if getattr(context.application.update_processor, "saturated", False):
            return  # under full load the indicator would cost every waiting reply a little more
        try:
            await message.reply_chat_action(ChatAction.TYPING)  # in the message's forum topic
        except TelegramError as exc:  # a nicety: never in the way of the reply
            logger.debug("could not show typing in %s: %s", message.chat_id, exc)
            return
        await asyncio.sleep(TYPING_EVERY)


@contextlib.asynccontextmanager
async def typing(context: BotContext, message: Message) -> AsyncIterator[None]:
    """ "typing…" in the chat if what happens inside (the answer and its delivery) takes longer than
    TYPING_AFTER seconds: waiting on Telegram, on the rate limiter, or on the chat's earlier updates.
    Not when every worker is busy: then the bot is the bottleneck, and an extra request per reply
    would feed the queue it reports on (scripts/bench_telegram.py, burst phase). A timer, not a task,
    waits for the delay: most replies never need one, and a timer costs next to nothing."""
    started: list[asyncio.Task] = []

    def start() -> None:
        started.append(asyncio.ensure_future(_typing(context, message)))

    timer = asyncio.get_running_loop().call_later(TYPING_AFTER, start)
    try:
        yield
    finally:
        timer.cancel()
        for task in started:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def decorate(
    context: BotContext, message: Message, reply: Reply, answer: Answer, query_id: int | None
) -> Reply:
    """The buttons an answer carries beyond its topics: 🙋, 👍/👎 and Share, the check's next question.
    A question that could not be logged (a full disk) gets none of those that refer to the log."""
    if query_id is None:
        return reply
    if answer.kind in ("decline", "choose") and context.services.admin_chat_id is not None:
        # "🙋 Ask a person": the human inbox (handlers/inbox.py) takes it from there.
        reply = admin_render.with_person_button(reply, query_id)
    if answer.kind in ("answer", "eligibility") and answer.entries:
        kb = context.assistant.kb
        entry_id = answer.entries[0] if answer.kind == "answer" else None
        title = (
            context.assistant.title(kb.entries[entry_id], answer.lang)
            if entry_id and entry_id in kb.entries
            else ""
        )
        reply = feedback.with_feedback(reply, query_id, context.bot.username, entry_id, title)
    if answer.kind == "eligibility":
        from bot.telegram.handlers import check  # check imports this module's neighbours

        reply = check.offer_next_question(context, message, reply, answer, query_id)
    return reply


async def deliver(
    context: BotContext, update: Update, message: Message, reply: Reply
) -> list[Message]:
    """Reply to `message`; an edited question edits the reply it had (a one-part reply) when it can."""
    if update.edited_message is not None:
        earlier = recent(context.bot_data).replies.get((message.chat.id, message.message_id))
        if earlier is not None and len(reply.parts) == 1:
            try:
                edited = await context.bot.edit_message_text(
                    reply.parts[0],
                    chat_id=message.chat.id,
                    message_id=earlier,
                    reply_markup=reply.markup,
                )
                if isinstance(edited, Message):
                    return [edited]
            except BadRequest as exc:
                if "not modified" in str(exc).lower():
                    return []
                logger.info(
                    "could not edit the reply to an edited question (%s); replying anew", exc
                )
            except TelegramError as exc:
                logger.info(
                    "could not edit the reply to an edited question (%s); replying anew", exc
                )
    return await reply_to(context, message, reply)


def remember(
    context: BotContext,
    update: Update,
    message: Message,
    question: str,
    answer: Answer,
    sent: list[Message],
) -> None:
    user = update.effective_user
    handoff.remember_turn(context, message.chat.id, user, question, answer)
    handoff.remember_owner(context, sent, user)
    if sent:
        recent(context.bot_data).replies.put(
            (message.chat.id, message.message_id), sent[0].message_id
        )


async def send_owned(
    context: BotContext, update: Update, under: Message | None, chat_id: int, reply: Reply
) -> list[Message]:
    """A reply to a button press (a new message, in the topic of the message `under` the button
    when it is still accessible): in a group, its buttons belong to the presser."""
    sent = (
        await reply_to(context, under, reply, quote=False)
        if under is not None
        else await send(context, chat_id, reply)
    )
    handoff.remember_owner(context, sent, update.effective_user)
    return sent
