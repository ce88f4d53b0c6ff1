"""A whole Application on a fake Bot API, for tests and benchmarks: `BotHarness`.

    async with BotHarness.start(tmp_path) as bot:
        calls = await bot.send(NEWCOMER_USER, "/start DEMO-DEELNEMER")
        assert calls[-1].key == "enrol/ask" and calls[-1].values("enrol/ask")["first"]
        await bot.tap(NEWCOMER_USER, key="buttons/enrol_ok")   # a button by its label's key

Replies are asserted on by message key and values (`Call.key`, `Call.keys`, `Call.values`,
`Call.language`), never by their wording: the golden transcripts (tests/test_flow_golden.py)
are the one place that pins words. `python -m tests.support.reword KEY` shows which tests a
rewording of KEY would break.

`restart()` builds a new Application on the same database file, as after a crash.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from telegram.ext import Application

from core.clock import FakeClock
from core.config import Config, load_config
from core.services import Services
from kernbot.composition import build_application, build_services, on_start
from programme.demo import DEMO_NOW, seed_demo
from schedule.dispatcher import Dispatcher
from schedule.planner import Planner
from storage import updates
from transports.fake_api import Call, FakeBotAPI
from transports.simulator import ChatSimulator, User

# The demo people as Telegram users.
NEWCOMER_USER = User(1000, "Jij", language_code="nl")
SOFIE = User(9011, "Sofie", "Janssens")
PIETER = User(9012, "Pieter", "De Smet")
AN = User(9002, "An", "Peeters")
KOEN = User(9003, "Koen", "Claes")
ELS = User(9001, "Els", "Van den Broeck")


def test_config(tmp_path: Path, **sections) -> Config:
    """Defaults only (no ./config.toml, no environment), with the database in tmp_path."""
    empty = tmp_path / "empty-config.toml"
    empty.write_text("")
    config = load_config(empty, env={})
    # Tests type far faster than people (and on a frozen clock): flood control is off here
    # unless a test turns it on (tests/test_robustness.py does).
    overrides = {"storage": {"database": str(tmp_path / "kernbot.sqlite3"),
                             "files_dir": str(tmp_path / "files")},
                 "bot": {"flood_limit": 0, "documents_per_minute": 0}}
    for section, values in sections.items():
        overrides.setdefault(section, {}).update(values)
    return config.with_overrides(**overrides)


test_config.__test__ = False  # a helper, not a test, when imported into a test module


class BotHarness:
    def __init__(self, config: Config, clock: FakeClock, tmp_path: Path, seed: bool) -> None:
        self.config = config
        self.clock = clock
        self.tmp_path = tmp_path
        self.seed = seed
        self.app: Application | None = None
        self.api: FakeBotAPI | None = None
        self.sim: ChatSimulator | None = None
        self.services: Services | None = None

    @classmethod
    @asynccontextmanager
    async def start(cls, tmp_path: Path, *, clock: FakeClock | None = None, seed: bool = True,
                    config: Config | None = None, run_jobs: bool = False):
        harness = cls(config or test_config(tmp_path), clock or FakeClock(DEMO_NOW), tmp_path,
                      seed)
        await harness._open(run_jobs)
        try:
            yield harness
        finally:
            await harness._close()

    async def _open(self, run_jobs: bool = False) -> None:
        self.services = build_services(self.config, clock=self.clock)
        if self.seed:
            seed_demo(self.services.db, self.services.bus)
        self.api = FakeBotAPI(documents_dir=self.tmp_path / "sent")
        self.api.watch(self.services.messages)
        self.app = build_application(self.config, self.services, request=self.api)
        await self.app.initialize()
        self.run_jobs = run_jobs
        if run_jobs:
            await self.app.start()
        await on_start(self.app)
        self.sim = ChatSimulator(self.app, self.api,
                                 first_update_id=updates.highest(self.services.db) + 1)

    async def _close(self) -> None:
        if self.app is not None:
            if self.app.running:
                await self.app.stop()
            await self.app.shutdown()
        if self.services is not None:
            self.services.db.close()

    async def restart(self) -> None:
        """A new process on the same database: new Application, new connection, new fake API."""
        await self._close()
        await self._open(self.run_jobs)

    # -- shortcuts ---------------------------------------------------------------------------
    @property
    def db(self):
        return self.services.db

    @property
    def bus(self):
        return self.services.bus

    @property
    def dispatcher(self) -> Dispatcher:
        return self.app.bot_data["dispatcher"]

    @property
    def planner(self) -> Planner:
        return Planner(self.services.settings)

    async def run_pass(self):
        """One dispatcher pass: deliver what is due now."""
        return await self.dispatcher.run_pass(self.app)

    def keys(self, user: User) -> list[str]:
        """The message keys of the latest message sent to this user."""
        sent = self.api.sent(user.id)
        return sent[-1].keys if sent else []

    def key(self, user: User) -> str | None:
        """The message key of the latest message sent to this user (see `Call.key`)."""
        sent = self.api.sent(user.id)
        return sent[-1].key if sent else None

    def now(self) -> datetime:
        return self.clock.now()

    async def send(self, user: User, text: str) -> list[Call]:
        return await self.sim.send(user, text)

    async def tap(self, user: User, label: str | int | None = None, *, key: str | None = None,
                  values: dict | None = None) -> list[Call]:
        """By number, by (part of) the label, or by the label's message key (see
        `ChatSimulator.tap`)."""
        return await self.sim.tap(user, label, key=key, values=values)

    async def press(self, user: User, data: str) -> list[Call]:
        return await self.sim.press(user, data)

    def last_text(self, user: User) -> str:
        sent = self.api.sent(user.id)
        return sent[-1].text if sent else ""


async def enrol(bot: BotHarness, user: User, code: str = "DEMO-DEELNEMER",
                municipality: str = "Lier", department: str = "Lokale economie") -> list[Call]:
    """/start CODE and answer the three enrolment questions (name kept as in Telegram)."""
    calls = await bot.send(user, f"/start {code}")
    calls += await bot.tap(user, 1)
    calls += await bot.send(user, municipality)
    calls += await bot.send(user, department)
    return calls
