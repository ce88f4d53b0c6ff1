"""People, trajectories, sessions, memberships, invites, and per-chat conversation state."""

VERSION = 1

STATEMENTS = [
    """CREATE TABLE people (
        id INTEGER PRIMARY KEY,
        telegram_id INTEGER UNIQUE,
        name TEXT NOT NULL DEFAULT '',
        language TEXT NOT NULL DEFAULT 'nl' CHECK (language IN ('nl', 'en')),
        role TEXT NOT NULL CHECK (role IN ('participant', 'coach', 'coordinator')),
        municipality TEXT NOT NULL DEFAULT '',
        department TEXT NOT NULL DEFAULT '',
        organisation TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'active'
            CHECK (status IN ('active', 'removed', 'unreachable', 'erased')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE trajectories (
        id INTEGER PRIMARY KEY,
        number INTEGER NOT NULL UNIQUE,
        year INTEGER NOT NULL,
        title TEXT NOT NULL,
        theme TEXT NOT NULL DEFAULT '',
        entry_condition TEXT NOT NULL DEFAULT '',
        max_participants INTEGER NOT NULL DEFAULT 10 CHECK (max_participants > 0),
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        trajectory_id INTEGER NOT NULL REFERENCES trajectories(id) ON DELETE CASCADE,
        number INTEGER NOT NULL CHECK (number BETWEEN 1 AND 4),
        title TEXT NOT NULL,
        starts_at TEXT NOT NULL,
        ends_at TEXT NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('online', 'physical')),
        location TEXT NOT NULL DEFAULT '',
        video_link TEXT NOT NULL DEFAULT '',
        agenda TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'cancelled')),
        UNIQUE (trajectory_id, number),
        CHECK (ends_at > starts_at)
    )""",
    """CREATE TABLE memberships (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        trajectory_id INTEGER NOT NULL REFERENCES trajectories(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('participant', 'coach', 'coordinator')),
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'removed')),
        joined_at TEXT NOT NULL,
        UNIQUE (person_id, trajectory_id)
    )""",
    "CREATE INDEX memberships_trajectory ON memberships (trajectory_id, role, status)",
    """CREATE TABLE invites (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        trajectory_id INTEGER REFERENCES trajectories(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('participant', 'coach', 'coordinator')),
        max_uses INTEGER NOT NULL DEFAULT 1 CHECK (max_uses > 0),
        uses INTEGER NOT NULL DEFAULT 0,
        expires_at TEXT,
        revoked_at TEXT,
        created_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,
        prefill_name TEXT NOT NULL DEFAULT '',
        prefill_municipality TEXT NOT NULL DEFAULT '',
        prefill_department TEXT NOT NULL DEFAULT '',
        CHECK (role = 'coordinator' OR trajectory_id IS NOT NULL)
    )""",
    """CREATE TABLE invite_redemptions (
        invite_id INTEGER NOT NULL REFERENCES invites(id) ON DELETE CASCADE,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        redeemed_at TEXT NOT NULL,
        PRIMARY KEY (invite_id, person_id)
    )""",
    """CREATE TABLE conversation_state (
        chat_id INTEGER PRIMARY KEY,
        state TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}',
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE processed_updates (
        update_id INTEGER PRIMARY KEY,
        processed_at TEXT NOT NULL
    )""",
]


def apply(db) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
