"""Announcements: resolve the audience and queue one outbox row per recipient, atomically.

The unique key per recipient (`announcement:<id>` as subject) means a crash in the middle of
sending resumes where it was, without doubles: the rows are the truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from programme import audiences
from storage import announcements, outbox, people
from storage.db import transaction

KIND = "announcement"
RESOLVE = "announcement_resolve"   # a planned announcement: its audience is resolved at send time


@dataclass(frozen=True)
class Progress:
    total: int
    sent: int
    pending: int
    failed: int
    unreachable: int
    skipped: int
    # planned, recipients not fixed yet: how many are in the audience now (0 once resolved)
    expected: int = 0

    @property
    def done(self) -> bool:
        return self.pending == 0


def queue(db: sqlite_utils.Database, *, author_id: int | None, text: str, audience: dict,
          audience_label: str, planned_at: datetime, now: datetime,
          photo_file_id: str | None = None, document_file_id: str | None = None,
          flows: dict | None = None) -> announcements.Announcement:
    """Now: one row per recipient. Later (and an author to deliver through): one row that
    resolves the audience at the moment of sending ("who has not handed in" then, not now)."""
    later = planned_at > now and author_id is not None
    with transaction(db):
        recipients = audiences.resolve(db, audience, flows)
        announcement = announcements.create(
            db, author_id=author_id, text=text, audience=audience,
            audience_label=audience_label, recipients=len(recipients), planned_at=planned_at,
            now=now, photo_file_id=photo_file_id, document_file_id=document_file_id)
        if later:
            outbox.enqueue(db, kind=RESOLVE, person_id=author_id, subject=announcement.subject,
                           planned_at=planned_at, now=now)
        else:
            enqueue_recipients(db, announcement, recipients, planned_at, now)
    return announcement


def enqueue_recipients(db: sqlite_utils.Database, announcement: announcements.Announcement,
                       recipients: list, planned_at: datetime, now: datetime) -> int:
    created = 0
    for person in recipients:
        _row, new = outbox.enqueue(db, kind=KIND, person_id=person.id,
                                   subject=announcement.subject, planned_at=planned_at, now=now)
        created += new
    return created


def resolve_now(db: sqlite_utils.Database, announcement: announcements.Announcement,
                now: datetime, flows: dict | None = None) -> int:
    """At the planned moment: who is in the audience now gets the announcement."""
    with transaction(db):
        recipients = audiences.resolve(db, announcement.audience, flows)
        announcements.set_recipients(db, announcement.id, len(recipients))
        enqueue_recipients(db, announcement, recipients, now, now)
    return len(recipients)


def cancel(db: sqlite_utils.Database, announcement: announcements.Announcement,
           now: datetime) -> bool:
    """A planned announcement is withdrawn: nobody receives it."""
    with transaction(db):
        if not announcements.cancel(db, announcement.id, now):
            return False
        outbox.cancel_pending(db, now, "announcement cancelled by the coordinator",
                              subject=announcement.subject)
    return True


def planned(announcement: announcements.Announcement, now: datetime) -> bool:
    """Still to go out (and so still to cancel or edit)."""
    return announcement.status == "queued" and announcement.cancelled_at is None and \
        announcement.planned_at > now


def progress(db: sqlite_utils.Database, announcement: announcements.Announcement) -> Progress:
    counts = outbox.counts(db, subject=announcement.subject, kind=KIND)
    waiting = outbox.counts(db, subject=announcement.subject, kind=RESOLVE)
    unresolved = waiting["pending"] + waiting["sending"]
    total = sum(counts.values())
    expected = announcement.recipients if unresolved and not total else 0
    return Progress(total=total + expected, sent=counts["sent"],
                    pending=counts["pending"] + counts["sending"] + (expected or unresolved),
                    failed=counts["failed"], unreachable=counts["unreachable"],
                    skipped=counts["skipped"], expected=expected)


def unreachable_people(db: sqlite_utils.Database, announcement: announcements.Announcement
                       ) -> list[people.Person]:
    rows = outbox.find(db, subject=announcement.subject, kind=KIND)
    ids = [r.person_id for r in rows if r.status == outbox.UNREACHABLE
           or (r.status == outbox.SKIPPED and "unreachable" in r.error)]
    return [p for p in (people.get(db, i) for i in ids) if p is not None]


@dataclass(frozen=True)
class Missed:
    """Who may not have the announcement: `failed` certainly not (Telegram refused, or it
    kept failing); `interrupted` perhaps not (the bot stopped between sending it and hearing
    back, so it was not sent again to avoid a double)."""

    failed: list[people.Person]
    interrupted: list[people.Person]

    @property
    def count(self) -> int:
        return len(self.failed) + len(self.interrupted)


def missed(db: sqlite_utils.Database, announcement: announcements.Announcement) -> Missed:
    rows = outbox.find(db, subject=announcement.subject, kind=KIND, status=outbox.FAILED)

    def persons(selected) -> list[people.Person]:
        found = (people.get(db, r.person_id) for r in selected if r.person_id is not None)
        return [p for p in found if p is not None]

    return Missed(failed=persons(r for r in rows if not r.interrupted),
                  interrupted=persons(r for r in rows if r.interrupted))


def resend_missed(db: sqlite_utils.Database, announcement: announcements.Announcement,
                  now: datetime) -> int:
    """Send the announcement again, now, to exactly the people it failed or may have failed
    for; returns how many. The announcement is followed again until a new report."""
    with transaction(db):
        count = outbox.requeue_failed(db, announcement.subject, KIND, now)
        if count:
            announcements.reopen(db, announcement.id)
    return count
