"""The preparation pack of a working session as one PDF (fpdf2, the brief's Unicode font):
a first page with the group at a glance, then one part per participant, then the evaluations
of the previous session side by side. Data from `programme.preparation`; every word from the
templates `prep/...` in the reader's language; user text as it was typed (pictures measured
before decoding, characters the font cannot draw left out)."""

from __future__ import annotations

import io
from pathlib import Path

from documents import images
from documents.brief import drawable_or, new_pdf, pdf_safe
from messages.render import Messages
from programme import preparation

THUMB = 55   # millimetres: the width of a photo in the pack


def file_name(m: Messages, pack: preparation.Pack, lang: str) -> str:
    return m.plain("prep/filename", lang, trajectory=pack.trajectory, session=pack.session) \
        + ".pdf"


def pack_pdf(m: Messages, pack: preparation.Pack, lang: str) -> bytes:
    def w(name: str, **values) -> str:
        return m.plain(f"prep/{name}", lang, **values)

    def lab(name: str) -> str:
        return m.plain("prep/label", lang, name=name)

    pdf, text = new_pdf(margin=15)
    pdf.set_title(pdf_safe(w("title", session=pack.session)))
    pdf.add_page()
    text(w("title", session=pack.session), 16, "B", 1.5)
    text(w("when", trajectory=pack.trajectory, session=pack.session, made=pack.made_at,
           previous=pack.previous), 9.5, "", 3)
    # -- the group at a glance ----------------------------------------------------------------
    text(lab("glance"), 13, "B", 1.5)
    pdf.set_font("DejaVu", "", 8)
    with pdf.table(text_align="LEFT", line_height=4,
                   col_widths=(32, 14, 19, 15, 38, 18, 44)) as table:
        row = table.row()
        for name in ("participant", "intake", "brief", "whys", "homework", "evaluation",
                     "behind"):
            row.cell(pdf_safe(lab(name)))
        for p in pack.participants:
            row = table.row()
            row.cell(pdf_safe(f"{p.person.name} ({p.person.municipality})"
                              if p.person.municipality else p.person.name))
            row.cell(lab("done") if p.intake_done else lab("open"))
            row.cell(f"{p.progress.brief_done}/4")
            row.cell(str(p.progress.chains))
            row.cell(pdf_safe("; ".join(_status(m, lang, h) for h in p.homework)
                              or lab("none")))
            score = p.evaluation.score if p.evaluation is not None else None
            row.cell(f"{score}/5" if score is not None else lab("none"))
            row.cell(pdf_safe(m.plain("progress/behind", lang, items=p.progress.behind)
                              if p.progress.behind else lab("none")))
    pdf.ln(3)
    if pack.evaluations is not None:
        e = pack.evaluations
        text(w("average", count=len(e.complete), expected=e.expected, session=e.session,
               average=e.average), 9.5, "", 2)
    # -- per participant ------------------------------------------------------------------------
    for p in pack.participants:
        pdf.add_page()
        person = p.person
        text(" · ".join(x for x in (person.name, person.municipality, person.department) if x),
             14, "B", 2)
        text(lab("intake"), 12, "B", 1)
        if not p.intake_done:
            text(lab("intake_open"), 9.5, "", 1)
        for label, value in p.intake.rows:
            text(f"{label}: {value}", 9, "", 0.6)
        pdf.ln(2)
        text(lab("brief"), 12, "B", 1)
        for part in p.brief:
            text(part.title + ("" if part.done else f" ({lab('open')})"), 10.5, "B", 0.8)
            if not any(row.value is not None for row in part.rows) and not (
                    part is p.brief[-1] and p.actions):
                text(lab("not_started"), 9, "", 0.8)
                continue
            for row in part.rows:
                mark = f" [{lab(row.change)}]" if row.change else ""
                value = row.value if row.value is not None else lab("no_answer")
                text(f"{row.label}{mark}: {value}", 9, "", 0.6)
        if p.actions:
            text(lab("actions"), 10.5, "B", 0.8)
            for action in p.actions:
                text(" | ".join(f"{h}: {v}" for h, v in zip(p.action_headers, action,
                                                             strict=False) if v), 9, "", 0.8)
        if p.brief_photos:
            text(w("brief_photos", count=p.brief_photos), 9, "", 1)
        pdf.ln(1.5)
        text(lab("chains"), 12, "B", 1)
        if not p.chains:
            text(lab("no_chains"), 9.5, "", 1)
        for chain in p.chains:
            text(m.plain("flows/doc/chain", lang, number=chain.number) + ": " + chain.problem,
                 9.5, "B", 0.5)
            for n, why in enumerate(chain.whys, 1):
                text(f"{m.plain('flows/doc/why', lang)} {n}: {why}", 9, "", 0.4)
            if chain.root:
                text(f"{lab('root')}: {chain.root}", 9, "", 0.4)
            if chain.hkw:
                text(chain.hkw, 9.5, "B", 1.2)
        pdf.ln(1.5)
        text(lab("homework_here"), 12, "B", 1)
        if not p.homework:
            text(lab("no_homework"), 9.5, "", 1)
        for h in p.homework:
            colour = (170, 30, 30) if h.status in ("overdue", "late") else (0, 0, 0)
            pdf.set_text_color(*colour)
            text(f"{h.title}: {_status(m, lang, h)} ({w('due', due=h.due_at)})", 10, "B", 0.8)
            pdf.set_text_color(0, 0, 0)
            if h.blocks and not h.changed:   # the same as the brief above: not twice
                text(lab("as_in_brief"), 9, "", 0.8)
            for block in (h.blocks if h.changed else []):
                text(block.title, 9.5, "B", 0.4)
                for label, value in block.rows:
                    text(f"{label}: {value}", 9, "", 0.4)
            for line in h.texts:
                text(drawable_or(line, lab("emoji_only")), 9, "", 0.8)
            if h.files:
                text(f"{lab('files')}: " + ", ".join(h.files), 9, "", 0.8)
            for path in h.photos:
                if not Path(path).exists():
                    continue
                small = images.thumbnail(path, box=600)
                if small is not None:
                    pdf.image(io.BytesIO(small), w=THUMB)
                    pdf.ln(1)
        pdf.ln(1.5)
        if pack.previous is not None:
            text(w("evaluation_heading", session=pack.previous), 12, "B", 1)
            if p.evaluation is None:
                text(lab("no_evaluation"), 9.5, "", 1)
            else:
                for label, value in p.evaluation.block.rows:
                    text(f"{label}: {value}", 9, "", 0.5)
    # -- the previous session's evaluations side by side ---------------------------------------
    if pack.evaluations is not None and pack.evaluations.entries:
        e = pack.evaluations
        pdf.add_page()
        text(f"{lab('summary')}: " + w("evaluation_heading", session=e.session), 13, "B", 1)
        text(w("average", count=len(e.complete), expected=e.expected, session=e.session,
               average=e.average), 9.5, "", 2)
        for qid, label in e.labels.items():
            text(label, 10.5, "B", 0.8)
            answers = e.answers_to(qid)
            if not answers:
                text(lab("nothing_yet"), 9, "", 1)
            for person, answer in answers:
                text(f"{person.name}: {answer}", 9, "", 0.6)
            pdf.ln(1)
        scores = [f"{x.person.name}: {x.score}/5" for x in e.entries if x.score is not None]
        if scores:
            text(f"{lab('score')}: " + "; ".join(scores), 9, "", 1)
    return bytes(pdf.output())


def _status(m: Messages, lang: str, h: preparation.HomeworkEntry) -> str:
    if h.status == "n/a":
        words = m.plain("prep/label", lang, name="n/a")
    else:
        words = m.plain("homework/_status", lang, status=h.status)
    if h.draft_pieces:
        words += " (" + m.plain("prep/draft", lang, count=h.draft_pieces) + ")"
    return words

