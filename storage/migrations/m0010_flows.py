"""Guided conversations: answers (latest only), their history, and each person's flow runs."""

VERSION = 10

STATEMENTS = [
    """CREATE TABLE flow_answers (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        flow TEXT NOT NULL,
        instance TEXT NOT NULL DEFAULT '',
        question TEXT NOT NULL,
        idx INTEGER NOT NULL DEFAULT 0,
        value TEXT,
        skipped INTEGER NOT NULL DEFAULT 0 CHECK (skipped IN (0, 1)),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (person_id, flow, instance, question, idx)
    )""",
    "CREATE INDEX flow_answers_updated ON flow_answers (person_id, updated_at)",
    """CREATE TABLE flow_answer_history (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        flow TEXT NOT NULL,
        instance TEXT NOT NULL DEFAULT '',
        question TEXT NOT NULL,
        idx INTEGER NOT NULL DEFAULT 0,
        value TEXT,
        skipped INTEGER NOT NULL DEFAULT 0,
        answered_at TEXT NOT NULL,
        replaced_at TEXT NOT NULL
    )""",
    "CREATE INDEX flow_answer_history_key ON flow_answer_history (person_id, flow, instance)",
    """CREATE TABLE flow_runs (
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        flow TEXT NOT NULL,
        instance TEXT NOT NULL DEFAULT '',
        section TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL CHECK (status IN ('active', 'paused', 'done')),
        question TEXT,
        idx INTEGER NOT NULL DEFAULT 0,
        mode TEXT NOT NULL DEFAULT 'ask' CHECK (mode IN ('ask', 'edit')),
        started_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (person_id, flow, instance)
    )""",
    # At most one active run per person, enforced by the database as well.
    "CREATE UNIQUE INDEX flow_runs_one_active ON flow_runs (person_id) WHERE status = 'active'",
]


def apply(db) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
