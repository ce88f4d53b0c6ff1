"""Conversations that never drop what was typed (issue 15): a text too long for its question
kept as a draft, and the photos of a guided conversation with their captions and local copies
(so the design brief can show them beside their step)."""

VERSION = 100

STATEMENTS = [
    # One draft per run of a flow: a text over the question's limit, kept until the person
    # shortens it, splits it or uses the rest of it (question '' for the rest of a split).
    """CREATE TABLE answer_drafts (
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        flow TEXT NOT NULL,
        instance TEXT NOT NULL DEFAULT '',
        question TEXT NOT NULL DEFAULT '',
        idx INTEGER NOT NULL DEFAULT 0,
        text TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (person_id, flow, instance)
    )""",
    # The photos (and images sent as files) answering a question, in the order received.
    """CREATE TABLE flow_files (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        flow TEXT NOT NULL,
        instance TEXT NOT NULL DEFAULT '',
        question TEXT NOT NULL,
        idx INTEGER NOT NULL DEFAULT 0,
        file_id TEXT NOT NULL,
        caption TEXT NOT NULL DEFAULT '',
        local_path TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (person_id, flow, instance, question, idx, file_id)
    )""",
]


def apply(db) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
