"""Kill the real process in the middle of an announcement, at random instants: while a message
is on its way to Telegram, and while the dispatcher waits for its next slot. Nobody gets it
twice, no row that was never attempted is reported failed, and the coordinator's report names
whoever may have missed it, with a button that sends it again to exactly them.

Set KERNBOT_CRASH_SEED to replay one run.
"""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
from collections import Counter

import pytest

from tests.support.botapi_server import BotApiServer
from tests.support.process import TOKEN, ForkedBot, ForkServer, wait_for, write_config

ELS = (9001, "Els")  # the demo coordinator
RATE = 5.0           # messages per second: slow enough to kill between two of them


def rows(database, sql, params=()):
    conn = sqlite3.connect(database, timeout=10)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture
async def server():
    srv = BotApiServer(TOKEN)
    await srv.start()
    yield srv
    await srv.stop()


async def test_killed_mid_broadcast_no_doubles_and_the_report_names_who_may_have_missed_it(
        server, tmp_path):
    seed = int(os.environ.get("KERNBOT_CRASH_SEED", random.randrange(1_000_000)))
    rng = random.Random(seed)
    config = write_config(tmp_path, server.base_url)
    config.write_text(config.read_text() + f"[reminders]\nmessages_per_second = {RATE}\n"
                      'quiet_start = "00:00"\nquiet_end = "00:00"\n')  # no quiet hours here
    database = tmp_path / "kernbot.sqlite3"
    text = f"Kraak-aankondiging {seed}"
    loop = asyncio.get_running_loop()
    async with ForkServer() as forks:
        seeder = ForkedBot(forks, config, tmp_path / "seed.log")
        answer = await forks.ask({"op": "start", "log": str(seeder.log), "env": seeder.env(),
                                  "argv": ["--config", str(config), "admin", "seed-demo",
                                           "--database", str(database)]})
        seeder.pid = answer["pid"]
        assert await seeder.wait_dead() == 0
        bot = ForkedBot(forks, config, tmp_path / "bot.log")

        def button(data: str) -> str:
            for call in reversed(server.sent_to(ELS[0])):
                if any(b.get("callback_data") == data for b in call.buttons):
                    return data
            raise AssertionError(f"no button {data} shown (seed {seed})")

        deliveries = []  # chat ids the announcement reached, in order

        def in_flight_kill(at: int):
            def hook(method, params):
                if method == "sendMessage" and text in str(params.get("text", "")):
                    deliveries.append(int(params["chat_id"]))
                    if len(deliveries) == at:
                        bot.kill()  # Telegram has it; the bot never hears back
            return hook

        try:
            await bot.start()
            server.type_text(*ELS, "/aankondiging")
            assert await wait_for(lambda: len(server.sent_to(ELS[0])) >= 1, 30)
            server.type_text(*ELS, text)
            assert await wait_for(lambda: any(b.get("callback_data") == "an:aud:all"
                                              for c in server.sent_to(ELS[0])
                                              for b in c.buttons), 30)
            server.press(*ELS, button("an:aud:all"))
            assert await wait_for(lambda: any(b.get("callback_data") == "an:send"
                                              for c in server.sent_to(ELS[0])
                                              for b in c.buttons), 30)
            # kill 1: while the second message is on its way (claimed, sent, unanswered)
            server.on_request = in_flight_kill(rng.choice([1, 2]))
            server.press(*ELS, button("an:send"))
            assert await wait_for(lambda: bot.pid and not alive(bot.pid), 30, 0.001), seed
            await bot.wait_dead()
            server.on_request = None
            in_flight = deliveries[-1]
            # kill 2: at a random instant of the pace wait after the next message went out
            sent_before = len(deliveries)

            def record(method, params):
                if method == "sendMessage" and text in str(params.get("text", "")):
                    deliveries.append(int(params["chat_id"]))
                    if len(deliveries) == sent_before + 1:
                        loop.call_later(rng.uniform(0.02, 0.9 / RATE), bot.kill)

            server.on_request = record
            await bot.start()
            assert await wait_for(lambda: bot.pid and not alive(bot.pid), 30, 0.001), seed
            await bot.wait_dead()
            await bot.start()
            assert await wait_for(lambda: any("is klaar" in c.text
                                              for c in server.sent_to(ELS[0])), 30), seed
            report = next(c for c in reversed(server.sent_to(ELS[0])) if "is klaar" in c.text)
            outbox = rows(database, "SELECT o.status, o.attempts, o.interrupted, p.telegram_id,"
                          " p.name FROM outbox o JOIN people p ON p.id = o.person_id"
                          " WHERE o.kind = 'announcement'")
            # nobody twice; everybody but the interrupted one exactly once
            counts = Counter(deliveries)
            assert max(counts.values()) == 1, (counts, seed)
            failed = [r for r in outbox if r[0] == "failed"]
            assert [r[3] for r in failed] == [in_flight], (outbox, seed)
            assert all(r[2] == 1 and r[1] >= 1 for r in failed), (failed, seed)  # attempted
            assert all(r[0] == "sent" for r in outbox if r[3] != in_flight), (outbox, seed)
            assert set(counts) == {r[3] for r in outbox}, seed
            # the report names the one who may have missed it and offers to send it again
            assert failed[0][4] in report.text, (report.text, seed)
            again = [b["callback_data"] for b in report.buttons]
            assert len(again) == 1 and again[0].startswith("an:again:"), seed
            server.press(*ELS, again[0])
            assert await wait_for(lambda: Counter(deliveries)[in_flight] == 2, 30), seed
            assert await wait_for(lambda: sum("is klaar" in c.text
                                              for c in server.sent_to(ELS[0])) == 2, 30), seed
            assert Counter(deliveries) == Counter({**counts, in_flight: 2}), seed
        finally:
            await bot.stop()


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False
