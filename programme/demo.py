"""The demo programme of `make run` and the tests, loaded from `demo_programme.toml` through the
programme importer (the same code path as `bot.py admin import`).

Seeding is idempotent: running it on an existing demo database changes nothing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils

from core.events import EventBus
from programme import importer

BRUSSELS = ZoneInfo("Europe/Brussels")
# The console's clock starts here, a week before the first session, so reminders can be seen.
DEMO_NOW = datetime(2024, 2, 12, 9, 0, tzinfo=BRUSSELS)
DEMO_FILE = Path(__file__).with_name("demo_programme.toml")


@dataclass(frozen=True)
class DemoPerson:
    key: str          # what you type after `:as`
    telegram_id: int
    name: str
    role: str
    organisation: str = ""
    municipality: str = ""
    department: str = ""


def _demo_people() -> list[DemoPerson]:
    with DEMO_FILE.open("rb") as f:
        entries = tomllib.load(f).get("people", [])
    return [DemoPerson(p["name"].split()[0].lower(), p["telegram_id"], p["name"], p["role"],
                       p.get("organisation", ""), p.get("municipality", ""),
                       p.get("department", ""))
            for p in entries]


DEMO_PEOPLE = _demo_people()

# The newcomer who types /start DEMO-DEELNEMER in the console.
NEWCOMER = DemoPerson("jij", 1000, "Jij", "participant")


def seed_demo(db: sqlite_utils.Database, bus: EventBus, now: datetime = DEMO_NOW
              ) -> importer.Report:
    """Import the demo programme; returns what changed (nothing on an already seeded database).
    `bus` carries the reactions (reminders planned for the new sessions and members)."""
    return importer.import_file(db, bus, DEMO_FILE, now=now)
