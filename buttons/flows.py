"""Buttons of the guided conversations (/intake, /brief, /waarom, /evaluatie); state prefix "fl"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from buttons.base import Button

PREFIX = "fl"
Nav = Literal["back", "skip", "stop", "keep", "done", "sugg", "split", "rest", "draft"]
FlowId = Literal["intake", "brief", "waarom", "evaluatie", "slotevaluatie"]


@dataclass(frozen=True)
class Answer(Button, prefix=PREFIX, action="ans"):
    """Answer the question (flow, instance, question, index) with an option."""
    flow: str
    instance: str
    question: str
    idx: int
    option: str


@dataclass(frozen=True)
class Toggle(Button, prefix=PREFIX, action="tog"):
    """Switch one option of a multiple-choice question on or off."""
    flow: str
    instance: str
    question: str
    idx: int
    option: str


@dataclass(frozen=True)
class Move(Button, prefix=PREFIX, action="nav"):
    """back, skip, stop (the five whys: "I found the root"), keep, done (multi), sugg; for a
    text kept as a draft: split (first part here, the rest later), rest (use the rest here),
    draft (send it back to shorten it)."""
    flow: str
    instance: str
    question: str
    idx: int
    nav: Nav


@dataclass(frozen=True)
class Edit(Button, prefix=PREFIX, action="edit"):
    """Change one answer from the summary."""
    flow: str
    instance: str
    question: str
    idx: int


@dataclass(frozen=True)
class Start(Button, prefix=PREFIX, action="start"):
    """Start or resume a flow (sent by /start, the reminders and the menus)."""
    flow: FlowId
    instance: str = ""


@dataclass(frozen=True)
class Switch(Button, prefix=PREFIX, action="switch"):
    """Pause the current flow and start this one (after "pause the current one?")."""
    flow: FlowId
    instance: str
    section: str


@dataclass(frozen=True)
class KeepCurrent(Button, prefix=PREFIX, action="keep"):
    """Carry on with the current flow."""


@dataclass(frozen=True)
class BriefMenu(Button, prefix=PREFIX, action="menu"):
    """The design brief's menu."""


@dataclass(frozen=True)
class BriefStep(Button, prefix=PREFIX, action="step"):
    section: str


@dataclass(frozen=True)
class Download(Button, prefix=PREFIX, action="dl"):
    kind: Literal["pdf", "docx"]


@dataclass(frozen=True)
class NewChain(Button, prefix=PREFIX, action="newchain"):
    """Start a new five-whys chain."""


@dataclass(frozen=True)
class Chain(Button, prefix=PREFIX, action="chain"):
    """One five-whys chain from /brief: its overview when finished, else carry on with it."""
    number: int


# Every flow button kind, for the loader's byte check and the access matrix.
KINDS = (Answer, Toggle, Move, Edit, Start, Switch, KeepCurrent, BriefMenu, BriefStep, Download,
         NewChain, Chain)
