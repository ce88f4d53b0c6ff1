"""Buttons of /uitnodiging; state prefix "inv" (inv:draft)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from buttons.base import Button

PREFIX = "inv"


@dataclass(frozen=True)
class PickTrajectory(Button, prefix=PREFIX, action="traj"):
    trajectory_id: int


@dataclass(frozen=True)
class PickRole(Button, prefix=PREFIX, action="role"):
    trajectory_id: int
    role: Literal["participant", "coach"]


@dataclass(frozen=True)
class Uses(Button, prefix=PREFIX, action="uses"):
    uses: int


@dataclass(frozen=True)
class Days(Button, prefix=PREFIX, action="days"):
    days: int


@dataclass(frozen=True)
class Prefill(Button, prefix=PREFIX, action="prefill"):
    field: Literal["name", "municipality", "department"]


@dataclass(frozen=True)
class Create(Button, prefix=PREFIX, action="create"):
    pass


@dataclass(frozen=True)
class Cancel(Button, prefix=PREFIX, action="cancel"):
    pass


@dataclass(frozen=True)
class ListOpen(Button, prefix=PREFIX, action="list"):
    trajectory_id: int


@dataclass(frozen=True)
class Revoke(Button, prefix=PREFIX, action="revoke"):
    invite_id: int


@dataclass(frozen=True)
class ConfirmMaximum(Button, prefix=PREFIX, action="max"):
    """/maximum above the programme's rule of 10: the coordinator confirms."""
    trajectory_number: int
    value: int


@dataclass(frozen=True)
class KeepMaximum(Button, prefix=PREFIX, action="maxno"):
    """/maximum above the programme's rule: "Nee", the maximum stays as it is."""
    trajectory_number: int


KINDS = (PickTrajectory, PickRole, Uses, Days, Prefill, Create, Cancel, ListOpen, Revoke,
         ConfirmMaximum, KeepMaximum)
