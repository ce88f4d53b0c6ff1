"""Buttons of /voortgang and /export."""

from __future__ import annotations

from dataclasses import dataclass

from buttons.base import Button


@dataclass(frozen=True)
class Show(Button, prefix="vg", action="show"):
    trajectory_id: int


@dataclass(frozen=True)
class Nudge(Button, prefix="vg", action="nudge"):
    """Remind the participants of the trajectory who lag behind."""
    trajectory_id: int


@dataclass(frozen=True)
class Export(Button, prefix="ex", action="traj"):
    trajectory_id: int


KINDS = (Show, Nudge, Export)
