"""Buttons of /stil (pause homework reminders) and of the coordinator's /sessies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from buttons.base import Button

PREFIX = "mute"


@dataclass(frozen=True)
class Mute(Button, prefix=PREFIX, action="set"):
    choice: Literal["1w", "2w", "off", "on"]


# -- the coordinator's calendar in the chat (issue 16); prefix "cal", also the states
# cal:move:<session>, cal:add:<trajectory>, cal:text:<assignment>, cal:due:<assignment>,
# cal:confirm (a previewed change waiting for "Bevestigen")
CAL = "cal"


@dataclass(frozen=True)
class Manage(Button, prefix=CAL, action="manage"):
    session_id: int


@dataclass(frozen=True)
class Move(Button, prefix=CAL, action="move"):
    session_id: int


@dataclass(frozen=True)
class CancelSession(Button, prefix=CAL, action="cancel"):
    session_id: int


@dataclass(frozen=True)
class AddSession(Button, prefix=CAL, action="add"):
    trajectory_id: int


@dataclass(frozen=True)
class EditText(Button, prefix=CAL, action="text"):
    assignment_id: int


@dataclass(frozen=True)
class EditDue(Button, prefix=CAL, action="due"):
    assignment_id: int


@dataclass(frozen=True)
class Confirm(Button, prefix=CAL, action="ok"):
    """Apply the previewed change (kept in the chat's conversation state)."""


@dataclass(frozen=True)
class Abort(Button, prefix=CAL, action="abort"):
    """Leave the change."""


@dataclass(frozen=True)
class Ics(Button, prefix=CAL, action="ics"):
    """/sessies: the calendar invitation (.ics) of one session, for anyone in its trajectory."""
    session_id: int


KINDS = (Mute, Manage, Move, CancelSession, AddSession, EditText, EditDue, Confirm, Abort, Ics)
