"""Follow-up (issue 16): per-person extensions, "remind me tomorrow", absences, what a
coordinator changed in the chat (so a re-import does not silently undo it), what the weekly
overview already reported, after-care answers, and cancelled announcements."""

VERSION = 110

STATEMENTS = [
    # One person, one homework: more time, granted by a coach or the coordinator.
    """CREATE TABLE extensions (
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        assignment_id INTEGER NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
        due_at TEXT NOT NULL,
        granted_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
        granted_at TEXT NOT NULL,
        PRIMARY KEY (person_id, assignment_id)
    )""",
    # "Herinner me morgen": once per person, item (outbox subject) and rung.
    """CREATE TABLE snoozes (
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        subject TEXT NOT NULL,
        rung TEXT NOT NULL,
        until TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (person_id, subject, rung)
    )""",
    # /afwezig: away from starts_at up to and including the local date last_day.
    """CREATE TABLE absences (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        starts_at TEXT NOT NULL,
        last_day TEXT NOT NULL,
        created_at TEXT NOT NULL,
        ended_at TEXT
    )""",
    "CREATE INDEX absences_person ON absences (person_id, ended_at)",
    # A session or assignment field changed in the chat: a re-import reports, never overwrites.
    """CREATE TABLE chat_edits (
        entity TEXT NOT NULL CHECK (entity IN ('session', 'assignment')),
        entity_id INTEGER NOT NULL,
        field TEXT NOT NULL,
        edited_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
        edited_at TEXT NOT NULL,
        PRIMARY KEY (entity, entity_id, field)
    )""",
    # What the coordinator's weekly overview has reported (each problem once).
    """CREATE TABLE escalations (
        kind TEXT NOT NULL,
        ref TEXT NOT NULL,
        person_id INTEGER REFERENCES people(id) ON DELETE CASCADE,
        reported_at TEXT NOT NULL,
        PRIMARY KEY (kind, ref)
    )""",
    # Months after the end: how did the first planned action go?
    """CREATE TABLE aftercare_answers (
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        trajectory_id INTEGER NOT NULL REFERENCES trajectories(id) ON DELETE CASCADE,
        answer TEXT NOT NULL,
        answered_at TEXT NOT NULL,
        PRIMARY KEY (person_id, trajectory_id)
    )""",
    "ALTER TABLE announcements ADD COLUMN cancelled_at TEXT",
]


def apply(db) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
