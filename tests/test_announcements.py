"""Announcements: audience, preview, send now or later, live status, report, crash-resume."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers import announcements as announcement_handler
from kernbot.harness import AN, ELS, PIETER, SOFIE
from programme import announcing, audiences
from schedule import dispatcher
from storage import announcements, outbox, people, trajectories
from tests.flow_helpers import INTAKE_NL, play
from tests.support.homework import hand_in

BXL = ZoneInfo("Europe/Brussels")


@pytest.fixture(autouse=True)
def no_pacing(monkeypatch):
    async def instant(self):
        return None

    monkeypatch.setattr(dispatcher.Pacer, "wait", instant)


async def compose(bot, text="Sessie 1 start om 9u30 stipt."):
    await bot.send(ELS, "/aankondiging")
    return await bot.send(ELS, text)


async def test_announcement_to_a_trajectory_with_live_status_and_report(bot):
    await compose(bot, "Vergeet je laptop niet <b>niet vet</b>")
    await bot.tap(ELS, "Eén traject")
    preview = (await bot.tap(ELS, "Traject 7"))[-1]
    assert "5 ontvangers" in preview.text  # three participants, two coaches
    assert "&lt;b&gt;niet vet&lt;/b&gt;" in preview.text
    status = (await bot.tap(ELS, "Nu versturen"))[-1]
    assert "wachtend 5" in status.text
    await bot.run_pass()
    for user in (SOFIE, PIETER, AN):
        assert any("Vergeet je laptop niet" in c.text for c in bot.api.sent(user.id))
    edits = [c for c in bot.api.calls if c.method == "editMessageText"
             and c.params.get("chat_id") == ELS.id]
    assert "verstuurd 5" in edits[-1].params["text"]
    report = bot.api.sent(ELS.id)[-1].text
    assert "is klaar: 5 van 5 verstuurd" in report
    listing = (await bot.send(ELS, "/aankondigingen"))[-1].text
    assert "5/5 verstuurd" in listing


async def test_unreachable_people_are_reported(bot):
    def fault(method, params):
        if method == "sendMessage" and int(params["chat_id"]) == PIETER.id:
            return 403, {"ok": False, "error_code": 403, "description": "Forbidden: blocked"}
        return None

    await compose(bot)
    await bot.tap(ELS, "Eén rol")
    await bot.tap(ELS, "Deelnemers")
    await bot.tap(ELS, "Nu versturen")
    bot.api.fault = fault
    await bot.run_pass()
    bot.api.fault = None
    await bot.run_pass()
    report = bot.api.sent(ELS.id)[-1].text
    assert "2 van 3 verstuurd" in report and "Pieter De Smet" in report
    assert people.by_telegram_id(bot.db, PIETER.id).status == "unreachable"


async def test_send_later_waits_for_its_time(bot):
    await compose(bot)
    await bot.tap(ELS, "Iedereen")
    await bot.tap(ELS, "Later versturen")
    calls = await bot.send(ELS, "13/2 10u00")
    assert "Verzenden op dinsdag 13 februari 2024 om 10u00" in calls[-1].text
    status = (await bot.tap(ELS, "Inplannen"))[-1]
    # regression: "verstuurd 0 · wachtend 1 (van 0)", then edited into the same text again
    progress = status.values("announcements/status")["progress"]
    assert progress.expected == len(audiences.resolve(bot.db, {"kind": "all"})) > 1
    assert "van 0" not in status.text and f"nu {progress.expected} ontvangers" in status.text
    await bot.run_pass()
    assert not any("Sessie 1 start" in c.text for c in bot.api.sent(SOFIE.id))
    assert not [c for c in bot.api.calls if c.method == "editMessageText"
                and c.params.get("chat_id") == ELS.id]
    bot.clock.set(bot.now() + timedelta(days=1, hours=1))
    await bot.run_pass()   # the audience is resolved at the moment of sending ...
    await bot.run_pass()   # ... and delivered right after
    assert any("Sessie 1 start" in c.text for c in bot.api.sent(SOFIE.id))


async def test_bad_time_and_media_get_clear_answers(bot):
    await bot.send(ELS, "/aankondiging")
    assert "als tekst, foto of document" in (await bot.sim.send_sticker(ELS))[-1].text
    await bot.send(ELS, "Tekst")
    await bot.tap(ELS, "Iedereen")
    await bot.tap(ELS, "Later versturen")
    assert "begrijp ik niet" in (await bot.send(ELS, "morgen ergens"))[-1].text
    assert "al voorbij" in (await bot.send(ELS, "1/1/2020 10:00"))[-1].text


async def test_photo_announcement(bot):
    await bot.send(ELS, "/aankondiging")
    await bot.sim.send_photo(ELS, b"\x89PNG fake", caption="De affiche voor sessie 2")
    await bot.tap(ELS, "Eén gemeente")
    calls = await bot.tap(ELS, "Lier")
    assert "1 ontvanger" in calls[-1].text and "met foto" in calls[-1].text
    await bot.tap(ELS, "Nu versturen")
    await bot.run_pass()
    photo = [c for c in bot.api.sent(SOFIE.id) if c.method == "sendPhoto"]
    assert photo and "De affiche" in photo[0].params["caption"]


async def test_audiences_homework_and_intake(bot):
    trajectory = trajectories.by_number(bot.db, 7)
    session = trajectories.session_by_number(bot.db, trajectory.id, 1)
    from storage import assignments

    work = assignments.of_session(bot.db, session.id)[0]
    pieter = people.by_telegram_id(bot.db, PIETER.id)
    hand_in(bot.db, pieter.id, work.id, bot.now())
    missing = {p.name for p in audiences.resolve(
        bot.db, {"kind": "homework_missing", "session_id": session.id})}
    assert missing == {"Sofie Janssens", "Lotte Willems"}
    await bot.send(SOFIE, "/intake")
    await play(bot, SOFIE, INTAKE_NL)
    unfinished = {p.name for p in audiences.resolve(bot.db, {"kind": "intake_unfinished"},
                                                     bot.services.flows)}
    assert unfinished == {"Pieter De Smet", "Lotte Willems"}


async def test_crash_in_the_middle_resumes_without_doubles(bot):
    item = announcing.queue(bot.db, author_id=None, text="Hervat", audience={"kind": "all"},
                            audience_label="iedereen", planned_at=bot.now(), now=bot.now())
    await bot.dispatcher.dispatch_due(bot.app.bot, limit=3)  # the process dies after three
    await bot.restart()
    await bot.run_pass()
    await bot.run_pass()
    rows = outbox.find(bot.db, subject=item.subject)
    assert len(rows) == item.recipients == 6
    assert all(r.status == outbox.SENT for r in rows)
    total_sends = 3 + sum("Hervat" in c.text for c in bot.api.sent())
    assert total_sends == 6


async def test_only_coordinators_and_forged_buttons(bot):
    assert "Dat kan je met jouw rol niet doen" in (await bot.send(AN, "/aankondiging"))[-1].text
    calls = await bot.press(SOFIE, "an:send")
    assert "Dat kan je met jouw rol niet doen" in calls[-1].text
    calls = await bot.press(ELS, "an:send")  # no draft: nothing is sent
    assert "werkt niet meer" in calls[-1].text
    assert announcements.recent(bot.db) == []


async def test_status_follow_up_survives_a_failing_edit(bot, monkeypatch):
    await compose(bot)
    await bot.tap(ELS, "Iedereen")
    await bot.tap(ELS, "Nu versturen")

    def fault(method, params):
        if method == "editMessageText":
            return 400, {"ok": False, "error_code": 400,
                         "description": "Bad Request: message to edit not found"}
        return None

    bot.api.fault = fault
    await bot.run_pass()
    assert announcement_handler.announcements.queued(bot.db) == []
    assert "is klaar" in bot.api.sent(ELS.id)[-1].text


async def test_nudge_lagging_from_progress(bot):
    bot.clock.advance(timedelta(days=9))
    await bot.send(ELS, "/voortgang")
    calls = await bot.tap(ELS, "Herinner wie achterloopt")
    assert "Verstuurd: 3" in calls[-1].text
    await bot.run_pass()
    nudge = [c.text for c in bot.api.sent(SOFIE.id) if "duwtje" in c.text]
    assert len(nudge) == 1 and "intake" in nudge[0]
    await bot.send(ELS, "/voortgang")
    calls = await bot.tap(ELS, "Herinner wie achterloopt")
    assert "geen herinneringen" in calls[-1].text  # at most one per person per day


async def test_a_past_date_is_refused_not_moved_to_next_year(bot):
    """"11/2 9u00" typed on 12 February: yesterday, refused with the reason."""
    await compose(bot)
    await bot.tap(ELS, "Iedereen")
    await bot.tap(ELS, "Later versturen")
    bot.clock.set(datetime(2024, 2, 12, 9, 0, tzinfo=BXL))
    calls = await bot.send(ELS, "11/2 9u00")
    assert "announcements/time_past" in calls[-1].keys
    assert "11/2/2025 9u00" in calls[-1].text
    assert announcements.recent(bot.db) == []


async def test_dynamic_audience_is_resolved_when_sending_and_the_preview_says_so(bot):
    trajectory = trajectories.by_number(bot.db, 7)
    session = trajectories.session_by_number(bot.db, trajectory.id, 1)
    from storage import assignments

    work = assignments.of_session(bot.db, session.id)[0]
    await compose(bot, "Je huiswerk van sessie 1 ontbreekt nog.")
    await bot.tap(ELS, "Wie het huiswerk van een sessie niet indiende")
    await bot.tap(ELS, "Traject 7, sessie 1")
    await bot.tap(ELS, "Later versturen")
    preview = (await bot.send(ELS, "15/4 10u00"))[-1]
    assert "3 ontvangers" in preview.text and "opnieuw berekend" in preview.text
    await bot.tap(ELS, "Inplannen")
    listing = (await bot.send(ELS, "/aankondigingen"))[-1]
    assert "gaat uit op maandag 15 april om 10u00" in listing.text
    # Pieter hands in before the announcement goes out: he does not receive it.
    hand_in(bot.db, people.by_telegram_id(bot.db, PIETER.id).id, work.id, bot.now())
    await bot.dispatcher.travel(bot.app, bot.clock,
                                datetime(2024, 4, 15, 10, 5, tzinfo=BXL).astimezone(UTC))
    received = {c.chat_id for c in bot.api.sent() if "ontbreekt nog" in c.text
                and c.chat_id != ELS.id}
    assert received == {SOFIE.id, 9013}
    item = announcements.recent(bot.db)[0]
    assert item.recipients == 2


async def test_a_cancelled_announcement_reaches_nobody_and_a_planned_one_can_be_edited(bot):
    await compose(bot, "Eerste versie")
    await bot.tap(ELS, "Iedereen")
    await bot.tap(ELS, "Later versturen")
    await bot.send(ELS, "13/2 10u00")
    await bot.tap(ELS, "Inplannen")
    await compose(bot, "Tweede aankondiging")
    await bot.tap(ELS, "Iedereen")
    await bot.tap(ELS, "Later versturen")
    await bot.send(ELS, "14/2 10u00")
    await bot.tap(ELS, "Inplannen")
    await bot.send(ELS, "/aankondigingen")
    await bot.tap(ELS, "✏️ 1 aanpassen")
    calls = await bot.send(ELS, "Verbeterde versie")
    assert "announcements/edited" in calls[-1].keys
    await bot.send(ELS, "/aankondigingen")
    calls = await bot.tap(ELS, "❌ 2 annuleren")
    assert "announcements/withdrawn" in calls[-1].keys
    listing = (await bot.send(ELS, "/aankondigingen"))[-1].text
    assert "geannuleerd" in listing
    await bot.dispatcher.travel(bot.app, bot.clock,
                                datetime(2024, 2, 15, 12, 0, tzinfo=BXL).astimezone(UTC))
    texts = [c.text for c in bot.api.sent() if c.chat_id != ELS.id]
    assert not any("Tweede aankondiging" in t for t in texts)
    assert not any("Eerste versie" in t for t in texts)
    assert sum("Verbeterde versie" in t for t in texts) == 5  # everyone enrolled but Els
    calls = await bot.press(ELS, "an:withdraw:2")
    assert "announcements/not_planned" in calls[-1].keys


async def test_a_send_time_on_a_weekend_is_flagged_and_the_preview_has_one_blank_line(bot):
    """Regression: a Saturday was accepted without a word, and the preview opened with two
    empty lines."""
    await compose(bot, "Zaterdagmarkt")
    await bot.tap(ELS, "Iedereen")
    await bot.tap(ELS, "Later versturen")
    preview = (await bot.send(ELS, "17/2 10u00"))[-1]           # Saturday 17 February 2024
    assert preview.values("announcements/preview")["day_off"] is True
    assert "\n\n\n" not in preview.text and preview.text.split("\n")[1] == ""
    await compose(bot, "Dinsdag")
    await bot.tap(ELS, "Iedereen")
    await bot.tap(ELS, "Later versturen")
    preview = (await bot.send(ELS, "13/2 10u00"))[-1]
    assert preview.values("announcements/preview")["day_off"] is False
