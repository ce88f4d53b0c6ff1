"""Staff hear about the follow-up in digests: one message per trajectory and moment that names
every participant and item that reached the coach (or coordinator) rung then, and the weekly
overview of the same morning is that same message. Reminders held during an absence are looked
at again when the person is back: what is overdue by then comes once, as overdue.

Over the demo trajectory 7 (Sofie, Pieter and Lotte; coaches An and Koen; coordinator Els),
with the injected clock.
"""

from __future__ import annotations

from kernbot.harness import AN, ELS, KOEN, PIETER, SOFIE
from programme import flow_progress
from schedule import planner
from storage import assignments, outbox, trajectories
from tests.flow_helpers import INTAKE_NL, play
from tests.support.homework import hand_in
from tests.support.timeline import BXL, local, no_pacing, pid, walk  # noqa: F401 (fixture)

PARTICIPANTS = {"Sofie Janssens", "Pieter De Smet", "Lotte Willems"}
STAFF_KEYS = ("followup/staff", "followup/escalation")


def seven(bot):
    return trajectories.by_number(bot.db, 7)


def followup_calls(bot, user) -> list:
    """The follow-up messages a staff member received (digest or weekly overview)."""
    return [c for c in bot.api.sent(user.id) if c.key in STAFF_KEYS]


def named(call) -> dict[str, set[str]]:
    """item subject -> the participants the message names for it."""
    values = call.values(call.key)
    return {g["item"].subject: {p.name for p in g["people"]} for g in values["groups"]}


def sent_at(bot, user, kinds) -> list[str]:
    rows = [r for r in outbox.find(bot.db, person_id=pid(bot, user), status=outbox.SENT)
            if r.kind in kinds]
    return [r.sent_at.astimezone(BXL).strftime("%a %d %b %H:%M") for r in rows]


async def test_staff_get_one_digest_per_moment_naming_every_participant(bot):
    """Nobody does anything: the intake and the evaluation of session 1 stay open for all three
    participants. Each coach gets one message per moment (not one per participant), the
    coordinator too, and each names all three."""
    tid = seven(bot).id
    session1 = trajectories.session_by_number(bot.db, tid, 1)
    await walk(bot, local(2024, 3, 8, 12, 0))
    intake, evaluation = f"intake:{tid}", f"evaluation:{session1.id}"
    for coach in (AN, KOEN):
        calls = followup_calls(bot, coach)
        assert len(calls) == 2, [c.key for c in calls]
        assert [named(c) for c in calls] == [{intake: PARTICIPANTS},
                                             {evaluation: PARTICIPANTS}]
        assert all(c.values(c.key)["groups"][0]["rung"] == "coach" for c in calls)
        assert sent_at(bot, coach, (planner.FOLLOWUP_STAFF,)) == ["Wed 21 Feb 10:00",
                                                                  "Wed 28 Feb 10:00"]
    calls = followup_calls(bot, ELS)
    assert len(calls) == 2, [c.key for c in calls]
    assert [named(c) for c in calls] == [{intake: PARTICIPANTS}, {evaluation: PARTICIPANTS}]
    assert all(g["rung"] == "coordinator" for c in calls for g in c.values(c.key)["groups"])
    # both fall on a Monday, the moment of the weekly overview: one message each, not two
    assert sent_at(bot, ELS, (planner.FOLLOWUP_STAFF, planner.ESCALATION)) == [
        "Mon 26 Feb 10:00", "Mon 04 Mar 10:00"]


async def test_the_weekly_overview_and_the_coordinator_digest_of_one_morning_are_one_message(
        bot):
    """Sofie hands in homework 1 on the day of session 1 and no coach opens it; on Monday 26
    February that is left lying and the three intakes reach the coordinator rung: Els gets one
    message with both."""
    tid = seven(bot).id
    session1 = trajectories.session_by_number(bot.db, tid, 1)
    homework1 = assignments.of_session(bot.db, session1.id)[0]
    await walk(bot, session1.ends_at)
    hand_in(bot.db, pid(bot, SOFIE), homework1.id, bot.now())
    await walk(bot, local(2024, 2, 27, 12, 0))
    monday = followup_calls(bot, ELS)
    assert len(monday) == 1
    values = monday[0].values("followup/escalation")
    assert [i.owner.name for i in values["unopened"]] == ["Sofie Janssens"]
    assert named(monday[0]) == {f"intake:{tid}": PARTICIPANTS}
    assert sent_at(bot, ELS, (planner.FOLLOWUP_STAFF, planner.ESCALATION)) == [
        "Mon 26 Feb 10:00"]


async def test_a_digest_names_only_what_is_still_open_when_it_goes(bot):
    """Pieter does his intake the evening before the coaches' digest: it names the other two."""
    tid = seven(bot).id
    await walk(bot, local(2024, 2, 20, 18, 0))
    await bot.send(PIETER, "/intake")
    await play(bot, PIETER, INTAKE_NL)
    assert flow_progress.intake_done(bot.db, bot.services.flows, pid(bot, PIETER))
    await walk(bot, local(2024, 2, 21, 12, 0))
    calls = followup_calls(bot, AN)
    assert [named(c) for c in calls] == [{f"intake:{tid}": PARTICIPANTS - {"Pieter De Smet"}}]


async def test_held_reminders_that_are_overdue_by_the_return_come_once_as_overdue(bot):
    """Sofie is away from Monday 12 to Sunday 18 February; her intake was due Friday 16. On
    Monday 19 she gets the overdue reminder, once, and no "friendly reminder" of a deadline
    that passed."""
    await bot.send(SOFIE, "/afwezig")
    await bot.tap(SOFIE, "Een andere datum typen")
    calls = await bot.send(SOFIE, "18/2")
    assert "followup/away_set" in calls[-1].keys
    await walk(bot, local(2024, 2, 20, 9, 0))
    reminders = [c for c in bot.api.sent(SOFIE.id) if c.key == "followup/reminder"]
    assert len(reminders) == 1
    values = reminders[0].values("followup/reminder")
    assert values["overdue"] and values["rung"] == "firm"
    assert values["item"].kind == "intake"
    rows = [r for r in outbox.find(bot.db, person_id=pid(bot, SOFIE), kind=planner.FOLLOWUP)
            if r.status == outbox.SENT]
    assert [(r.subject.split(":")[0], r.unique_key.rsplit(":", 1)[-1],
             r.sent_at.astimezone(BXL).strftime("%a %d %b %H:%M")) for r in rows] == [
        ("intake", "firm", "Mon 19 Feb 10:00")]


async def test_a_rung_sent_as_a_single_message_before_the_digests_is_not_repeated(bot):
    """A database from before the digests: An was already told about Sofie's intake in a
    message of its own; the digest of that moment names only Pieter and Lotte."""
    tid = seven(bot).id
    now = bot.now()
    row, _ = outbox.enqueue(bot.db, kind=planner.FOLLOWUP_STAFF, person_id=pid(bot, AN),
                            subject=f"intake:{tid}", offset=f"coach.{pid(bot, SOFIE)}",
                            planned_at=now, now=now, trajectory_id=tid)
    assert outbox.claim(bot.db, row.id, now) and outbox.mark_sent(bot.db, row.id, now)
    await walk(bot, local(2024, 2, 21, 12, 0))
    assert [named(c) for c in followup_calls(bot, AN)] == [
        {f"intake:{tid}": PARTICIPANTS - {"Sofie Janssens"}}]
    assert [named(c) for c in followup_calls(bot, KOEN)] == [{f"intake:{tid}": PARTICIPANTS}]
