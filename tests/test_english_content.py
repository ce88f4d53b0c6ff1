"""English programme content (issue 15): session titles, agendas and homework texts given in
English in the programme file reach English readers (/sessies, /huiswerk, reminders, the
evaluation); without them the Dutch text is shown, marked; Dutch readers are unchanged. And a
"How might we" the person typed is not doubled (summary, brief PDF)."""

from __future__ import annotations

import html
import re
import tempfile

import pypdf
import pytest

from kernbot.harness import ELS, PIETER, SOFIE
from programme import flow_progress, importer
from programme.demo import DEMO_FILE
from storage import assignments, trajectories
from tests.flow_helpers import after_session, person_id, play, set_language
from tests.support.timeline import local, no_pacing  # noqa: F401 (fixture)

MARK = "common/in_dutch"


def text(call) -> str:
    return html.unescape(call.text)


def session(bot, number):
    return trajectories.session_by_number(bot.db, trajectories.by_number(bot.db, 7).id, number)


def photos(bot):
    return assignments.of_session(bot.db, session(bot, 2).id)[0]


def without_english(bot):
    """Import the demo programme again, without its English texts."""
    text = re.sub(r"^\s*\w+_en = .*\n", "", DEMO_FILE.read_text(encoding="utf-8"), flags=re.M)
    importer.apply(bot.db, bot.bus, importer.parse(text, "demo"), now=bot.now())


async def test_an_english_participant_reads_the_programme_in_english(bot):
    set_language(bot, SOFIE, "en")
    s1, hw = session(bot, 1), photos(bot)
    assert s1.title_en and hw.title_en and hw.instructions_en   # the demo programme has them
    # /sessies
    calls = await bot.send(SOFIE, "/sessies")
    assert calls[-1].key == "calendar/sessions" and calls[-1].language == "en"
    assert s1.title_en in text(calls[-1]) and s1.title not in text(calls[-1])
    assert MARK not in calls[-1].keys
    # a reminder, a week before session 1, with its agenda
    bot.clock.set(local(2024, 2, 13, 9, 30))
    await bot.run_pass()
    reminder = [c for c in bot.api.sent(SOFIE.id) if c.key == "reminders/session"][-1]
    assert s1.title_en in text(reminder) and s1.agenda_en in text(reminder)
    assert s1.title not in text(reminder) and MARK not in reminder.keys
    # /huiswerk and the homework itself
    bot.clock.set(local(2024, 4, 24, 10, 0))
    calls = await bot.send(SOFIE, "/huiswerk")
    assert calls[-1].key == "homework/list"
    assert "Photos of your town centre" in text(calls[-1]) and hw.title not in text(calls[-1])
    calls = await bot.tap(SOFIE, hw.title_en)
    assert hw.instructions_en in text(calls[-1]) and hw.instructions not in text(calls[-1])
    # the evaluation names its session in English
    after_session(bot, 2)
    calls = await bot.send(SOFIE, "/evaluatie")
    label = calls[0].values("flows/evaluatie/intro")["session"]
    assert label == bot.services.messages.plain("flows/ui/session_label", "en", number=2,
                                                title=session(bot, 2).title_en)
    # a Dutch reader still reads Dutch
    calls = await bot.send(PIETER, "/sessies")
    assert s1.title in text(calls[-1]) and s1.title_en not in text(calls[-1])


async def test_without_english_texts_the_dutch_is_shown_and_marked(bot):
    without_english(bot)
    s1, hw = session(bot, 1), photos(bot)
    assert (s1.title_en, s1.agenda_en, hw.title_en, hw.instructions_en) == ("", "", "", "")
    set_language(bot, SOFIE, "en")
    marked = bot.services.messages.plain(MARK, "en")
    calls = await bot.send(SOFIE, "/sessies")
    assert MARK in calls[-1].keys and f"{s1.title} {marked}" in text(calls[-1])
    bot.clock.set(local(2024, 2, 13, 9, 30))
    await bot.run_pass()
    reminder = [c for c in bot.api.sent(SOFIE.id) if c.key == "reminders/session"][-1]
    assert f"{s1.title} {marked}" in text(reminder) and f"{s1.agenda} {marked}" in text(reminder)
    bot.clock.set(local(2024, 4, 24, 10, 0))
    calls = await bot.send(SOFIE, "/huiswerk")
    assert MARK in calls[-1].keys
    calls = await bot.tap(SOFIE, hw.title)            # the button keeps the title unmarked
    assert f"{hw.instructions} {marked}" in text(calls[-1])
    after_session(bot, 2)
    calls = await bot.send(SOFIE, "/evaluatie")
    assert f"{session(bot, 2).title} {marked}" in calls[0].values(
        "flows/evaluatie/intro")["session"]
    # Dutch readers get no mark
    calls = await bot.send(PIETER, "/sessies")
    assert MARK not in calls[-1].keys and marked not in text(calls[-1])


async def test_the_import_checks_english_texts_and_a_coordinator_edits_their_own_language(bot):
    text = DEMO_FILE.read_text(encoding="utf-8").replace(
        '  agenda = "Kennismaking, je uitdaging scherpstellen, 5x waarom, de actorenkaart."\n', "")
    with pytest.raises(importer.ImportProblem, match="agenda_en.*needs the Dutch"):
        importer.parse(text, "demo")
    hw = photos(bot)
    set_language(bot, ELS, "en")
    await bot.send(ELS, "/sessies")
    await bot.tap(ELS, "⚙️ Session 2")
    await bot.tap(ELS, f"✏️ Text: {hw.title_en[:30]}")
    calls = await bot.send(ELS, "Three photos of your town centre and one sentence why.")
    assert calls[-1].key == "calendar/text_done"
    assert calls[-1].values("calendar/text_done")["other"] == hw.instructions  # Dutch kept
    edited = assignments.get(bot.db, hw.id)
    assert edited.instructions == hw.instructions
    assert edited.instructions_en == "Three photos of your town centre and one sentence why."
    report = importer.import_file(bot.db, bot.bus, DEMO_FILE, now=bot.now())
    assert any("assignment 1 of session 2: instructions_en" in line for line in report.kept)
    assert assignments.get(bot.db, hw.id).instructions_en.startswith("Three photos")


async def test_how_might_we_typed_in_either_language_is_not_doubled(bot, tmp_path, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    m = bot.services.messages
    dutch, english = m.plain("flows/waarom/hkw_prefix", "nl"), m.plain(
        "flows/waarom/hkw_prefix", "en")
    await bot.send(SOFIE, "/waarom")
    calls = await play(bot, SOFIE, [("send", "De kern is 's avonds leeg"),
                                    ("send", "Geen reden om te blijven"),
                                    ("key", "flows/buttons/found_root"),
                                    ("send", "Er is ’s avonds niets te beleven"),
                                    ("send", f"{english} show owners other uses")])
    wanted = f"{english} show owners other uses?"
    summary = "\n".join(text(c) for c in calls)
    assert wanted in summary and f"{dutch} {english.lower()}" not in summary.lower()
    chains = flow_progress.chains(bot.db, bot.services.flows, person_id(bot, SOFIE))
    assert chains[0].hkw == wanted
    # the label copied with its "...?" is not doubled either
    await bot.send(SOFIE, "/waarom")
    await play(bot, SOFIE, [("send", "Leegstand"), ("send", "Geen huurders"),
                            ("key", "flows/buttons/found_root"),
                            ("send", "Te hoge huur"),
                            ("send", f"{dutch.lower()} ...? eigenaars overtuigen")])
    chains = flow_progress.chains(bot.db, bot.services.flows, person_id(bot, SOFIE))
    assert chains[1].hkw == f"{dutch} eigenaars overtuigen?"
    await bot.send(SOFIE, "/brief")
    calls = await bot.tap(SOFIE, key="flows/buttons/pdf")
    pdf = next(c for c in calls if c.method == "sendDocument")
    pdf_text = " ".join("\n".join(page.extract_text()
                                  for page in pypdf.PdfReader(pdf.saved_paths[0]).pages).split())
    assert pdf_text.count(wanted) == 1 and f"{dutch} eigenaars overtuigen?" in pdf_text
    assert f"{dutch} {english}".lower() not in pdf_text.lower()
    assert f"{dutch} {dutch}".lower() not in pdf_text.lower()


async def test_the_trajectory_title_has_no_english_and_is_marked_for_english_readers(bot):
    """A trajectory's title is given in Dutch only: an English reader sees it marked "(in
    Dutch)" in /start and /voortgang, a Dutch reader unmarked."""
    title = trajectories.by_number(bot.db, 7).title
    marked = bot.services.messages.plain(MARK, "en")
    set_language(bot, SOFIE, "en")
    calls = await bot.send(SOFIE, "/start")
    assert f"{title} {marked}" in text(calls[0])
    set_language(bot, ELS, "en")
    calls = await bot.send(ELS, "/voortgang")
    assert f"{title} {marked}" in text(calls[0])
    calls = await bot.send(PIETER, "/start")
    assert title in text(calls[0]) and marked not in text(calls[0])
