"""Buttons of the inspiration library ("laat me voorbeelden zien" in brief step 2, and from
/groep)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from buttons.base import Button

PREFIX = "lb"


@dataclass(frozen=True)
class Examples(Button, prefix=PREFIX, action="examples"):
    """Practices that fit your theme and challenge ("fit"), or the whole library ("all")."""
    scope: Literal["fit", "all"]


@dataclass(frozen=True)
class Choose(Button, prefix=PREFIX, action="choose"):
    """Keep a practice with brief step 2 (pressed again: taken off)."""
    key: str


KINDS = (Examples, Choose)
