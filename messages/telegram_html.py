"""Telegram HTML that stays valid when it is cut: a long message split in parts, a caption cut
at 1,024 characters. A cut never falls inside a tag (`<b>`) or an entity (`&lt;`); tags still
open at a cut are closed at the end of the part and opened again at the start of the next.

Telegram counts the length of the text *after* parsing the entities; we count the raw HTML,
which is never shorter, so a part that fits here fits there.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"<[^<>]*>|&#?\w+;|\s+|[^<&\s]+|[<&]", re.S)
_TAG = re.compile(r"<(/?)([a-zA-Z-]+)(?:\s[^>]*)?>")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _closing(stack: list[str]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def _opening(stack: list[str]) -> str:
    return "".join(tag for _, tag in stack)


def _track(stack: list[tuple[str, str]], token: str) -> None:
    """Update the stack of open tags with one token."""
    tag = _TAG.fullmatch(token)
    if not tag:
        return
    name = tag.group(2).lower()
    if tag.group(1):
        for i in range(len(stack) - 1, -1, -1):
            if stack[i][0] == name:
                del stack[i]
                return
    elif not token.endswith("/>"):
        stack.append((name, token))


def split(text: str, limit: int = 4096) -> list[str]:
    """Split at line breaks where possible, else between words, never inside a tag or an
    entity; each part is valid HTML on its own."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    stack: list[tuple[str, str]] = []       # tags open at the end of the current part
    tokens: list[str] = []                  # the current part
    size = 0
    breaks: list[tuple[int, list]] = []     # (token index after a line break, open tags)
    for token in _expand(_tokens(text), limit // 4):
        opening = _TAG.fullmatch(token) is not None and not token.startswith("</")
        room = limit - len(_closing(stack)) - (len(token) + 12 if opening else len(token))
        if size > room and "".join(tokens).strip():
            index, open_there = breaks[-1] if breaks else (len(tokens), list(stack))
            head, tail = tokens[:index], tokens[index:]
            parts.append("".join(head).rstrip() + _closing(open_there))
            while tail and not tail[0].strip():
                tail = tail[1:]
            tokens = [_opening(open_there), *tail]
            size = sum(len(t) for t in tokens)
            breaks = []
        tokens.append(token)
        size += len(token)
        _track(stack, token)
        if "\n" in token and not token.startswith("<"):
            breaks.append((len(tokens), list(stack)))
    if "".join(tokens).strip():
        parts.append("".join(tokens).rstrip())
    return parts


def _expand(tokens: list[str], longest: int) -> list[str]:
    """Words longer than `longest` are cut into pieces (a URL, a row of dashes)."""
    out = []
    for token in tokens:
        if len(token) > longest and not token.startswith(("<", "&")):
            out.extend(token[i:i + longest] for i in range(0, len(token), longest))
        else:
            out.append(token)
    return out


def cut(text: str, limit: int = 1024, ellipsis: str = "…") -> str:
    """The first part of `text` that fits in `limit` characters (with an ellipsis when cut),
    never inside a tag or an entity, with every open tag closed."""
    if len(text) <= limit:
        return text
    stack: list[tuple[str, str]] = []
    out = ""
    for token in _expand(_tokens(text), limit // 2):
        tag = _TAG.fullmatch(token)
        extra = len(token) + (len(f"</{tag.group(2)}>") if tag and not tag.group(1) else 0)
        if len(out) + extra + len(_closing(stack)) + len(ellipsis) > limit:
            break
        out += token
        _track(stack, token)
    return out.rstrip() + ellipsis + _closing(stack)
