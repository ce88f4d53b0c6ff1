"""Crash test on the real process: SIGKILL at random points during the intake, restart, carry on.

A participant answers the intake through a local Bot API server while `python bot.py` is killed
with SIGKILL at least five times at random moments (right after an answer was typed, before or
after the bot stored it or replied). Each time the process is started again; Telegram (here: the
server) redelivers the updates the bot had not confirmed. At the end the intake is complete and
every answer is stored exactly once: no answer lost, none applied to the wrong question, none
stored twice (the answer history is empty because nothing was overwritten).

Set KERNBOT_CRASH_SEED to replay one run; the seed is printed when the test fails.
"""

import asyncio
import json
import os
import random
import sqlite3

import pytest

from tests.support.botapi_server import BotApiServer
from tests.support.process import TOKEN, BotProcess, wait_for, write_config

USER = (6161, "Kraak")
TYPED = {  # what the participant types for each intake question (typed options are accepted)
    "role": "Ambtenaar lokale economie",
    "domains": "Economie, Mobiliteit",
    "area_specific": "Ja",
    "support_lead": "Ja",
    "support_mat": "Nog niet",
    "support_cbs": "Nee",
}
STORED = {  # how the typed options are stored (option ids)
    "domains": ["dom_economy", "dom_mobility"],
    "area_specific": "yes",
    "support_lead": "yes",
    "support_mat": "not_yet",
    "support_cbs": "no",
}
KILLS = 5


def answer_for(question: str) -> str:
    return TYPED.get(question, f"Antwoord op {question} – één keer bewaard")


class Db:
    def __init__(self, path):
        self.path = path

    def rows(self, sql, params=()):
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def person_id(self):
        rows = self.rows("SELECT id FROM people WHERE telegram_id = ?", (USER[0],))
        return rows[0][0] if rows else None

    def intake_position(self):
        rows = self.rows("SELECT status, question FROM flow_runs WHERE person_id = ?"
                         " AND flow = 'intake'", (self.person_id(),))
        return rows[0] if rows else None


@pytest.fixture
async def server():
    srv = BotApiServer(TOKEN)
    await srv.start()
    yield srv
    await srv.stop()


async def ensure_running(bot: BotProcess) -> None:
    if bot.proc is None or bot.proc.returncode is not None:
        await bot.start()


async def test_intake_survives_random_sigkills(server, tmp_path):
    seed = int(os.environ.get("KERNBOT_CRASH_SEED", random.randrange(1_000_000)))
    rng = random.Random(seed)
    config = write_config(tmp_path, server.base_url)
    bot = BotProcess(config, tmp_path / "bot.log")
    db = Db(tmp_path / "kernbot.sqlite3")
    assert await bot.admin("seed-demo", "--database", str(tmp_path / "kernbot.sqlite3")) == 0
    kills = 0
    try:
        await bot.start()
        server.type_text(*USER, "/start DEMO-DEELNEMER")
        server.press(*USER, "enrol:ok:name")
        server.type_text(*USER, "Lier")
        server.type_text(*USER, "Lokale economie")
        assert await wait_for(lambda: any("Welkom, Kraak" in s.text
                                          for s in server.sent_to(USER[0])), 30), seed
        server.type_text(*USER, "/intake")
        assert await wait_for(lambda: db.intake_position() is not None, 30), seed
        kill_steps = set(rng.sample(range(1, 13), KILLS))
        step = 0
        typed: dict[str, str] = {}
        while True:
            status, question = db.intake_position()
            if status == "done" or question is None:
                break
            step += 1
            assert step < 60, f"intake does not finish (seed {seed})"
            typed[question] = answer_for(question)
            server.type_text(*USER, typed[question])
            if step in kill_steps:
                await asyncio.sleep(rng.uniform(0, 0.15))
                bot.kill()
                await bot.wait_dead()
                kills += 1
                await ensure_running(bot)
            moved = await wait_for(lambda q=question: db.intake_position() != ("active", q), 30)
            assert moved, f"stuck at {question} (seed {seed})"
    finally:
        await bot.stop()
    assert kills >= KILLS
    person = db.person_id()
    stored = dict(db.rows("SELECT question, value FROM flow_answers WHERE person_id = ?"
                          " AND flow = 'intake'", (person,)))
    assert set(stored) == set(typed), f"seed {seed}"
    for question, text in typed.items():
        expected = STORED.get(question, text)
        assert json.loads(stored[question]) == expected, (question, stored[question], seed)
    history = db.rows("SELECT question FROM flow_answer_history WHERE person_id = ?", (person,))
    assert history == [], f"answers overwritten by a redelivered update: {history} (seed {seed})"
    handled = db.rows("SELECT COUNT(*) FROM processed_updates")[0][0]
    assert handled >= len(typed) + 5  # every update recorded once (enrolment + /intake + answers)
