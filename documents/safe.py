"""What people typed, made safe for each file format: spreadsheet cells that are never
formulas, XML text without the characters XML forbids, file and ZIP entry names without
paths, dots in front or markup. User text stays literal everywhere."""

from __future__ import annotations

import html
import re

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# OWASP (CSV / spreadsheet injection): a cell starting with one of these is a formula, or can
# become one, in Excel, LibreOffice or Google Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TAG = re.compile(r"<[^<>]*>")


def xml_text(text: str) -> str:
    """Text an XML document (DOCX, XLSX) can hold: forbidden characters left out."""
    return _XML_ILLEGAL.sub("", text)


def sheet_value(value):
    """A value for a spreadsheet cell: text without the characters XLSX forbids."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def append_row(sheet, values) -> None:
    """Append one row; every text cell is stored as text (never a formula), and text that a
    spreadsheet would read as a formula is marked as literal text (quote prefix)."""
    sheet.append([sheet_value(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if cell.value.startswith(FORMULA_START):
                cell.quotePrefix = True


def slug(text: str, limit: int = 60, fallback: str = "x") -> str:
    """A file or folder name from a name or title: markup and entities out, no path
    separators, no dots (so no `..`, no hidden files), only letters, digits and dashes."""
    text = html.unescape(_TAG.sub(" ", text or ""))
    text = re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).strip("-_")
    return text[:limit].strip("-") or fallback
