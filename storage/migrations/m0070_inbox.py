"""Inbox: every incoming update is a committed row before Telegram is told it arrived (the
polling offset lives beside it); an outbox row interrupted by a crash while sending is marked
as such, so the coordinator's report can name who may have missed the message."""

VERSION = 70

STATEMENTS = [
    # An update waits here from the moment it is received until it is handled and its reply
    # accepted by Telegram. A row whose update id is also in processed_updates is an update
    # whose effects are committed but whose reply may not have gone out: a reply is owed.
    """CREATE TABLE inbox (
        update_id INTEGER PRIMARY KEY,
        chat_id INTEGER,
        payload TEXT NOT NULL,
        received_at TEXT NOT NULL
    )""",
    # The next getUpdates offset, advanced in the transaction that stores the updates.
    """CREATE TABLE inbox_offset (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        next_offset INTEGER NOT NULL
    )""",
    "ALTER TABLE outbox ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0",
]


def apply(db) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
