"""Sharing with the group (issue 17): what a participant shared with their trajectory (a copy
of what the preview showed), the reactions of peers ("dit neem ik mee", a question and its
answer), the coaches' picks, the inspiration library's imported and published entries, the
author's consent to publish, and the practices a participant chose in brief step 2."""

VERSION = 120

STATEMENTS = [
    # One shared item: a brief step, a five-whys chain or a handed-in homework, as it was
    # shown in the preview (content: JSON {"headline", "rows": [[label, text]], "photos"}).
    # Sharing the same thing again replaces it; withdrawing deletes the row.
    """CREATE TABLE shared_items (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        trajectory_id INTEGER NOT NULL REFERENCES trajectories(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('brief', 'chain', 'hw')),
        ref TEXT NOT NULL,
        step INTEGER NOT NULL,
        content TEXT NOT NULL,
        shared_at TEXT NOT NULL,
        picked_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
        picked_at TEXT,
        UNIQUE (person_id, trajectory_id, kind, ref)
    )""",
    "CREATE INDEX shared_items_trajectory ON shared_items (trajectory_id, shared_at)",
    # A peer's reaction: "useful" (once per person and item) or a short question, with the
    # author's answer.
    """CREATE TABLE share_reactions (
        id INTEGER PRIMARY KEY,
        item_id INTEGER NOT NULL REFERENCES shared_items(id) ON DELETE CASCADE,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('useful', 'question')),
        text TEXT NOT NULL DEFAULT '',
        answer TEXT NOT NULL DEFAULT '',
        answered_at TEXT,
        created_at TEXT NOT NULL
    )""",
    "CREATE UNIQUE INDEX share_reactions_useful ON share_reactions (item_id, person_id)"
    " WHERE kind = 'useful'",
    "CREATE INDEX share_reactions_person ON share_reactions (person_id)",
    # Library entries beyond the shipped file: imported by a coordinator, or a shared item
    # published with its author's consent (author_id, item_id).
    """CREATE TABLE practices (
        key TEXT PRIMARY KEY,
        origin TEXT NOT NULL CHECK (origin IN ('import', 'promoted')),
        themes TEXT NOT NULL,
        link TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL DEFAULT '',
        title_nl TEXT NOT NULL,
        place_nl TEXT NOT NULL,
        what_nl TEXT NOT NULL,
        title_en TEXT NOT NULL DEFAULT '',
        place_en TEXT NOT NULL DEFAULT '',
        what_en TEXT NOT NULL DEFAULT '',
        author_id INTEGER REFERENCES people(id) ON DELETE CASCADE,
        item_id INTEGER REFERENCES shared_items(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    # A coordinator asked the author whether a shared item may go into the library.
    """CREATE TABLE practice_consents (
        item_id INTEGER PRIMARY KEY REFERENCES shared_items(id) ON DELETE CASCADE,
        asked_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
        asked_at TEXT NOT NULL,
        answer TEXT CHECK (answer IN ('yes', 'no')),
        answered_at TEXT
    )""",
    # Brief step 2: the practices a participant chose from the library (title and place as
    # they read them, so the brief keeps them when the library changes).
    """CREATE TABLE chosen_practices (
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        practice_key TEXT NOT NULL,
        title TEXT NOT NULL,
        place TEXT NOT NULL,
        chosen_at TEXT NOT NULL,
        PRIMARY KEY (person_id, practice_key)
    )""",
]


def apply(db) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
