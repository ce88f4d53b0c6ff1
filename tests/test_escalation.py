"""The coordinator's weekly overview of what is left lying: handed-in work no coach opened,
feedback a participant did not answer; each item reported once, no message when all is well."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kernbot.harness import AN, ELS, SOFIE
from schedule import planner
from storage import outbox, trajectories

BRUSSELS = ZoneInfo("Europe/Brussels")


def overviews(bot) -> list:
    """The weekly overviews that report work left lying (an overview also carries the
    coordinator's follow-up digest of that morning: tests/test_staff_digest.py)."""
    return [c for c in bot.api.sent(ELS.id) if "followup/escalation" in c.keys
            and (c.values("followup/escalation")["unopened"]
                 or c.values("followup/escalation")["unanswered"])]


async def _hand_in(bot, user, when):
    bot.clock.set(when)
    await bot.send(user, "/huiswerk")
    await bot.tap(user, "Foto's van je kern")
    await bot.send(user, "Drie foto's van de Grote Markt volgen nog.")
    await bot.tap(user, key="homework/submit")


async def walk(bot, until):
    """Move the clock forward a day at a time, delivering what falls due."""
    while bot.clock.now() < until:
        bot.clock.advance(timedelta(hours=6))
        await bot.run_pass()


async def test_unopened_work_and_unanswered_feedback_reach_the_coordinator_once(bot):
    seven = trajectories.by_number(bot.db, 7)
    bot.planner.plan_trajectory(bot.db, seven.id, bot.now())
    assert outbox.find(bot.db, kind=planner.ESCALATION)          # weekly rows are planned
    await _hand_in(bot, SOFIE, datetime(2024, 4, 29, 10, 0, tzinfo=BRUSSELS))   # a Monday
    await walk(bot, datetime(2024, 5, 8, 12, 0, tzinfo=BRUSSELS))
    sent = overviews(bot)
    assert len(sent) == 1
    unopened = sent[0].values("followup/escalation")["unopened"]
    assert [i.owner.name for i in unopened] == ["Sofie Janssens"]
    # An opens it and writes feedback; Sofie never answers
    await bot.send(AN, "/inzendingen")
    await bot.tap(AN, 2)                               # session 2
    await bot.tap(AN, "Sofie")
    await bot.tap(AN, key="homework/give_feedback")
    await bot.send(AN, "Mooi begin: welke plek vind je het sterkst?")
    await walk(bot, datetime(2024, 5, 30, 12, 0, tzinfo=BRUSSELS))
    sent = overviews(bot)
    assert len(sent) == 2                             # the unopened one is not repeated
    second = sent[1].values("followup/escalation")
    assert not second["unopened"] and [i.owner.name for i in second["unanswered"]] == \
        ["Sofie Janssens"]


async def test_no_overview_when_nothing_is_left_lying(bot):
    seven = trajectories.by_number(bot.db, 7)
    bot.planner.plan_trajectory(bot.db, seven.id, bot.now())
    bot.clock.set(datetime(2024, 3, 1, 9, 0, tzinfo=BRUSSELS))
    await walk(bot, datetime(2024, 3, 20, 12, 0, tzinfo=BRUSSELS))
    assert overviews(bot) == []
    skipped = [r for r in outbox.find(bot.db, kind=planner.ESCALATION)
               if r.status == outbox.SKIPPED]
    assert skipped and all(r.person_id is not None for r in skipped)
