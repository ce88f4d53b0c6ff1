"""Coordinator tools: wrong invite codes per Telegram user (throttling), a coach's organisation
on an invite (programme import)."""

VERSION = 40

STATEMENTS = [
    """CREATE TABLE invite_attempts (
        id INTEGER PRIMARY KEY,
        telegram_id INTEGER NOT NULL,
        attempted_at TEXT NOT NULL
    )""",
    "CREATE INDEX invite_attempts_user ON invite_attempts (telegram_id, attempted_at)",
    "ALTER TABLE invites ADD COLUMN prefill_organisation TEXT NOT NULL DEFAULT ''",
]


def apply(db) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
