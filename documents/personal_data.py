"""A readable PDF of everything stored about a person (for /mijngegevens)."""

from __future__ import annotations

from pathlib import Path

from documents.brief import new_pdf


def build_pdf(title: str, intro: str, data: dict[str, list[dict]], path: Path,
              table_titles: dict[str, str]) -> Path:
    pdf, text = new_pdf(margin=16)
    pdf.add_page()
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
