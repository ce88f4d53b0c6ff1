"""Answers of guided conversations as words, in a language (for chat summaries and documents)."""

from __future__ import annotations

from typing import Any

from flows.engine import SKIPPED, Flow, Pos, Question
from messages.render import Messages

# Templates without variables render the same every time: keep them per (root, key, language).
_STATIC: dict[tuple, str] = {}
_STATIC_LIMIT = 20_000


def static(messages: Messages, key: str, lang: str, *, html: bool = False, **fixed) -> str:
    """A template rendered once per process (plain, or HTML-escaped); `fixed` values must be
    constants (placeholders the caller replaces)."""
    cache_key = (str(messages.root), key, lang, html, tuple(sorted(fixed.items())))
    text = _STATIC.get(cache_key)
    if text is None:
        text = (messages.render if html else messages.plain)(key, lang, **fixed)
        if len(_STATIC) >= _STATIC_LIMIT:
            _STATIC.clear()  # a safety valve; the shipped flows need a few thousand entries
        _STATIC[cache_key] = text
    return text


def option_labels(messages: Messages, lang: str, q: Question) -> dict[str, str]:
    if q.type == "scale":
        return {o: o for o in q.option_ids}
    return {o: static(messages, f"flows/options/{o}", lang) for o in q.option_ids}


def display_value(messages: Messages, lang: str, flow: Flow, pos: Pos, value: Any) -> str:
    if value is SKIPPED or value is None:
        return static(messages, "flows/ui/skipped", lang)
    q = flow.question(pos.qid)
    if q is None:
        return str(value)
    if q.type in ("photo", "document"):
        count = len(value) if isinstance(value, list) else 1
        return messages.plain("flows/ui/photo", lang, count=count)
    if q.type == "scale":
        return messages.plain("flows/ui/score", lang, value=value)
    if q.type in ("choice", "yesno"):
        return option_labels(messages, lang, q).get(value, str(value))
    if q.type == "multi":
        labels = option_labels(messages, lang, q)
        return ", ".join(labels.get(v, str(v)) for v in value)
    return str(value)


def label(messages: Messages, lang: str, flow: Flow, pos: Pos) -> str:
    text = static(messages, f"flows/{flow.id}/{pos.qid}/label", lang)
    q = flow.question(pos.qid)
    if q is not None and q.group and flow.group(q.group).max > 1:
        text = f"{text} ({pos.idx + 1})"
    return text
