"""English programme content (issue 15): a session's title and agenda and an assignment's title
and instructions may be given in English too. Empty means "not given": an English reader then
gets the Dutch text, marked as such (programme/content.py)."""

VERSION = 130

STATEMENTS = [
    "ALTER TABLE sessions ADD COLUMN title_en TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE sessions ADD COLUMN agenda_en TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE assignments ADD COLUMN title_en TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE assignments ADD COLUMN instructions_en TEXT NOT NULL DEFAULT ''",
]


def apply(db) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
