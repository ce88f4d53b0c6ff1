"""Programme content in the person's language: session titles, agendas and homework texts are
given in Dutch in the programme file, and may be given in English too (`title_en`,
`agenda_en`, `instructions_en`). Without an English text the Dutch one is used, and
`is_fallback` says so (the templates mark it).

Templates reach these through `Messages` (the composition root hands this module in):
`{{ session|content("title") }}`, or `messages.programme_text(session, "title", lang)` in code;
both add the mark `common/in_dutch` after a Dutch text shown to an English reader."""

from __future__ import annotations


def pick(obj, name: str, lang: str) -> str:
    """`obj.name` for a reader of `lang`: `name_en` for English when given, else the Dutch."""
    dutch = getattr(obj, name, "") or ""
    if lang == "en":
        english = getattr(obj, f"{name}_en", "") or ""
        if english:
            return english
    return dutch


_pick = pick


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
