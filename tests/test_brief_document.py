"""The design brief as PDF and DOCX: sent with sendDocument, temporary file removed, and the
text (answers, accents, open parts, chains, action sheets) is really in the files."""

from __future__ import annotations

import tempfile

import docx
import pypdf

from documents import brief as brief_document
from kernbot.harness import SOFIE
from tests.flow_helpers import BACK_TO_BRIEF, NO, person_id, play

PROBLEM = "Françoise’s café sluit; de kern is ’s avonds leeg (één ruïne, ëven erg)"


async def fill_brief(bot):
    await bot.send(SOFIE, "/brief")
    await bot.tap(SOFIE, key="flows/brief/sections/step1")
    await play(bot, SOFIE, [("send", PROBLEM), ("send", "Enkel de Grote Markt"),
                            ("send", "Doel: een levendige kern"), ("send", "Een gezin met bakfiets"),
                            ("send", "De handelaarsvereniging"), ("send", "Het cultuurcentrum"),
                            ("key", "flows/options/ladder_codecide"),
                            ("key", "flows/options/role_facilitate"),
                            ("key", "flows/buttons/multi_done")])
    await bot.tap(SOFIE, key=BACK_TO_BRIEF)
    await bot.tap(SOFIE, key="flows/brief/sections/step4")
    await play(bot, SOFIE, [("send", "Pop-up in het leegstaande pand"), ("send", "Sofie"),
                            ("key", "flows/options/place_bound"),
                            ("key", "flows/options/urgency_low"),
                            ("key", "flows/options/ic_small"), ("send", "Na één maand"),
                            ("send", "De opening"), ("key", NO)])
    await bot.send(SOFIE, "/cancel")  # the anchoring questions stay open
    await bot.send(SOFIE, "/waarom")
    await bot.tap(SOFIE, key="flows/buttons/use_suggestion")
    await play(bot, SOFIE, [("send", "Geen reden om te blijven"),
                            ("key", "flows/buttons/found_root"),
                            ("send", "Er is ’s avonds niets te beleven"),
                            ("send", "de avond beleefbaar maken")])


async def test_pdf_and_docx_contain_the_answers_and_accents(bot, tmp_path, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    await fill_brief(bot)
    await bot.send(SOFIE, "/brief")
    calls = await bot.tap(SOFIE, key="flows/buttons/pdf")
    pdf_call = next(c for c in calls if c.method == "sendDocument")
    assert pdf_call.key == "flows/ui/document_caption"
    assert pdf_call.values(pdf_call.key) == {"date": "maandag 12 februari 2024"}
    calls = await bot.tap(SOFIE, key="flows/buttons/docx")
    docx_call = next(c for c in calls if c.method == "sendDocument")
    assert list(scratch.iterdir()) == []  # temporary files removed after sending
    pdf_path, docx_path = pdf_call.saved_paths[0], docx_call.saved_paths[0]
    m = bot.services.messages
    assert pdf_path.name == f"{m.plain('flows/doc/filename', 'nl')}-sofie-janssens.pdf"
    assert docx_path.suffix == ".docx"
    pdf_text = "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf_path).pages)
    document = docx.Document(str(docx_path))
    docx_text = "\n".join([p.text for p in document.paragraphs] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells])
    # Template texts as rendered now (the documents' own wording comes from messages/),
    # with the answers, names and accents that must survive into the files.
    still_open = m.plain("flows/doc/open", "nl")
    templates = (m.plain("flows/doc/title", "nl"),
                 m.plain("flows/doc/version", "nl", date="maandag 12 februari 2024"),
                 m.plain("flows/options/ladder_codecide", "nl"),
                 f"{m.plain('flows/brief/sections/step2', 'nl')} ({still_open.lower()})",
                 still_open, m.plain("flows/options/urgency_low", "nl"),
                 m.plain("flows/doc/chain", "nl", number=1),
                 f"{m.plain('flows/waarom/hkw_prefix', 'nl')} de avond beleefbaar maken?")
    data = ("Sofie Janssens", "Lier", "Het DNA van de kern", "Françoise’s café",
            "één ruïne, ëven erg", "Pop-up in het leegstaande pand", "Geen reden om te blijven")
    for text in (pdf_text, docx_text):
        flat = " ".join(text.split())
        for expected in (*templates, *data):
            assert expected in flat, (expected, flat[:300])
    assert m.plain("flows/brief/action/label", "nl") in docx_text and len(document.tables) == 1
    assert len(document.tables[0].rows) == 2


def test_pdf_leaves_out_what_the_font_cannot_draw(tmp_path):
    assert brief_document.pdf_safe("Klaar 🎉 één") == "Klaar één"


def test_pdf_draws_the_status_emoji_as_signs_and_leaves_no_gap_in_brackets():
    assert brief_document.pdf_safe("Opdracht (⬜ open)") == "Opdracht (☐ open)"
    assert brief_document.pdf_safe("(✅ ingediend) (⛔ afgesloten) (💬 feedback)") == \
        "(✓ ingediend) (✗ afgesloten) (✉ feedback)"
    assert brief_document.pdf_safe("Feest (🎉) en (🎉 foto)\n🎉 Klaar") == \
        "Feest () en (foto)\nKlaar"
    assert brief_document.pdf_safe("( zoals getypt ) ⛔️") == "( zoals getypt ) ✗"


async def test_english_document_for_an_empty_brief(bot, tmp_path):
    from tests.flow_helpers import set_language

    set_language(bot, SOFIE, "en")
    data = brief_document.collect(bot.db, bot.services.messages, bot.services.flows, person_id(bot, SOFIE), "en",
                                  bot.now())
    path = brief_document.build_pdf(data, tmp_path / "b.pdf")
    text = " ".join("\n".join(p.extract_text() for p in pypdf.PdfReader(path).pages).split())
    m = bot.services.messages
    for key in ("flows/doc/title", "flows/doc/open", "flows/doc/no_chains"):
        assert m.plain(key, "en") in text, key
    assert m.plain(key, "nl") not in text
    assert m.plain("flows/doc/version", "en", date="Monday 12 February 2024") in text


def test_a_message_of_emoji_only_is_named_not_dropped():
    """Regression (console walk): a homework piece "🙂" was missing from the export PDF."""
    assert brief_document.drawable_or("🙂🎉", "[emoji]") == "[emoji]"
    assert brief_document.drawable_or("Klaar 🎉", "[emoji]") == "Klaar 🎉"
    assert brief_document.drawable_or("", "[emoji]") == ""
