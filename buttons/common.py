"""Buttons everybody may see: the language choice of /taal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from buttons.base import Button

PREFIX = "lang"


@dataclass(frozen=True)
class SetLanguage(Button, prefix=PREFIX, action="set"):
    language: Literal["nl", "en"]


KINDS = (SetLanguage,)
