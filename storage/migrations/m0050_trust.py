"""Trust: an audit log of who opened or exported whose data."""

VERSION = 50

STATEMENTS = [
    """CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        actor_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
        action TEXT NOT NULL,
        subject_person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
        detail TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX audit_log_created ON audit_log (created_at)",
]


def apply(db) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
