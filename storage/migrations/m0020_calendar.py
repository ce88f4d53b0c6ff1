"""Calendar and timed messages: homework assignments, minimal submissions, the outbox,
per-person nudge mutes and a calendar sequence number per session (for .ics updates)."""

VERSION = 20

STATEMENTS = [
    # opens_at / due_at NULL mean "derived from the sessions" (end of this session / before the
    # next one, see programme.calendar); a value is an explicit override by a coordinator.
    """CREATE TABLE assignments (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        instructions TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL CHECK (kind IN ('brief_step', 'whys', 'text', 'files')),
        brief_step INTEGER CHECK (brief_step IS NULL OR brief_step >= 1),
        opens_at TEXT,
        due_at TEXT,
        created_at TEXT NOT NULL,
        CHECK (kind != 'brief_step' OR brief_step IS NOT NULL),
        UNIQUE (session_id, title)
    )""",
    # Issue 5 extends submissions (items, feedback) in its own migration (m0030...).
    """CREATE TABLE submissions (
        id INTEGER PRIMARY KEY,
        assignment_id INTEGER NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted')),
        submitted_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (assignment_id, person_id)
    )""",
    # Every timed or bulk message is a row before it is sent. unique_key = kind:person:subject:
    # offset; status moves pending -> sending -> sent (or failed / skipped / cancelled /
    # unreachable) only through conditional UPDATEs in storage/outbox.py.
    """CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        person_id INTEGER REFERENCES people(id) ON DELETE CASCADE,
        trajectory_id INTEGER REFERENCES trajectories(id) ON DELETE CASCADE,
        subject TEXT NOT NULL DEFAULT '',
        planned_at TEXT NOT NULL,
        not_before TEXT,
        unique_key TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent',
            'failed', 'skipped', 'cancelled', 'unreachable')),
        attempts INTEGER NOT NULL DEFAULT 0,
        claimed_at TEXT,
        sent_at TEXT,
        message_id INTEGER,
        error TEXT NOT NULL DEFAULT '',
        payload TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX outbox_due ON outbox (status, planned_at)",
    "CREATE INDEX outbox_trajectory ON outbox (trajectory_id, status)",
    "CREATE INDEX outbox_person ON outbox (person_id, status)",
    "CREATE INDEX outbox_subject ON outbox (subject, status)",
    # muted_until NULL: until further notice.
    """CREATE TABLE nudge_mutes (
        person_id INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
        muted_until TEXT,
        muted_at TEXT NOT NULL
    )""",
    # The iCalendar SEQUENCE of a session: bumped at every move or cancellation.
    """CREATE TABLE session_calendar (
        session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
        sequence INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL
    )""",
]


def apply(db) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
