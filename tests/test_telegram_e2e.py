"""End to end: the real Application polls the fake Bot API server over HTTP on 127.0.0.1."""
from __future__ import annotations


async def test_smoke(tg_bot):
    call = await tg_bot.reply_to(tg_bot.updates.private_text("免試期幾時完？"))
    print(call.summary())
    print(call.params)
