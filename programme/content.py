"""Programme content in the person's language: session titles, agendas and homework texts are
given in Dutch in the programme file, and may be given in English too (`title_en`,
`agenda_en`, `instructions_en`). Without an English text the Dutch one is used, and
`is_fallback` says so (the templates mark it)."""

from __future__ import annotations


def _pick(obj, name: str, lang: str) -> str:
    dutch = getattr(obj, name, "") or ""
    if lang == "en":
        english = getattr(obj, f"{name}_en", "") or ""
        if english:
            return english
    return dutch


def session_title(session, lang: str) -> str:
    return _pick(session, "title", lang)


def session_agenda(session, lang: str) -> str:
    return _pick(session, "agenda", lang)


def assignment_title(assignment, lang: str) -> str:
    return _pick(assignment, "title", lang)


def assignment_instructions(assignment, lang: str) -> str:
    return _pick(assignment, "instructions", lang)


def is_fallback(obj, name: str, lang: str) -> bool:
    """True when an English reader gets the Dutch text (no English given)."""
    return lang == "en" and bool(getattr(obj, name, "")) and not getattr(obj, f"{name}_en", "")
