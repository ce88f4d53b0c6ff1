"""Homework: the items of a submission (text, photos, documents, voice) and its feedback thread."""

VERSION = 30

STATEMENTS = [
    """CREATE TABLE submission_items (
        id INTEGER PRIMARY KEY,
        submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('text', 'photo', 'document', 'voice')),
        text TEXT NOT NULL DEFAULT '',
        file_id TEXT,
        file_unique_id TEXT,
        file_name TEXT NOT NULL DEFAULT '',
        mime_type TEXT NOT NULL DEFAULT '',
        size INTEGER,
        local_path TEXT,
        download_status TEXT NOT NULL DEFAULT 'none'
            CHECK (download_status IN ('none', 'pending', 'done', 'failed')),
        download_attempts INTEGER NOT NULL DEFAULT 0,
        download_error TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        removed_at TEXT
    )""",
    "CREATE INDEX submission_items_submission ON submission_items (submission_id)",
    "CREATE INDEX submission_items_download ON submission_items (download_status)",
    "ALTER TABLE submissions ADD COLUMN late INTEGER NOT NULL DEFAULT 0",
    """CREATE TABLE feedback (
        id INTEGER PRIMARY KEY,
        submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
        author_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
        kind TEXT NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'voice')),
        text TEXT NOT NULL DEFAULT '',
        file_id TEXT,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX feedback_submission ON feedback (submission_id, id)",
]


def apply(db) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
