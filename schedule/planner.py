"""Turn sessions, homework and memberships into outbox rows; idempotent.

Every timed message is a row before it is sent, keyed by (kind, person, subject, offset).
Planning again (start-up, a moved session, a new member) creates what is missing, moves
pending rows whose time changed, revives rows that are wanted again and cancels pending rows
that are no longer wanted. Sent, skipped and failed rows are never touched: a message is never
sent twice.

Kinds: session_reminder (participants and coaches), homework_open, evaluation, digest (coaches
and coordinators, at the due time), session_change (one notice when a session moves or is
cancelled), and the follow-up of issue 16 (programme/followup.py): followup (the gentle and firm
rungs of the ladder, to the participant, and "herinner me morgen"), followup_staff (the coach and
coordinator rungs: one digest per staff member, trajectory and moment), check_in (nobody silent
longer than `silence_working_days`), welcome_late (a late joiner's catch-up list), closing and
aftercare (the end of a trajectory).

Working days: deadlines, rungs, check-ins and digests fall on working days within working hours;
a whole-day session reminder that would fall on a weekend or holiday comes the working day
before. A person's absence holds their reminders until they are back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlite_utils

from core.events import Enrolled, FollowupChanged, SessionChanged
from core.settings import Settings
from programme import calendar, followup, homework, preparation
from storage import followup as followup_store
from storage import memberships, outbox, people, trajectories
from storage.db import transaction

SESSION_REMINDER = "session_reminder"
HOMEWORK_OPEN = "homework_open"
NUDGE = "nudge"
EVALUATION = "evaluation"
DIGEST = "digest"
SESSION_CHANGE = "session_change"
LAGGING = "lagging_nudge"
FOLLOWUP = "followup"
FOLLOWUP_STAFF = "followup_staff"
CHECK_IN = "check_in"
WELCOME_LATE = "welcome_late"
CLOSING = "closing"
AFTERCARE = "aftercare"
PREP_PACK = "prep_pack"           # issue 14: the preparation pack, to each coach, per session
GROUP_FEEDBACK = "group_feedback"  # "koppel terug": a coach's answer to the group
DRAFT_CHECK = "draft_check"        # at the deadline: hand in the unsent draft as it is?
DRAFTS_LOCKED = "drafts_locked"    # at the lock: the drafts left reach the coaches
ABSENCE_NOTICE = followup.ABSENCE_NOTICE
EXTENSION_NOTICE = followup.EXTENSION_NOTICE
# NUDGE stays listed so that pending rows of the old nudges are cancelled on re-planning.
ESCALATION = followup.ESCALATION
PLANNED_KINDS = (SESSION_REMINDER, HOMEWORK_OPEN, NUDGE, EVALUATION, DIGEST, FOLLOWUP,
                 FOLLOWUP_STAFF, CHECK_IN, WELCOME_LATE, CLOSING, AFTERCARE, ESCALATION,
                 PREP_PACK, DRAFT_CHECK, DRAFTS_LOCKED)


@dataclass(frozen=True)
class Wanted:
    kind: str
    person_id: int
    subject: str
    offset: str
    planned_at: datetime
    payload: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return outbox.make_key(self.kind, self.person_id, self.subject, self.offset)


@dataclass
class PlanReport:
    created: int = 0
    moved: int = 0
    revived: int = 0
    cancelled: int = 0

    def __iadd__(self, other: PlanReport) -> PlanReport:
        self.created += other.created
        self.moved += other.moved
        self.revived += other.revived
        self.cancelled += other.cancelled
        return self


def _hours_label(hours: float) -> str:
    return f"{hours:g}h"


def quiet_exempt(kind: str, offset: str) -> bool:
    """The one-hour reminder comes at its time, quiet hours or not."""
    return kind == SESSION_REMINDER and offset.endswith("h") and float(offset[:-1]) < 24


class Planner:
    """Plans with the settings it is given (the bot's, the admin command line's, a test's)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _shift(self, kind: str, offset: str, moment: datetime) -> datetime:
        s = self.settings
        if quiet_exempt(kind, offset):
            return moment
        return calendar.out_of_quiet_hours(moment, s.quiet_start, s.quiet_end, s.tz)

    def wanted_rows(self, db: sqlite_utils.Database, trajectory_id: int) -> list[Wanted]:
        s = self.settings
        sessions = [x for x in trajectories.sessions_of(db, trajectory_id) if x.status == "planned"]
        active = [m for m in memberships.of_trajectory(db, trajectory_id)]
        participants = [m.person_id for m in active if m.role == "participant"]
        coaches = [m.person_id for m in active if m.role == "coach"]
        coordinators = [p.id for p in people.all_people(db)
                        if p.role == "coordinator" and p.status == "active"]
        rows: list[Wanted] = []

        def add(kind: str, person_id: int, subject: str, offset: str, at: datetime,
                payload: dict | None = None) -> None:
            rows.append(Wanted(kind, person_id, subject, offset, self._shift(kind, offset, at),
                               payload or {}))

        windows = calendar.windows_for(db, s, trajectory_id)
        for session in sessions:
            subject = f"session:{session.id}"
            for hours in s.session_offsets_hours:
                at = calendar.offset_before(session.starts_at, hours, s.tz)
                if hours >= 24:  # a whole-day reminder comes on a working day
                    at = s.work.on_or_before(at)
                for person_id in participants + coaches:
                    add(SESSION_REMINDER, person_id, subject, _hours_label(hours), at)
            has_homework = any(w.session.id == session.id for w in windows)
            for person_id in participants:
                if has_homework:
                    add(HOMEWORK_OPEN, person_id, subject, "end", session.ends_at)
                add(EVALUATION, person_id, subject, "end",
                    session.ends_at + timedelta(minutes=s.evaluation_delay_minutes))
        for session in sessions:  # the preparation pack, to each coach
            at = preparation.prep_moment(s, session, windows)
            for person_id in coaches:
                add(PREP_PACK, person_id, f"session:{session.id}", "prep", at)
        for window in windows:  # the drafts left at the lock reach the coaches
            for person_id in coaches:
                add(DRAFTS_LOCKED, person_id, f"assignment:{window.assignment.id}", "lock",
                    homework.editable_until(window))
        for window in windows:
            subject = f"assignment:{window.assignment.id}"
            for person_id in sorted(set(coaches + coordinators)):
                add(DIGEST, person_id, subject, "due", s.work.on_or_after(window.due_at))
        rows.extend(self.followup_rows(db, trajectory_id, sessions, participants, coaches,
                                       coordinators))
        closing = followup.closing_at(db, s, trajectory_id)
        weekly: set[datetime] = set()
        if sessions and closing is not None:
            # the coordinator's weekly word on work left lying (sent only when there is some)
            weekly = set(followup.weekly(s, sessions[0].starts_at, closing))
            for at in sorted(weekly):
                for person_id in coordinators:
                    add(ESCALATION, person_id, f"escalation:{trajectory_id}",
                        s.work.local(at).date().isoformat(), at)
        if sessions:
            rows.extend(self.staff_digest_rows(db, trajectory_id, participants, coaches,
                                               coordinators, weekly))
        return rows

    def staff_digest_rows(self, db: sqlite_utils.Database, trajectory_id: int,
                          participants: list[int], coaches: list[int], coordinators: list[int],
                          weekly: set[datetime]) -> list[Wanted]:
        """The coach and coordinator rungs: one row per staff member and moment, whatever the
        number of participants and items that reach a rung then (composed at send time from
        what is still open). A coordinator's moment that is also a weekly overview's is not a
        row of its own: the overview carries it."""
        moments: dict[int, set[datetime]] = {}
        for entry in followup.staff_rungs(db, self.settings, trajectory_id, participants):
            for recipient in coaches if entry.rung == "coach" else coordinators:
                moments.setdefault(recipient, set()).add(entry.at)
        rows = []
        for recipient, ats in sorted(moments.items()):
            for at in sorted(ats):
                if recipient in coordinators and at in weekly:
                    continue
                offset = followup.digest_moment(at)
                rows.append(Wanted(FOLLOWUP_STAFF, recipient, f"followup:{trajectory_id}",
                                   offset, self._shift(FOLLOWUP_STAFF, offset, at)))
        return rows

    def followup_rows(self, db: sqlite_utils.Database, trajectory_id: int, sessions: list,
                      participants: list[int], coaches: list[int], coordinators: list[int]
                      ) -> list[Wanted]:
        """The ladder of every open item, check-ins, the late joiner's welcome, the end."""
        s = self.settings
        rows: list[Wanted] = []
        if not sessions:
            return rows
        closing = followup.closing_at(db, s, trajectory_id)
        snoozes = {}
        for snooze in followup_store.snoozes_of(db, participants):
            snoozes.setdefault(snooze.person_id, []).append(snooze)
        for person_id in participants:
            absences = followup_store.absences_of(db, person_id)

            def add(kind: str, recipient: int, subject: str, offset: str, at, payload=None,
                    absences=absences):
                at = followup.hold(s, absences, at)
                rows.append(Wanted(kind, recipient, subject, offset,
                                   self._shift(kind, offset, at), payload or {}))

            joined = followup_store.joined_at(db, person_id, trajectory_id)
            items = followup.items_for(db, s, person_id, trajectory_id, joined)
            for item in items:
                if item.kind == "assignment" and item.due_at > item.opens_at:
                    add(DRAFT_CHECK, person_id, item.subject, "due", item.due_at)
                for rung, at in followup.held_ladder(s, item, absences):
                    if rung in followup.PARTICIPANT_RUNGS:
                        add(FOLLOWUP, person_id, item.subject, rung, at)
            for snooze in snoozes.get(person_id, []):
                add(FOLLOWUP, person_id, snooze.subject, f"{snooze.rung}.later", snooze.until)
            # nobody silent for longer than silence_working_days while the trajectory runs
            start = max(sessions[0].starts_at, joined or sessions[0].starts_at)
            if closing is not None:
                step = followup.check_in_step(s)
                day = s.work.add_working_days(s.work.local(start).date(), step)
                while (at := s.work.at(day, s.ladder_time)) < closing:
                    rows.append(Wanted(CHECK_IN, person_id, f"trajectory:{trajectory_id}",
                                       day.isoformat(), at))
                    day = s.work.add_working_days(day, step)
            if joined is not None and joined > sessions[0].starts_at:
                rows.append(Wanted(WELCOME_LATE, person_id, f"trajectory:{trajectory_id}",
                                   "late", joined))
            if closing is not None:
                rows.append(Wanted(CLOSING, person_id, f"trajectory:{trajectory_id}", "end",
                                   closing))
                rows.append(Wanted(AFTERCARE, person_id, f"trajectory:{trajectory_id}",
                                   f"{s.aftercare_months}m", followup.aftercare_at(s, closing)))
        return rows

    def plan_trajectory(self, db: sqlite_utils.Database, trajectory_id: int, now: datetime
                        ) -> PlanReport:
        """Bring the outbox rows of one trajectory in line with its calendar (one transaction)."""
        s = self.settings
        report = PlanReport()
        with transaction(db):
            existing = outbox.keys_of_trajectory(db, trajectory_id, PLANNED_KINDS)
            wanted = {w.key: w for w in self.wanted_rows(db, trajectory_id)}
            for key, want in wanted.items():
                row = existing.get(key)
                if row is None:
                    # Never invent messages that were due long before they were planned
                    # (a participant who enrols in June gets no February reminders).
                    if want.planned_at < now - s.grace:
                        continue
                    outbox.enqueue(db, kind=want.kind, person_id=want.person_id,
                                   subject=want.subject, offset=want.offset,
                                   planned_at=want.planned_at, now=now,
                                   trajectory_id=trajectory_id, payload=want.payload)
                    report.created += 1
                elif row.status == outbox.PENDING and row.planned_at != want.planned_at:
                    outbox.reschedule(db, row.id, want.planned_at, now)
                    report.moved += 1
                elif (row.status == outbox.CANCELLED and want.planned_at >= now
                      and outbox.revive(db, row.id, want.planned_at, now)):
                    report.revived += 1
            for key, row in existing.items():
                if (key not in wanted and row.status == outbox.PENDING
                        and outbox.finish(db, row.id, outbox.CANCELLED, now,
                                          "no longer planned (session moved, cancelled or member"
                                          " left)", from_status=outbox.PENDING)):
                    report.cancelled += 1
        return report

    def plan_all(self, db: sqlite_utils.Database, now: datetime) -> PlanReport:
        report = PlanReport()
        for trajectory in trajectories.all_trajectories(db):
            report += self.plan_trajectory(db, trajectory.id, now)
        return report

    def notify_change(self, db: sqlite_utils.Database, session_id: int, change: str, now: datetime
                      ) -> int:
        """One short notice per participant and coach that a session moved or was cancelled."""
        from storage import calendar as calendar_store

        session = trajectories.get_session(db, session_id)
        if session is None:
            return 0
        sequence = calendar_store.sequence(db, session_id)
        count = 0
        for m in memberships.of_trajectory(db, session.trajectory_id):
            _row, created = outbox.enqueue(
                db, kind=SESSION_CHANGE, person_id=m.person_id, subject=f"session:{session_id}",
                offset=f"seq{sequence}", planned_at=now, now=now,
                trajectory_id=session.trajectory_id, payload={"change": change})
            count += created
        return count


    def queue_lagging_nudges(self, db: sqlite_utils.Database, nudges: dict[int, list[str]],
                             trajectory_id: int, now: datetime, by: int | None = None) -> int:
        """Staff's "nudge who is behind": one message per person naming the items (outbox
        subjects) chosen by `progress.nudges_due`, composed at send time from what is still
        open; each item is recorded so it is not named again within `nudge_repeat`."""
        from storage import coaches as coach_store

        stamp = now.astimezone(self.settings.tz).strftime("%Y%m%d%H%M%S")
        created = 0
        with transaction(db):
            for person_id, subjects in nudges.items():
                _row, new = outbox.enqueue(db, kind=LAGGING, person_id=person_id,
                                           subject=f"lagging:{trajectory_id}", offset=stamp,
                                           planned_at=now, now=now, trajectory_id=trajectory_id,
                                           payload={"items": list(subjects), "by": by})
                if new:
                    for subject in subjects:
                        coach_store.record_nudge(db, person_id, trajectory_id, subject, by, now)
                created += new
        return created

    # -- reactions to domain events (subscribed in kernbot/composition.py) ----------------------
    def on_session_changed(self, db: sqlite_utils.Database, event: SessionChanged) -> None:
        """A new, moved or cancelled session: re-plan its trajectory; a moved or cancelled one
        also gets one short notice per member."""
        session = trajectories.get_session(db, event.session_id)
        if session is None:
            return
        self.plan_trajectory(db, session.trajectory_id, event.now)
        if event.change in ("moved", "cancelled", "added"):
            self.notify_change(db, event.session_id, event.change, event.now)

    def on_enrolled(self, db: sqlite_utils.Database, event: Enrolled) -> None:
        if event.trajectory_id is not None:
            self.plan_trajectory(db, event.trajectory_id, event.now)

    def on_followup_changed(self, db: sqlite_utils.Database, event: FollowupChanged) -> None:
        if event.trajectory_id is not None:
            ids = [event.trajectory_id]
        elif event.person_id is not None:
            ids = [m.trajectory_id for m in memberships.of_person(db, event.person_id)]
        else:
            ids = [t.id for t in trajectories.all_trajectories(db)]
        for trajectory_id in ids:
            self.plan_trajectory(db, trajectory_id, event.now)
