"""Announcements: what a coordinator sent to whom; one outbox row per recipient does the rest."""

VERSION = 41

STATEMENTS = [
    """CREATE TABLE announcements (
        id INTEGER PRIMARY KEY,
        author_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
        text TEXT NOT NULL DEFAULT '',
        photo_file_id TEXT,
        document_file_id TEXT,
        audience TEXT NOT NULL,
        audience_label TEXT NOT NULL DEFAULT '',
        recipients INTEGER NOT NULL DEFAULT 0,
        planned_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'done')),
        status_chat_id INTEGER,
        status_message_id INTEGER,
        created_at TEXT NOT NULL,
        finished_at TEXT
    )""",
    "CREATE INDEX announcements_status ON announcements (status)",
]


def apply(db) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
