"""Privacy rights: what is stored about a person (export), forgetting a person, retention.

Storage knows which tables hold personal data (storage/privacy.py); this module adds the rules:
forgetting is one transaction, local files go after it commits, and a purge only touches
people whose every trajectory ended long enough ago.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlite_utils

from storage import people, trajectories
from storage import privacy as store
from storage.db import transaction


def export_data(db: sqlite_utils.Database, person_id: int) -> dict:
    return store.export_person(db, person_id)


def export_json(db: sqlite_utils.Database, person_id: int) -> str:
    return json.dumps(export_data(db, person_id), ensure_ascii=False, indent=2, default=str)


def forget(db: sqlite_utils.Database, person: people.Person, now: datetime, mode: str) -> int:
    """Erase or anonymise one person; returns the number of local files removed."""
    files = store.local_files(db, person.id)
    with transaction(db):
        store.forget(db, person.id, person.telegram_id, now, mode)
    removed = 0
    for name in files:
        try:
            Path(name).unlink()
            removed += 1
        except OSError:
            pass
    return removed


@dataclass(frozen=True)
class PurgePlan:
    trajectories: list[trajectories.Trajectory]
    people: list[people.Person]


def purge_plan(db: sqlite_utils.Database, older_than_months: int, now: datetime) -> PurgePlan:
    """Trajectories whose last session ended more than N months (of 30 days) ago, and the
    people who belong to no other trajectory."""
    limit = now - timedelta(days=30 * older_than_months)
    ended = []
    for trajectory in trajectories.all_trajectories(db):
        sessions = trajectories.sessions_of(db, trajectory.id)
        if sessions and max(s.ends_at for s in sessions) < limit:
            ended.append(trajectory)
    ids = store.people_only_in(db, [t.id for t in ended])
    found = [people.get(db, i) for i in ids]
    return PurgePlan(ended, [p for p in found if p is not None and p.role != "coordinator"])


def purge(db: sqlite_utils.Database, plan: PurgePlan, now: datetime) -> int:
    for person in plan.people:
        forget(db, person, now, "erase")
    return len(plan.people)
