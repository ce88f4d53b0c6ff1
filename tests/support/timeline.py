"""Shared steps for tests that walk the injected clock through the demo trajectory: local
Brussels times, the dispatcher's travel, no pacing waits, a person's id."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from schedule import dispatcher
from storage import people

BXL = ZoneInfo("Europe/Brussels")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=BXL)


@pytest.fixture(autouse=True)
def no_pacing(monkeypatch):
    """Import into a test module to skip the dispatcher's pacing waits in all its tests."""
    async def instant(self):
        return None

    monkeypatch.setattr(dispatcher.Pacer, "wait", instant)


async def walk(bot, until: datetime) -> None:
    await bot.dispatcher.travel(bot.app, bot.clock, until.astimezone(UTC))


def pid(bot, user) -> int:
    return people.by_telegram_id(bot.db, user.id).id
