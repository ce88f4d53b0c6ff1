"""Wiring: conversation states take their feature's button prefix (a chat in the middle of a
conversation keeps its place across the upgrade); an announcement remembers the status text
it last showed (instead of a dict in memory)."""

VERSION = 60

RENAMES = [
    # (old prefix, new prefix): flow:intake -> fl:intake, ann:text -> an:text
    ("flow:", "fl:"),
    ("ann:", "an:"),
    ("invite:", "inv:"),
    ("hwfb:", "hw:feedback:"),
    ("hwre:", "hw:reply:"),
]


def apply(db) -> None:
    for old, new in RENAMES:
        db.execute("UPDATE conversation_state SET state = ? || substr(state, ?)"
                   " WHERE substr(state, 1, ?) = ?", [new, len(old) + 1, len(old), old])
    # hw:<assignment> (collecting homework) -> hw:collect:<assignment>
    db.execute("UPDATE conversation_state SET state = 'hw:collect:' || substr(state, 4)"
               " WHERE state GLOB 'hw:[0-9]*'")
    db.execute("ALTER TABLE announcements ADD COLUMN status_text TEXT NOT NULL DEFAULT ''")
