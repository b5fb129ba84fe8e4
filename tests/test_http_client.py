"""The Bot API client (bot/telegram/http.py): what PTB's httpx client did, over aiohttp.

A bot talks to the fake Bot API server through it: texts and files arrive as sent, and each kind of
network failure reaches the retry rules (bot/telegram/ambiguity.py) as the same error as before:
a request that never left is told apart from one that may have been carried out."""

from __future__ import annotations

import asyncio
import socket

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.telegram.ambiguity import never_left
from bot.telegram.http import AiohttpRequest
from tests.fakes.telegram_server import UploadedFile, running_fake_server

TOKEN = "123456:TEST-http-client"


def bot_for(base_url: str, request: AiohttpRequest) -> Bot:
    return Bot(TOKEN, base_url=base_url, request=request, get_updates_request=AiohttpRequest())


async def test_texts_and_their_parameters_arrive_as_sent():
    async with running_fake_server() as server:
        async with bot_for(server.base_url, AiohttpRequest(4)) as bot:
            sent = await bot.send_message(42, "<b>123</b> 免試期", parse_mode="HTML")
        (call,) = [c for c in server.calls if c.method == "sendMessage"]
        assert call.params["chat_id"] == 42
        assert call.params["text"] == "<b>123</b> 免試期"  # a string, never decoded as a number
        assert sent.chat.id == 42 and sent.message_id > 0  # Telegram's answer, parsed


async def test_a_file_is_uploaded_with_its_caption():
    async with running_fake_server() as server:
        async with bot_for(server.base_url, AiohttpRequest()) as bot:
            await bot.send_document(7, b"a,b\n1,2\n", filename="stats.csv", caption="每日")
        (call,) = [c for c in server.calls if c.method == "sendDocument"]
        upload = call.params["document"]
        assert isinstance(upload, UploadedFile)
        assert (upload.filename, upload.content) == ("stats.csv", b"a,b\n1,2\n")
        assert call.params["caption"] == "每日"


async def test_a_server_that_cannot_be_reached_never_got_the_request():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(NetworkError) as caught:
        async with bot_for(f"http://127.0.0.1:{port}/bot", AiohttpRequest()) as bot:  # getMe
            await bot.send_message(1, "hello")
    assert not isinstance(caught.value, TimedOut)
    assert never_left(caught.value)  # so even a broadcast may try again


async def test_an_answer_that_never_comes_is_a_timeout_that_may_have_been_carried_out():
    async with running_fake_server() as server:
        server.fail("sendMessage", "timeout", delay=0.2)
        async with bot_for(server.base_url, AiohttpRequest(read_timeout=0.2)) as bot:
            with pytest.raises(TimedOut) as caught:
                await bot.send_message(1, "hello")
        assert len(server.sent_messages(1)) == 1  # Telegram did send it
    assert not never_left(caught.value)  # so a broadcast counts it uncertain, never sends again


async def test_a_dropped_connection_may_have_been_carried_out():
    async with running_fake_server() as server:
        server.fail("sendMessage", "drop")
        async with bot_for(server.base_url, AiohttpRequest()) as bot:
            with pytest.raises(NetworkError) as caught:
                await bot.send_message(1, "hello")
            again = await bot.send_message(1, "hello again")  # the pool recovers
        assert server.sent_texts(1) == ["hello", "hello again"]
        assert again.text == "hello again"
    assert not isinstance(caught.value, TimedOut)
    assert not never_left(caught.value)


async def test_a_full_pool_is_a_timeout_before_anything_left():
    async with running_fake_server() as server:
        hold = server.fail("sendMessage", "slow", delay=3)  # answered when released
        async with bot_for(server.base_url, AiohttpRequest(1, pool_timeout=0.1)) as bot:
            slow = asyncio.ensure_future(bot.send_message(1, "slow"))
            await server.wait_for("sendMessage")  # the only connection is busy with it
            with pytest.raises(TimedOut) as caught:
                await bot.send_message(2, "waits for a connection", connect_timeout=0.1)
            hold.release()
            await slow
        assert server.sent_messages(2) == []
    assert never_left(caught.value)


def test_the_environments_proxy_is_used_except_where_no_proxy_says(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://user:secret@proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    request = AiohttpRequest()
    proxy, auth = request._proxy_for("https://api.telegram.org/botX/sendMessage")
    assert str(proxy) == "http://proxy.example:3128"
    assert auth is not None and auth.login == "user"
    assert request._proxy_for("http://127.0.0.1:8081/botX/getMe") == (None, None)


async def test_a_request_before_initialize_is_refused():
    with pytest.raises(RuntimeError):
        await AiohttpRequest().do_request("http://127.0.0.1:1/botX/getMe", "POST")
