"""Buttons of /start CODE for someone already enrolled: confirm or decline what the invite
adds; state prefix "st" (st:confirm, holding the code until the person answers)."""

from __future__ import annotations

from dataclasses import dataclass

from buttons.base import Button

PREFIX = "st"


@dataclass(frozen=True)
class ConfirmInvite(Button, prefix=PREFIX, action="yes"):
    pass


@dataclass(frozen=True)
class DeclineInvite(Button, prefix=PREFIX, action="no"):
    pass


KINDS = (ConfirmInvite, DeclineInvite)
