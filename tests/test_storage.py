"""Storage: pragmas, idempotent migrations, dataclasses out."""

import sqlite3
from datetime import UTC, datetime

import pytest

from core.events import EventBus
from programme.demo import seed_demo
from storage import memberships, people, trajectories
from storage.db import connect, transaction
from storage.migrations import apply_migrations, current_version, discover

NOW = datetime(2024, 2, 12, 8, 0, tzinfo=UTC)


def schema(db):
    return sorted((r["name"], r["sql"]) for r in db.query(
        "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL"))


def test_pragmas(tmp_path):
    db = connect(tmp_path / "k.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_migrations_are_idempotent(tmp_path):
    path = tmp_path / "k.sqlite3"
    db = connect(path)
    first = schema(db)
    version = current_version(db)
    assert version == max(m.VERSION for m in discover())
    db.close()
    db = connect(path)
    assert apply_migrations(db) == []
    assert schema(db) == first
    assert current_version(db) == version
    assert db.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == len(discover())


def test_failed_migration_leaves_nothing_behind(tmp_path, monkeypatch):
    import storage.migrations as migrations

    class Broken:
        VERSION = 9999
        __name__ = "storage.migrations.m9999_broken"

        @staticmethod
        def apply(db):
            db.execute("CREATE TABLE half (x)")
            raise RuntimeError("boom")

    real = migrations.discover
    monkeypatch.setattr(migrations, "discover", lambda: [*real(), Broken])
    with pytest.raises(RuntimeError):
        connect(tmp_path / "k.sqlite3")
    db = connect(tmp_path / "k.sqlite3", migrate=False)
    assert "half" not in db.table_names()
    assert db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] < 9999


def test_people_and_memberships_round_trip(tmp_path):
    db = connect(tmp_path / "k.sqlite3")
    seed_demo(db, EventBus())
    sofie = people.by_telegram_id(db, 9011)
    assert sofie.name == "Sofie Janssens" and sofie.role == "participant"
    trajectory = trajectories.by_number(db, 7)
    assert [m.trajectory_id for m in memberships.of_person(db, sofie.id)] == [trajectory.id]
    sessions = trajectories.sessions_of(db, trajectory.id)
    assert [s.number for s in sessions] == [1, 2, 3, 4]
    assert all(s.starts_at.tzinfo is not None for s in sessions)


def test_seed_demo_twice_changes_nothing(tmp_path):
    db = connect(tmp_path / "k.sqlite3")
    seed_demo(db, EventBus())
    counts = {t: db[t].count for t in db.table_names()}
    seed_demo(db, EventBus())
    assert {t: db[t].count for t in db.table_names()} == counts


def test_transaction_rolls_back_everything(tmp_path):
    db = connect(tmp_path / "k.sqlite3")
    with pytest.raises(ZeroDivisionError), transaction(db):
        people.create(db, telegram_id=1, name="A", role="participant", language="nl", now=NOW)
        raise ZeroDivisionError
    assert people.by_telegram_id(db, 1) is None


def test_foreign_keys_enforced(tmp_path):
    db = connect(tmp_path / "k.sqlite3")
    with pytest.raises(sqlite3.IntegrityError):
        memberships.add(db, person_id=999, trajectory_id=999, role="participant", now=NOW)
