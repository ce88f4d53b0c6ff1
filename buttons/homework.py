"""Buttons of /huiswerk and /inzendingen; state prefix "hw" (hw:collect:<assignment>,
hw:feedback:<submission>, hw:reply:<submission>)."""

from __future__ import annotations

from dataclasses import dataclass

from buttons.base import Button

PREFIX = "hw"


@dataclass(frozen=True)
class Open(Button, prefix=PREFIX, action="open"):
    """A participant opens one homework to hand it in."""
    assignment_id: int


@dataclass(frozen=True)
class Submit(Button, prefix=PREFIX, action="submit"):
    assignment_id: int


@dataclass(frozen=True)
class Restart(Button, prefix=PREFIX, action="restart"):
    """Throw away the pieces collected so far: asks first (RestartYes / RestartNo)."""
    assignment_id: int


@dataclass(frozen=True)
class RestartYes(Button, prefix=PREFIX, action="clear"):
    """"Ja, opnieuw beginnen": once, while that question is open (handlers/confirm.py)."""
    assignment_id: int
    nonce: int
    answers_confirmation = True


@dataclass(frozen=True)
class RestartNo(Button, prefix=PREFIX, action="keepall"):
    nonce: int
    answers_confirmation = True


@dataclass(frozen=True)
class Undo(Button, prefix=PREFIX, action="undo"):
    """Bring back the pieces of the last "opnieuw beginnen" (until the hand-in)."""
    assignment_id: int


@dataclass(frozen=True)
class Stop(Button, prefix=PREFIX, action="stop"):
    """Stop collecting for now ("later verder")."""


@dataclass(frozen=True)
class Session(Button, prefix=PREFIX, action="session"):
    """Staff: who handed in the homework of one session."""
    session_id: int


@dataclass(frozen=True)
class View(Button, prefix=PREFIX, action="view"):
    submission_id: int


@dataclass(frozen=True)
class Feedback(Button, prefix=PREFIX, action="feedback"):
    """Staff: write feedback on a submission."""
    submission_id: int


@dataclass(frozen=True)
class Reply(Button, prefix=PREFIX, action="reply"):
    """The participant answers the feedback."""
    submission_id: int


@dataclass(frozen=True)
class SubmitDraft(Button, prefix=PREFIX, action="asis"):
    """At the deadline: hand in the draft as it is (its pieces, dated by its last change)."""
    assignment_id: int


KINDS = (
    Open, Submit, Restart, RestartYes, RestartNo, Undo, Stop, Session, View, Feedback, Reply, SubmitDraft,
)
