"""Domain events between features, without import cycles and without globals.

The domain publishes an event (a small frozen dataclass) on the bus it is handed; the
composition root (kernbot/composition.py) subscribes the reactions, in plain code. Delivery is
synchronous, inside the publisher's transaction: a session moved by `admin import` and the
reminders re-planned for it commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class SessionChanged:
    """A session was created (by an import), added (in the chat), moved or cancelled
    (change: "created" | "added" | "moved" | "cancelled")."""
    session_id: int
    change: str
    now: datetime


@dataclass(frozen=True)
class Enrolled:
    """A person joined a trajectory (trajectory_id None: a programme coordinator)."""
    person_id: int
    trajectory_id: int | None
    role: str
    now: datetime


@dataclass(frozen=True)
class FollowupChanged:
    """Something one person's reminders depend on changed (an extension, "remind me tomorrow",
    an absence, an assignment's deadline): re-plan that trajectory (None: all of the person's)."""
    person_id: int | None
    trajectory_id: int | None
    now: datetime


Subscriber = Callable[[Any, Any], None]  # fn(db, event)


class EventBus:
    def __init__(self) -> None:
        self._subscribers: dict[type, list[Subscriber]] = {}

    def subscribe(self, event_type: type, fn: Subscriber) -> None:
        self._subscribers.setdefault(event_type, []).append(fn)

    def subscribers(self, event_type: type) -> list[Subscriber]:
        return list(self._subscribers.get(event_type, ()))

    def publish(self, db, event) -> None:
        for fn in self._subscribers.get(type(event), ()):
            fn(db, event)
