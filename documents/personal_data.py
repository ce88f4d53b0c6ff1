"""A readable PDF of everything stored about a person (for /mijngegevens): the sections of
`programme.privacy.readable`, labels in the person's language."""

from __future__ import annotations

from pathlib import Path

from documents.brief import new_pdf


def build_pdf(title: str, intro: str, sections, path: Path) -> Path:
    pdf, text = new_pdf(margin=16)
    pdf.add_page()
    text(title, 16, "B", 2)
    text(intro, 10, "", 4)
    for section in sections:
        text(section.title, 12, "B", 1.5)
        for label, value in section.lines:
            text(f"{label}: {value}" if label else value, 9.5, "", 1.2)
        pdf.ln(2)
    pdf.output(str(path))
    return path
