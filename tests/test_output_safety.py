"""Everything people type is safe in every format: a name, an answer, a homework text and an
announcement with arbitrary Unicode (control characters, `$`, `=`, HTML, very long text) go
through the chat, and the chat replies, the brief as PDF and DOCX, the export's PDF, ZIP and
XLSX, the progress PNG and XLSX and the .ics are all produced and hold the stored text
literally. Also the single findings of the security review, one test each."""

from __future__ import annotations

import html
import io
import re
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pypdf
import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from openpyxl import load_workbook

from buttons.flows import Download
from core.text import clean
from documents import safe
from kernbot.harness import AN, ELS, NEWCOMER_USER, BotHarness
from messages import telegram_html
from programme.flow_progress import flow_answers
from storage import homework as store
from storage import people, trajectories

BRUSSELS = ZoneInfo("Europe/Brussels")
SPECIAL = ["=1+1", "=HYPERLINK(\"http://x.example\",\"klik\")", "+32 3 123", "-2+3", "@SUM(A1)",
           "\tTab", "$$", "$\\foo{$", "<b>vet</b> & <i>", "R&D", "\x01\x07 belletje",
           "../../etc/passwd", ".verborgen", "a/b\\c", "😀 emoji", "ﬁ ligatuur", "e\u0301",
           "\u202etekst", "x" * 90]
TEXT = st.one_of(st.sampled_from(SPECIAL),
                 st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60))


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z]{4,}", text)}


async def _documents(bot: BotHarness):
    """Every document the bot makes for the newcomer's data, as (name, bytes)."""
    found = {}
    for kind in ("pdf", "docx"):
        calls = await bot.press(NEWCOMER_USER, Download(kind).pack())
        found[f"brief.{kind}"] = next(c for c in calls if c.method == "sendDocument") \
            .saved_paths[0].read_bytes()
    calls = await bot.send(AN, "/export")
    for call in calls:
        if call.method == "sendDocument":
            found["export" + call.saved_paths[0].suffix] = call.saved_paths[0].read_bytes()
    calls = await bot.send(AN, "/voortgang")
    for call in calls:
        if call.method in ("sendPhoto", "sendDocument"):
            found["progress" + call.saved_paths[0].suffix] = call.saved_paths[0].read_bytes()
    await bot.send(NEWCOMER_USER, "/sessies")
    calls = await bot.sim.tap(NEWCOMER_USER, "Sessie 3 in mijn agenda")  # the one retitled
    found["ics"] = next(c for c in calls if c.saved_paths
                        and c.saved_paths[0].suffix == ".ics").saved_paths[0].read_bytes()
    return found


def _sheet_values(data: bytes) -> list:
    """Every cell value; no cell of a sheet we write is ever a formula."""
    book = load_workbook(io.BytesIO(data))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert not [c.value for c in cells if c.data_type == "f"]
    return [c.value for c in cells]


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=TEXT, answer=TEXT, work=TEXT, notice=TEXT)
async def test_any_text_in_every_format(tmp_path_factory, name, answer, work, notice):
    tmp = tmp_path_factory.mktemp("any")
    from core.clock import FakeClock
    from programme.demo import DEMO_NOW

    async with BotHarness.start(tmp, clock=FakeClock(DEMO_NOW)) as bot:
        seven = trajectories.by_number(bot.db, 7)
        first = trajectories.sessions_of(bot.db, seven.id)[2]   # the next one in April
        trajectories.upsert_session(bot.db, trajectory_id=seven.id, number=3,
                                    title=clean(notice)[:200] or "x",
                                    starts_at=first.starts_at, ends_at=first.ends_at,
                                    mode=first.mode, location=first.location,
                                    video_link=first.video_link, agenda=first.agenda,
                                    status=first.status)
        # a name, typed at enrolment
        await bot.send(NEWCOMER_USER, "/start DEMO-DEELNEMER")
        replies = await bot.send(NEWCOMER_USER, name)
        for call in replies:
            assert "common/error" not in call.keys
        person = people.by_telegram_id(bot.db, NEWCOMER_USER.id)
        if "enrol/invalid" in replies[-1].keys:
            await bot.send(NEWCOMER_USER, "Naam")
        await bot.send(NEWCOMER_USER, "Lier")
        await bot.send(NEWCOMER_USER, "Economie")
        person = people.by_telegram_id(bot.db, NEWCOMER_USER.id)
        # an answer
        await bot.send(NEWCOMER_USER, "/intake")
        replies = await bot.send(NEWCOMER_USER, answer)
        stored_answer = flow_answers(bot.db, person.id, "intake").get(("role", 0))
        for call in replies:
            assert "common/error" not in call.keys
            assert telegram_html.split(call.text, 4096) == [call.text]
        # a homework text (any length)
        bot.clock.set(datetime(2024, 4, 24, 10, 0, tzinfo=BRUSSELS))
        await bot.send(NEWCOMER_USER, "/huiswerk")
        await bot.tap(NEWCOMER_USER, "Foto's van je kern")
        await bot.send(NEWCOMER_USER, work)
        await bot.tap(NEWCOMER_USER, "Indienen")
        # an announcement
        await bot.send(ELS, "/aankondiging")
        await bot.send(ELS, notice)
        await bot.tap(ELS, "Iedereen")
        await bot.tap(ELS, "Nu versturen")
        await bot.run_pass()
        received = [c for c in bot.api.sent(NEWCOMER_USER.id) if "announcements/message" in c.keys]
        assert received and clean(notice).strip() in html.unescape(received[-1].text)

        files = await _documents(bot)
        items = [i for s in store.of_person(bot.db, person.id) for i in store.items(bot.db, s.id)]
        stored_work = next(i.text for i in items if i.kind == "text")
        # DOCX: the brief holds the stored name literally
        docx_text = "\n".join(p.text for p in Document(io.BytesIO(files["brief.docx"])).paragraphs)
        assert person.name in docx_text
        # PDFs are produced and readable; the words the font can draw are in them
        for key in ("brief.pdf", "export.pdf"):
            reader = pypdf.PdfReader(io.BytesIO(files[key]))
            text = " ".join(p.extract_text() for p in reader.pages)
            assert text
        # XLSX: the stored texts, as text, never as formulas (checked in _sheet_values)
        export_values = _sheet_values(files["export.xlsx"])
        assert any(isinstance(v, str) and person.name in v for v in export_values)
        if stored_answer is not None:
            assert stored_answer in export_values
        progress_values = _sheet_values(files["progress.xlsx"])
        assert any(isinstance(v, str) and person.name in v for v in progress_values)
        assert files["progress.png"][:8] == b"\x89PNG\r\n\x1a\n"
        # ZIP: entries are relative paths without "..", markup or hidden names
        names = zipfile.ZipFile(io.BytesIO(files["export.zip"])).namelist()
        for entry in names:
            assert not entry.startswith(("/", ".")) and ".." not in entry.split("/")
            assert "<" not in entry and "\\" not in entry
        assert stored_work is not None
        # .ics: the session title typed by a coordinator, literally
        event = next(c for c in Calendar.from_ical(files["ics"]).walk("VEVENT"))
        assert clean(notice)[:200].strip() in str(event.get("description"))


# -- one test per finding -----------------------------------------------------------------------
def test_formula_like_text_is_written_as_text_with_a_quote_prefix(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    safe.append_row(book.active, ["=1+1", "+32", "-2", "@SUM(A1)", "\tx", "gewoon", 3])
    book.save(tmp_path / "x.xlsx")
    cells = list(load_workbook(tmp_path / "x.xlsx").active.iter_rows())[0]
    assert [c.value for c in cells] == ["=1+1", "+32", "-2", "@SUM(A1)", "\tx", "gewoon", 3]
    assert all(c.data_type == "s" for c in cells[:6])
    assert [c.quotePrefix for c in cells[:6]] == [True] * 5 + [False]


def test_control_characters_are_left_out_at_input():
    assert clean("a\x01b\x07c\r\nd\u2028e\x00") == "abc\nd\ne"
    assert clean("e\u0301") == "é"
    assert clean("\ud800x") == "x"


@pytest.mark.parametrize("text", ["R&amp;D " * 300, "<b>" + "x&lt;y " * 400 + "</b>",
                                  "a&lt;" * 2000, "<i>één</i>\n" * 800])
def test_long_messages_and_captions_are_never_cut_inside_a_tag_or_entity(text):
    for part in telegram_html.split(text, 4096) + [telegram_html.cut(text, 1024)]:
        assert len(part) <= 4096
        assert not re.search(r"&[#\w]*$|<[^>]*$", part.rstrip("…</bi>"))
        opened = re.findall(r"<([a-z]+)>", part)
        closed = re.findall(r"</([a-z]+)>", part)
        assert sorted(opened) == sorted(closed), part[-80:]
        assert re.sub(r"&(amp|lt|gt|quot);", "", part).count("&") == 0
    assert len(telegram_html.cut(text, 1024)) <= 1024


@pytest.mark.parametrize("name, expected", [
    ("<b>Jan</b> Vermeulen", "Jan-Vermeulen"), ("../../etc", "etc"), (".verborgen", "verborgen"),
    ("a/b\\c", "a-b-c"), ("R&amp;D", "R-D"), ("", "x")])
def test_file_and_zip_names_carry_no_path_or_markup(name, expected):
    assert safe.slug(name) == expected


def test_stored_extension_follows_the_content_type(tmp_path):
    from programme.homework import file_path

    assert file_path(tmp_path, 7, 1, 2, 3, "application/pdf").suffix == ".pdf"
    assert file_path(tmp_path, 7, 1, 2, 3, "application/x-msdownload").suffix == ".bin"


async def test_chart_and_sheets_survive_dollar_signs_and_formulas(bot):
    sofie = people.by_telegram_id(bot.db, 9011)
    people.update(bot.db, sofie.id, bot.now(), name="$$ =1+1 $\\foo{$", municipality="@Lier")
    calls = await bot.send(ELS, "/voortgang")
    assert any(c.method == "sendPhoto" for c in calls)
    sheet = next(c for c in calls if c.method == "sendDocument")
    values = _sheet_values(sheet.saved_paths[0].read_bytes())
    assert any(isinstance(v, str) and v.startswith("$$ =1+1") for v in values)
    calls = await bot.send(ELS, "/export")
    assert sum(c.method == "sendDocument" for c in calls) == 3
