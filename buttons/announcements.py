"""Buttons of /aankondiging; state prefix "an" (an:text, an:audience, an:time, an:confirm)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from buttons.base import Button

PREFIX = "an"
AudienceKind = Literal["all", "trajectory", "role", "municipality", "homework_missing",
                       "intake_unfinished"]


@dataclass(frozen=True)
class Audience(Button, prefix=PREFIX, action="aud"):
    kind: AudienceKind


@dataclass(frozen=True)
class ForTrajectory(Button, prefix=PREFIX, action="traj"):
    trajectory_id: int


@dataclass(frozen=True)
class ForRole(Button, prefix=PREFIX, action="role"):
    role: Literal["participant", "coach", "coordinator"]


@dataclass(frozen=True)
class ForMunicipality(Button, prefix=PREFIX, action="muni"):
    index: int


@dataclass(frozen=True)
class ForMissingHomework(Button, prefix=PREFIX, action="hwmiss"):
    session_id: int


@dataclass(frozen=True)
class OtherAudience(Button, prefix=PREFIX, action="back"):
    pass


@dataclass(frozen=True)
class Later(Button, prefix=PREFIX, action="later"):
    pass


@dataclass(frozen=True)
class Send(Button, prefix=PREFIX, action="send"):
    pass


@dataclass(frozen=True)
class Cancel(Button, prefix=PREFIX, action="cancel"):
    pass


@dataclass(frozen=True)
class CancelPlanned(Button, prefix=PREFIX, action="withdraw"):
    """/aankondigingen: a planned announcement will not go out."""
    announcement_id: int


@dataclass(frozen=True)
class EditPlanned(Button, prefix=PREFIX, action="edit"):
    """/aankondigingen: change the text of a planned announcement (state an:edit:<id>)."""
    announcement_id: int


@dataclass(frozen=True)
class Resend(Button, prefix=PREFIX, action="again"):
    """Under a report: send the announcement again to the people it failed or may have
    failed for."""

    announcement_id: int


KINDS = (Audience, ForTrajectory, ForRole, ForMunicipality, ForMissingHomework, OtherAudience,
         Later, Send, Cancel, CancelPlanned, EditPlanned, Resend)
