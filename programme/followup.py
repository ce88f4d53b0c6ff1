"""Directive follow-up: what each participant still has to do, by when, and the ladder of
reminders that follows each open item until it is done (no Telegram, no scheduler).

Items, per participant and trajectory (subject = the outbox subject of its reminders):
    intake:<trajectory>      the intake; due `intake_due_working_days` working days before the
                             first session (a late joiner: `catch_up_working_days` after joining)
    assignment:<assignment>  a homework (also a brief step or a five-whys chain given as
                             homework); due as the calendar says, or later with an extension;
                             homework given before a late joiner joined is due
                             `catch_up_working_days` working days after joining
    evaluation:<session>     the evaluation of a session the person could attend; due
                             `evaluation_due_working_days` working days after it ended
    final:<trajectory>       the evaluation of the whole trajectory, after the closing message

The ladder (`followup.ladder_working_days`, working days from the deadline, at `ladder_time`):
gentle (to the participant, before the deadline), firm (to the participant, after it), coach
(to the coaches), coordinator (to the coordinators). A participant's rung is a row in the
outbox: it is sent once, skipped when the item is done by then, and held while the person is
away. The staff rungs of one trajectory that fall at the same moment are one row per staff
member (a digest naming every participant and item), and a coordinator's digest that falls at
the moment of the weekly overview is part of that overview.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlite_utils

from core.events import EventBus, FollowupChanged
from core.settings import Settings
from core.workdays import WorkCalendar
from flows.engine import Flow
from programme import calendar, flow_progress
from storage import assignments as assignment_store
from storage import followup as store
from storage import homework as homework_store
from storage import memberships, outbox, people, trajectories
from storage.db import parse_iso, transaction

ABSENCE_NOTICE = "absence_notice"       # outbox kinds queued here (composed in schedule/)
EXTENSION_NOTICE = "extension_notice"
PARTICIPANT_RUNGS = ("gentle", "firm")
STAFF_RUNGS = ("coach", "coordinator")
ITEM_KINDS = ("intake", "assignment", "evaluation", "final")


@dataclass(frozen=True)
class Item:
    kind: str
    ref: int
    trajectory_id: int
    opens_at: datetime
    due_at: datetime
    assignment: assignment_store.Assignment | None = None
    session: trajectories.Session | None = None
    extended: bool = False
    catch_up: bool = False          # given before the person joined

    @property
    def subject(self) -> str:
        return f"{self.kind}:{self.ref}"


def parse_subject(subject: str) -> tuple[str, int] | None:
    kind, _, ref = subject.partition(":")
    if kind not in ITEM_KINDS or not (ref.isascii() and ref.isdigit()):
        return None
    return kind, int(ref)


# -- the end of a trajectory --------------------------------------------------------------------
def final_evaluation_trajectory(db: sqlite_utils.Database, s: Settings, person_id: int,
                                now: datetime) -> int | None:
    """The trajectory whose closing message this participant got, to evaluate as a whole
    (/slotevaluatie); the latest one when there are several; None before any closing."""
    closed = [(closing, m.trajectory_id) for m in memberships.of_person(db, person_id)
              if m.role == "participant"
              and (closing := closing_at(db, s, m.trajectory_id)) is not None and closing <= now]
    return max(closed)[1] if closed else None


def closing_at(db: sqlite_utils.Database, s: Settings, trajectory_id: int) -> datetime | None:
    """When the closing message goes: the working day after the last session or its homework's
    deadline, whichever is later, at the ladder time. None without planned sessions."""
    sessions = [x for x in trajectories.sessions_of(db, trajectory_id) if x.status == "planned"]
    if not sessions:
        return None
    last = sessions[-1]
    end = last.ends_at
    for window in calendar.windows_for(db, s, trajectory_id):
        if window.session.id == last.id:
            end = max(end, window.due_at)
    day = s.work.add_working_days(s.work.local(end).date(), 1)
    return s.work.at(day, s.ladder_time)


def aftercare_at(s: Settings, closing: datetime) -> datetime:
    """`aftercare_months` months after the closing message, on a working day."""
    local = s.work.local(closing).date()
    month = local.month - 1 + s.aftercare_months
    year, month = local.year + month // 12, month % 12 + 1
    day = min(local.day, 28)
    return s.work.at(s.work.add_working_days(date(year, month, day), 0), s.ladder_time)


def running(db: sqlite_utils.Database, s: Settings, trajectory_id: int, now: datetime) -> bool:
    """Between the start of the first session and the closing message."""
    sessions = [x for x in trajectories.sessions_of(db, trajectory_id) if x.status == "planned"]
    closing = closing_at(db, s, trajectory_id)
    return bool(sessions) and sessions[0].starts_at <= now and closing is not None \
        and now <= closing


# -- items ----------------------------------------------------------------------------------------
def _due_after(work: WorkCalendar, moment: datetime, days: int) -> datetime:
    return work.at(work.add_working_days(work.local(moment).date(), days), work.deadline_time)


def assignment_due(db: sqlite_utils.Database, s: Settings, person_id: int,
                   window: calendar.Homework, joined: datetime | None = None
                   ) -> tuple[datetime, bool, bool]:
    """The person's own deadline for one homework: (due, extended, catch_up). An extension
    wins; homework given before the person joined is due `catch_up_working_days` after it."""
    extension = store.extension(db, person_id, window.assignment.id)
    if extension is not None:
        return extension.due_at, True, False
    joined = joined or store.joined_at(db, person_id, window.session.trajectory_id)
    if joined is not None and window.opens_at < joined:
        return max(window.due_at, _due_after(s.work, joined, s.catch_up_working_days)), False, \
            True
    return window.due_at, False, False


def items_for(db: sqlite_utils.Database, s: Settings, person_id: int, trajectory_id: int,
              joined: datetime | None = None) -> list[Item]:
    """Every item of one participant in one trajectory, with the person's own deadline."""
    work = s.work
    joined = joined or store.joined_at(db, person_id, trajectory_id)
    sessions = [x for x in trajectories.sessions_of(db, trajectory_id) if x.status == "planned"]
    if not sessions or joined is None:
        return []
    late = joined > sessions[0].starts_at
    catch_up_due = _due_after(work, joined, s.catch_up_working_days)
    items: list[Item] = []
    # intake
    if late:
        intake_due = catch_up_due
    else:
        first_day = work.local(sessions[0].starts_at).date()
        intake_due = work.at(work.add_working_days(first_day, -s.intake_due_working_days)
                             if s.intake_due_working_days else first_day, work.deadline_time)
        intake_due = min(intake_due, sessions[0].starts_at)
    items.append(Item("intake", trajectory_id, trajectory_id, joined, max(intake_due, joined)))
    # homework
    for window in calendar.windows_for(db, s, trajectory_id):
        due, extended, caught = assignment_due(db, s, person_id, window, joined)
        items.append(Item("assignment", window.assignment.id, trajectory_id,
                          max(window.opens_at, joined), due, assignment=window.assignment,
                          session=window.session, extended=extended, catch_up=caught))
    # evaluations of the sessions the person could attend
    for session in sessions:
        if session.ends_at <= joined:
            continue
        items.append(Item("evaluation", session.id, trajectory_id, session.ends_at,
                          _due_after(work, session.ends_at, s.evaluation_due_working_days),
                          session=session))
    # the evaluation of the whole trajectory
    closing = closing_at(db, s, trajectory_id)
    if closing is not None:
        items.append(Item("final", trajectory_id, trajectory_id, closing,
                          _due_after(work, closing, s.evaluation_due_working_days)))
    return items


def item(db: sqlite_utils.Database, s: Settings, person_id: int, trajectory_id: int,
         subject: str) -> Item | None:
    return next((i for i in items_for(db, s, person_id, trajectory_id) if i.subject == subject),
                None)


def is_done(db: sqlite_utils.Database, flows: dict[str, Flow], person_id: int,
            item: Item) -> bool:
    if item.kind == "intake":
        return flow_progress.intake_done(db, flows, person_id)
    if item.kind == "assignment":
        # handed in, also for a brief step: a filled step that was never handed in has not
        # reached the coaches (the reminder says to hand it in)
        return homework_store.has_submitted(db, person_id, item.ref)
    if item.kind == "evaluation":
        return any(e.complete and e.session_id == item.ref
                   for e in flow_progress.evaluations(db, flows, person_id))
    if item.kind == "final":
        return final_evaluation_done(db, flows, person_id, item.ref)
    return False


FINAL_FLOW = "slotevaluatie"


def final_evaluation_done(db: sqlite_utils.Database, flows: dict[str, Flow], person_id: int,
                          trajectory_id: int) -> bool:
    if FINAL_FLOW not in flows:
        return False
    from flows import engine
    from programme.flow_runner import load_answers

    return engine.is_complete(flows[FINAL_FLOW],
                              load_answers(db, person_id, FINAL_FLOW, str(trajectory_id)))


def open_items(db: sqlite_utils.Database, s: Settings, flows: dict[str, Flow], person_id: int,
               trajectory_id: int, now: datetime, *, closed_too: bool = False) -> list[Item]:
    """Items that are open now (opened, not done), soonest deadline first; homework that
    closed without being handed in only with `closed_too` (the staff's record)."""
    return sorted((i for i in items_for(db, s, person_id, trajectory_id)
                   if i.opens_at <= now and not is_done(db, flows, person_id, i)
                   and (closed_too or not closed(db, s, person_id, i, now))),
                  key=lambda i: i.due_at)


def closed(db: sqlite_utils.Database, s: Settings, person_id: int, item: Item,
           now: datetime) -> bool:
    """Homework that can no longer be handed in (its state says so): not to do any more."""
    from programme import homework

    return item.kind == "assignment" and \
        homework.state_of(db, s, person_id, item.ref, now) == homework.CLOSED


# -- when ---------------------------------------------------------------------------------------
def rung_moments(s: Settings, item: Item) -> list[tuple[str, datetime]]:
    """The ladder of one item: (rung, moment), skipping rungs before the item opens."""
    work = s.work
    due_day = work.local(item.due_at).date()
    result = []
    for rung, days in s.ladder:
        moment = work.at(work.add_working_days(due_day, days), s.ladder_time)
        if days > 0 and moment <= item.due_at:
            moment = work.at(work.add_working_days(due_day, days + 1), s.ladder_time)
        if days < 0 and moment >= item.due_at:
            continue  # the deadline is before the ladder time on that day: no room
        if moment <= item.opens_at:
            continue
        result.append((rung, moment))
    return result


def back_at(s: Settings, absence: store.Absence) -> datetime:
    """The first working moment after an absence."""
    return s.work.at(s.work.next_working_day(absence.last_day), s.ladder_time)


def away_at(s: Settings, absences: list[store.Absence], moment: datetime
            ) -> store.Absence | None:
    """The absence covering `moment` (an ended absence covers until it was ended)."""
    for absence in absences:
        end = back_at(s, absence)
        if absence.ended_at is not None:
            end = min(end, absence.ended_at)
        if absence.starts_at <= moment < end:
            return absence
    return None


def hold(s: Settings, absences: list[store.Absence], moment: datetime) -> datetime:
    """A reminder that would arrive during an absence waits until the person is back."""
    for _ in range(len(absences) + 1):
        absence = away_at(s, absences, moment)
        if absence is None:
            return moment
        moment = back_at(s, absence) if absence.ended_at is None else absence.ended_at
    return moment


def held_ladder(s: Settings, item: Item, absences: list[store.Absence]
                ) -> list[tuple[str, datetime]]:
    """The ladder of one item as it reaches people: each rung held while the participant is
    away. A reminder before the deadline ("gentle") that an absence holds until after the
    deadline is dropped when a later rung follows: that one says it is overdue, once."""
    rungs = [(rung, hold(s, absences, at)) for rung, at in rung_moments(s, item)]
    return [(rung, at) for n, (rung, at) in enumerate(rungs)
            if not (rung == "gentle" and at >= item.due_at
                    and any(later in PARTICIPANT_RUNGS for later, _ in rungs[n + 1:]))]


@dataclass(frozen=True)
class StaffRung:
    """One participant's item reaching the coach or coordinator rung at one moment."""
    about: int              # the participant
    item: Item
    rung: str               # "coach" | "coordinator"
    at: datetime            # held while the participant is away


def staff_rungs(db: sqlite_utils.Database, s: Settings, trajectory_id: int,
                participants: list[int]) -> list[StaffRung]:
    """Every staff rung of every item of these participants. Staff get them as one digest per
    trajectory and moment (`digest_moment`), never one message per participant and item."""
    found = []
    for person_id in participants:
        absences = store.absences_of(db, person_id)
        for item in items_for(db, s, person_id, trajectory_id):
            found.extend(StaffRung(person_id, item, rung, at)
                         for rung, at in held_ladder(s, item, absences) if rung in STAFF_RUNGS)
    return found


STAFF_TOLD = "staff_rung"     # escalations kind: a staff rung named in a digest, once


def _told_ref(recipient: int, entry: StaffRung) -> str:
    return f"{recipient}:{entry.item.subject}:{entry.rung}:{entry.about}"


def already_told(db: sqlite_utils.Database, recipient: int, entry: StaffRung) -> bool:
    """Never the same rung twice: whether a digest (or the weekly overview) named this
    participant's item at this rung to this staff member before (also after an extension
    moved the item's ladder)."""
    if store.reported(db, STAFF_TOLD, _told_ref(recipient, entry)):
        return True
    # a message of one participant and one item, as sent before the digests
    before = outbox.by_key(db, outbox.make_key("followup_staff", recipient, entry.item.subject,
                                                f"{entry.rung}.{entry.about}"))
    return before is not None and before.status == outbox.SENT


def mark_told(db: sqlite_utils.Database, recipient: int, entries: list[StaffRung],
              now: datetime) -> None:
    for entry in entries:
        store.report(db, STAFF_TOLD, _told_ref(recipient, entry), entry.about, now)


def digest_moment(at: datetime) -> str:
    """The outbox offset naming a staff digest's moment (UTC, minutes; no colon)."""
    return at.astimezone(UTC).strftime("%Y%m%d%H%M")


def parse_digest_moment(offset: str) -> datetime | None:
    try:
        return datetime.strptime(offset, "%Y%m%d%H%M").replace(tzinfo=UTC)
    except ValueError:
        return None


def superseded(s: Settings, item: Item, rung: str, now: datetime) -> bool:
    """A "gentle" reminder composed after the deadline (held, snoozed or sent late) while a
    later rung to the participant follows or went: that one is the overdue message."""
    if rung != "gentle" or now < item.due_at:
        return False
    return any(r in PARTICIPANT_RUNGS and r != "gentle" for r, _ in rung_moments(s, item))


def tomorrow(s: Settings, now: datetime) -> datetime:
    """ "Herinner me morgen": the next working day, at the ladder time."""
    return s.work.at(s.work.next_working_day(s.work.local(now).date()), s.ladder_time)


# -- silence ------------------------------------------------------------------------------------
def check_in_step(s: Settings) -> int:
    """Check-in candidates every this many working days (see docs/calendar.md)."""
    return max(1, s.silence_working_days // 3)


def last_contact(db: sqlite_utils.Database, s: Settings, person_id: int, now: datetime
                 ) -> datetime | None:
    """The latest reminder the person received or sign of life they gave: an answer, homework,
    a snooze, an absence they announced (counted up to its end)."""
    moments = [store.last_sent_to(db, person_id, now), flow_progress.last_activity(db, person_id),
               homework_store.last_activity(db, person_id), store.last_snooze(db, person_id)]
    for absence in store.absences_of(db, person_id):
        end = min(back_at(s, absence), absence.ended_at or back_at(s, absence))
        if absence.starts_at <= now:
            moments.append(min(end, now))
    moments = [m for m in moments if m is not None and m <= now]
    return max(moments) if moments else None


def silent_since(db: sqlite_utils.Database, s: Settings, person_id: int, now: datetime,
                 since: datetime) -> int:
    """Working days without contact up to now (counting from `since` when there was none)."""
    last = last_contact(db, s, person_id, now) or since
    return s.work.working_days_between(max(last, since), now)


def membership_running(db: sqlite_utils.Database, person_id: int, trajectory_id: int) -> bool:
    m = memberships.get(db, person_id, trajectory_id)
    return m is not None and m.status == "active" and m.role == "participant"


def extension_choices(s: Settings, current_due: datetime, now: datetime) -> list[datetime]:
    """New deadlines a coach can pick with one tap: 2, 5 and 10 working days after the current
    deadline (or after today, when that has passed)."""
    base = max(current_due, now)
    day = s.work.local(base).date()
    return [s.work.at(s.work.add_working_days(day, n), s.work.deadline_time) for n in (2, 5, 10)]


# -- changes a person or their coach makes (each re-plans through the event bus) ---------------
def trajectory_of_item(db: sqlite_utils.Database, kind: str, ref: int) -> int | None:
    if kind in ("intake", "final"):
        return ref if trajectories.get(db, ref) is not None else None
    if kind == "assignment":
        a = assignment_store.get(db, ref)
        session = trajectories.get_session(db, a.session_id) if a else None
    else:
        session = trajectories.get_session(db, ref)
    return session.trajectory_id if session else None


def snooze(db: sqlite_utils.Database, bus: EventBus, s: Settings, person_id: int,
           trajectory_id: int, subject: str, rung: str, now: datetime) -> datetime | None:
    """ "Herinner me morgen": the next working day, once per item and rung. Returns when the
    reminder comes, or None when this rung was snoozed already."""
    until = tomorrow(s, now)
    with transaction(db):
        if not store.snooze(db, person_id, subject, rung, until, now):
            return None
        bus.publish(db, FollowupChanged(person_id, trajectory_id, now))
    return until


class NotLater(ValueError):
    """A new deadline that gives no more time: `asked`, once on a working day (`due_at`), is
    not after the person's deadline now (`current`). `moved`: only the move to a working day
    made it so. `suggestion`: a day that would do (the first extension button's)."""

    def __init__(self, current: datetime, asked: datetime, due_at: datetime,
                 suggestion: date) -> None:
        super().__init__(f"{due_at.isoformat()} is not after the deadline {current.isoformat()}")
        self.current, self.asked, self.due_at = current, asked, due_at
        self.moved, self.suggestion = asked > current, suggestion


def extension_refusal(s: Settings, current_due: datetime, due_at: datetime, now: datetime
                      ) -> NotLater | None:
    """Why `due_at` is no extension of `current_due` (None when it is one): an "extension" that
    is not later, after the move to a working day, would shorten the deadline."""
    deadline = s.work.deadline(due_at)
    if deadline > current_due:
        return None
    first = extension_choices(s, current_due, now)[0]
    return NotLater(current_due, due_at, deadline, s.work.local(first).date())


def current_due(db: sqlite_utils.Database, s: Settings, person_id: int, assignment_id: int
                ) -> datetime | None:
    """The person's deadline for one homework now (an extension, a late joiner's catch-up
    time, or the calendar's); None when the homework has no window (its session is gone)."""
    trajectory_id = trajectory_of_item(db, "assignment", assignment_id)
    window = next((w for w in calendar.windows_for(db, s, trajectory_id)
                   if w.assignment.id == assignment_id), None) if trajectory_id else None
    return assignment_due(db, s, person_id, window)[0] if window else None


def grant_extension(db: sqlite_utils.Database, bus: EventBus, s: Settings, person_id: int,
                    assignment_id: int, due_at: datetime, granted_by: int | None,
                    now: datetime) -> store.Extension:
    """More time for one person on one homework: a deadline on a working day (a weekend or
    holiday moves to the working day before), the person is told, the reminders follow.
    Raises NotLater, storing nothing, when that deadline is not after the current one."""
    with transaction(db):
        current = current_due(db, s, person_id, assignment_id)
        refusal = extension_refusal(s, current, due_at, now) if current else None
        if refusal is not None:
            raise refusal
        due_at = s.work.deadline(due_at)
        trajectory_id = trajectory_of_item(db, "assignment", assignment_id)
        extension = store.grant_extension(db, person_id, assignment_id, due_at, granted_by, now)
        outbox.enqueue(db, kind=EXTENSION_NOTICE, person_id=person_id,
                       subject=f"assignment:{assignment_id}",
                       offset=f"until{due_at.strftime('%Y%m%d%H%M')}", planned_at=now, now=now,
                       trajectory_id=trajectory_id, payload={"by": granted_by})
        bus.publish(db, FollowupChanged(person_id, trajectory_id, now))
    return extension


def go_away(db: sqlite_utils.Database, bus: EventBus, s: Settings, person_id: int,
            last_day: date, now: datetime) -> store.Absence:
    """ /afwezig: reminders wait until the first working day after `last_day`; the coaches of
    the person's trajectories are told (once per absence)."""
    with transaction(db):
        absence = store.start_absence(db, person_id, last_day, now)
        for membership in memberships.of_person(db, person_id):
            if membership.role != "participant":
                continue
            for coach in memberships.of_trajectory(db, membership.trajectory_id, "coach"):
                outbox.enqueue(db, kind=ABSENCE_NOTICE, person_id=coach.person_id,
                               subject=f"absence:{absence.id}", offset=str(person_id),
                               planned_at=now, now=now, trajectory_id=membership.trajectory_id,
                               payload={"about": person_id, "absence": absence.id})
        bus.publish(db, FollowupChanged(person_id, None, now))
    return absence


def come_back(db: sqlite_utils.Database, bus: EventBus, person_id: int, now: datetime) -> bool:
    with transaction(db):
        ended = store.end_absence(db, person_id, now)
        if ended:
            bus.publish(db, FollowupChanged(person_id, None, now))
    return ended


def current_absence(db: sqlite_utils.Database, s: Settings, person_id: int, now: datetime
                    ) -> store.Absence | None:
    return away_at(s, store.absences_of(db, person_id), now)


# -- escalation: what coaches and participants leave lying -----------------------------------
ESCALATION = "escalation_overview"


@dataclass(frozen=True)
class Lying:
    """A submission no coach opened, or feedback the participant did not answer."""
    kind: str            # "unopened" | "unanswered"
    ref: str             # the escalations key: reported once
    submission_id: int
    owner: people.Person
    title: str           # the assignment's title; title_en its English one ("" if none)
    since: datetime
    title_en: str = ""


def lying(db: sqlite_utils.Database, s: Settings, trajectory_id: int, now: datetime
          ) -> list[Lying]:
    """What is to be reported now and was not reported before: handed-in work no coach of the
    trajectory opened within `unopened_working_days`, and feedback the participant has not
    answered within `unanswered_working_days`."""
    coaches = {m.person_id for m in memberships.of_trajectory(db, trajectory_id, "coach")}
    found: list[Lying] = []
    for row in store.submitted_in(db, trajectory_id):
        owner = people.get(db, row["person_id"])
        submitted = parse_iso(row["submitted_at"])
        if owner is None or owner.status not in ("active", "unreachable") or submitted is None:
            continue
        seen = store.opened_by(db, owner.id, row["title"]) | \
            store.feedback_authors(db, row["id"])
        ref = f"unopened:{row['id']}"
        if not seen & coaches and \
                s.work.working_days_between(submitted, now) >= s.unopened_working_days and \
                not store.reported(db, "unopened", ref):
            found.append(Lying("unopened", ref, row["id"], owner, row["title"], submitted,
                               row["title_en"]))
        last = store.last_feedback(db, row["id"])
        if last is None or last["author_id"] == owner.id:
            continue
        ref = f"unanswered:{last['id']}"
        if s.work.working_days_between(last["created_at"], now) >= s.unanswered_working_days \
                and not store.reported(db, "unanswered", ref):
            found.append(Lying("unanswered", ref, row["id"], owner, row["title"],
                               last["created_at"], row["title_en"]))
    return found


def mark_reported(db: sqlite_utils.Database, items: list[Lying], now: datetime) -> None:
    for item in items:
        store.report(db, item.kind, item.ref, item.owner.id, now)


def weekly(s: Settings, first: datetime, closing: datetime) -> list[datetime]:
    """The moments of the weekly overview: the first working day of each week at the ladder
    time, from the week after the first session to two weeks after the closing."""
    moments = []
    day = s.work.local(first).date()
    day += timedelta(days=7 - day.weekday())           # the Monday after
    end = s.work.local(closing).date() + timedelta(days=14)
    while day <= end:
        moments.append(s.work.at(s.work.next_working_day(day, include=True), s.ladder_time))
        day += timedelta(days=7)
    return moments
