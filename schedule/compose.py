"""Compose a due outbox row into a message, at send time, from the current data.

Rendering at send time means a moved session shows its new time, a language switch is
honoured, and a nudge can be skipped when the homework was handed in meanwhile. `compose`
returns either an Outgoing message or a reason to skip the row.

Other features add kinds (announcements) by registering a composer in COMPOSERS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from delivery.sender import Outgoing
from messages.render import Messages
from programme import calendar
from schedule import planner
from schedule.settings import settings
from storage import memberships, mutes, outbox, people, submissions, trajectories


@dataclass(frozen=True)
class Skip:
    reason: str


Composer = Callable[[object, outbox.OutboxRow, people.Person, Messages, datetime],
                    "Outgoing | Skip"]
COMPOSERS: dict[str, Composer] = {}


def composer(kind: str):
    def register(fn: Composer) -> Composer:
        COMPOSERS[kind] = fn
        return fn

    return register


def _session(db, row: outbox.OutboxRow) -> trajectories.Session | None:
    session_id = row.subject_id("session")
    return trajectories.get_session(db, session_id) if session_id else None


def _windows(db, trajectory_id: int) -> list[calendar.Homework]:
    s = settings()
    return calendar.homework_windows(db, trajectory_id,
                                     days_before_next=s.due_days_before_next_session,
                                     days_after_last=s.due_days_after_last_session, tz=s.tz)


def _window(db, row: outbox.OutboxRow) -> calendar.Homework | None:
    assignment_id = row.subject_id("assignment")
    if assignment_id is None or row.trajectory_id is None:
        return None
    return next((w for w in _windows(db, row.trajectory_id)
                 if w.assignment.id == assignment_id), None)


def homework_status(db, person_id: int, trajectory_id: int, now: datetime
                    ) -> list[tuple[calendar.Homework, bool]]:
    """Open or recently due homework of a person, with whether it was handed in."""
    return [(w, submissions.has_submitted(db, person_id, w.assignment.id))
            for w in _windows(db, trajectory_id) if w.opens_at <= now]


@composer(planner.SESSION_REMINDER)
def session_reminder(db, row, person, m: Messages, now):
    session = _session(db, row)
    if session is None or session.status != "planned":
        return Skip("session cancelled or removed")
    if session.starts_at <= now:
        return Skip("the session has already started")
    trajectory = trajectories.get(db, session.trajectory_id)
    membership = memberships.get(db, person.id, trajectory.id)
    homework = []
    if membership is not None and membership.role == "participant":
        homework = [(w, done) for w, done in homework_status(db, person.id, trajectory.id, now)
                    if w.due_at <= session.starts_at]
    text = m.render("reminders/session", person.language, person=person, session=session,
                    trajectory=trajectory, offset=row.unique_key.rsplit(":", 1)[-1],
                    homework=homework)
    return Outgoing(text)


@composer(planner.HOMEWORK_OPEN)
def homework_open(db, row, person, m: Messages, now):
    session = _session(db, row)
    if session is None or session.status != "planned":
        return Skip("session cancelled or removed")
    windows = [w for w in _windows(db, session.trajectory_id) if w.session.id == session.id]
    if not windows:
        return Skip("no homework for this session")
    text = m.render("reminders/homework_open", person.language, person=person,
                    session=session, windows=windows)
    return Outgoing(text)


@composer(planner.NUDGE)
def nudge(db, row, person, m: Messages, now):
    window = _window(db, row)
    if window is None:
        return Skip("assignment removed")
    if submissions.has_submitted(db, person.id, window.assignment.id):
        return Skip("already handed in")
    mute = mutes.active(db, person.id, now)
    if mute is not None:
        return Skip("nudges muted by the participant")
    if window.due_at <= now:
        return Skip("due time passed")
    text = m.render("reminders/nudge", person.language, person=person, window=window)
    return Outgoing(text)


@composer(planner.EVALUATION)
def evaluation(db, row, person, m: Messages, now):
    session = _session(db, row)
    if session is None or session.status != "planned":
        return Skip("session cancelled or removed")
    text = m.render("reminders/evaluation", person.language, person=person, session=session)
    label = m.plain("reminders/evaluation_button", person.language)
    return Outgoing(text, buttons=(((label, f"flowstart:evaluatie:{session.id}"),),))


@composer(planner.DIGEST)
def digest(db, row, person, m: Messages, now):
    window = _window(db, row)
    if window is None:
        return Skip("assignment removed")
    participants = [people.get(db, x.person_id)
                    for x in memberships.of_trajectory(db, row.trajectory_id, "participant")]
    missing = [p for p in participants
               if p is not None and not submissions.has_submitted(db, p.id, window.assignment.id)]
    trajectory = trajectories.get(db, row.trajectory_id)
    text = m.render("reminders/digest", person.language, person=person, window=window,
                    trajectory=trajectory, missing=missing, total=len(participants))
    return Outgoing(text)


@composer(planner.SESSION_CHANGE)
def session_change(db, row, person, m: Messages, now):
    session = _session(db, row)
    if session is None:
        return Skip("session removed")
    trajectory = trajectories.get(db, session.trajectory_id)
    text = m.render("reminders/session_change", person.language, person=person,
                    session=session, trajectory=trajectory,
                    change=row.payload.get("change", "moved"))
    return Outgoing(text)


def compose(db, row: outbox.OutboxRow, person: people.Person, m: Messages, now: datetime
            ) -> Outgoing | Skip:
    fn = COMPOSERS.get(row.kind)
    if fn is None:
        return Skip(f"unknown kind {row.kind!r}")
    return fn(db, row, person, m, now)


@composer("announcement")
def announcement(db, row, person, m: Messages, now):
    from storage import announcements

    item = announcements.get(db, int(row.subject.split(":", 1)[1]))
    if item is None:
        return Skip("announcement removed")
    text = m.render("announcements/message", person.language, text=item.text)
    return Outgoing(text, photo_file_id=item.photo_file_id,
                    document_file_id=item.document_file_id)


@composer(planner.LAGGING)
def lagging(db, row, person, m: Messages, now):
    from programme import progress

    data = progress.trajectory_progress(db, row.trajectory_id, now)
    mine = next((p for p in data.participants if p.person.id == person.id), None)
    if mine is None or not mine.lagging:
        return Skip("caught up meanwhile")
    return Outgoing(m.render("reminders/lagging", person.language, person=person,
                             reasons=mine.reasons))


@composer("homework_digest")
def homework_digest(db, row, person, m: Messages, now):
    from storage import assignments
    from storage import homework as homework_store
    from storage.db import parse_iso

    since = parse_iso(row.payload["since"])
    handed = homework_store.submitted_between(db, row.trajectory_id, since, row.planned_at)
    if not handed:
        return Skip("nothing new was handed in")
    entries = [(people.get(db, x.person_id), assignments.get(db, x.assignment_id), x)
               for x in handed]
    trajectory = trajectories.get(db, row.trajectory_id)
    return Outgoing(m.render("reminders/homework_digest", person.language, person=person,
                             trajectory=trajectory, entries=entries))
