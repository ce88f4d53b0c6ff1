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


KINDS = (KeepValue,)
