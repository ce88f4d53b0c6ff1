"""The design brief (ontwerpbrief) as a document: PDF with fpdf2 and an embedded Unicode font
(DejaVu Sans, shipped inside matplotlib), and DOCX with python-docx.

`collect()` gathers everything in the person's language into a plain `BriefData`; the two
builders only lay it out. Characters the font cannot draw (emoji) are left out of the PDF.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import sqlite_utils

from documents import safe
from flows import engine
from flows.engine import Flow, Group, Pos
from messages.render import Messages
from programme import flow_progress, flow_text
from programme.flow_runner import load_answers
from storage import flow_files, memberships, people, trajectories
from storage import practices as practice_store


@dataclass(frozen=True)
class Part:
    title: str
    done: bool
    rows: list[tuple[str, str | None]]  # (label, answer); None: still open
    # the photos shown under a row (by its index): (local file, caption), in the order sent
    photos: dict[int, list[tuple[str, str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class BriefData:
    language: str
    title: str
    name: str
    municipality: str
    trajectory: str
    version: str
    parts: list[Part]
    action_headers: list[str] = field(default_factory=list)
    actions: list[list[str]] = field(default_factory=list)
    chains: list[flow_progress.Chain] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    # practices chosen from the inspiration library in step 2: "title (place)"
    practices: list[str] = field(default_factory=list)
    practices_after: str = "step2"   # the part they are shown with


def collect(db: sqlite_utils.Database, messages: Messages, flows: dict[str, Flow],
            person_id: int, lang: str, now: datetime) -> BriefData:
    flow = flows["brief"]
    answers = load_answers(db, person_id, "brief")
    person = people.get(db, person_id)
    trajectory = ""
    for membership in memberships.of_person(db, person_id):
        found = trajectories.get(db, membership.trajectory_id)
        if found is not None:
            trajectory = found.title
            break
    parts = []
    headers: list[str] = []
    actions: list[list[str]] = []
    files = {(f.question, f.idx, f.file_id): f for f in flow_files.of_run(db, person_id, "brief")}
    for section in flow.sections:
        rows: list[tuple[str, str | None]] = []
        photos: dict[int, list[tuple[str, str]]] = {}
        for item in flow.items:
            if item.section != section:
                continue
            if isinstance(item, Group):
                headers = [messages.plain(f"flows/brief/{q.id}/label", lang)
                           for q in item.questions]
                for idx in range(item.max):
                    if not any(Pos(q.id, idx) in answers for q in item.questions):
                        break
                    actions.append([
                        flow_text.display_value(messages, lang, flow, Pos(q.id, idx),
                                                answers[Pos(q.id, idx)])
                        if Pos(q.id, idx) in answers else "" for q in item.questions])
                continue
            pos = Pos(item.id)
            if pos not in engine.positions(flow, answers, section):
                continue
            label = messages.plain(f"flows/brief/{item.id}/label", lang)
            value = answers.get(pos)
            if pos in answers and item.type == "photo" and value:
                ids = value if isinstance(value, list) else [value]
                shown = [(f.local_path, f.caption) for f in
                         (files.get((item.id, 0, i)) for i in ids)
                         if f is not None and f.local_path and Path(f.local_path).is_file()]
                if shown:
                    photos[len(rows)] = shown
                rows.append((label, messages.plain("flows/doc/photo", lang, count=len(ids),
                                                   shown=len(shown))))
            elif pos in answers:
                rows.append((label, flow_text.display_value(messages, lang, flow, pos, value)))
            else:
                rows.append((label, None))
        parts.append(Part(messages.plain(f"flows/brief/sections/{section}", lang),
                          engine.is_complete(flow, answers, section), rows, photos))
    texts = {key: messages.plain(f"flows/doc/{key}", lang) for key in (
        "open", "part_open", "chains", "no_chains", "root", "why", "actions",
        "no_actions", "chosen_practices")}
    texts["chain"] = messages.plain("flows/doc/chain", lang, number="{n}")
    texts["version"] = messages.plain("flows/doc/version", lang,
                                      date=messages.format(now, lang, "date"))
    return BriefData(
        language=lang, title=messages.plain("flows/doc/title", lang),
        name=person.name if person else "", municipality=person.municipality if person else "",
        trajectory=trajectory,
        version=messages.format(now, lang, "date"), parts=parts, action_headers=headers,
        actions=actions, chains=flow_progress.chains(db, flows, person_id), texts=texts,
        practices=[f"{c.title} ({c.place})" if c.place else c.title
                   for c in practice_store.chosen(db, person_id)])


def _practices_part(data: BriefData) -> Part | None:
    """The part after which the chosen practices are listed (step 2)."""
    sections = [f"step{i}" for i in range(1, len(data.parts) + 1)]
    if not data.practices or data.practices_after not in sections:
        return None
    return data.parts[sections.index(data.practices_after)]


def file_stem(messages: Messages, data: BriefData) -> str:
    base = messages.plain("flows/doc/filename", data.language)
    who = safe.slug(data.name, fallback="").lower()
    return f"{base}-{who}" if who else base


def _chain_title(data: BriefData, number: str) -> str:
    return data.texts["chain"].replace("{n}", number)


# -- PDF --------------------------------------------------------------------------------------
def font_paths() -> tuple[Path, Path]:
    import matplotlib

    base = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return base / "DejaVuSans.ttf", base / "DejaVuSans-Bold.ttf"


@lru_cache(maxsize=1)
def _drawable() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    regular, _ = font_paths()
    return frozenset(TTFont(str(regular)).getBestCmap())


# The chat's status emoji, as a sign the PDF's font can draw (the rest is left out).
PDF_SIGNS = str.maketrans({"✅": "✓", "⬜": "☐", "⛔": "✗", "💬": "✉",
                           "\ufe0f": None, "\u200d": None})  # emoji presentation, joiner


def pdf_safe(text: str) -> str:
    """Status emoji become signs the font can draw; what it cannot draw (other emoji and the
    like) is left out with one space after it, so "(🎉 foto)" becomes "(foto)"."""
    drawable = _drawable()
    marked = "".join(ch if ch in "\n\t" or ord(ch) in drawable else "\x00"
                     for ch in text.translate(PDF_SIGNS))
    cleaned = re.sub(r"\x00+ ?", "", marked)
    return re.sub(r"[ \t]+", " ", cleaned).strip()


def drawable_or(text: str, instead: str) -> str:
    """`text`, or `instead` when the PDF's font can draw none of it (a message of emoji only
    would otherwise vanish from the document)."""
    return text if not text.strip() or pdf_safe(text) else instead


def new_pdf(margin: float = 18):
    """An A4 fpdf2 document with the embedded Unicode font, and a `text(value, size, style,
    gap)` writer that drops characters the font cannot draw."""
    from fpdf import FPDF

    regular, bold = font_paths()
    pdf = FPDF(format="A4")
    pdf.set_margins(margin, margin, margin)
    pdf.set_auto_page_break(True, margin=margin)
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))

    def text(value: str, size: float = 10.5, style: str = "", gap: float = 1.5) -> None:
        pdf.set_font("DejaVu", style, size)
        pdf.multi_cell(pdf.epw, size * 0.5, pdf_safe(value), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    return pdf, text


def document_bytes(data: BriefData, kind: str) -> bytes:
    """The brief as a PDF or DOCX file's content, built in memory (no temporary files)."""
    if kind == "pdf":
        return bytes(_pdf(data).output())
    if kind == "docx":
        buffer = io.BytesIO()
        _docx(data).save(buffer)
        return buffer.getvalue()
    raise ValueError(f"unknown document kind {kind!r}")


def build_pdf(data: BriefData, path: str | Path) -> Path:
    _pdf(data).output(str(path))
    return Path(path)


def build_docx(data: BriefData, path: str | Path) -> Path:
    _docx(data).save(str(path))
    return Path(path)


def _pdf(data: BriefData):
    pdf, text = new_pdf()
    pdf.set_title(pdf_safe(f"{data.title} {data.name}"))
    pdf.add_page()

    text(data.title, 20, "B", 2)
    text(" · ".join(p for p in (data.name, data.municipality) if p), 12, "B")
    if data.trajectory:
        text(data.trajectory, 11)
    pdf.set_text_color(90, 90, 90)
    text(data.texts["version"], 9.5, "", 4)
    pdf.set_text_color(0, 0, 0)
    for part in data.parts:
        heading = part.title + ("" if part.done else f" ({data.texts['open'].lower()})")
        text(heading, 14, "B", 2)
        if not part.rows and not (data.actions and part is data.parts[-1]):
            text(data.texts["part_open"], 10.5)
        for n, (label, value) in enumerate(part.rows):
            text(label, 10.5, "B", 0.5)
            if value is None:
                pdf.set_text_color(150, 60, 30)
                text(data.texts["open"], 10.5, "", 2.5)
                pdf.set_text_color(0, 0, 0)
            else:
                text(value, 10.5, "", 2.5)
            for path, caption in part.photos.get(n, []):
                _pdf_photo(pdf, text, path, caption)
        if part is _practices_part(data):
            text(data.texts["chosen_practices"], 10.5, "B", 0.5)
            for practice in data.practices:
                text(f"• {practice}", 10.5, "", 0.8)
            pdf.ln(1.5)
        if part is data.parts[-1]:
            text(data.texts["actions"], 12, "B", 1.5)
            if not data.actions:
                text(data.texts["no_actions"])
            else:
                pdf.set_font("DejaVu", "", 8)
                with pdf.table(text_align="LEFT", line_height=4) as table:
                    row = table.row()
                    for header in data.action_headers:
                        row.cell(pdf_safe(header))
                    for action in data.actions:
                        row = table.row()
                        for cell in action:
                            row.cell(pdf_safe(cell))
                pdf.ln(3)
    text(data.texts["chains"], 14, "B", 2)
    if not data.chains:
        text(data.texts["no_chains"])
    for chain in data.chains:
        text(_chain_title(data, chain.number), 11.5, "B", 0.5)
        text(chain.problem)
        for n, why in enumerate(chain.whys, 1):
            text(f"{data.texts['why']} {n}: {why}", 10.5, "", 0.8)
        if chain.root:
            text(f"{data.texts['root']}: {chain.root}", 10.5, "B", 0.8)
        if chain.hkw:
            text(chain.hkw, 10.5, "B", 3)
    return pdf


PHOTO_WIDTH_MM = 90


def _pdf_photo(pdf, text, path: str, caption: str) -> None:
    """One photo beside its step, with its caption; a file that is not an image is skipped
    (the row above already says how many photos there are)."""
    try:
        pdf.image(path, w=PHOTO_WIDTH_MM)
    except Exception:  # not an image fpdf2 can read (a broken download)
        return
    pdf.ln(1)
    if caption:
        pdf.set_text_color(90, 90, 90)
        text(caption, 9.5, "", 2.5)
        pdf.set_text_color(0, 0, 0)
    else:
        pdf.ln(1.5)


def _xml_safe(data: BriefData) -> BriefData:
    """The brief with every text an XML document can hold (python-docx refuses control
    characters that older stored answers may still contain)."""
    from dataclasses import replace

    x = safe.xml_text
    parts = [replace(p, title=x(p.title), rows=[(x(label), None if value is None else x(value))
                                                for label, value in p.rows],
                     photos={n: [(path, x(caption)) for path, caption in shown]
                             for n, shown in p.photos.items()})
             for p in data.parts]
    chains = [replace(c, problem=x(c.problem), whys=[x(w) for w in c.whys], root=x(c.root),
                      hkw=x(c.hkw)) for c in data.chains]
    return replace(data, title=x(data.title), name=x(data.name),
                   municipality=x(data.municipality), trajectory=x(data.trajectory),
                   parts=parts, chains=chains, action_headers=[x(h) for h in data.action_headers],
                   actions=[[x(c) for c in row] for row in data.actions],
                   texts={k: x(v) for k, v in data.texts.items()},
                   practices=[x(p) for p in data.practices])


# -- DOCX -------------------------------------------------------------------------------------
def _docx(data: BriefData):
    data = _xml_safe(data)
    from docx import Document
    from docx.shared import Mm, RGBColor

    doc = Document()
    doc.add_heading(data.title, level=0)
    doc.add_paragraph(" · ".join(p for p in (data.name, data.municipality) if p)).runs[0].bold = True
    if data.trajectory:
        doc.add_paragraph(data.trajectory)
    doc.add_paragraph().add_run(data.texts["version"]).italic = True
    for part in data.parts:
        heading = part.title + ("" if part.done else f" ({data.texts['open'].lower()})")
        doc.add_heading(heading, level=1)
        for n, (label, value) in enumerate(part.rows):
            paragraph = doc.add_paragraph()
            paragraph.add_run(label).bold = True
            paragraph.add_run("\n")
            if value is None:
                run = paragraph.add_run(data.texts["open"])
                run.italic = True
                run.font.color.rgb = RGBColor(0x96, 0x3C, 0x1E)
            else:
                paragraph.add_run(value)
            for path, caption in part.photos.get(n, []):
                try:
                    doc.add_picture(path, width=Mm(PHOTO_WIDTH_MM))
                except Exception:  # not an image python-docx can read
                    continue
                if caption:
                    doc.add_paragraph().add_run(caption).italic = True
        if part is _practices_part(data):
            doc.add_paragraph().add_run(data.texts["chosen_practices"]).bold = True
            for practice in data.practices:
                doc.add_paragraph(practice, style="List Bullet")
        if part is data.parts[-1]:
            doc.add_heading(data.texts["actions"], level=2)
            if not data.actions:
                doc.add_paragraph(data.texts["no_actions"])
            else:
                table = doc.add_table(rows=1, cols=len(data.action_headers))
                table.style = "Table Grid"
                for cell, header in zip(table.rows[0].cells, data.action_headers, strict=True):
                    cell.text = header
                    cell.paragraphs[0].runs[0].bold = True
                for action in data.actions:
                    cells = table.add_row().cells
                    for cell, value in zip(cells, action, strict=True):
                        cell.text = value
    doc.add_heading(data.texts["chains"], level=1)
    if not data.chains:
        doc.add_paragraph(data.texts["no_chains"])
    for chain in data.chains:
        doc.add_heading(_chain_title(data, chain.number), level=2)
        doc.add_paragraph(chain.problem)
        for n, why in enumerate(chain.whys, 1):
            doc.add_paragraph(f"{data.texts['why']} {n}: {why}", style="List Bullet")
        if chain.root:
            doc.add_paragraph().add_run(f"{data.texts['root']}: {chain.root}").bold = True
        if chain.hkw:
            doc.add_paragraph().add_run(chain.hkw).bold = True
    return doc
