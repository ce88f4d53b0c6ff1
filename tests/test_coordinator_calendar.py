"""The coordinator's calendar in the chat (issue 16): /sessies lists the sessions with buttons to
move (preview, re-planned reminders, an updated .ics with a higher SEQUENCE to everyone), cancel
(everyone told, nobody reminded of it any more), add a session, and edit an assignment's text
and deadline; a re-import reports what it would overwrite instead of undoing it."""

from __future__ import annotations

from datetime import UTC, timedelta

from icalendar import Calendar

from kernbot.harness import AN, ELS, KOEN, PIETER, SOFIE
from programme import calendar, importer
from programme.demo import DEMO_FILE
from schedule import planner
from storage import assignments, memberships, outbox, people, trajectories
from tests.support.timeline import BXL, local, no_pacing  # noqa: F401 (fixture)

MEMBERS = (SOFIE, PIETER, AN, KOEN)


def session(bot, number):
    return trajectories.session_by_number(bot.db, trajectories.by_number(bot.db, 7).id, number)


def ics_events(calls):
    """The VEVENTs of the .ics documents among these calls."""
    events = []
    for call in calls:
        for path in call.saved_paths:
            if path.suffix == ".ics":
                events += Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    return events


async def open_session(bot, number: int):
    await bot.send(ELS, "/sessies")
    return await bot.tap(ELS, f"⚙️ Sessie {number}")


async def test_move_session_3_with_a_preview_and_an_updated_ics_for_everyone(bot):
    calls = await open_session(bot, 3)
    assert "calendar/manage" in calls[-1].keys
    await bot.tap(ELS, "📅 Verplaatsen")
    preview = (await bot.send(ELS, "25/6 9u30"))[-1]
    assert "calendar/move_preview" in preview.keys
    text = preview.text
    assert "dinsdag 25 juni 2024 van 9u30 tot 12u30" in text
    assert preview.values("calendar/move_preview")["preview"].sequence == 1  # the .ics version
    # regression: the list of changes ended with a dangling ";"
    items = [line for line in text.split("\n") if line.startswith("•")]
    assert items[-1].endswith(".") and all(line.endswith(";") for line in items[:-1])
    # homework 2 was due Fri 14 June (Sunday 16 moved back); now Sunday 23 -> Friday 21 June
    assert "vrijdag 21 juni 2024 om 17u00" in text and "vrijdag 14 juni 2024 om 17u00" in text
    nothing_yet = outbox.find(bot.db, kind=planner.SESSION_CHANGE)
    assert nothing_yet == [], "a preview changes nothing"
    done = await bot.tap(ELS, "Bevestigen")
    assert "calendar/moved" in done[-1].keys
    before = len(bot.api.calls)
    await bot.run_pass()
    sent = bot.api.calls[before:]
    for user in MEMBERS:
        mine = [c for c in sent if c.chat_id == user.id]
        assert any("reminders/session_change" in c.keys for c in mine), user.first_name
        events = ics_events(mine)
        assert len(events) == 1, user.first_name
        assert int(events[0]["SEQUENCE"]) == 1
        assert events[0].decoded("DTSTART") == local(2024, 6, 25, 9, 30)
        assert str(events[0]["UID"]) == calendar.session_uid(session(bot, 3).id)
    # the reminders moved with it
    sofie = people.by_telegram_id(bot.db, SOFIE.id).id
    week = outbox.by_key(bot.db, outbox.make_key(planner.SESSION_REMINDER, sofie,
                                                 f"session:{session(bot, 3).id}", "168h"))
    assert week.planned_at == local(2024, 6, 18, 9, 30).astimezone(UTC)
    # a second move: SEQUENCE rises again
    await open_session(bot, 3)
    await bot.tap(ELS, "📅 Verplaatsen")
    await bot.send(ELS, "27/6 13u30-16u30")
    await bot.tap(ELS, "Bevestigen")
    before = len(bot.api.calls)
    await bot.run_pass()
    events = ics_events([c for c in bot.api.calls[before:] if c.chat_id == SOFIE.id])
    assert [int(e["SEQUENCE"]) for e in events] == [2]


async def test_cancelled_session_everyone_told_nobody_reminded(bot):
    await open_session(bot, 2)
    preview = await bot.tap(ELS, "❌ Schrappen")
    assert "calendar/cancel_preview" in preview[-1].keys
    items = [line for line in preview[-1].text.split("\n") if line.startswith("•")]
    assert items[-1].endswith(".") and all(line.endswith(";") for line in items[:-1])
    await bot.tap(ELS, "Bevestigen")
    await bot.run_pass()
    for user in MEMBERS:
        mine = bot.api.sent(user.id)
        assert any("gaat niet door" in c.text for c in mine)
        events = ics_events(mine)
        assert str(events[-1]["STATUS"]) == "CANCELLED" and int(events[-1]["SEQUENCE"]) == 1
    await bot.dispatcher.travel(bot.app, bot.clock, local(2024, 5, 15).astimezone(UTC))
    for user in MEMBERS:
        texts = [c.text for c in bot.api.sent(user.id)]
        assert not any("werksessie 2" in t.lower() and "⏰" in t for t in texts), user.first_name
    s2 = session(bot, 2)
    assert not [r for r in outbox.find(bot.db, subject=f"session:{s2.id}", status=outbox.SENT)
                if r.kind in (planner.SESSION_REMINDER, planner.HOMEWORK_OPEN,
                              planner.EVALUATION)]


async def test_a_date_in_the_past_is_refused_with_the_reason(bot):
    await open_session(bot, 1)
    await bot.tap(ELS, "📅 Verplaatsen")
    calls = await bot.send(ELS, "11/2 9u00")   # typed on Monday 12 February
    assert "calendar/time_past" in calls[-1].keys
    assert "is al voorbij" in calls[-1].text and "11/2/2025" in calls[-1].text
    calls = await bot.send(ELS, "volgende week")
    assert "calendar/time_format" in calls[-1].keys
    assert session(bot, 1).starts_at == local(2024, 2, 20, 9, 30).astimezone(UTC)


async def test_edit_an_assignment_and_a_reimport_reports_instead_of_overwriting(bot):
    hw = assignments.of_session(bot.db, session(bot, 2).id)[0]
    await open_session(bot, 2)
    await bot.tap(ELS, key="calendar/edit_due_button")
    calls = await bot.send(ELS, "22/6")   # a Saturday
    assert "calendar/due_done" in calls[-1].keys
    assert "vrijdag 21 juni 2024 om 17u00" in calls[-1].text
    await open_session(bot, 2)
    await bot.tap(ELS, f"✏️ Tekst: {hw.title[:30]}")
    await bot.send(ELS, "Drie foto's van je kern en één zin waarom.")
    sofie = people.by_telegram_id(bot.db, SOFIE.id).id
    gentle = outbox.by_key(bot.db, outbox.make_key(planner.FOLLOWUP, sofie,
                                                   f"assignment:{hw.id}", "gentle"))
    assert gentle.planned_at == local(2024, 6, 19, 10, 0).astimezone(UTC)
    # move session 3 in the chat too, then re-import the programme file
    await open_session(bot, 3)
    await bot.tap(ELS, "📅 Verplaatsen")
    await bot.send(ELS, "25/6 9u30")
    await bot.tap(ELS, "Bevestigen")
    report = importer.import_file(bot.db, bot.bus, DEMO_FILE, now=bot.now())
    assert any("session 7.3" in line and "changed in the chat" in line for line in report.kept)
    assert any("assignment 1 of session 2" in line for line in report.kept)
    assert session(bot, 3).starts_at == local(2024, 6, 25, 9, 30).astimezone(UTC)
    assert assignments.get(bot.db, hw.id).instructions.startswith("Drie foto's")


def trajectory_8(bot):
    """A trajectory with three online sessions (9 April, May, June at 9u30) and room for a
    fourth."""
    t8 = trajectories.upsert(bot.db, number=8, year=2024, title="Leegstand aanpakken",
                             now=bot.now())
    for number in (1, 2, 3):
        start = local(2024, 3 + number, 9, 9, 30)
        trajectories.upsert_session(bot.db, trajectory_id=t8.id, number=number,
                                    title=f"Sessie {number}", starts_at=start,
                                    ends_at=start + timedelta(hours=3), mode="online",
                                    video_link="https://meet.example.org/8")
    return t8


async def test_add_a_session_to_a_trajectory_with_room(bot):
    now = bot.now()
    t8 = trajectory_8(bot)
    pieter = people.by_telegram_id(bot.db, PIETER.id)
    memberships.add(bot.db, person_id=pieter.id, trajectory_id=t8.id, role="participant",
                    now=now)
    await bot.send(ELS, "/sessies")
    await bot.tap(ELS, "➕ Sessie toevoegen aan traject 8")
    calls = await bot.send(ELS, "1/10 9u30-12u30")
    assert "calendar/add_preview" in calls[-1].keys
    await bot.tap(ELS, "Bevestigen")
    await bot.run_pass()
    added = trajectories.session_by_number(bot.db, t8.id, 4)
    assert added.starts_at == local(2024, 10, 1, 9, 30).astimezone(UTC)
    notice = [c for c in bot.api.sent(PIETER.id) if "Nieuwe werksessie 4" in c.text]
    assert len(notice) == 1
    assert ics_events(bot.api.sent(PIETER.id))[-1].decoded("DTSTART") == local(2024, 10, 1, 9, 30)


async def test_only_coordinators_see_the_buttons(bot):
    calls = await bot.send(SOFIE, "/sessies")
    assert not any(b["text"].startswith("⚙️") for b in calls[0].buttons)
    calls = await bot.send(ELS, "/sessies")
    assert any(b["text"].startswith("⚙️") for b in calls[0].buttons)
    # one instruction for both kinds of button, not two paragraphs each starting "Tik op"
    assert calls[0].text.count("\n\nTik op") == 1, calls[0].text


async def test_another_date_typed_at_the_confirmation_gives_a_new_preview(bot):
    """Regression: typing a new date while the move waited for confirmation only said
    "Gebruik de knoppen hierboven"."""
    await open_session(bot, 3)
    await bot.tap(ELS, "📅 Verplaatsen")
    await bot.send(ELS, "25/6 9u30")
    preview = (await bot.send(ELS, "2/7 9u30"))[-1]
    assert preview.key == "calendar/move_preview"
    assert "dinsdag 2 juli 2024 van 9u30" in preview.text
    assert (await bot.send(ELS, "ja"))[-1].key == "calendar/use_buttons"
    await bot.tap(ELS, "Bevestigen")
    seven = trajectories.by_number(bot.db, 7)
    third = trajectories.sessions_of(bot.db, seven.id)[2]
    assert third.starts_at.astimezone(BXL).date().isoformat() == "2024-07-02"


async def test_a_move_past_the_next_session_or_before_the_previous_one_is_refused(bot):
    """Regression: session 2 moved to 25/6 13u30 (session 3 is on 18 June) was accepted;
    /sessies then listed session 3 before session 2 and the homework deadlines were shuffled.
    A session starts after the one before it ends and ends by the time the next one starts;
    otherwise the coordinator is told which session is in the way and types another moment."""
    s2 = session(bot, 2)
    await open_session(bot, 2)
    await bot.tap(ELS, "📅 Verplaatsen")
    for typed, neighbour in (("25/6 13u30", 3),    # after session 3
                             ("18/6 8u00", 3),      # ends (11u00) after session 3 starts (9u30)
                             ("20/2 11u00", 1),     # while session 1 runs
                             ("19/2 13u30", 1)):    # before session 1
        calls = await bot.send(ELS, typed)
        assert calls[-1].key == "calendar/out_of_order", typed
        values = calls[-1].values("calendar/out_of_order")
        assert values["refusal"].neighbour.number == neighbour, typed
        assert session(bot, 2).starts_at == s2.starts_at
        assert outbox.find(bot.db, kind=planner.SESSION_CHANGE) == []
    calls = await bot.send(ELS, "30/4 13u30")   # the same step: another moment
    assert calls[-1].key == "calendar/move_preview"
    # typed again at the confirmation: refused too, and the old preview cannot be confirmed
    calls = await bot.send(ELS, "2/7 13u30")
    assert calls[-1].key == "calendar/out_of_order"
    assert (await bot.tap(ELS, "Bevestigen"))[-1].key == "common/button_expired"
    calls = await bot.send(ELS, "7/5 13u30")
    assert calls[-1].key == "calendar/move_preview"
    await bot.tap(ELS, "Bevestigen")
    assert session(bot, 2).starts_at == local(2024, 5, 7, 13, 30).astimezone(UTC)
    numbers = [x.number for x in sorted(trajectories.sessions_of(
        bot.db, trajectories.by_number(bot.db, 7).id), key=lambda x: x.starts_at)]
    assert numbers == [1, 2, 3, 4]


async def test_a_neighbour_moved_before_the_confirmation_still_keeps_the_order(bot):
    await open_session(bot, 2)
    await bot.tap(ELS, "📅 Verplaatsen")
    assert (await bot.send(ELS, "28/5 13u30"))[-1].key == "calendar/move_preview"
    s3 = session(bot, 3)   # meanwhile session 3 moves to 21 May (a re-import, another tab)
    calendar.move_session(bot.db, bot.bus, s3.id, starts_at=local(2024, 5, 21, 9, 30),
                          ends_at=local(2024, 5, 21, 12, 30), now=bot.now())
    calls = await bot.tap(ELS, "Bevestigen")
    assert calls[-1].key == "calendar/out_of_order"
    assert calls[-1].values("calendar/out_of_order")["refusal"].neighbour.number == 3
    assert session(bot, 2).starts_at == local(2024, 4, 23, 13, 30).astimezone(UTC)
    assert (await bot.send(ELS, "14/5 13u30"))[-1].key == "calendar/move_preview"


async def test_a_new_session_comes_after_the_last_one(bot):
    now = bot.now()
    t8 = trajectory_8(bot)
    people.update(bot.db, people.by_telegram_id(bot.db, ELS.id).id, now, language="en")
    await bot.send(ELS, "/sessies")
    await bot.tap(ELS, key="calendar/add_button", values={"trajectory": t8})
    calls = await bot.send(ELS, "1/5 9u30-12u30")    # session 3 of trajectory 8 is on 9 June
    assert calls[-1].key == "calendar/out_of_order" and calls[-1].language == "en"
    assert calls[-1].values("calendar/out_of_order")["refusal"].neighbour.number == 3
    assert "Sunday 9 June 2024" in calls[-1].text
    assert trajectories.session_by_number(bot.db, t8.id, 4) is None
    calls = await bot.send(ELS, "1/10 9u30-12u30")
    assert calls[-1].key == "calendar/add_preview"
