"""Buttons of what coaches and coordinators read (/inzendingen): the current version of a
handed-in brief step or chain, the evaluations of a session, the intakes, the preparation pack
and the group feedback after a session ("koppel terug"); state prefix "co"
(co:feedback:<session>)."""

from __future__ import annotations

from dataclasses import dataclass

from buttons.base import Button

PREFIX = "co"


@dataclass(frozen=True)
class Current(Button, prefix=PREFIX, action="current"):
    """The brief step or chain of a submission as it is now (not as handed in)."""
    submission_id: int


@dataclass(frozen=True)
class Evaluations(Button, prefix=PREFIX, action="evals"):
    """The evaluations of one session: a summary and one button per person."""
    session_id: int


@dataclass(frozen=True)
class EvaluationOf(Button, prefix=PREFIX, action="eval"):
    session_id: int
    person_id: int


@dataclass(frozen=True)
class Intakes(Button, prefix=PREFIX, action="intakes"):
    trajectory_id: int


@dataclass(frozen=True)
class IntakeOf(Button, prefix=PREFIX, action="intake"):
    trajectory_id: int
    person_id: int


@dataclass(frozen=True)
class Pack(Button, prefix=PREFIX, action="pack"):
    """The preparation pack (PDF) for one session."""
    session_id: int


@dataclass(frozen=True)
class GroupFeedback(Button, prefix=PREFIX, action="feedback"):
    """ "Koppel terug": answer the group's evaluations of one session in one message."""
    session_id: int


@dataclass(frozen=True)
class SendFeedback(Button, prefix=PREFIX, action="send"):
    session_id: int


@dataclass(frozen=True)
class CancelFeedback(Button, prefix=PREFIX, action="cancel"):
    session_id: int


KINDS = (Current, Evaluations, EvaluationOf, Intakes, IntakeOf, Pack, GroupFeedback,
         SendFeedback, CancelFeedback)
