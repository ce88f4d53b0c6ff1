"""Everything stored about one person: export it, erase it, or anonymise it.

The one place that knows which tables hold personal data. A new table with personal data gets
a line in PERSONAL_TABLES (for the export) and in `forget` (for erasure); the privacy test
fails when a table with a person_id column is missing from PERSONAL_TABLES.
"""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from storage.db import utcnow_iso

_CHAT = "(SELECT telegram_id FROM people WHERE id = ?)"

# table -> the SQL that selects one person's rows (parameter: person id)
PERSONAL_TABLES = {
    "people": "SELECT * FROM people WHERE id = ?",
    "memberships": "SELECT * FROM memberships WHERE person_id = ?",
    "invite_redemptions": "SELECT * FROM invite_redemptions WHERE person_id = ?",
    "flow_answers": "SELECT * FROM flow_answers WHERE person_id = ?",
    "flow_answer_history": "SELECT * FROM flow_answer_history WHERE person_id = ?",
    "flow_runs": "SELECT * FROM flow_runs WHERE person_id = ?",
    "answer_drafts": "SELECT * FROM answer_drafts WHERE person_id = ?",
    "flow_files": "SELECT * FROM flow_files WHERE person_id = ?",
    "submissions": "SELECT * FROM submissions WHERE person_id = ?",
    "submission_items": "SELECT i.* FROM submission_items i JOIN submissions s"
                        " ON s.id = i.submission_id WHERE s.person_id = ?",
    "feedback": "SELECT f.* FROM feedback f JOIN submissions s ON s.id = f.submission_id"
                " WHERE s.person_id = ? OR f.author_id = ?",
    "outbox": "SELECT * FROM outbox WHERE person_id = ?",
    "nudge_mutes": "SELECT * FROM nudge_mutes WHERE person_id = ?",
    "announcements": "SELECT * FROM announcements WHERE author_id = ?",
    "audit_log": "SELECT * FROM audit_log WHERE actor_id = ? OR subject_person_id = ?",
    "extensions": "SELECT * FROM extensions WHERE person_id = ?",
    "snoozes": "SELECT * FROM snoozes WHERE person_id = ?",
    "absences": "SELECT * FROM absences WHERE person_id = ?",
    "escalations": "SELECT * FROM escalations WHERE person_id = ?",
    "aftercare_answers": "SELECT * FROM aftercare_answers WHERE person_id = ?",
    "submission_snapshots": "SELECT n.* FROM submission_snapshots n JOIN submissions s"
                            " ON s.id = n.submission_id WHERE s.person_id = ?",
    "session_feedback": "SELECT * FROM session_feedback WHERE author_id = ?",
    "staff_nudges": "SELECT * FROM staff_nudges WHERE person_id = ? OR nudged_by = ?",
    # what the person shared with their group, their reactions to what others shared (and
    # the reactions to theirs), what was published from it, the practices they chose
    "shared_items": "SELECT * FROM shared_items WHERE person_id = ?",
    "share_reactions": "SELECT r.* FROM share_reactions r JOIN shared_items i"
                       " ON i.id = r.item_id WHERE r.person_id = ? OR i.person_id = ?",
    "practices": "SELECT * FROM practices WHERE author_id = ?",
    "chosen_practices": "SELECT * FROM chosen_practices WHERE person_id = ?",
    # what a coordinator typed about the person in the invite they used
    "invites": "SELECT i.prefill_name, i.prefill_municipality, i.prefill_department,"
               " i.prefill_organisation FROM invites i JOIN invite_redemptions r"
               " ON r.invite_id = i.id WHERE r.person_id = ?",
    # where the chat stands (a draft may hold typed text), keyed by the Telegram chat
    "conversation_state": f"SELECT state, data, updated_at FROM conversation_state"
                          f" WHERE chat_id = {_CHAT}",
    "invite_attempts": f"SELECT * FROM invite_attempts WHERE telegram_id = {_CHAT}",
}
# Tables with a person column that hold no personal content of their own.
NOT_PERSONAL = {"chat_edits": "edited_by (the coordinator who changed the calendar)"}


def export_person(db: sqlite_utils.Database, person_id: int) -> dict[str, list[dict]]:
    data = {}
    for table, sql in PERSONAL_TABLES.items():
        params = [person_id] * sql.count("?")
        data[table] = [dict(r) for r in db.query(sql, params)]
    return data


def export_readable(db: sqlite_utils.Database, person_id: int) -> dict[str, list[dict]]:
    """The export without server details: stored files named, not located."""
    data = export_person(db, person_id)
    for item in [*data["submission_items"], *data["flow_files"]]:
        if item.get("local_path"):
            item["local_path"] = item["local_path"].rsplit("/", 1)[-1]
    return data


def local_files(db: sqlite_utils.Database, person_id: int) -> list[str]:
    return [r[0] for r in db.execute(
        "SELECT i.local_path FROM submission_items i JOIN submissions s ON s.id ="
        " i.submission_id WHERE s.person_id = ? AND i.local_path IS NOT NULL"
        " UNION ALL SELECT local_path FROM flow_files WHERE person_id = ?"
        " AND local_path IS NOT NULL", [person_id, person_id]).fetchall()]


def forget(db: sqlite_utils.Database, person_id: int, telegram_id: int | None, now: datetime,
           mode: str) -> None:
    """Erase the person's data. "anonymise" keeps an empty person row and the membership
    (status removed) so aggregate figures (how many took part) stay right; "erase" removes
    the person row too. Run inside a transaction, on a connection with secure_delete on
    (storage/db.py), and checkpoint afterwards so no copy stays behind in the WAL."""
    db.execute("UPDATE invites SET prefill_name = '', prefill_municipality = '',"
               " prefill_department = '', prefill_organisation = '' WHERE id IN"
               " (SELECT invite_id FROM invite_redemptions WHERE person_id = ?)", [person_id])
    db.execute("UPDATE announcements SET text = '', status_text = '', photo_file_id = NULL,"
               " document_file_id = NULL, author_id = NULL WHERE author_id = ?", [person_id])
    for sql in (
        "DELETE FROM flow_answers WHERE person_id = ?",
        "DELETE FROM flow_answer_history WHERE person_id = ?",
        "DELETE FROM flow_runs WHERE person_id = ?",
        "DELETE FROM answer_drafts WHERE person_id = ?",
        "DELETE FROM flow_files WHERE person_id = ?",
        "DELETE FROM submissions WHERE person_id = ?",  # items, feedback, snapshots cascade
        "DELETE FROM staff_nudges WHERE person_id = ?",
        "UPDATE staff_nudges SET nudged_by = NULL WHERE nudged_by = ?",
        "UPDATE session_feedback SET text = '', author_id = NULL WHERE author_id = ?",
        "DELETE FROM outbox WHERE person_id = ?",
        "DELETE FROM nudge_mutes WHERE person_id = ?",
        "DELETE FROM extensions WHERE person_id = ?",
        "DELETE FROM snoozes WHERE person_id = ?",
        "DELETE FROM absences WHERE person_id = ?",
        "DELETE FROM escalations WHERE person_id = ?",
        "DELETE FROM aftercare_answers WHERE person_id = ?",
        # shared items go with their reactions and what was published from them
        "DELETE FROM practices WHERE author_id = ?",
        "DELETE FROM share_reactions WHERE person_id = ? OR item_id IN"
        " (SELECT id FROM shared_items WHERE person_id = ?)",
        "DELETE FROM shared_items WHERE person_id = ?",
        "DELETE FROM chosen_practices WHERE person_id = ?",
        "UPDATE shared_items SET picked_by = NULL, picked_at = NULL WHERE picked_by = ?",
        "UPDATE practice_consents SET asked_by = NULL WHERE asked_by = ?",
        "DELETE FROM invite_redemptions WHERE person_id = ?",
        "UPDATE feedback SET text = '', file_id = NULL WHERE author_id = ?",
        "UPDATE audit_log SET subject_person_id = NULL WHERE subject_person_id = ?",
    ):
        db.execute(sql, [person_id] * sql.count("?"))
    if telegram_id is not None:
        db.execute("DELETE FROM conversation_state WHERE chat_id = ?", [telegram_id])
        db.execute("DELETE FROM inbox WHERE chat_id = ?", [telegram_id])  # what waits unhandled
        db.execute("DELETE FROM invite_attempts WHERE telegram_id = ?", [telegram_id])
    if mode == "erase":
        db.execute("DELETE FROM memberships WHERE person_id = ?", [person_id])
        db.execute("DELETE FROM people WHERE id = ?", [person_id])
    else:
        db.execute("UPDATE memberships SET status = 'removed' WHERE person_id = ?", [person_id])
        db.execute("UPDATE people SET telegram_id = NULL, name = '', municipality = '',"
                   " department = '', organisation = '', status = 'erased', updated_at = ?"
                   " WHERE id = ?", [utcnow_iso(now), person_id])


def people_only_in(db: sqlite_utils.Database, trajectory_ids: list[int]) -> list[int]:
    """People whose every membership is in these trajectories (retention purge)."""
    if not trajectory_ids:
        return []
    marks = ", ".join("?" for _ in trajectory_ids)
    rows = db.execute(
        f"SELECT DISTINCT person_id FROM memberships WHERE trajectory_id IN ({marks})"
        f" AND person_id NOT IN (SELECT person_id FROM memberships"
        f" WHERE trajectory_id NOT IN ({marks}))", [*trajectory_ids, *trajectory_ids]
    ).fetchall()
    return [r[0] for r in rows]
