"""/help lists only what works for this person now (issue 15): the commands of their roles, no
command that would refuse them, no /evaluatie before a session took place, no /slotevaluatie
before the closing message; once the intake is done, /intake is described as looking back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kernbot.harness import AN, ELS, NEWCOMER_USER, SOFIE
from programme import followup
from storage import trajectories
from tests.flow_helpers import INTAKE_NL, after_session, play

NOT_WORKING = ("common/not_allowed", "common/not_enrolled", "flows/ui/evaluation_not_yet",
               "followup/final_not_yet")


async def listed(bot, user) -> dict[str, str]:
    """command name -> the key of its description in /help"""
    calls = await bot.send(user, "/help")
    names = [name for name, _ in calls[-1].values("common/help")["commands"]]
    keys = [k for k in calls[-1].keys if k.startswith("commands/")]
    assert len(keys) == len(names)
    return dict(zip(names, keys, strict=True))


async def test_a_participant_sees_what_works_for_them_as_the_trajectory_goes_on(bot):
    shown = await listed(bot, SOFIE)
    assert shown["intake"] == "commands/intake"
    assert "evaluatie" not in shown and "slotevaluatie" not in shown
    assert not {"voortgang", "inzendingen", "uitnodiging", "aankondiging"} & set(shown)
    await bot.send(SOFIE, "/intake")
    await play(bot, SOFIE, INTAKE_NL)
    shown = await listed(bot, SOFIE)
    assert shown["intake"] == "commands/intake_done"
    after_session(bot, 1)
    shown = await listed(bot, SOFIE)
    assert shown["evaluatie"] == "commands/evaluatie" and "slotevaluatie" not in shown
    trajectory = trajectories.by_number(bot.db, 7)
    bot.clock.set(followup.closing_at(bot.db, bot.services.settings, trajectory.id)
                  + timedelta(hours=1))
    assert (await listed(bot, SOFIE))["slotevaluatie"] == "commands/slotevaluatie"


@pytest.mark.parametrize("user", [NEWCOMER_USER, SOFIE, AN, ELS], ids=lambda u: u.first_name)
async def test_no_command_in_help_refuses_the_person(bot, user):
    for name in await listed(bot, user):
        if name in ("vergeetmij", "start"):  # asks to confirm / greets: tested elsewhere
            continue
        calls = await bot.send(user, f"/{name}")
        keys = {k for c in calls for k in c.keys}
        assert not keys & set(NOT_WORKING), (name, keys)
        await bot.send(user, "/cancel")
