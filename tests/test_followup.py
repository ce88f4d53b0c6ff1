"""Directive follow-up (issue 16): working-day deadlines, the ladder, silence, late joiners,
extensions, "herinner me morgen" and absence, over the demo trajectory with the injected clock.

`walk(bot, until)` moves the FakeClock through every moment a message falls due (the console's
`:klok`), so the outbox is the record of what each person received and when.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest

from core.settings import Settings
from kernbot.harness import AN, ELS, KOEN, SOFIE, enrol
from programme import calendar, followup
from schedule import planner
from storage import assignments, outbox, people, trajectories
from tests.support.homework import hand_in
from tests.support.timeline import BXL, local, no_pacing, pid, walk  # noqa: F401 (fixture)
from transports.simulator import User

WORK = Settings.defaults().work
FOLLOWUP_KINDS = (planner.FOLLOWUP, planner.FOLLOWUP_STAFF, planner.CHECK_IN)


def traj(bot):
    return trajectories.by_number(bot.db, 7)


def session(bot, number: int):
    return trajectories.session_by_number(bot.db, traj(bot).id, number)


def assignment_of(bot, number: int):
    return assignments.of_session(bot.db, session(bot, number).id)[0]


def label(bot, subject: str) -> str:
    """intake / homework N / evaluation N / final (N: the session number)."""
    kind, _, ref = subject.partition(":")
    if kind == "assignment":
        a = assignments.get(bot.db, int(ref))
        return f"homework {trajectories.get_session(bot.db, a.session_id).number}"
    if kind == "evaluation":
        return f"evaluation {trajectories.get_session(bot.db, int(ref)).number}"
    return kind


def received(bot, user, kinds=(planner.FOLLOWUP,)) -> list[tuple[str, str, str]]:
    """(local time, item, rung) of every sent row of these kinds, in order."""
    rows = [r for r in outbox.find(bot.db, person_id=pid(bot, user), status=outbox.SENT)
            if r.kind in kinds]
    return [(r.planned_at.astimezone(BXL).strftime("%a %d %b %H:%M"), label(bot, r.subject),
             r.unique_key.rsplit(":", 1)[-1]) for r in rows]


# -- working days ---------------------------------------------------------------------------------
@pytest.mark.parametrize("moment, deadline", [
    (local(2024, 4, 21, 13, 30), local(2024, 4, 19, 17, 0)),   # Sunday -> Friday 17u00
    (local(2024, 4, 20, 9, 0), local(2024, 4, 19, 17, 0)),     # Saturday -> Friday
    (local(2024, 4, 1, 10, 0), local(2024, 3, 29, 17, 0)),     # Easter Monday -> Friday
    (local(2024, 5, 20, 10, 0), local(2024, 5, 17, 17, 0)),    # Whit Monday -> Friday
    (local(2024, 5, 9, 12, 0), local(2024, 5, 8, 17, 0)),      # Ascension -> Wednesday
    (local(2024, 7, 21, 12, 0), local(2024, 7, 19, 17, 0)),    # National day (a Sunday)
    (local(2024, 11, 11, 9, 0), local(2024, 11, 8, 17, 0)),    # Armistice (a Monday)
    (local(2024, 4, 23, 13, 30), local(2024, 4, 23, 13, 30)),  # a Tuesday stays as it is
])
def test_a_deadline_on_a_weekend_or_holiday_moves_to_the_previous_working_day(moment,
                                                                               deadline):
    assert WORK.deadline(moment) == deadline.astimezone(UTC)


def test_working_day_arithmetic():
    assert WORK.add_working_days(date(2024, 3, 29), 1) == date(2024, 4, 2)  # over Easter
    assert WORK.add_working_days(date(2024, 4, 2), -1) == date(2024, 3, 29)
    assert WORK.working_days_between(local(2024, 3, 29, 10), local(2024, 4, 5, 10)) == 4
    assert WORK.on_or_after(local(2024, 4, 20, 10)) == local(2024, 4, 22, 9).astimezone(UTC)
    assert WORK.on_or_before(local(2024, 4, 22, 21)) == local(2024, 4, 22, 17).astimezone(UTC)


# -- the whole demo trajectory ------------------------------------------------------------------
# Sofie does nothing at all: every rung of every item reaches her, on working days at 10u00.
SOFIE_LADDER = [
    ("Wed 14 Feb 10:00", "intake", "gentle"),         # intake due Fri 16 Feb 17u00
    ("Mon 19 Feb 10:00", "intake", "firm"),
    ("Wed 21 Feb 10:00", "evaluation 1", "gentle"),   # due 3 working days after the session
    ("Mon 26 Feb 10:00", "evaluation 1", "firm"),
    ("Wed 17 Apr 10:00", "homework 1", "gentle"),     # due Sun 21 Apr -> Fri 19 Apr 17u00
    ("Mon 22 Apr 10:00", "homework 1", "firm"),
    ("Wed 24 Apr 10:00", "evaluation 2", "gentle"),
    ("Mon 29 Apr 10:00", "evaluation 2", "firm"),
    ("Wed 12 Jun 10:00", "homework 2", "gentle"),     # due Sun 16 Jun -> Fri 14 Jun 17u00
    ("Mon 17 Jun 10:00", "homework 2", "firm"),
    ("Wed 19 Jun 10:00", "evaluation 3", "gentle"),
    ("Mon 24 Jun 10:00", "evaluation 3", "firm"),
    ("Wed 11 Sep 10:00", "homework 3", "gentle"),     # due Sun 15 Sep -> Fri 13 Sep 17u00
    ("Mon 16 Sep 10:00", "homework 3", "firm"),
    ("Wed 18 Sep 10:00", "evaluation 4", "gentle"),
    ("Mon 23 Sep 10:00", "evaluation 4", "firm"),
    ("Fri 11 Oct 10:00", "homework 4", "gentle"),     # due Tue 15 Oct 16u30 (a working day)
    ("Wed 16 Oct 10:00", "homework 4", "firm"),
    ("Thu 17 Oct 10:00", "final", "gentle"),          # the evaluation of the whole trajectory
    ("Tue 22 Oct 10:00", "final", "firm"),
]
# The coaches hear about Sofie's intake on Wed 21 Feb, the coordinator on Mon 26 Feb (in the
# weekly overview of that morning).
STAFF_ABOUT_SOFIE_INTAKE = [(AN, "Wed 21 Feb 10:00", "coach"), (KOEN, "Wed 21 Feb 10:00", "coach"),
                            (ELS, "Mon 26 Feb 10:00", "coordinator")]
STAFF_KEYS = ("followup/staff", "followup/escalation")


def told(bot, user, subject: str, about: str, rung: str | None = None) -> list[str]:
    """When (sent time) a staff member's follow-up digests named `about` for `subject`."""
    rows = {r.message_id: r for r in outbox.find(bot.db, person_id=pid(bot, user),
                                                 status=outbox.SENT)
            if r.kind in (planner.FOLLOWUP_STAFF, planner.ESCALATION)}
    moments = []
    for call in bot.api.sent(user.id):
        if call.key not in STAFF_KEYS or call.result["message_id"] not in rows:
            continue
        for group in call.values(call.key)["groups"]:
            if group["item"].subject == subject and (rung is None or group["rung"] == rung) \
                    and about in {p.name for p in group["people"]}:
                row = rows[call.result["message_id"]]
                moments.append((row.sent_at.astimezone(BXL).strftime("%a %d %b %H:%M"),
                                group["rung"]))
    return moments


async def test_the_whole_demo_trajectory_follows_the_ladder_on_working_days(bot):
    await walk(bot, local(2025, 2, 1))
    assert received(bot, SOFIE) == SOFIE_LADDER
    for user, when, rung in STAFF_ABOUT_SOFIE_INTAKE:
        assert told(bot, user, f"intake:{traj(bot).id}", "Sofie Janssens") == [(when, rung)]
    # The end: the closing message with the brief as PDF, then after-care three months later.
    closing = received(bot, SOFIE, (planner.CLOSING, planner.AFTERCARE))
    assert closing == [("Wed 16 Oct 10:00", "trajectory", "end"),
                       ("Thu 16 Jan 10:00", "trajectory", "3m")]
    # the closing message announces the after-care with its year: it is in the next one
    end = next(c for c in bot.api.sent(SOFIE.id) if c.key == "followup/closing")
    assert "16 januari 2025" in end.text
    documents = [c for c in bot.api.sent(SOFIE.id) if c.method == "sendDocument"
                 and c.saved_paths and c.saved_paths[0].suffix == ".pdf"]
    assert len(documents) == 1
    assert documents[0].saved_paths[0].read_bytes().startswith(b"%PDF")


async def test_no_deadline_or_nudge_on_a_weekend_or_holiday_and_nobody_silent_too_long(bot):
    s = bot.services.settings
    await walk(bot, local(2024, 10, 31))
    for w in calendar.windows_for(bot.db, s, traj(bot).id):
        assert WORK.is_working_day(w.due_at.astimezone(BXL).date()), w
    for user in (SOFIE, User(9012, "Pieter"), User(9013, "Lotte")):
        for item in followup.items_for(bot.db, s, pid(bot, user), traj(bot).id):
            assert WORK.is_working_day(item.due_at.astimezone(BXL).date()), item
    timed = [r for r in outbox.find(bot.db, status=outbox.SENT)
             if r.kind in (*FOLLOWUP_KINDS, planner.DIGEST, planner.CLOSING)
             or (r.kind == planner.SESSION_REMINDER and not r.unique_key.endswith(":1h"))]
    assert timed
    for row in timed:
        assert WORK.is_working_moment(row.sent_at), (row.kind, row.sent_at.astimezone(BXL))
    # Nobody goes longer than silence_working_days without a message while the trajectory runs.
    start, end = session(bot, 1).starts_at, followup.closing_at(bot.db, s, traj(bot).id)
    for user in (SOFIE, User(9012, "Pieter"), User(9013, "Lotte")):
        moments = sorted([start, *[r.sent_at for r in outbox.find(
            bot.db, person_id=pid(bot, user), status=outbox.SENT) if start <= r.sent_at <= end],
            end])
        gaps = [WORK.working_days_between(a, b) for a, b in zip(moments, moments[1:], strict=False)]
        assert max(gaps) <= s.silence_working_days, (user.first_name, gaps)


async def test_the_ladder_stops_the_moment_the_item_is_done(bot):
    hw1 = assignment_of(bot, 1)
    await walk(bot, local(2024, 4, 17, 12, 0))  # the gentle rung went out at 10u00
    hand_in(bot.db, pid(bot, SOFIE), hw1.id, bot.now())
    await walk(bot, local(2024, 5, 1))
    homework_rungs = [r for r in received(bot, SOFIE) if r[1] == "homework 1"]
    assert homework_rungs == [("Wed 17 Apr 10:00", "homework 1", "gentle")]
    for user in (AN, KOEN, ELS):
        assert told(bot, user, f"assignment:{hw1.id}", "Sofie Janssens") == []
    # Pieter did nothing: his coaches were told on Wed 24 Apr (3 working days after Fri 19).
    for user in (AN, KOEN):
        assert told(bot, user, f"assignment:{hw1.id}", "Pieter De Smet", "coach") == [
            ("Wed 24 Apr 10:00", "coach")]


@pytest.mark.parametrize("start, due, day_before", [
    # session 2 on Tuesday 21 May: homework due Sun 19 -> Fri 17 May; the day-before reminder
    # would be Whit Monday -> Friday 17u00
    (local(2024, 5, 21, 13, 30), local(2024, 5, 17, 17, 0), local(2024, 5, 17, 17, 0)),
    # Thursday 2 May: due Tuesday 30 April stays; the day before is Labour Day (1 May)
    (local(2024, 5, 2, 13, 30), local(2024, 4, 30, 13, 30), local(2024, 4, 30, 17, 0)),
    # Friday 10 May: the day before is Ascension
    (local(2024, 5, 10, 13, 30), local(2024, 5, 8, 13, 30), local(2024, 5, 8, 17, 0)),
    # Tuesday 2 April: due Sunday 31 March (Easter) -> Friday 29 March; the day before is
    # Easter Monday
    (local(2024, 4, 2, 13, 30), local(2024, 3, 29, 17, 0), local(2024, 3, 29, 17, 0)),
])
async def test_belgian_holidays(bot, start, due, day_before):
    s2 = session(bot, 2)
    calendar.move_session(bot.db, bot.bus, s2.id, starts_at=start,
                          ends_at=start + timedelta(hours=3), now=bot.now())
    window = calendar.windows_for(bot.db, bot.services.settings, traj(bot).id)[0]
    assert window.due_at == due.astimezone(UTC)
    key = outbox.make_key(planner.SESSION_REMINDER, pid(bot, SOFIE), f"session:{s2.id}", "24h")
    assert outbox.by_key(bot.db, key).planned_at == day_before.astimezone(UTC)
    gentle = outbox.by_key(bot.db, outbox.make_key(
        planner.FOLLOWUP, pid(bot, SOFIE), f"assignment:{window.assignment.id}", "gentle"))
    assert WORK.is_working_day(gentle.planned_at.astimezone(BXL).date())


# -- extensions -----------------------------------------------------------------------------------
async def test_a_coach_gives_one_person_more_time_from_the_chat(bot):
    hw1 = assignment_of(bot, 1)
    await walk(bot, local(2024, 4, 16, 9, 0))
    await bot.send(AN, "/inzendingen")
    await bot.tap(AN, "Traject 7, sessie 1")
    choose = await bot.tap(AN, "⏳ Uitstel: Sofie Janssens")
    assert "followup/extend_choose" in choose[-1].keys
    done = await bot.tap(AN, "+5 werkdagen: vrijdag 26 april om 17u00")
    assert "followup/extend_done" in done[-1].keys
    await bot.run_pass()
    notice = bot.api.sent(SOFIE.id)[-1]
    assert "followup/extension_notice" in notice.keys
    assert "vrijdag 26 april 2024 om 17u00" in notice.text
    assert "Sofie" in notice.text and "Sofie Janssens" not in notice.text  # a first name
    # Her reminders follow the new date; the others keep the old one.
    await walk(bot, local(2024, 5, 8))
    assert [r for r in received(bot, SOFIE) if r[1] == "homework 1"] == [
        ("Wed 24 Apr 10:00", "homework 1", "gentle"), ("Mon 29 Apr 10:00", "homework 1", "firm")]
    # Handing in before the new deadline is on time (after the original one).
    bot.clock.set(local(2024, 4, 25, 11, 0))
    calls = await bot.send(SOFIE, "/huiswerk")
    assert "(uitstel)" in calls[-1].text and "vrijdag 26 april om 17u00" in calls[-1].text
    from programme import homework

    view = homework.find(bot.db, bot.services.settings, pid(bot, SOFIE), hw1.id, bot.now())
    assert view.status == "open" and view.extended
    submission = homework.hand_in(bot.db, pid(bot, SOFIE), view, bot.now())
    assert submission.late is False
    overview = await bot.send(AN, "/inzendingen")
    overview = await bot.tap(AN, "Traject 7, sessie 1")
    assert "✅ ingediend: Sofie Janssens" in overview[-1].text


async def test_only_the_coaches_of_that_trajectory_or_a_coordinator_give_more_time(bot):
    from buttons.followup import ExtendBy

    hw1 = assignment_of(bot, 1)
    data = ExtendBy(hw1.id, pid(bot, SOFIE), "2").pack()
    calls = await bot.press(SOFIE, data)
    assert "common/not_allowed" in calls[-1].keys
    stranger = User(7777, "Vreemde", "Coach")  # a coach, but not of trajectory 7
    coach = people.create(bot.db, telegram_id=stranger.id, name="Vreemde Coach", role="coach",
                          language="nl", now=bot.now())
    other = trajectories.upsert(bot.db, number=9, year=2024, title="Ander traject",
                                now=bot.now())
    from storage import memberships

    memberships.add(bot.db, person_id=coach.id, trajectory_id=other.id, role="coach",
                    now=bot.now())
    calls = await bot.press(stranger, data)
    assert "common/not_allowed" in calls[-1].keys
    calls = await bot.press(ELS, data)
    assert "followup/extend_done" in calls[-1].keys


async def test_a_typed_extension_date_in_the_past_is_refused_with_the_reason(bot):
    hw1 = assignment_of(bot, 1)
    await walk(bot, local(2024, 4, 16, 9, 0))
    from buttons.followup import ExtendType

    await bot.press(AN, ExtendType(hw1.id, pid(bot, SOFIE)).pack())
    calls = await bot.send(AN, "10/4")
    assert "followup/date_past" in calls[-1].keys and "is al voorbij" in calls[-1].text
    calls = await bot.send(AN, "morgen")
    assert "followup/date_format" in calls[-1].keys
    calls = await bot.send(AN, "27/4")   # a Saturday: the Friday before, at 17u00
    assert "followup/extend_done" in calls[-1].keys
    assert "vrijdag 26 april 2024 om 17u00" in calls[-1].text


# -- "herinner me morgen" -------------------------------------------------------------------------
async def test_remind_me_tomorrow_comes_the_next_working_day_once_per_rung(bot):
    await walk(bot, local(2024, 2, 14, 10, 5))   # Wednesday: the gentle intake reminder
    reminder = [c for c in bot.api.sent(SOFIE.id) if "followup/reminder" in c.keys][-1]
    assert [b["text"] for b in reminder.buttons] == ["⏰ Herinner me morgen"]
    calls = await bot.tap(SOFIE, "⏰ Herinner me morgen")
    assert "followup/later_set" in calls[-1].keys
    assert "donderdag 15 februari om 10u00" in calls[-1].text
    again = await bot.press(SOFIE, reminder.buttons[0]["callback_data"])
    assert "followup/later_again" in again[-1].keys
    await walk(bot, local(2024, 2, 16, 9, 0))
    assert received(bot, SOFIE) == [("Wed 14 Feb 10:00", "intake", "gentle"),
                                    ("Thu 15 Feb 10:00", "intake", "gentle.later")]
    later = [c for c in bot.api.sent(SOFIE.id) if "followup/reminder" in c.keys][-1]
    assert later.buttons == [], "a snoozed reminder cannot be snoozed again"


async def test_remind_me_tomorrow_on_a_friday_means_monday(bot):
    hw1 = assignment_of(bot, 1)
    await walk(bot, local(2024, 4, 22, 10, 5))   # Monday: the firm reminder of homework 1
    firm = [c for c in bot.api.sent(SOFIE.id) if "followup/reminder" in c.keys][-1]
    bot.clock.set(local(2024, 4, 26, 15, 0))     # she presses it on Friday afternoon
    calls = await bot.press(SOFIE, firm.buttons[0]["callback_data"])
    assert "maandag 29 april om 10u00" in calls[-1].text
    row = outbox.by_key(bot.db, outbox.make_key(planner.FOLLOWUP, pid(bot, SOFIE),
                                                f"assignment:{hw1.id}", "firm.later"))
    assert row.planned_at == local(2024, 4, 29, 10, 0).astimezone(UTC)


async def test_remind_me_tomorrow_when_it_was_done_meanwhile(bot):
    hw1 = assignment_of(bot, 1)
    await walk(bot, local(2024, 4, 17, 10, 5))
    gentle = [c for c in bot.api.sent(SOFIE.id) if "followup/reminder" in c.keys][-1]
    hand_in(bot.db, pid(bot, SOFIE), hw1.id, bot.now())
    calls = await bot.press(SOFIE, gentle.buttons[0]["callback_data"])
    assert "followup/later_done" in calls[-1].keys


# -- absence ---------------------------------------------------------------------------------------
async def test_a_date_typed_right_after_afwezig_is_taken(bot):
    """Regression (console walk): "Tot wanneer ben je weg?" answered with a typed "24/4" got
    the idle reply; only after tapping "Een andere datum typen" was a date accepted. In the
    middle of a conversation, a typed text stays that conversation's answer."""
    await walk(bot, local(2024, 4, 12, 9, 0))
    await bot.send(SOFIE, "/afwezig")
    calls = await bot.send(SOFIE, "24/4")
    assert "followup/away_set" in calls[-1].keys
    await bot.send(SOFIE, "/afwezig")
    await bot.tap(SOFIE, key="followup/away_back")      # back early: no date is asked now
    calls = await bot.send(SOFIE, "25/4")
    assert calls[-1].key == "common/idle_text"
    await bot.send(SOFIE, "/intake")
    await bot.send(SOFIE, "/afwezig")
    calls = await bot.send(SOFIE, "Centrummanager")     # the intake's answer, not a date
    assert not {"followup/date_format", "followup/away_set"} & set(calls[-1].keys)
    assert "flows/ui/question" in calls[-1].keys


async def test_away_holds_reminders_tells_the_coaches_and_ends_by_itself(bot):
    await walk(bot, local(2024, 4, 12, 9, 0))   # a Friday
    calls = await bot.send(SOFIE, "/afwezig")
    assert "followup/away_choose" in calls[-1].keys
    await bot.tap(SOFIE, "Een andere datum typen")
    calls = await bot.send(SOFIE, "11/4")
    assert "followup/date_past" in calls[-1].keys
    calls = await bot.send(SOFIE, "24/4")
    assert "followup/away_set" in calls[-1].keys
    assert "donderdag 25 april om 10u00" in calls[-1].text
    await bot.run_pass()
    for coach in (AN, KOEN):
        assert "followup/absence_notice" in bot.api.sent(coach.id)[-1].keys
    await walk(bot, local(2024, 5, 3))
    homework = [r for r in received(bot, SOFIE) if r[1] == "homework 1"]
    # gentle (Wed 17) and firm (Mon 22) waited until she was back: Thursday 25 April; session
    # 2 (Tuesday 23) had closed homework 1 by then, so neither was sent: it can no longer be
    # handed in, and a reminder must not say it can (the gentle one is dropped anyway: its
    # deadline passed while she was away)
    assert homework == []
    held = outbox.find(bot.db, kind=planner.FOLLOWUP, person_id=pid(bot, SOFIE),
                       subject=f"assignment:{assignment_of(bot, 1).id}")
    assert held and all(r.status != outbox.SENT for r in held)
    # session reminders kept coming
    assert any("Morgen: werksessie 2" in c.text for c in bot.api.sent(SOFIE.id))


async def test_back_earlier_than_planned(bot):
    await walk(bot, local(2024, 4, 12, 9, 0))
    await bot.send(SOFIE, "/afwezig")
    await bot.tap(SOFIE, "Twee weken")
    await walk(bot, local(2024, 4, 18, 9, 0))
    assert [r for r in received(bot, SOFIE) if r[1] == "homework 1"] == []
    await bot.send(SOFIE, "/afwezig")
    calls = await bot.tap(SOFIE, "Ik ben terug")
    assert "followup/away_ended" in calls[-1].keys
    await bot.run_pass()
    assert [r[1:] for r in received(bot, SOFIE) if r[1] == "homework 1"] == [
        ("homework 1", "gentle")]


# -- late joiners ----------------------------------------------------------------------------------
async def test_a_late_joiner_gets_what_they_missed_with_deadlines_from_their_joining(bot):
    await walk(bot, local(2024, 5, 2, 11, 0))   # Thursday, after sessions 1 and 2
    late = User(4242, "Wout", "Laat")
    await enrol(bot, late)
    await bot.run_pass()
    welcome = [c for c in bot.api.sent(late.id) if "followup/welcome_late" in c.keys]
    assert len(welcome) == 1
    text = welcome[0].text
    assert "werksessie 1" in text and "werksessie 2" in text
    assert "je intake" in text and "Je uitdaging helder benoemd" in text
    assert "van je kern" in text
    # 10 working days from Thursday 2 May (Ascension on 9 May, Whit Monday on 20 May):
    assert "vrijdag 17 mei 2024 om 17u00" in text
    items = followup.items_for(bot.db, bot.services.settings, pid(bot, late), traj(bot).id)
    due = {followup_label(bot, i): i.due_at.astimezone(BXL) for i in items}
    assert due["intake"] == local(2024, 5, 17, 17, 0)
    assert due["homework 1"] == local(2024, 5, 17, 17, 0)
    # homework 2 was given before they joined too, but its own deadline is later already
    assert due["homework 2"] == local(2024, 6, 14, 17, 0)
    assert "evaluation 1" not in due and "evaluation 2" not in due, \
        "no evaluation of a session before joining"
    await walk(bot, local(2024, 5, 31))
    assert received(bot, late) == [("Wed 15 May 10:00", "intake", "gentle"),
                                   ("Wed 15 May 10:00", "homework 1", "gentle"),
                                   ("Tue 21 May 10:00", "intake", "firm"),
                                   ("Tue 21 May 10:00", "homework 1", "firm")]


def followup_label(bot, item) -> str:
    return label(bot, item.subject)


# -- the end of a trajectory ----------------------------------------------------------------------
FINAL_ANSWERS = [("send", "Focus op de gebruiker en samenwerken met ruimte en mobiliteit."),
                 ("send", "Meer tijd tussen sessie 3 en 4."),
                 ("send", "De pop-up in de Antwerpsestraat, met de dienst economie."),
                 ("tap", "4"), ("tap", "Ja")]


async def test_closing_message_final_evaluation_readable_by_staff_and_in_the_export(bot):
    from tests.flow_helpers import play

    calls = await bot.send(SOFIE, "/slotevaluatie")
    assert "followup/final_not_yet" in calls[-1].keys
    await walk(bot, local(2024, 10, 16, 10, 5))
    closing = [c for c in bot.api.sent(SOFIE.id) if "followup/closing" in c.keys]
    assert len(closing) == 1 and "binnenzonderbellen@dekernmeesters.be" in closing[0].text
    assert closing[0].buttons[0]["text"] == "📝 Traject evalueren"
    await bot.tap(SOFIE, "📝 Traject evalueren")
    await play(bot, SOFIE, FINAL_ANSWERS)
    assert followup.final_evaluation_done(bot.db, bot.services.flows, pid(bot, SOFIE),
                                          traj(bot).id)
    overview = (await bot.send(AN, "/slotevaluaties"))[-1].text
    assert "Sofie Janssens" in overview and "pop-up in de Antwerpsestraat" in overview
    assert "common/not_allowed" in (await bot.send(SOFIE, "/slotevaluaties"))[-1].keys
    # the ladder of the final evaluation stops: no gentle reminder on Thursday
    await walk(bot, local(2024, 10, 31))
    assert [r for r in received(bot, SOFIE) if r[1] == "final"] == []
    from openpyxl import load_workbook

    from documents.export import export_trajectory

    files = export_trajectory(bot.services, traj(bot).id, bot.tmp_path / "export", "nl", bot.now())
    rows = list(load_workbook(files.xlsx).active.values)
    column = next(i for i, h in enumerate(rows[0]) if h == "slotevaluatie: Eerste stap")
    sofie_row = next(r for r in rows if r[0] == "Sofie Janssens")
    assert "pop-up" in sofie_row[column]
    # after-care, three months after the closing message
    await walk(bot, local(2025, 1, 16, 10, 5))
    aftercare = [c for c in bot.api.sent(SOFIE.id) if "followup/aftercare" in c.keys]
    assert len(aftercare) == 1
    calls = await bot.tap(SOFIE, "🔧 Ermee bezig")
    assert "followup/aftercare_thanks" in calls[-1].keys


async def test_help_names_the_contact_point(bot):
    calls = await bot.send(SOFIE, "/help")
    assert "binnenzonderbellen@dekernmeesters.be" in calls[-1].text
    assert "/afwezig" in calls[-1].text


@pytest.mark.parametrize("year, days", [
    (2024, ["01-01", "04-01", "05-01", "05-09", "05-20", "07-21", "08-15", "11-01", "11-11",
            "12-25"]),
    (2025, ["01-01", "04-21", "05-01", "05-29", "06-09", "07-21", "08-15", "11-01", "11-11",
            "12-25"]),
    (2026, ["01-01", "04-06", "05-01", "05-14", "05-25", "07-21", "08-15", "11-01", "11-11",
            "12-25"]),
])
def test_the_ten_belgian_public_holidays(year, days):
    from core.workdays import belgian_holidays

    assert sorted(d.strftime("%m-%d") for d in belgian_holidays(year)) == days


def test_every_flow_has_its_closing_words(bot):
    """handlers/flow_views.py shows flows/ui/done_<flow> after the last answer (the loader does
    not check it: the final evaluation once crashed there)."""
    for flow_id in bot.services.flows:
        for lang in ("nl", "en"):
            assert bot.services.messages.has(f"flows/ui/done_{flow_id}", lang), (flow_id, lang)


async def test_a_typed_extension_after_the_last_session_is_refused(bot):
    """Regression: 14/2/2025 was accepted, months after the trajectory's last session."""
    hw1 = assignment_of(bot, 1)
    await walk(bot, local(2024, 4, 16, 9, 0))
    from buttons.followup import ExtendType

    await bot.press(AN, ExtendType(hw1.id, pid(bot, SOFIE)).pack())
    calls = await bot.send(AN, "14/2/2025")
    assert calls[-1].key == "followup/extend_after_end"
    assert calls[-1].values("followup/extend_after_end")["session"].number == 4
    calls = await bot.send(AN, "26/4")      # the question stays open: another date works
    assert "followup/extend_done" in calls[-1].keys


async def test_an_extension_never_shortens_the_deadline(bot):
    """Regression: 10/3 typed while Sofie's deadline was Friday 19 April was granted as
    "uitstel" until 8 March, and she was told the good news. A date that is not after the
    current deadline (once moved to a working day) is refused, nothing is stored, and the
    question stays open for another date."""
    from buttons.followup import ExtendType
    from storage import followup as store

    hw1 = assignment_of(bot, 1)
    sofie = pid(bot, SOFIE)
    await walk(bot, local(2024, 2, 20, 13, 0))
    deadline = local(2024, 4, 19, 17, 0).astimezone(UTC)
    await bot.press(AN, ExtendType(hw1.id, sofie).pack())
    for typed in ("10/3", "19/4", "19/4 16u00", "20/4 13u00"):  # 20/4: Saturday -> Friday 19/4
        calls = await bot.send(AN, typed)
        assert calls[-1].key == "followup/extend_not_later", typed
        assert calls[-1].values("followup/extend_not_later")["current"] == deadline
        assert store.extension(bot.db, sofie, hw1.id) is None
        assert not outbox.find(bot.db, kind=followup.EXTENSION_NOTICE)
    calls = await bot.send(AN, "22/4")
    assert "followup/extend_done" in calls[-1].keys
    assert store.extension(bot.db, sofie, hw1.id).due_at == local(2024, 4, 22, 17, 0)
    # A second extension is measured against the first one, not the calendar's deadline.
    await bot.press(AN, ExtendType(hw1.id, sofie).pack())
    calls = await bot.send(AN, "22/4 12u00")
    assert calls[-1].key == "followup/extend_not_later"
    assert calls[-1].values("followup/extend_not_later")["current"] == \
        local(2024, 4, 22, 17, 0).astimezone(UTC)
    assert store.extension(bot.db, sofie, hw1.id).due_at == local(2024, 4, 22, 17, 0)
    calls = await bot.send(AN, "23/4 12u00")
    assert "followup/extend_done" in calls[-1].keys


async def test_an_extension_refused_in_english_names_the_deadline(bot):
    from buttons.followup import ExtendType

    hw1 = assignment_of(bot, 1)
    people.update(bot.db, pid(bot, AN), bot.now(), language="en")
    await walk(bot, local(2024, 2, 20, 13, 0))
    await bot.press(AN, ExtendType(hw1.id, pid(bot, SOFIE)).pack())
    calls = await bot.send(AN, "10/3")
    assert calls[-1].key == "followup/extend_not_later" and calls[-1].language == "en"
    assert "Friday 19 April 2024 at 17:00" in calls[-1].text


@pytest.mark.parametrize("due", [local(2024, 4, 19, 17, 0), local(2024, 3, 28, 17, 0),
                                 local(2024, 12, 31, 23, 59), local(2024, 5, 8, 9, 0)])
@pytest.mark.parametrize("now", [local(2024, 2, 20, 13, 0), local(2024, 5, 9, 18, 0)])
def test_the_extension_buttons_always_give_a_later_deadline(due, now):
    s = Settings.defaults()
    due, now = due.astimezone(UTC), now.astimezone(UTC)
    for choice in followup.extension_choices(s, due, now):
        assert s.work.deadline(choice) > max(due, now)
        assert followup.extension_refusal(s, due, choice, now) is None
