"""Compose a due outbox row into a message, at send time, from the current data.

Rendering at send time means a moved session shows its new time, a language switch is
honoured, and a nudge can be skipped when the homework was handed in meanwhile. `compose`
returns either an Outgoing message or a reason to skip the row.

Which composer serves which kind is listed in the composition root (kernbot/composition.py);
a composer gets a `Compose` context (database, messages, settings, flows, now), the row and
the person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from buttons.flows import Start
from core.settings import Settings
from delivery.sender import Outgoing
from flows.engine import Flow
from messages.render import Messages
from programme import calendar
from storage import homework as homework_store
from storage import memberships, mutes, outbox, people, trajectories


@dataclass(frozen=True)
class Skip:
    reason: str


@dataclass(frozen=True)
class Compose:
    """What a composer may use: the data as it is now, in the recipient's language."""
    db: object
    messages: Messages
    settings: Settings
    flows: dict[str, Flow]
    now: datetime


Composer = Callable[[Compose, outbox.OutboxRow, people.Person], "Outgoing | Skip"]


def _session(db, row: outbox.OutboxRow) -> trajectories.Session | None:
    session_id = row.subject_id("session")
    return trajectories.get_session(db, session_id) if session_id else None


def _windows(db, s: Settings, trajectory_id: int) -> list[calendar.Homework]:
    return calendar.windows_for(db, s, trajectory_id)


def _window(db, s: Settings, row: outbox.OutboxRow) -> calendar.Homework | None:
    assignment_id = row.subject_id("assignment")
    if assignment_id is None or row.trajectory_id is None:
        return None
    return next((w for w in _windows(db, s, row.trajectory_id)
                 if w.assignment.id == assignment_id), None)


def homework_status(db, s: Settings, person_id: int, trajectory_id: int, now: datetime
                    ) -> list[tuple[calendar.Homework, bool]]:
    """The person's homework given so far, with whether it was handed in; homework that closed
    without being handed in is left out (it is no longer something to do)."""
    from programme import homework

    trajectory = trajectories.get(db, trajectory_id)
    views = [homework.view(db, person_id, w, trajectory, now, s)
             for w in _windows(db, s, trajectory_id) if w.opens_at <= now]
    return [(v.window, v.state == homework.HANDED_IN) for v in views
            if v.state != homework.CLOSED]


def session_reminder(c: Compose, row, person):
    db, m, now = c.db, c.messages, c.now
    session = _session(db, row)
    if session is None or session.status != "planned":
        return Skip("session cancelled or removed")
    if session.starts_at <= now:
        return Skip("the session has already started")
    trajectory = trajectories.get(db, session.trajectory_id)
    membership = memberships.get(db, person.id, trajectory.id)
    homework = []
    if membership is not None and membership.role == "participant":
        # the homework for this session: given at the one before (what was due for an
        # earlier session is not listed again)
        homework = [(w, done) for w, done in homework_status(db, c.settings, person.id,
                                                             trajectory.id, now)
                    if w.next_session is not None and w.next_session.id == session.id]
    text = m.render("reminders/session", person.language, person=person, session=session,
                    trajectory=trajectory, offset=row.unique_key.rsplit(":", 1)[-1],
                    homework=homework)
    return Outgoing(text)


def homework_open(c: Compose, row, person):
    db, m = c.db, c.messages
    session = _session(db, row)
    if session is None or session.status != "planned":
        return Skip("session cancelled or removed")
    windows = [w for w in _windows(db, c.settings, session.trajectory_id)
               if w.session.id == session.id]
    if not windows:
        return Skip("no homework for this session")
    text = m.render("reminders/homework_open", person.language, person=person,
                    session=session, windows=windows)
    return Outgoing(text)


def nudge(c: Compose, row, person):
    db, m, now = c.db, c.messages, c.now
    window = _window(db, c.settings, row)
    if window is None:
        return Skip("assignment removed")
    if homework_store.has_submitted(db, person.id, window.assignment.id):
        return Skip("already handed in")
    mute = mutes.active(db, person.id, now)
    if mute is not None:
        return Skip("nudges muted by the participant")
    if window.due_at <= now:
        return Skip("due time passed")
    text = m.render("reminders/nudge", person.language, person=person, window=window)
    return Outgoing(text)


def evaluation(c: Compose, row, person):
    db, m = c.db, c.messages
    session = _session(db, row)
    if session is None or session.status != "planned":
        return Skip("session cancelled or removed")
    text = m.render("reminders/evaluation", person.language, person=person, session=session)
    label = m.plain("reminders/evaluation_button", person.language)
    return Outgoing(text, buttons=(((label, Start("evaluatie", str(session.id)).pack()),),))


def digest(c: Compose, row, person):
    db, m = c.db, c.messages
    window = _window(db, c.settings, row)
    if window is None:
        return Skip("assignment removed")
    participants = [people.get(db, x.person_id)
                    for x in memberships.of_trajectory(db, row.trajectory_id, "participant")]
    missing = [p for p in participants
               if p is not None and not homework_store.has_submitted(db, p.id, window.assignment.id)]
    trajectory = trajectories.get(db, row.trajectory_id)
    from storage import followup as followup_store

    later = {}
    for p in missing:
        extension = followup_store.extension(db, p.id, window.assignment.id)
        if extension is not None and extension.due_at > window.due_at:
            later[p.id] = extension.due_at
    text = m.render("reminders/digest", person.language, person=person, window=window,
                    trajectory=trajectory, missing=missing, total=len(participants),
                    later=later)
    return Outgoing(text)


def session_change(c: Compose, row, person):
    db, m = c.db, c.messages
    session = _session(db, row)
    if session is None:
        return Skip("session removed")
    trajectory = trajectories.get(db, session.trajectory_id)
    text = m.render("reminders/session_change", person.language, person=person,
                    session=session, trajectory=trajectory,
                    change=row.payload.get("change", "moved"))
    return Outgoing(text)


def announcement(c: Compose, row, person):
    db, m = c.db, c.messages
    from storage import announcements

    item = announcements.get(db, int(row.subject.split(":", 1)[1]))
    if item is None:
        return Skip("announcement removed")
    if item.cancelled_at is not None:
        return Skip("announcement cancelled")
    if not item.text and not item.photo_file_id and not item.document_file_id:
        return Skip("announcement erased (its author left)")
    text = m.render("announcements/message", person.language, text=item.text)
    return Outgoing(text, photo_file_id=item.photo_file_id,
                    document_file_id=item.document_file_id)


def lagging(c: Compose, row, person):
    """A staff nudge: the items it was queued for that are still open (homework first)."""
    from programme import followup

    if row.trajectory_id is None or not followup.membership_running(c.db, person.id,
                                                                    row.trajectory_id):
        return Skip("no longer takes part")
    if mutes.active(c.db, person.id, c.now) is not None:
        return Skip("nudges muted by the participant")
    items = []
    for subject in row.payload.get("items", []):
        item = followup.item(c.db, c.settings, person.id, row.trajectory_id, subject)
        if item is not None and not followup.is_done(c.db, c.flows, person.id, item) and \
                not followup.closed(c.db, c.settings, person.id, item, c.now):
            items.append(item)
    if not items:
        return Skip("caught up meanwhile")
    drafts = {}
    for item in items:
        if item.kind == "assignment":
            submission = homework_store.of(c.db, person.id, item.ref)
            if submission is not None and submission.status == "draft":
                drafts[item.ref] = len(homework_store.items(c.db, submission.id))
    return Outgoing(c.messages.render("reminders/lagging", person.language, person=person,
                                      items=items, drafts=drafts, now=c.now))


def homework_digest(c: Compose, row, person):
    db, m = c.db, c.messages
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


def announcement_resolve(c: Compose, row, person):
    """A planned announcement's moment: resolve its audience now and queue one row per
    recipient (sent right after, in the next pass); this row itself sends nothing."""
    from programme import announcing
    from storage import announcements

    item = announcements.get(c.db, int(row.subject.split(":", 1)[1]))
    if item is None or item.cancelled_at is not None:
        return Skip("announcement cancelled")
    count = announcing.resolve_now(c.db, item, c.now, c.flows)
    return Skip(f"audience resolved at send time: {count} recipients")
