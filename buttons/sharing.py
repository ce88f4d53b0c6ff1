"""Buttons of /groep (sharing with the group, the shelf, reactions, the coaches' picks,
publishing in the library); state prefix "sh" (sh:ask:<item>, sh:answer:<reaction>).

What is shared is named by kind and ref: `brief` + `step1`..`step4`, `chain` + its number,
`hw` + the submission id (see programme/sharing.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from buttons.base import Button

PREFIX = "sh"
Kind = Literal["brief", "chain", "hw"]


@dataclass(frozen=True)
class ShareMenu(Button, prefix=PREFIX, action="menu"):
    """A participant: what you finished and could share."""


@dataclass(frozen=True)
class Offer(Button, prefix=PREFIX, action="offer"):
    """"Deel met je groep?": the preview of exactly what peers would see."""
    kind: Kind
    ref: str


@dataclass(frozen=True)
class Share(Button, prefix=PREFIX, action="share"):
    """Share the previewed thing with one trajectory."""
    kind: Kind
    ref: str
    trajectory_id: int


@dataclass(frozen=True)
class NotNow(Button, prefix=PREFIX, action="notnow"):
    pass


@dataclass(frozen=True)
class Mine(Button, prefix=PREFIX, action="mine"):
    """What you shared, who takes it along, and withdrawing it."""


@dataclass(frozen=True)
class Withdraw(Button, prefix=PREFIX, action="withdraw"):
    item_id: int


@dataclass(frozen=True)
class Shelf(Button, prefix=PREFIX, action="shelf"):
    """The shelf of one trajectory."""
    trajectory_id: int


@dataclass(frozen=True)
class Open(Button, prefix=PREFIX, action="open"):
    """One shared item, whole, with its photos."""
    item_id: int


@dataclass(frozen=True)
class Useful(Button, prefix=PREFIX, action="useful"):
    """"Dit neem ik mee" (pressed again: taken back)."""
    item_id: int


@dataclass(frozen=True)
class Ask(Button, prefix=PREFIX, action="ask"):
    """A peer asks the author one short question."""
    item_id: int


@dataclass(frozen=True)
class Answer(Button, prefix=PREFIX, action="answer"):
    """The author answers a question; the answer reaches the asker."""
    reaction_id: int


@dataclass(frozen=True)
class Pick(Button, prefix=PREFIX, action="pick"):
    """Staff of the trajectory: mark (or unmark) an item for the next session."""
    item_id: int


@dataclass(frozen=True)
class Promote(Button, prefix=PREFIX, action="promote"):
    """A coordinator proposes an item for the library; its author is asked."""
    item_id: int


@dataclass(frozen=True)
class Consent(Button, prefix=PREFIX, action="consent"):
    """The author's answer: may it go into the library?"""
    item_id: int
    answer: Literal["yes", "no"]


KINDS = (ShareMenu, Offer, Share, NotNow, Mine, Withdraw, Shelf, Open, Useful, Ask, Answer,
         Pick, Promote, Consent)
