"""Crash test on the real process, polling and webhook: SIGKILL at random instants between the
fetch of an update and its handling, during the handling, after the reply and during the
start-up that follows; typed answers and button presses; three participants doing the intake.

Telegram is a local Bot API server (tests/support/botapi_server.py): in polling mode it serves
an update again until a getUpdates offset confirms it; in webhook mode it POSTs it again until
the bot answers 200. After every kill the bot is started again and, without the participant
typing anything, the last thing the participant sees must be the question they are at now (or
the summary after the last one). At the end every answer is stored exactly once, with the
right value, and was never overwritten by a replayed update.

Each kill is classified by what the database shows right after the process died: the update
not yet stored (fetched, or still on the wire), stored but not handled, handled with its reply
perhaps lost (owed), or done. Between the fetch and the handling means the first two.

The processes are started by tests/support/forkserver.py (bot.main in a forked, pre-imported
interpreter: a real process with its own pid, lock and connection, killed with SIGKILL; only the
imports are shared, so 20+ restarts take seconds). Set KERNBOT_CRASH_SEED to replay one run.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import sqlite3
from collections import Counter
from dataclasses import dataclass, field

import pytest

from tests.support.botapi_server import BotApiServer
from tests.support.process import TOKEN, ForkedBot, ForkServer, wait_for, write_config

KILLS = 20  # kills while answering, per mode; start-up kills come on top
ANSWERS = 14 + 13 + 14  # the three intakes (Pieter answers "no": no area question)
PARTICIPANTS = [(9011, "Sofie"), (9012, "Pieter"), (9013, "Lotte")]
DONE_TEXT = "Je intake is klaar"
BACK_TEXT = "heel even weg"  # common/back_again: the prompt re-sent after a lost reply
YES = {9011: "yes", 9012: "no", 9013: "yes"}  # area_specific: with and without the area question
CHOICES = {"support_lead": "yes", "support_mat": "not_yet", "support_cbs": "no"}
TYPED_CHOICE = {"yes": "Ja", "no": "Nee", "not_yet": "Nog niet"}
STORED_DOMAINS = ["dom_economy", "dom_mobility"]
PHASES = ("not stored yet", "stored, not handled", "handled, reply owed", "done")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Db:
    def __init__(self, path) -> None:
        self.path = path

    def rows(self, sql: str, params=()) -> list:
        conn = sqlite3.connect(self.path, timeout=10)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def person(self, telegram_id: int) -> int:
        return self.rows("SELECT id FROM people WHERE telegram_id = ?", (telegram_id,))[0][0]

    def position(self, telegram_id: int) -> tuple[str, str | None] | None:
        rows = self.rows("SELECT status, question FROM flow_runs WHERE person_id = ? AND"
                         " flow = 'intake'", (self.person(telegram_id),))
        return tuple(rows[0]) if rows else None

    def phase(self, update_id: int) -> str:
        stored = bool(self.rows("SELECT 1 FROM inbox WHERE update_id = ?", (update_id,)))
        handled = bool(self.rows("SELECT 1 FROM processed_updates WHERE update_id = ?",
                                 (update_id,)))
        return {(False, False): PHASES[0], (True, False): PHASES[1],
                (True, True): PHASES[2], (False, True): PHASES[3]}[(stored, handled)]


@dataclass
class Run:
    mode: str
    seed: int
    rng: random.Random
    server: BotApiServer
    bot: ForkedBot
    db: Db
    kills: int = 0
    phases: Counter = field(default_factory=Counter)
    triggers: Counter = field(default_factory=Counter)
    typed: dict = field(default_factory=dict)    # (telegram id, question) -> stored value
    pressed: int = 0

    def fail(self, message: str) -> str:
        return f"{self.mode}: {message} (seed {self.seed}; KERNBOT_CRASH_SEED to replay)"


def intended(rng: random.Random, telegram_id: int, question: str) -> tuple[str, str, object]:
    """What the participant does at this question: ("text", typed) or ("button", option), and
    the value that must be stored."""
    if question == "domains":
        return "text", "Economie, Mobiliteit", STORED_DOMAINS
    if question == "area_specific":
        return "button", YES[telegram_id], YES[telegram_id]
    if question in CHOICES:
        option = CHOICES[question]
        if rng.random() < 0.5:
            return "text", TYPED_CHOICE[option], option  # typed options are accepted
        return "button", option, option
    text = f"{telegram_id}: antwoord op {question} – één keer bewaard"
    return "text", text, text


def shows_current_prompt(run: Run, telegram_id: int) -> bool:
    """The last thing the bot sent this participant is the question they are at (a button of
    it carries its id), or the summary when the intake is done."""
    position = run.db.position(telegram_id)
    sent = run.server.sent_to(telegram_id)
    if not sent or position is None:
        return False
    last = sent[-1]
    status, question = position
    if status == "done":
        return DONE_TEXT in last.text
    return any(f"::{question}:" in (b.get("callback_data") or "") for b in last.buttons)


def button_data(run: Run, telegram_id: int, question: str, option: str) -> str:
    for call in reversed(run.server.sent_to(telegram_id)):
        for b in call.buttons:
            if (b.get("callback_data") or "").endswith(f"::{question}:0:{option}"):
                return b["callback_data"]
    raise AssertionError(run.fail(f"no button {option} for {question} shown to {telegram_id}"))


def arm_kill(run: Run, update_id: int, telegram_id: int) -> None:
    """Kill the bot at a random instant of this update's life."""
    loop = asyncio.get_running_loop()
    trigger = run.rng.choices(["fetch", "reply", "late"], weights=[55, 30, 15])[0]
    run.triggers[trigger] += 1
    bot, server = run.bot, run.server

    def kill_later(delay: float) -> None:
        loop.call_later(delay, bot.kill)

    if trigger == "fetch":  # 0-8 ms after the update left the server: fetch .. handling
        delay = run.rng.uniform(0, 0.008)
        if run.mode == "polling":
            def served(updates):
                if any(u["update_id"] == update_id for u in updates):
                    server.on_served = None
                    kill_later(delay)
            server.on_served = served
        else:
            def pushed(update):
                if update["update_id"] == update_id:
                    server.on_push = None
                    kill_later(delay)
            server.on_push = pushed
    elif trigger == "reply":  # when the reply reaches Telegram, before or just after its answer
        delay = run.rng.choice([0.0, run.rng.uniform(0, 0.003)])

        def replied(method, params):
            if method in ("sendMessage", "editMessageText") and \
                    int(params.get("chat_id") or 0) == telegram_id:
                server.on_request = None
                if delay == 0:
                    bot.kill()  # Telegram shows it; the bot never hears back
                else:
                    kill_later(delay)
        server.on_request = replied
    else:  # after everything, most likely
        kill_later(run.rng.uniform(0.015, 0.06))


def disarm(run: Run) -> None:
    run.server.on_served = run.server.on_push = run.server.on_request = None


async def restart(run: Run) -> None:
    await run.bot.wait_dead()
    await run.bot.start()
    if run.rng.random() < 0.2:  # and once more, somewhere in the start-up or just after it
        await asyncio.sleep(run.rng.uniform(0, 0.4))
        run.bot.kill()
        run.kills += 1
        run.triggers["start-up"] += 1
        await run.bot.wait_dead()
        await run.bot.start()


async def step(run: Run, telegram_id: int, name: str, kill: bool) -> None:
    status, question = run.db.position(telegram_id)
    kind, value, stored = intended(run.rng, telegram_id, question)
    run.typed[(telegram_id, question)] = stored
    update_id = run.server.next_update_id()
    if kill:
        arm_kill(run, update_id, telegram_id)
    if kind == "text":
        assert run.server.type_text(telegram_id, name, value) == update_id
    else:
        data = button_data(run, telegram_id, question, value)
        assert run.server.press(telegram_id, name, data) == update_id
        run.pressed += 1
    owed_from = None
    if kill:
        died = await wait_for(lambda: not pid_alive(run.bot.pid), 10, 0.001)
        disarm(run)
        if not died:  # the armed moment never came (it always should): kill now
            run.bot.kill()
            run.triggers["fallback"] += 1
        run.kills += 1
        await run.bot.wait_dead()
        phase = run.db.phase(update_id)
        run.phases[phase] += 1
        if phase == PHASES[2]:  # the reply may be lost: the restart must send the prompt again
            owed_from = len(run.server.sent_to(telegram_id))
        await restart(run)
    # settled: the answer is stored, the participant's last message is the current question,
    # and nothing waits in the inbox (a restarted bot has finished its recovery)
    moved = await wait_for(
        lambda: run.db.position(telegram_id) != (status, question)
        and shows_current_prompt(run, telegram_id)
        and (owed_from is None or any(BACK_TEXT in c.text for c in
                                      run.server.sent_to(telegram_id)[owed_from:]))
        and run.db.rows("SELECT COUNT(*) FROM inbox")[0][0] == 0, 30)
    assert moved, run.fail(f"participant {telegram_id} does not see the question after "
                           f"{question} (position {run.db.position(telegram_id)}, "
                           f"owed {owed_from is not None})")


def pid_alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"  # a zombie is dead, only not reaped yet
    except FileNotFoundError:
        return False


def configure(tmp_path, server: BotApiServer, mode: str):
    config = write_config(tmp_path, server.base_url)
    if mode == "webhook":
        port = free_port()
        text = config.read_text().replace('mode = "polling"', 'mode = "webhook"')
        text += (f'[webhook]\nurl = "http://127.0.0.1:{port}/telegram"\nlisten = "127.0.0.1"\n'
                 f'port = {port}\npath = "telegram"\nsecret_token = "Geheim_crash_123"\n')
        config.write_text(text)
    return config


@pytest.fixture
async def server():
    srv = BotApiServer(TOKEN)
    await srv.start()
    yield srv
    await srv.stop()


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_random_sigkills_lose_nothing_and_leave_nobody_waiting(server, tmp_path, mode):
    seed = int(os.environ.get("KERNBOT_CRASH_SEED", random.randrange(1_000_000)))
    rng = random.Random(seed)
    config = configure(tmp_path, server, mode)
    database = tmp_path / "kernbot.sqlite3"
    async with ForkServer() as forks:
        seeder = ForkedBot(forks, config, tmp_path / "seed.log")
        seeder_argv = ["--config", str(config), "admin", "seed-demo", "--database",
                       str(database)]
        answer = await forks.ask({"op": "start", "argv": seeder_argv, "env": seeder.env(),
                                  "log": str(seeder.log)})
        seeder.pid = answer["pid"]
        assert await seeder.wait_dead() == 0
        bot = ForkedBot(forks, config, tmp_path / "bot.log")
        run = Run(mode, seed, rng, server, bot, Db(database))
        try:
            await bot.start()
            for telegram_id, name in PARTICIPANTS:
                server.type_text(telegram_id, name, "/intake")
            assert await wait_for(lambda: all(
                run.db.position(t) == ("active", "role") and shows_current_prompt_first(run, t)
                for t, _ in PARTICIPANTS), 30), run.fail("the intake did not start")
            active = list(PARTICIPANTS)
            total_steps = 0
            kill_steps = set(rng.sample(range(1, ANSWERS + 1), KILLS))
            while active:
                for telegram_id, name in list(active):
                    if run.db.position(telegram_id)[0] == "done":
                        active.remove((telegram_id, name))
                        continue
                    total_steps += 1
                    assert total_steps <= ANSWERS, run.fail("the intakes do not finish")
                    await step(run, telegram_id, name, total_steps in kill_steps)
        finally:
            await bot.stop()
    print(f"\n{mode}: seed {seed}, {run.kills} kills, triggers {dict(run.triggers)}, "
          f"phases {dict(run.phases)}, {run.pressed} buttons pressed, {total_steps} answers")
    assert run.kills >= KILLS, run.fail(f"only {run.kills} kills")
    between = run.phases[PHASES[0]] + run.phases[PHASES[1]]
    after = run.phases[PHASES[2]] + run.phases[PHASES[3]]
    assert between >= 1 and after >= 1, run.fail(f"kills not spread: {dict(run.phases)}")
    for telegram_id, _ in PARTICIPANTS:
        person = run.db.person(telegram_id)
        stored = {q: json.loads(v) for q, v in run.db.rows(
            "SELECT question, value FROM flow_answers WHERE person_id = ? AND flow = 'intake'",
            (person,))}
        expected = {q: v for (t, q), v in run.typed.items() if t == telegram_id}
        assert stored == expected, run.fail(f"answers of {telegram_id}")
        history = run.db.rows("SELECT question FROM flow_answer_history WHERE person_id = ?",
                              (person,))
        assert history == [], run.fail(f"answers overwritten by a replayed update: {history}")
        assert run.db.position(telegram_id)[0] == "done"
    left = run.db.rows("SELECT update_id, chat_id, received_at, substr(payload, 1, 120) FROM inbox")
    assert left == [], run.fail(f"left in the inbox: {left}")
    handled = run.db.rows("SELECT COUNT(*) FROM processed_updates")[0][0]
    assert handled == total_steps + len(PARTICIPANTS), run.fail("every update handled once")


def shows_current_prompt_first(run: Run, telegram_id: int) -> bool:
    """The first question (role) has no buttons: its text says it is question 1."""
    sent = run.server.sent_to(telegram_id)
    return bool(sent) and "vraag 1 van" in sent[-1].text.lower()
