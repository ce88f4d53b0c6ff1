"""A readable PDF of everything stored about a person (for /mijngegevens)."""

from __future__ import annotations

from pathlib import Path

from documents.brief import font_paths, pdf_safe


def build_pdf(title: str, intro: str, data: dict[str, list[dict]], path: Path,
              table_titles: dict[str, str]) -> Path:
    from fpdf import FPDF

    regular, bold = font_paths()
    pdf = FPDF(format="A4")
    pdf.set_margins(16, 16, 16)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    pdf.add_page()
    width = pdf.epw

    def text(value: str, size: float = 9.5, style: str = "", gap: float = 1.0) -> None:
        pdf.set_font("DejaVu", style, size)
        pdf.multi_cell(width, size * 0.5, pdf_safe(value), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    text(title, 16, "B", 2)
    text(intro, 10, "", 4)
    for table, rows in data.items():
        if not rows:
            continue
        text(f"{table_titles.get(table, table)} ({len(rows)})", 12, "B", 1.5)
        for row in rows:
            text("; ".join(f"{k}: {v}" for k, v in row.items() if v not in (None, "")), 8.5,
                 "", 1.5)
    pdf.output(str(path))
    return path
