"""The real process: `python bot.py` in polling mode against a local Bot API server.

These tests wait for another process, so they poll with a deadline; they never depend on how
fast the machine is, only on the bot answering at all.
"""

import sqlite3

import pytest

from tests.support.botapi_server import BotApiServer
from tests.support.process import TOKEN, BotProcess, wait_for, write_config

NEWCOMER = (5555, "Proces")


@pytest.fixture
async def server():
    srv = BotApiServer(TOKEN)
    await srv.start()
    yield srv
    await srv.stop()


@pytest.fixture
async def bot_process(tmp_path, server):
    config = write_config(tmp_path, server.base_url)
    proc = BotProcess(config, tmp_path / "bot.log")
    assert await proc.admin("seed-demo", "--database", str(tmp_path / "kernbot.sqlite3")) == 0
    yield proc
    await proc.stop()


def db_rows(tmp_path, sql, params=()):
    conn = sqlite3.connect(tmp_path / "kernbot.sqlite3")
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


async def test_polling_process_answers_and_sets_menus(server, bot_process, tmp_path):
    await bot_process.start()
    server.type_text(*NEWCOMER, "/start DEMO-DEELNEMER")
    assert await wait_for(lambda: any("Welkom" in s.text for s in server.sent_to(NEWCOMER[0])))
    assert "setMyCommands" in server.methods
    log = (tmp_path / "bot.log").read_text()
    assert TOKEN not in log
    assert TOKEN.split(":")[1] not in log


async def test_sigkill_after_reply_does_not_apply_the_update_twice(server, bot_process,
                                                                   tmp_path):
    await bot_process.start()
    server.type_text(*NEWCOMER, "/start DEMO-DEELNEMER")
    assert await wait_for(lambda: any("Welkom" in s.text for s in server.sent_to(NEWCOMER[0])))
    server.press(*NEWCOMER, "enrol:ok:name")
    for answer in ("Lier", "Lokale economie"):
        server.type_text(*NEWCOMER, answer)
    assert await wait_for(lambda: any("Welkom, Proces" in s.text
                                      for s in server.sent_to(NEWCOMER[0])))
    bot_process.kill()  # before it could confirm the update with the next getUpdates offset
    await bot_process.wait_dead()
    await bot_process.start()
    server.type_text(*NEWCOMER, "/start")
    assert await wait_for(lambda: any("weer bent" in s.text for s in server.sent_to(NEWCOMER[0])))
    greetings = [s for s in server.sent_to(NEWCOMER[0]) if "Welkom, Proces" in s.text]
    assert len(greetings) == 1
    uses = db_rows(tmp_path, "SELECT uses FROM invites WHERE code = 'DEMO-DEELNEMER'")[0][0]
    redemptions = db_rows(tmp_path, "SELECT COUNT(*) FROM invite_redemptions r JOIN people p"
                                    " ON p.id = r.person_id WHERE p.telegram_id = ?",
                          (NEWCOMER[0],))[0][0]
    assert redemptions == 1
    assert uses == 1


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_refuses_requests_without_the_secret(server, bot_process, tmp_path):
    import json

    import aiohttp

    port = free_port()
    with bot_process.config.open("a") as f:
        f.write(f'[webhook]\nurl = "https://kernbot.example.org/telegram"\nlisten = "127.0.0.1"\n'
                f'port = {port}\npath = "telegram"\nsecret_token = "Geheim_123"\n')
    text = bot_process.config.read_text().replace('mode = "polling"', 'mode = "webhook"')
    bot_process.config.write_text(text)
    await bot_process.start()
    assert await wait_for(lambda: "setWebhook" in server.methods)
    update = {"update_id": 1, "message": {
        "message_id": 1, "date": 1_700_000_000, "text": "/help",
        "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        "chat": {"id": NEWCOMER[0], "type": "private"},
        "from": {"id": NEWCOMER[0], "is_bot": False, "first_name": "Proces"}}}
    url = f"http://127.0.0.1:{port}/telegram"
    async with aiohttp.ClientSession() as session:
        async def post(headers):
            for _ in range(100):  # the server may still be starting
                try:
                    async with session.post(url, data=json.dumps(update), headers={
                            "Content-Type": "application/json", **headers}) as response:
                        return response.status
                except aiohttp.ClientConnectionError:
                    import asyncio

                    await asyncio.sleep(0.1)
            raise AssertionError("webhook server did not start")

        assert await post({}) == 403
        assert await post({"X-Telegram-Bot-Api-Secret-Token": "wrong"}) == 403
        assert server.sent_to(NEWCOMER[0]) == []
        assert await post({"X-Telegram-Bot-Api-Secret-Token": "Geheim_123"}) == 200
    assert await wait_for(lambda: any("/start" in s.text for s in server.sent_to(NEWCOMER[0])))
