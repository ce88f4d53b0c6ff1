"""Buttons of the follow-up (issue 16); prefix "fu", also the conversation states
(fu:away for /afwezig with a typed date, fu:extend:<assignment>:<person> for a typed deadline).

    fu:later:<item kind>:<ref>:<rung>     "Herinner me morgen" on a reminder
    fu:ext:<assignment>:<person>          staff: choose a new deadline for one person
    fu:extto:<assignment>:<person>:<n>    staff: n working days more
    fu:exttype:<assignment>:<person>      staff: type a date instead
    fu:away:<choice>                      /afwezig: until Friday, a week, two weeks, type, back
    fu:final:<trajectory>                 start the evaluation of the whole trajectory
    fu:after:<trajectory>:<answer>        after-care: how did the first action go?
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from buttons.base import Button

PREFIX = "fu"
ItemKind = Literal["intake", "assignment", "evaluation", "final"]
Rung = Literal["gentle", "firm"]


@dataclass(frozen=True)
class Later(Button, prefix=PREFIX, action="later"):
    """Remind me on the next working day (once per item and rung)."""
    kind: ItemKind
    ref: int
    rung: Rung


@dataclass(frozen=True)
class Extend(Button, prefix=PREFIX, action="ext"):
    assignment_id: int
    person_id: int


@dataclass(frozen=True)
class ExtendBy(Button, prefix=PREFIX, action="extto"):
    assignment_id: int
    person_id: int
    working_days: Literal["2", "5", "10"]


@dataclass(frozen=True)
class ExtendType(Button, prefix=PREFIX, action="exttype"):
    assignment_id: int
    person_id: int


@dataclass(frozen=True)
class Away(Button, prefix=PREFIX, action="away"):
    choice: Literal["friday", "1w", "2w", "type", "back"]


@dataclass(frozen=True)
class FinalEvaluation(Button, prefix=PREFIX, action="final"):
    trajectory_id: int


@dataclass(frozen=True)
class Aftercare(Button, prefix=PREFIX, action="after"):
    trajectory_id: int
    answer: Literal["done", "busy", "notyet"]


KINDS = (Later, Extend, ExtendBy, ExtendType, Away, FinalEvaluation, Aftercare)
