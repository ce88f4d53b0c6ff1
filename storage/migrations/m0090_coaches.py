"""What coaches see (issue 14): the answers of a brief step or a five-whys chain as they were
when handed in as homework (a snapshot), the group feedback a coach gives after a session
("koppel terug"), and the staff nudges already sent per person and reason."""

VERSION = 90

STATEMENTS = [
    # Homework that is a brief step or a chain: the answers as they were at the hand-in.
    # `answers` is a JSON list of [question, idx, value, skipped]; the latest row counts.
    """CREATE TABLE submission_snapshots (
        id INTEGER PRIMARY KEY,
        submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
        flow TEXT NOT NULL,
        instance TEXT NOT NULL DEFAULT '',
        section TEXT NOT NULL DEFAULT '',
        answers TEXT NOT NULL,
        taken_at TEXT NOT NULL
    )""",
    "CREATE INDEX submission_snapshots_submission ON submission_snapshots (submission_id, id)",
    # "Koppel terug": a coach answers the group's evaluations of one session.
    """CREATE TABLE session_feedback (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        author_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
        text TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX session_feedback_session ON session_feedback (session_id, id)",
    # A staff nudge names items (outbox subjects such as assignment:12); never the same item
    # to the same person twice within `coaches.nudge_repeat_days`.
    """CREATE TABLE staff_nudges (
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        trajectory_id INTEGER NOT NULL REFERENCES trajectories(id) ON DELETE CASCADE,
        subject TEXT NOT NULL,
        nudged_at TEXT NOT NULL,
        nudged_by INTEGER REFERENCES people(id) ON DELETE SET NULL
    )""",
    "CREATE INDEX staff_nudges_person ON staff_nudges (person_id, subject, nudged_at)",
]


def apply(db) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
