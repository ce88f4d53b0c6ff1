"""Buttons of /vergeetmij; they carry no person id: they act on whoever pressed them."""

from __future__ import annotations

from dataclasses import dataclass

from buttons.base import Button

PREFIX = "pv"


@dataclass(frozen=True)
class Forget(Button, prefix=PREFIX, action="forget"):
    pass


@dataclass(frozen=True)
class Keep(Button, prefix=PREFIX, action="keep"):
    pass


KINDS = (Forget, Keep)
