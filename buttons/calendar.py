"""Buttons of /stil (pause homework reminders)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from buttons.base import Button

PREFIX = "mute"


@dataclass(frozen=True)
class Mute(Button, prefix=PREFIX, action="set"):
    choice: Literal["1w", "2w", "off", "on"]


KINDS = (Mute,)
