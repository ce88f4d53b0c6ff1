"""Authorization matrix: every registered command for every kind of person.

The registry (handlers/commands.py) is the single list of commands and who may use them, so this
test grows with every feature: a new command is checked for all five kinds of person.
"""

import pytest

from handlers.commands import REGISTRY
from storage import people
from transports.simulator import User
from transports.testing import AN, ELS, SOFIE, BotHarness

UNKNOWN = User(3333, "Onbekend")
REMOVED = User(9013, "Lotte", "Willems")  # a demo participant whose enrolment we remove

KINDS = {
    "unknown": (UNKNOWN, None),
    "participant": (SOFIE, "participant"),
    "coach": (AN, "coach"),
    "coordinator": (ELS, "coordinator"),
    "removed": (REMOVED, None),
}
REFUSALS = ("Daarvoor moet je eerst ingeschreven zijn", "Dat kan je met jouw rol niet doen")
ERROR = "er ging bij mij iets mis"


def _commands():
    import asyncio
    import tempfile
    from pathlib import Path

    async def collect():
        with tempfile.TemporaryDirectory() as tmp:
            async with BotHarness.start(Path(tmp)):
                return sorted(REGISTRY.values(), key=lambda c: c.name)

    return asyncio.run(collect())


COMMANDS = _commands()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
async def test_command_access(bot, command, kind):
    user, role = KINDS[kind]
    if kind == "removed":
        person = people.by_telegram_id(bot.db, user.id)
        people.update(bot.db, person.id, bot.now(), status="removed")
    calls = await bot.send(user, f"/{command.name}")
    texts = " ".join(c.text for c in calls)
    assert calls, f"/{command.name} as {kind}: silence"
    assert ERROR not in texts, f"/{command.name} as {kind}: {texts}"
    allowed = command.roles is None or role in command.roles
    refused = any(r in texts for r in REFUSALS)
    assert refused != allowed, f"/{command.name} as {kind}: {texts[:200]}"
    if refused:
        # A refusal reveals nothing: no names of other people, no numbers.
        for name in ("Sofie", "Pieter", "An Peeters", "Koen", "Els", "Lier", "Halle"):
            assert name not in texts
        assert not any(ch.isdigit() for ch in texts)
