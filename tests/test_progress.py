"""/voortgang: progress per trajectory as text, PNG chart and XLSX, for coaches and coordinators."""

from datetime import timedelta
from io import BytesIO

from openpyxl import load_workbook

from kernbot.harness import AN, ELS, PIETER, SOFIE
from programme import progress
from schedule import planner
from storage import outbox, people, trajectories
from tests.flow_helpers import INTAKE_NL, play

REFUSED = "common/not_allowed"


def words(bot, key: str, **values) -> str:
    """A template's text in Dutch: column titles and statuses of the sheet."""
    return bot.services.messages.plain(key, "nl", **values)


def overview(call):
    assert call.key == "progress/overview", call.keys
    return call.values("progress/overview")["progress"]


async def test_coordinator_sees_progress_chart_and_sheet(bot):
    await bot.send(SOFIE, "/intake")
    await play(bot, SOFIE, INTAKE_NL)
    calls = await bot.send(ELS, "/voortgang")
    shown = overview(calls[0])
    assert shown.trajectory.number == 7
    intake = {p.person.name: p.intake for p in shown.participants}
    assert intake["Sofie Janssens"] and not intake["Pieter De Smet"]
    assert "Sofie Janssens" in calls[0].text and "Pieter De Smet" in calls[0].text
    photo = next(c for c in calls if c.method == "sendPhoto")
    assert photo.saved_paths and photo.saved_paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    sheet_call = next(c for c in calls if c.method == "sendDocument")
    book = load_workbook(BytesIO(sheet_call.saved_paths[0].read_bytes()))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == (words(bot, "progress/col_participant"),
                           words(bot, "progress/col_intake"), words(bot, "progress/col_step1"))
    sofie_row = next(r for r in rows if r[0].startswith("Sofie Janssens"))
    assert sofie_row[1] == words(bot, "progress/status_done")


async def test_the_intake_column_uses_the_legends_symbols(bot):
    """Every symbol in the overview is in its legend: an intake not done is "…" before the
    first session and "✗" once it is missing, never an unexplained "–"."""
    await bot.send(SOFIE, "/intake")
    await play(bot, SOFIE, INTAKE_NL)
    before = (await bot.send(ELS, "/voortgang"))[0]
    assert {p.person.name: p.intake_state for p in overview(before).participants}[
        "Pieter De Smet"] == "open"
    bot.clock.advance(timedelta(days=9))  # session 1 (20 February) is over
    after = (await bot.send(ELS, "/voortgang"))[0]
    assert {p.person.name: p.intake_state for p in overview(after).participants}[
        "Pieter De Smet"] == "missing"
    for call in (before, after):
        assert "intake –" not in call.text
    assert "intake ✗" in after.text and "intake …" in before.text


async def test_lagging_people_are_flagged_after_the_first_session(bot):
    await bot.send(SOFIE, "/intake")
    await play(bot, SOFIE, INTAKE_NL)
    bot.clock.advance(timedelta(days=9))  # session 1 (20 February) is over
    trajectory = trajectories.by_number(bot.db, 7)
    data = progress.trajectory_progress(bot.db, bot.services.flows, bot.services.settings,
                                         trajectory.id, bot.now())
    flagged = {p.person.name: p.reasons for p in data.participants}
    assert "intake" in flagged["Pieter De Smet"]
    # the evaluation is due three working days after the session (Friday 23 February):
    # not "behind" the morning after the session, behind a week later
    assert "evaluation" not in flagged["Sofie Janssens"]
    bot.clock.advance(timedelta(days=5))
    data = progress.trajectory_progress(bot.db, bot.services.flows, bot.services.settings,
                                         trajectory.id, bot.now())
    flagged = {p.person.name: p.reasons for p in data.participants}
    assert "evaluation" in flagged["Sofie Janssens"]
    assert "intake" not in flagged["Sofie Janssens"]
    shown = overview((await bot.send(AN, "/voortgang"))[0])
    lagging = {p.person.name for p in shown.lagging}
    assert {"Pieter De Smet", "Sofie Janssens"} <= lagging


async def test_nudge_button_queues_one_nudge_per_lagging_person(bot):
    bot.clock.advance(timedelta(days=9))
    await bot.send(ELS, "/voortgang")
    calls = await bot.tap(ELS, key="progress/nudge_button")
    assert calls[-1].key == "progress/nudged" and calls[-1].values("progress/nudged") == \
        {"count": 3}
    rows = outbox.find(bot.db, kind=planner.LAGGING)
    assert len(rows) == 3
    calls = await bot.tap(ELS, key="progress/nudge_button")  # the same day: nobody twice
    assert calls[-1].values("progress/nudged") == {"count": 0}


async def test_participants_cannot_see_progress_even_with_forged_buttons(bot):
    trajectory = trajectories.by_number(bot.db, 7)
    calls = await bot.send(SOFIE, "/voortgang")
    assert calls[-1].key == REFUSED
    calls = await bot.press(PIETER, f"vg:show:{trajectory.id}")
    assert calls[-1].key == REFUSED
    assert "Sofie" not in calls[-1].text
    assert not any(c.method in ("sendPhoto", "sendDocument") for c in calls)


async def test_coach_cannot_open_another_trajectory(bot):
    other = trajectories.upsert(bot.db, number=99, year=2024, title="Ander traject",
                                now=bot.now())
    calls = await bot.press(AN, f"vg:show:{other.id}")
    assert calls[-1].key == REFUSED
    calls = await bot.press(ELS, f"vg:show:{other.id}")
    shown = overview(calls[-1])
    assert shown.trajectory.number == 99 and shown.participants == []


async def test_progress_in_english(bot):
    els = people.by_telegram_id(bot.db, ELS.id)
    people.update(bot.db, els.id, bot.now(), language="en")
    calls = await bot.send(ELS, "/voortgang")
    assert calls[0].language == "en" and overview(calls[0]).trajectory.number == 7


async def _hand_in_photos(bot, user):
    """Through the chat: /huiswerk, open "Foto's van je kern", one photo, hand it in."""
    await bot.send(user, "/huiswerk")
    await bot.tap(user, "Foto's van je kern")            # the assignment's title
    await bot.sim.send_photo(user, b"jpeg-bytes")
    calls = await bot.tap(user, key="homework/submit")
    assert "homework/handed_in" in calls[-1].keys


async def test_progress_shows_homework_per_session_on_time_late_and_missing(bot):
    """Sofie hands in the photos on time, Pieter after the due time, Lotte not at all; the
    brief step of session 1 is missing for everyone. /voortgang's text, its XLSX and the
    lagging reasons all show it."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    brussels = ZoneInfo("Europe/Brussels")
    bot.clock.set(datetime(2024, 6, 10, 10, 0, tzinfo=brussels))
    await _hand_in_photos(bot, SOFIE)
    bot.clock.set(datetime(2024, 6, 17, 10, 0, tzinfo=brussels))  # due was 16 June 9u30
    await _hand_in_photos(bot, PIETER)
    calls = await bot.send(ELS, "/voortgang")
    overview = calls[0].values("progress/overview")["progress"]
    homework = {p.person.name: p.homework for p in overview.participants}
    assert homework["Sofie Janssens"] == {1: "missing", 2: "on_time"}
    assert homework["Pieter De Smet"] == {1: "missing", 2: "late"}
    assert homework["Lotte Willems"] == {1: "missing", 2: "missing"}
    reasons = {p.person.name: p.reasons for p in overview.participants}
    assert "homework" in reasons["Lotte Willems"] and "inactive" not in reasons["Sofie Janssens"]
    sheet_call = next(c for c in calls if c.method == "sendDocument")
    rows = list(load_workbook(BytesIO(sheet_call.saved_paths[0].read_bytes()))
                .active.iter_rows(values_only=True))
    header = rows[0]
    cells = {r[0].split(" (")[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    s1, s2, s3 = (words(bot, "progress/col_homework", number=n) for n in (1, 2, 3))
    assert cells["Sofie Janssens"][s2] == words(bot, "progress/status_done")
    assert cells["Pieter De Smet"][s2] == words(bot, "progress/status_late")
    assert cells["Lotte Willems"][s2] == words(bot, "progress/status_missing")
    assert cells["Lotte Willems"][s1] == words(bot, "progress/status_missing")
    assert cells["Sofie Janssens"][s3] in ("", None)  # not open yet


async def test_file_names_are_in_the_readers_language(bot):
    from tests.flow_helpers import set_language

    names = {}
    for lang in ("nl", "en"):
        set_language(bot, ELS, lang)
        calls = await bot.send(ELS, "/voortgang")
        names[lang] = sorted(p.name for c in calls for p in c.saved_paths)
    assert names["nl"] == ["voortgang-traject-7.png", "voortgang-traject-7.xlsx"]
    assert names["en"] == ["progress-trajectory-7.png", "progress-trajectory-7.xlsx"]
    set_language(bot, SOFIE, "en")
    calls = await bot.send(SOFIE, "/mijngegevens")
    assert sorted(p.name for c in calls for p in c.saved_paths) == ["my-data.json",
                                                                   "my-data.pdf"]
