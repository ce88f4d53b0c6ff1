"""The codec behind every button: pack() and parse() of `<prefix>:<action>:<field>:...`."""

from __future__ import annotations

import dataclasses
import functools
import re
import typing
from typing import Any, ClassVar, Literal, get_args, get_origin

MAX_BYTES = 64           # Telegram's limit for callback_data, in bytes
MAX_ID = 2**31 - 1       # ids we ever hand out; anything larger is forged
_TEXT = re.compile(r"[A-Za-z0-9_.\-]{0,40}")


class CallbackDataTooLong(ValueError):
    """A button whose data would not fit in Telegram's 64 bytes (a programming error)."""


class Button:
    """Base of every button kind; subclasses are frozen dataclasses."""

    prefix: ClassVar[str] = ""
    action: ClassVar[str] = ""
    # The "yes" or "no" of a confirmation (handlers/confirm.py): pressing any other button
    # closes an open confirmation first.
    answers_confirmation: ClassVar[bool] = False
    _fields: ClassVar[tuple[tuple[str, Any], ...]] = ()

    def __init_subclass__(cls, *, prefix: str, action: str, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if not re.fullmatch(r"[a-z]{1,8}", prefix) or not re.fullmatch(r"[a-z]{1,10}", action):
            raise ValueError(f"{cls.__name__}: prefix and action must be short lower-case words")
        cls.prefix, cls.action = prefix, action

    @classmethod
    def _field_types(cls) -> tuple[tuple[str, Any], ...]:
        if cls.__dict__.get("_resolved") is None:
            hints = typing.get_type_hints(cls)
            cls._resolved = tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))
        return cls._resolved

    @classmethod
    def head(cls) -> str:
        return f"{cls.prefix}:{cls.action}"

    def pack(self) -> str:
        parts = [self.prefix, self.action]
        for name, kind in self._field_types():
            value = getattr(self, name)
            text = _encode(kind, value)
            if text is None:
                raise ValueError(f"{type(self).__name__}.{name}: cannot pack {value!r}")
            parts.append(text)
        data = ":".join(parts)
        if len(data) <= MAX_BYTES // 4:  # even four bytes per character would fit
            return data
        if len(data.encode("utf-8")) > MAX_BYTES:
            raise CallbackDataTooLong(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def parse(cls, data: str | None):
        """The button, or None for anything that is not exactly this kind (never raises)."""
        if not isinstance(data, str) or len(data.encode("utf-8", "replace")) > MAX_BYTES:
            return None
        parts = data.split(":")
        fields = cls._field_types()
        if parts[:2] != [cls.prefix, cls.action] or len(parts) != 2 + len(fields):
            return None
        values = {}
        for (name, kind), text in zip(fields, parts[2:], strict=True):
            value = _decode(kind, text)
            if value is _INVALID:
                return None
            values[name] = value
        return cls(**values)


_INVALID = object()


@functools.cache
def _choices(kind) -> tuple | None:
    """The allowed values of a Literal[...] field type, None for other types (per type)."""
    return get_args(kind) if get_origin(kind) is Literal else None


def _encode(kind, value) -> str | None:
    if kind is int:
        return str(value) if type(value) is int and 0 <= value <= MAX_ID else None
    choices = _choices(kind)
    if choices is not None:
        return value if value in choices else None
    text = str(value)
    return text if _TEXT.fullmatch(text) else None


def _decode(kind, text: str):
    if kind is int:
        # ASCII digits only ("²" and "٣" are digits to str.isdigit), no sign, no huge values
        if not (text.isascii() and text.isdigit()) or len(text) > 10:
            return _INVALID
        value = int(text)
        return value if value <= MAX_ID else _INVALID
    choices = _choices(kind)
    if choices is not None:
        return text if text in choices else _INVALID
    return text if _TEXT.fullmatch(text) else _INVALID


def parse_any(kinds, data: str | None):
    """The first kind that parses `data`, parsed; None if none does."""
    for kind in kinds:
        button = kind.parse(data)
        if button is not None:
            return button
    return None
