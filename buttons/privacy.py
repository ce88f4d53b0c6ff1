"""Buttons of /vergeetmij; they carry no person id: they act on whoever pressed them, and
only while that person's confirmation is open (the number it was asked with)."""

from __future__ import annotations

from dataclasses import dataclass

from buttons.base import Button

PREFIX = "pv"


@dataclass(frozen=True)
class Forget(Button, prefix=PREFIX, action="forget"):
    """"Ja, wis alles": works once, while /vergeetmij is the open question (handlers/confirm)."""
    nonce: int
    answers_confirmation = True


@dataclass(frozen=True)
class Keep(Button, prefix=PREFIX, action="keep"):
    nonce: int
    answers_confirmation = True


KINDS = (Forget, Keep)
