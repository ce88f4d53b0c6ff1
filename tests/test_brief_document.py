"""The design brief as PDF and DOCX: sent with sendDocument, temporary file removed, and the
text (answers, accents, open parts, chains, action sheets) is really in the files."""

from __future__ import annotations

import tempfile

import docx
import pypdf

from documents import brief as brief_document
from kernbot.harness import SOFIE
from tests.flow_helpers import person_id, play

PROBLEM = "Françoise’s café sluit; de kern is ’s avonds leeg (één ruïne, ëven erg)"


async def fill_brief(bot):
    await bot.send(SOFIE, "/brief")
    await bot.tap(SOFIE, "Stap 1")
    await play(bot, SOFIE, [("send", PROBLEM), ("send", "Enkel de Grote Markt"),
                            ("send", "Doel: een levendige kern"), ("send", "Een gezin met bakfiets"),
                            ("send", "De handelaarsvereniging"), ("send", "Het cultuurcentrum"),
                            ("tap", "Meebeslissen")])
    await bot.tap(SOFIE, "Terug naar de ontwerpbrief")
    await bot.tap(SOFIE, "Stap 4")
    await play(bot, SOFIE, [("send", "Pop-up in het leegstaande pand"), ("send", "Sofie"),
                            ("tap", "Plaatsgebonden"), ("tap", "Kan wachten"),
                            ("tap", "Kleine impact, kleine kost"), ("send", "Na één maand"),
                            ("send", "De opening"), ("tap", "Nee")])
    await bot.send(SOFIE, "/cancel")  # the anchoring questions stay open
    await bot.send(SOFIE, "/waarom")
    await bot.tap(SOFIE, "Neem mijn probleemstelling")
    await play(bot, SOFIE, [("send", "Geen reden om te blijven"), ("tap", "kern gevonden"),
                            ("send", "Er is ’s avonds niets te beleven"),
                            ("send", "de avond beleefbaar maken")])


async def test_pdf_and_docx_contain_the_answers_and_accents(bot, tmp_path, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    await fill_brief(bot)
    await bot.send(SOFIE, "/brief")
    calls = await bot.tap(SOFIE, "PDF")
    pdf_call = next(c for c in calls if c.method == "sendDocument")
    assert "versie van maandag 12 februari 2024" in pdf_call.text
    calls = await bot.tap(SOFIE, "Word")
    docx_call = next(c for c in calls if c.method == "sendDocument")
    assert list(scratch.iterdir()) == []  # temporary files removed after sending
    pdf_path, docx_path = pdf_call.saved_paths[0], docx_call.saved_paths[0]
    assert pdf_path.name == "ontwerpbrief-sofie-janssens.pdf"
    pdf_text = "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf_path).pages)
    document = docx.Document(str(docx_path))
    docx_text = "\n".join([p.text for p in document.paragraphs] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells])
    for text in (pdf_text, docx_text):
        flat = " ".join(text.split())
        for expected in ("Ontwerpbrief", "Sofie Janssens", "Lier", "Het DNA van de kern",
                         "Versie van maandag 12 februari 2024", "Françoise’s café",
                         "één ruïne, ëven erg", "Meebeslissen",
                         "Stap 2: praktijken en oplossingsrichtingen verkennen (nog open)",
                         "Nog open", "Pop-up in het leegstaande pand", "Kan wachten",
                         "Keten 1", "Geen reden om te blijven",
                         "Hoe kunnen we de avond beleefbaar maken?"):
            assert expected in flat, (expected, flat[:300])
    assert "Actie" in docx_text and len(document.tables) == 1
    assert len(document.tables[0].rows) == 2


def test_pdf_leaves_out_what_the_font_cannot_draw(tmp_path):
    assert brief_document.pdf_safe("Klaar ✅ 🎉 één") == "Klaar één"


async def test_english_document_for_an_empty_brief(bot, tmp_path):
    from tests.flow_helpers import set_language

    set_language(bot, SOFIE, "en")
    data = brief_document.collect(bot.db, bot.services.messages, bot.services.flows, person_id(bot, SOFIE), "en",
                                  bot.now())
    path = brief_document.build_pdf(data, tmp_path / "b.pdf")
    text = " ".join("\n".join(p.extract_text() for p in pypdf.PdfReader(path).pages).split())
    assert "Design brief" in text and "Still open" in text and "No chains yet." in text
    assert "Version of Monday 12 February 2024" in text
