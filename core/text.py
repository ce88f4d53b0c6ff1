"""What is stored of what people type, decided once, at input: Unicode normalised (NFC), line
breaks as "\\n", and no control characters (besides newline and tab) or lone surrogates, which
no document writer can take. Every handler reads message text and captions through here."""

from __future__ import annotations

import re
import unicodedata

_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean(text: str | None) -> str:
    """The text as it will be stored and shown; "" for None."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n") \
        .replace("\u2029", "\n")
    return _UNWANTED.sub("", text)
