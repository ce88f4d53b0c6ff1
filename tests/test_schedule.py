"""Timed messages: planned as outbox rows, sent once at the right local time, whatever happens.

All with the injected FakeClock: the dispatcher pass is called directly, nothing sleeps.
"""

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kernbot.composition import COMPOSERS
from kernbot.harness import AN, ELS, SOFIE, BotHarness, test_config
from programme import calendar
from schedule import dispatcher, planner
from storage import memberships, mutes, outbox, people, trajectories
from storage.db import connect
from tests.support.homework import hand_in

BXL = ZoneInfo("Europe/Brussels")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=BXL)


def sent_texts(bot, user, since=0):
    return [c.text for c in bot.api.sent(user.id, since=since)]


async def run_at(bot, moment: datetime):
    bot.clock.set(moment)
    return await bot.run_pass()


def session(bot, number=1):
    return trajectories.session_by_number(bot.db, trajectories.by_number(bot.db, 7).id, number)


@pytest.fixture(autouse=True)
def no_pacing(monkeypatch):
    async def instant(self):
        return None

    monkeypatch.setattr(dispatcher.Pacer, "wait", instant)


@pytest.fixture
async def every_day_bot(tmp_path, clock):
    """Every day a working day, no holidays, working hours around the clock: the calendar
    arithmetic alone (DST), without the working-day rules of docs/calendar.md."""
    config = test_config(tmp_path, followup={"working_days": [1, 2, 3, 4, 5, 6, 7],
                                             "holidays": "", "working_hours_start": "00:00",
                                             "working_hours_end": "23:59"})
    async with BotHarness.start(tmp_path, clock=clock, config=config) as harness:
        yield harness


async def test_each_session_reminder_fires_once_at_its_local_time(bot):
    # Session 1: Tuesday 20 February 2024 9u30 Brussels.
    await run_at(bot, local(2024, 2, 13, 9, 29))
    assert not any("werksessie 1" in t for t in sent_texts(bot, SOFIE))
    await run_at(bot, local(2024, 2, 13, 9, 30))
    await run_at(bot, local(2024, 2, 13, 9, 31))
    week = [t for t in sent_texts(bot, SOFIE) if "Volgende week: werksessie 1" in t]
    assert len(week) == 1
    assert "dinsdag 20 februari 2024 van 9u30 tot 12u30" in week[0]
    await run_at(bot, local(2024, 2, 19, 9, 30))
    await run_at(bot, local(2024, 2, 20, 8, 30))
    await run_at(bot, local(2024, 2, 20, 8, 45))
    texts = sent_texts(bot, SOFIE)
    assert sum("Morgen: werksessie 1" in t for t in texts) == 1
    assert sum("Over een uur: werksessie 1" in t for t in texts) == 1
    assert any("Over een uur" in t for t in sent_texts(bot, AN)), "coaches are reminded too"


def planned_local(bot, kind, subject, offset, person_id):
    key = outbox.make_key(kind, person_id, subject, offset)
    return outbox.by_key(bot.db, key).planned_at.astimezone(BXL)


@pytest.mark.parametrize("start, day_before", [
    (local(2024, 4, 2, 9, 30), local(2024, 3, 26, 9, 30)),    # across the spring change
    (local(2024, 10, 29, 9, 30), local(2024, 10, 22, 9, 30)),  # across the autumn change
    (local(2024, 4, 1, 9, 30), local(2024, 3, 25, 9, 30)),     # the day before is DST Sunday
])
async def test_daylight_saving_keeps_the_clock_time(every_day_bot, start, day_before):
    bot = every_day_bot
    s = session(bot, 2)
    calendar.move_session(bot.db, bot.bus, s.id, starts_at=start, ends_at=start + timedelta(hours=3),
                          now=bot.now())
    sofie = people.by_telegram_id(bot.db, SOFIE.id).id
    subject = f"session:{s.id}"
    assert planned_local(bot, planner.SESSION_REMINDER, subject, "168h", sofie) == day_before
    one_day = planned_local(bot, planner.SESSION_REMINDER, subject, "24h", sofie)
    assert (one_day.hour, one_day.minute) == (9, 30)
    assert one_day.date() == (start - timedelta(days=1)).date()
    one_hour = planned_local(bot, planner.SESSION_REMINDER, subject, "1h", sofie)
    assert start.astimezone(UTC) - one_hour.astimezone(UTC) == timedelta(hours=1)


async def test_dst_night_sends_nothing_twice(every_day_bot):
    """Walk through both DST nights minute by minute around the change: every row once."""
    bot = every_day_bot
    for day in (local(2024, 3, 31, 0, 0), local(2024, 10, 27, 0, 0)):
        s = session(bot, 2)
        start = day + timedelta(hours=10)
        calendar.move_session(bot.db, bot.bus, s.id, starts_at=start,
                              ends_at=start + timedelta(hours=2), now=bot.now())
        utc = day.astimezone(UTC)
        for minutes in range(0, 12 * 60, 15):
            await run_at(bot, utc + timedelta(minutes=minutes))
    rows = outbox.find(bot.db, kind=planner.SESSION_REMINDER, status=outbox.SENT)
    assert len({r.unique_key for r in rows}) == len(rows)
    per_chat = {}
    for call in bot.api.sent():
        if call.method != "sendMessage":
            continue  # the .ics of each move comes as a document without text
        per_chat.setdefault((call.chat_id, call.text), 0)
        per_chat[(call.chat_id, call.text)] += 1
    assert max(per_chat.values()) == 1


async def test_quiet_hours_move_messages_but_not_the_one_hour_reminder(bot):
    s = session(bot, 2)
    start = local(2024, 4, 23, 21, 30)  # an evening session
    calendar.move_session(bot.db, bot.bus, s.id, starts_at=start, ends_at=start + timedelta(hours=1),
                          now=bot.now())
    sofie = people.by_telegram_id(bot.db, SOFIE.id).id
    subject = f"session:{s.id}"
    # 21u30 the day before is after working hours: the end of that working day (17u00).
    assert planned_local(bot, planner.SESSION_REMINDER, subject, "24h", sofie) == \
        local(2024, 4, 22, 17, 0)
    assert planned_local(bot, planner.SESSION_REMINDER, subject, "1h", sofie) == \
        local(2024, 4, 23, 20, 30)
    late = local(2024, 4, 23, 22, 0)
    calendar.move_session(bot.db, bot.bus, s.id, starts_at=late, ends_at=late + timedelta(hours=1),
                          now=bot.now())
    assert planned_local(bot, planner.SESSION_REMINDER, subject, "1h", sofie) == \
        local(2024, 4, 23, 21, 0)
    await run_at(bot, local(2024, 4, 23, 21, 0))
    assert any("Over een uur: werksessie 2" in t for t in sent_texts(bot, SOFIE))


def test_quiet_hours_function():
    assert calendar.out_of_quiet_hours(local(2024, 1, 9, 22, 15), "21:00", "08:00") == \
        local(2024, 1, 10, 8, 0).astimezone(UTC)
    assert calendar.out_of_quiet_hours(local(2024, 1, 9, 6, 0), "21:00", "08:00") == \
        local(2024, 1, 9, 8, 0).astimezone(UTC)
    noon = local(2024, 1, 9, 12, 0)
    assert calendar.out_of_quiet_hours(noon, "21:00", "08:00") == noon.astimezone(UTC)


async def test_catch_up_after_downtime_inside_and_outside_grace(bot):
    # Down from Monday 12 Feb until 2 hours after the 7-day reminder (13 Feb 9u30).
    bot.clock.set(local(2024, 2, 13, 11, 30))
    await bot.restart()  # start-up runs a dispatcher pass: catch-up
    assert sum("Volgende week: werksessie 1" in t for t in sent_texts(bot, SOFIE)) == 1
    # Down again past the 1-day reminder by more than the grace period (6 h).
    bot.clock.set(local(2024, 2, 19, 16, 0))
    await bot.restart()
    assert not any("Morgen: werksessie 1" in t for t in sent_texts(bot, SOFIE))
    sofie = people.by_telegram_id(bot.db, SOFIE.id).id
    row = outbox.by_key(bot.db, outbox.make_key(planner.SESSION_REMINDER, sofie,
                                                f"session:{session(bot).id}", "24h"))
    assert row.status == outbox.SKIPPED and "too late" in row.error


async def test_no_reminder_for_a_session_that_has_started(bot):
    sofie = people.by_telegram_id(bot.db, SOFIE.id).id
    key = outbox.make_key(planner.SESSION_REMINDER, sofie, f"session:{session(bot).id}", "1h")
    bot.clock.set(local(2024, 2, 20, 9, 40))  # ten minutes into the session, within grace
    await bot.run_pass()
    row = outbox.by_key(bot.db, key)
    assert row.status == outbox.SKIPPED and "started" in row.error


async def test_moved_session_replans_and_notifies_once(bot):
    s = session(bot)
    new_start = local(2024, 2, 22, 13, 30)
    calendar.move_session(bot.db, bot.bus, s.id, starts_at=new_start,
                          ends_at=new_start + timedelta(hours=3), now=bot.now())
    await run_at(bot, local(2024, 2, 12, 9, 5))
    notices = [t for t in sent_texts(bot, SOFIE) if "is verplaatst" in t]
    assert len(notices) == 1 and "donderdag 22 februari 2024 van 13u30 tot 16u30" in notices[0]
    await run_at(bot, local(2024, 2, 13, 9, 30))
    assert not any("Volgende week: werksessie 1" in t for t in sent_texts(bot, SOFIE))
    await run_at(bot, local(2024, 2, 15, 13, 30))
    week = [t for t in sent_texts(bot, SOFIE) if "Volgende week: werksessie 1" in t]
    assert len(week) == 1 and "donderdag 22 februari" in week[0]
    await run_at(bot, local(2024, 2, 15, 13, 35))
    assert sum("is verplaatst" in t for t in sent_texts(bot, SOFIE)) == 1


async def test_cancelled_session_cancels_its_reminders(bot):
    s = session(bot)
    calendar.cancel_session(bot.db, bot.bus, s.id, bot.now())
    await run_at(bot, local(2024, 2, 12, 9, 5))
    assert any("gaat niet door" in t for t in sent_texts(bot, SOFIE))
    await run_at(bot, local(2024, 2, 13, 9, 30))
    assert not any("Volgende week: werksessie 1" in t for t in sent_texts(bot, SOFIE))
    pending = outbox.find(bot.db, subject=f"session:{s.id}", status=outbox.PENDING)
    assert pending == []


async def test_two_dispatchers_on_one_database_send_each_message_once(bot):
    other = connect(bot.config["storage"]["database"], migrate=False)
    bot.clock.set(local(2024, 2, 13, 9, 30))
    services = bot.services
    second_process = dispatcher.Dispatcher(replace(services, db=other), COMPOSERS)
    first = bot.dispatcher.dispatch_due(bot.app.bot)
    second = second_process.dispatch_due(bot.app.bot)
    reports = await asyncio.gather(first, second)
    other.close()
    rows = outbox.find(bot.db, status=outbox.SENT)
    assert sum(r.sent for r in reports) == len(rows) > 0
    texts = [(c.chat_id, c.text) for c in bot.api.sent()]
    assert len(texts) == len(set(texts))


def forbidden_for(chat_id):
    def fault(method, params):
        if method == "sendMessage" and int(params.get("chat_id", 0)) == chat_id:
            return 403, {"ok": False, "error_code": 403,
                         "description": "Forbidden: bot was blocked by the user"}
        return None
    return fault


async def test_forbidden_marks_the_person_unreachable_and_stops(bot):
    bot.api.fault = forbidden_for(SOFIE.id)
    await run_at(bot, local(2024, 2, 13, 9, 30))
    sofie = people.by_telegram_id(bot.db, SOFIE.id)
    assert sofie.status == "unreachable"
    row = outbox.find(bot.db, person_id=sofie.id, status=outbox.UNREACHABLE)[0]
    assert "403" in row.error and row.attempts == 1
    bot.api.fault = None
    await run_at(bot, local(2024, 2, 19, 9, 30))
    assert not sent_texts(bot, SOFIE)
    skipped = outbox.find(bot.db, person_id=sofie.id, status=outbox.SKIPPED)
    assert any("unreachable" in r.error for r in skipped)


async def test_retry_after_waits_what_telegram_asks(bot):
    calls = {"n": 0}

    def fault(method, params):
        if method == "sendMessage" and calls["n"] == 0:
            calls["n"] += 1
            return 429, {"ok": False, "error_code": 429, "description": "Too Many Requests",
                         "parameters": {"retry_after": 7}}
        return None

    bot.api.fault = fault
    report = await run_at(bot, local(2024, 2, 13, 9, 30))
    assert report.retry_after == 7 and report.sent == 0
    waiting = [r for r in outbox.find(bot.db, status=outbox.PENDING) if r.not_before]
    assert len(waiting) == 1 and waiting[0].attempts == 0 and "429" in waiting[0].error
    assert waiting[0].not_before == local(2024, 2, 13, 9, 30, 7).astimezone(UTC)
    await run_at(bot, local(2024, 2, 13, 9, 30, 3))
    assert outbox.get(bot.db, waiting[0].id).status == outbox.PENDING
    await run_at(bot, local(2024, 2, 13, 9, 30, 7))
    assert outbox.get(bot.db, waiting[0].id).status == outbox.SENT


async def test_network_errors_back_off_then_fail(bot):
    def fault(method, params):
        if method == "sendMessage" and int(params["chat_id"]) == SOFIE.id:
            return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
        return None

    bot.api.fault = fault
    moment = local(2024, 2, 13, 9, 30)
    await run_at(bot, moment)
    sofie = people.by_telegram_id(bot.db, SOFIE.id).id
    key = outbox.make_key(planner.SESSION_REMINDER, sofie, f"session:{session(bot).id}", "168h")
    row = outbox.by_key(bot.db, key)
    assert row.status == outbox.PENDING and row.attempts == 1
    assert row.not_before == (moment + timedelta(seconds=2)).astimezone(UTC)
    for _ in range(10):
        moment += timedelta(minutes=20)
        await run_at(bot, moment)
    row = outbox.by_key(bot.db, key)
    assert row.status == outbox.FAILED and row.attempts == 5 and "gave up" in row.error


async def test_row_left_sending_by_a_crash_is_reported_not_resent(bot):
    bot.clock.set(local(2024, 2, 13, 9, 30))
    row = outbox.due(bot.db, bot.now())[0]
    assert outbox.claim(bot.db, row.id, bot.now())  # then the process died
    await run_at(bot, local(2024, 2, 13, 9, 45))
    stale = outbox.get(bot.db, row.id)
    assert stale.status == outbox.FAILED and "not resent" in stale.error
    person = people.get(bot.db, row.person_id)
    texts = [c.text for c in bot.api.sent(person.telegram_id)]
    assert not any("Volgende week" in t for t in texts)


async def test_homework_open_nudges_and_digest(bot):
    traj = trajectories.by_number(bot.db, 7)
    windows = calendar.windows_for(bot.db, bot.services.settings, traj.id)
    first = windows[0]
    assert first.opens_at == session(bot).ends_at
    # 2 days before session 2 is Sunday 21 April: moved to Friday at the deadline time
    assert first.due_at == local(2024, 4, 19, 17, 0).astimezone(UTC)
    await run_at(bot, local(2024, 2, 20, 12, 30))
    opened = [t for t in sent_texts(bot, SOFIE) if "Nieuw huiswerk" in t]
    assert len(opened) == 1 and first.assignment.title in opened[0]
    evaluation = [c for c in bot.api.sent(SOFIE.id) if "Bedankt voor werksessie 1" in c.text]
    assert evaluation[0].buttons[0]["callback_data"] == f"fl:start:evaluatie:{session(bot).id}"
    # Pieter hands in, Sofie mutes nudges: the 3-day nudge reaches only Lotte.
    pieter = people.by_telegram_id(bot.db, 9012)
    hand_in(bot.db, pieter.id, first.assignment.id, bot.now())
    sofie = people.by_telegram_id(bot.db, SOFIE.id)
    mutes.mute(bot.db, sofie.id, None, bot.now())
    await run_at(bot, local(2024, 4, 17, 10, 0))  # the gentle rung: 2 working days before
    nudged = {c.chat_id for c in bot.api.sent() if "vriendelijke herinnering" in c.text
              and first.assignment.title in c.text}
    assert nudged == {9013}
    await run_at(bot, local(2024, 4, 19, 17, 0))
    digest = [c.text for c in bot.api.sent(AN.id) if "was in te dienen" in c.text]
    assert len(digest) == 1
    assert "Lotte Willems" in digest[0] and "Sofie Janssens" in digest[0]
    assert "Pieter De Smet" not in digest[0]
    assert any("was in te dienen" in c.text for c in bot.api.sent(ELS.id))


async def test_evaluation_button_starts_the_evaluation_flow(bot):
    await run_at(bot, local(2024, 2, 20, 12, 30))
    calls = await bot.tap(SOFIE, "Evaluatie invullen")
    assert "vraag 1 van" in calls[-1].text


async def test_new_member_gets_no_old_reminders(bot):
    bot.clock.set(local(2024, 5, 1, 10, 0))
    trajectory = trajectories.by_number(bot.db, 7)
    person = people.create(bot.db, telegram_id=4444, name="Laat", role="participant",
                           language="nl", now=bot.now())
    memberships.add(bot.db, person_id=person.id, trajectory_id=trajectory.id,
                    role="participant", now=bot.now())
    bot.planner.plan_trajectory(bot.db, trajectory.id, bot.now())
    rows = outbox.find(bot.db, person_id=person.id)
    assert rows and all(r.planned_at >= bot.now() - timedelta(hours=6) for r in rows)


async def test_planning_twice_changes_nothing(bot):
    trajectory = trajectories.by_number(bot.db, 7)
    before = outbox.find(bot.db)
    report = bot.planner.plan_trajectory(bot.db, trajectory.id, bot.now())
    assert (report.created, report.moved, report.cancelled) == (0, 0, 0)
    assert outbox.find(bot.db) == before


async def test_sessions_command_sends_ics_with_a_stable_uid(bot):
    from icalendar import Calendar

    calls = await bot.send(SOFIE, "/sessies")
    assert "dinsdag 20 februari 2024 van 9u30 tot 12u30" in calls[0].text
    assert len(calls) == 1 and len(calls[0].buttons) == 4      # one message, a button each
    documents = [c for c in await bot.tap(SOFIE, 1) if c.method == "sendDocument"]
    assert len(documents) == 1
    event = Calendar.from_ical(documents[0].saved_paths[0].read_bytes()).walk("VEVENT")[0]
    uid, sequence = str(event["UID"]), int(event["SEQUENCE"])
    assert event.decoded("DTSTART") == local(2024, 2, 20, 9, 30)
    s = session(bot)
    calendar.move_session(bot.db, bot.bus, s.id, starts_at=local(2024, 2, 21, 9, 30),
                          ends_at=local(2024, 2, 21, 12, 30), now=bot.now())
    await bot.send(SOFIE, "/sessies")
    calls = await bot.tap(SOFIE, 1)
    moved = Calendar.from_ical(
        [c for c in calls if c.method == "sendDocument"][0].saved_paths[0].read_bytes()
    ).walk("VEVENT")[0]
    assert str(moved["UID"]) == uid and int(moved["SEQUENCE"]) == sequence + 1
    assert moved.decoded("DTSTART") == local(2024, 2, 21, 9, 30)


async def test_mute_and_coordinator_overview(bot):
    await bot.send(SOFIE, "/stil")
    calls = await bot.tap(SOFIE, "Tot ik ze weer aanzet")
    assert "geen huiswerkherinneringen" in calls[-1].text
    overview = (await bot.send(ELS, "/stil"))[-1].text
    assert "Sofie Janssens" in overview and "tot nader bericht" in overview
    await bot.send(SOFIE, "/stil")
    await bot.tap(SOFIE, "Weer aanzetten")
    assert "Niemand" in (await bot.send(ELS, "/stil"))[-1].text
