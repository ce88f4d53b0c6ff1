"""Answers of guided conversations as words, in a language (for chat summaries and documents)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.engine import SKIPPED, Flow, Pos, Question
from messages.render import Messages


def option_labels(messages: Messages, lang: str, q: Question) -> dict[str, str]:
    if q.type == "scale":
        return {o: o for o in q.option_ids}
    return {o: messages.static(f"flows/options/{o}", lang) for o in q.option_ids}


def error_values(params: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, Any]:
    """The values every flows/errors/<key> template is rendered with: the same names for
    every error and every question type (a template may use any of them), the engine's
    parameters on top."""
    values: dict[str, Any] = {"options": ", ".join(labels.values()), "unknown": "",
                              "low": 1, "high": 5, "limit": 0, "length": 0, "minimum": 0}
    values.update({k: v for k, v in params.items() if v is not None})
    unknown = str(values["unknown"])
    values["unknown"] = unknown if len(unknown) <= 40 else unknown[:40].rstrip() + "…"
    return values


def display_value(messages: Messages, lang: str, flow: Flow, pos: Pos, value: Any) -> str:
    if value is SKIPPED or value is None:
        return messages.static("flows/ui/skipped", lang)
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
    text = messages.static(f"flows/{flow.id}/{pos.qid}/label", lang)
    q = flow.question(pos.qid)
    if q is not None and q.group and flow.group(q.group).max > 1:
        text = f"{text} ({pos.idx + 1})"
    return text


def how_might_we(prefix: str, text: str, others: tuple[str, ...] = ()) -> str:
    """Turn typed text into a "Hoe kunnen we ...?" question (`prefix` in the person's
    language); text that already starts with (part of) the prefix, or with the prefix of
    another language (`others`: "How might we" for a Dutch reader), is not doubled, also when
    it was copied with its "...?" ("Hoe kunnen we ...? de avond beleefbaar maken")."""
    body = text.strip().lstrip(".… ").strip()
    if not body:
        return text
    typed = _typed_prefix(body, (prefix, *others))
    if typed is not None:
        head, rest = typed
        while (again := _typed_prefix(rest, (prefix, *others))) is not None:
            rest = again[1]      # "Hoe kunnen we how might we ...": said once
        if not rest:
            return f"{head} ...?"
        body = f"{head[0].upper()}{head[1:]} {rest}"
    else:
        words = prefix.split()
        for n in range(len(words) - 1, 0, -1):  # "we de leegstand ..." after "Hoe kunnen"
            tail = " ".join(words[n:]).casefold() + " "
            if body.casefold().startswith(tail):
                body = body[len(tail):]
                break
        body = f"{prefix} {body[0].lower()}{body[1:]}" if body else prefix
    if not body.endswith("?"):
        body = body.rstrip(".!") + "?"
    return body


def _typed_prefix(body: str, prefixes: tuple[str, ...]) -> tuple[str, str] | None:
    """(the prefix as typed, the rest without the "...?" after it) when `body` starts with
    one of `prefixes` (any case, as whole words), else None."""
    folded = body.casefold()
    for prefix in prefixes:
        p = prefix.strip().casefold()
        if p and folded.startswith(p) and (len(body) == len(p) or not body[len(p)].isalnum()):
            rest = body[len(p):].lstrip(" .…?\u00a0").strip()
            return body[:len(p)], rest
    return None


def hkw_prefixes(messages: Messages) -> tuple[str, ...]:
    """The "Hoe kunnen we" of every language."""
    from messages.render import LANGUAGES

    return tuple(messages.static("flows/waarom/hkw_prefix", lang) for lang in LANGUAGES)


def split_at(text: str, limit: int) -> tuple[str, str]:
    """(the first part of at most `limit` characters, the rest): cut after the last paragraph,
    sentence or word that fits, never inside a word when a space is near enough."""
    text = text.strip()
    if len(text) <= limit:
        return text, ""
    head = text[:limit]
    for mark in ("\n\n", "\n", ". ", "! ", "? ", "; ", " "):
        cut = head.rfind(mark)
        if cut >= limit // 2:
            cut += len(mark.rstrip())
            return text[:cut].rstrip(), text[cut:].strip()
    return head, text[limit:].strip()
