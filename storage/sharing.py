"""What participants shared with their trajectory, and the reactions of their peers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

import sqlite_utils

from storage.db import parse_iso, utcnow_iso


@dataclass(frozen=True)
class Item:
    id: int
    person_id: int
    trajectory_id: int
    kind: str             # brief | chain | hw
    ref: str              # step1..step4 | chain instance | submission id
    step: int             # 1-4 (brief step, session of the homework); 0: five whys
    content: dict = field(compare=False)   # {"headline", "rows": [[label, text]], "photos"}
    shared_at: datetime | None = None
    picked_by: int | None = None
    picked_at: datetime | None = None

    @property
    def headline(self) -> str:
        return self.content.get("headline", "")

    @property
    def rows(self) -> list[tuple[str, str]]:
        return [(str(r[0]), str(r[1])) for r in self.content.get("rows", [])]

    @property
    def photos(self) -> list[str]:
        return [str(p) for p in self.content.get("photos", [])]


_I = "id, person_id, trajectory_id, kind, ref, step, content, shared_at, picked_by, picked_at"


def _item(row) -> Item:
    return Item(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]),
                parse_iso(row[7]), row[8], parse_iso(row[9]) if row[9] else None)


def share(db: sqlite_utils.Database, *, person_id: int, trajectory_id: int, kind: str, ref: str,
          step: int, content: dict, now: datetime) -> Item:
    """Share (or share again: the content and the moment are replaced, reactions stay)."""
    db.execute(
        "INSERT INTO shared_items (person_id, trajectory_id, kind, ref, step, content, shared_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (person_id, trajectory_id, kind, ref)"
        " DO UPDATE SET step = excluded.step, content = excluded.content,"
        " shared_at = excluded.shared_at",
        [person_id, trajectory_id, kind, ref, step, json.dumps(content, ensure_ascii=False),
         utcnow_iso(now)])
    return find(db, person_id, trajectory_id, kind, ref)


def find(db: sqlite_utils.Database, person_id: int, trajectory_id: int, kind: str, ref: str
         ) -> Item | None:
    row = db.execute(f"SELECT {_I} FROM shared_items WHERE person_id = ? AND trajectory_id = ?"
                     " AND kind = ? AND ref = ?", [person_id, trajectory_id, kind, ref]
                     ).fetchone()
    return _item(row) if row else None


def get(db: sqlite_utils.Database, item_id: int) -> Item | None:
    row = db.execute(f"SELECT {_I} FROM shared_items WHERE id = ?", [item_id]).fetchone()
    return _item(row) if row else None


def withdraw(db: sqlite_utils.Database, item_id: int, person_id: int) -> bool:
    """The author takes an item back: the row, its reactions and what was published from it
    go (foreign keys cascade)."""
    return db.execute("DELETE FROM shared_items WHERE id = ? AND person_id = ?",
                      [item_id, person_id]).rowcount == 1


def of_person(db: sqlite_utils.Database, person_id: int) -> list[Item]:
    return [_item(r) for r in db.execute(
        f"SELECT {_I} FROM shared_items WHERE person_id = ? ORDER BY shared_at DESC, id DESC",
        [person_id]).fetchall()]


def visible_in(db: sqlite_utils.Database, trajectory_id: int) -> list[Item]:
    """The items of a trajectory whose authors still take part in it, newest first."""
    return [_item(r) for r in db.execute(
        f"SELECT {', '.join('i.' + c.strip() for c in _I.split(','))} FROM shared_items i"
        " JOIN memberships m ON m.person_id = i.person_id AND m.trajectory_id = i.trajectory_id"
        " JOIN people p ON p.id = i.person_id"
        " WHERE i.trajectory_id = ? AND m.status = 'active' AND m.role = 'participant'"
        " AND p.status = 'active' ORDER BY i.shared_at DESC, i.id DESC", [trajectory_id]
    ).fetchall()]


def set_pick(db: sqlite_utils.Database, item_id: int, picked_by: int | None, now: datetime
             ) -> None:
    db.execute("UPDATE shared_items SET picked_by = ?, picked_at = ? WHERE id = ?",
               [picked_by, utcnow_iso(now) if picked_by else None, item_id])


# -- reactions ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reaction:
    id: int
    item_id: int
    person_id: int
    kind: str            # useful | question
    text: str
    answer: str
    answered_at: datetime | None
    created_at: datetime


_R = "id, item_id, person_id, kind, text, answer, answered_at, created_at"


def _reaction(row) -> Reaction:
    return Reaction(row[0], row[1], row[2], row[3], row[4], row[5],
                    parse_iso(row[6]) if row[6] else None, parse_iso(row[7]))


def toggle_useful(db: sqlite_utils.Database, item_id: int, person_id: int, now: datetime
                  ) -> bool:
    """"Dit neem ik mee" on, or off when it was on; True when it is on now."""
    removed = db.execute("DELETE FROM share_reactions WHERE item_id = ? AND person_id = ?"
                         " AND kind = 'useful'", [item_id, person_id]).rowcount
    if removed:
        return False
    db.execute("INSERT INTO share_reactions (item_id, person_id, kind, created_at)"
               " VALUES (?, ?, 'useful', ?)", [item_id, person_id, utcnow_iso(now)])
    return True


def useful(db: sqlite_utils.Database, item_id: int) -> list[int]:
    """The people who take this along, in order."""
    return [r[0] for r in db.execute(
        "SELECT person_id FROM share_reactions WHERE item_id = ? AND kind = 'useful'"
        " ORDER BY id", [item_id]).fetchall()]


def useful_counts(db: sqlite_utils.Database, item_ids: list[int]) -> dict[int, int]:
    if not item_ids:
        return {}
    marks = ", ".join("?" for _ in item_ids)
    return dict(db.execute(
        f"SELECT item_id, COUNT(*) FROM share_reactions WHERE kind = 'useful'"
        f" AND item_id IN ({marks}) GROUP BY item_id", item_ids).fetchall())


def ask(db: sqlite_utils.Database, item_id: int, person_id: int, text: str, now: datetime
        ) -> Reaction:
    cursor = db.execute("INSERT INTO share_reactions (item_id, person_id, kind, text, created_at)"
                        " VALUES (?, ?, 'question', ?, ?)",
                        [item_id, person_id, text, utcnow_iso(now)])
    return reaction(db, cursor.lastrowid)


def reaction(db: sqlite_utils.Database, reaction_id: int) -> Reaction | None:
    row = db.execute(f"SELECT {_R} FROM share_reactions WHERE id = ?", [reaction_id]).fetchone()
    return _reaction(row) if row else None


def answer(db: sqlite_utils.Database, reaction_id: int, text: str, now: datetime) -> None:
    db.execute("UPDATE share_reactions SET answer = ?, answered_at = ? WHERE id = ?",
               [text, utcnow_iso(now), reaction_id])


def questions(db: sqlite_utils.Database, item_id: int) -> list[Reaction]:
    return [_reaction(r) for r in db.execute(
        f"SELECT {_R} FROM share_reactions WHERE item_id = ? AND kind = 'question' ORDER BY id",
        [item_id]).fetchall()]
