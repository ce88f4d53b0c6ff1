"""Buttons of the enrolment questions after /start CODE; state prefix "enrol"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from buttons.base import Button

PREFIX = "enrol"


@dataclass(frozen=True)
class KeepValue(Button, prefix=PREFIX, action="ok"):
    """"Klopt": keep the prefilled value of this question."""
    field: Literal["name", "municipality", "department"]


@dataclass(frozen=True)
class Suggestion(Button, prefix=PREFIX, action="pick"):
    """One of the municipalities suggested for a name not in the list (by its place in the
    suggestions kept in the conversation state)."""
    index: int


@dataclass(frozen=True)
class AsTyped(Button, prefix=PREFIX, action="astyped"):
    """Keep the municipality as typed (one not in the list: outside Flanders, say)."""


KINDS = (KeepValue, Suggestion, AsTyped)
