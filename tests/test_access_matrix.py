"""Authorization matrix: every registered command for every kind of person.

The registry (handlers/commands.py) is the single list of commands and who may use them, so this
test grows with every feature: a new command is checked for all five kinds of person.
"""

import pytest

from handlers.commands import REGISTRY
from storage import people
from transports.simulator import User
from kernbot.harness import AN, ELS, SOFIE, BotHarness

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


# -- every button action, for every kind of person -------------------------------------------
# (callback data template, roles that may use it). {t}: the demo trajectory, {s}: its first
# session, {a}: the photo assignment, {sub}: Sofie's submission. "owner" marks an action that
# only the participant who owns the data may use (besides staff where listed).
BUTTONS = [
    ("lang:en", {"participant", "coach", "coordinator"}),
    ("vg:t:{t}", {"coach", "coordinator"}),
    ("vg:n:{t}", {"coach", "coordinator"}),
    ("ex:{t}", {"coach", "coordinator"}),
    ("an:a:all", {"coordinator"}),
    ("inv:t:{t}", {"coordinator"}),
    ("hw:o:{a}", {"participant"}),
    ("hw:i:{s}", {"coach", "coordinator"}),
    ("hw:v:{sub}", {"owner", "coach", "coordinator"}),
    ("hw:f:{sub}", {"coach", "coordinator"}),
    ("mute:1w", {"participant"}),
    ("pv:no", {"participant", "coach", "coordinator"}),
    ("flowstart:intake", {"participant"}),
    ("fl:b:menu", {"participant"}),
]


async def _fixture_ids(bot):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from storage import assignments, trajectories
    from storage import homework as store

    trajectory = trajectories.by_number(bot.db, 7)
    session = trajectories.session_by_number(bot.db, trajectory.id, 2)
    assignment = assignments.of_session(bot.db, session.id)[0]
    bot.clock.set(datetime(2024, 4, 24, 10, 0, tzinfo=ZoneInfo("Europe/Brussels")))
    sofie = people.by_telegram_id(bot.db, SOFIE.id)
    draft = store.ensure_draft(bot.db, sofie.id, assignment.id, bot.now())
    store.add_item(bot.db, draft.id, kind="text", text="Geheim plan van Sofie", now=bot.now())
    store.submit(bot.db, draft.id, bot.now(), late=False)
    return {"t": trajectory.id, "s": session.id, "a": assignment.id, "sub": draft.id}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("data, roles", BUTTONS, ids=[b[0] for b in BUTTONS])
async def test_button_access(bot, data, roles, kind):
    ids = await _fixture_ids(bot)
    user, role = KINDS[kind]
    if kind == "removed":
        person = people.by_telegram_id(bot.db, user.id)
        people.update(bot.db, person.id, bot.now(), status="removed")
    calls = await bot.press(user, data.format(**ids))
    texts = " ".join(c.text for c in calls)
    assert ERROR not in texts, f"{data} as {kind}: {texts}"
    allowed = role in roles or ("owner" in roles and user == SOFIE)
    refused = any(r in texts for r in REFUSALS) or not calls
    if not allowed:
        assert refused, f"{data} as {kind} was not refused: {texts[:200]}"
        assert "Geheim plan van Sofie" not in texts
        for name in ("Sofie", "Pieter", "Lier", "Halle"):
            assert name not in texts, f"{data} as {kind} revealed {name}"
    else:
        assert not any(r in texts for r in REFUSALS), f"{data} as {kind}: {texts[:200]}"
