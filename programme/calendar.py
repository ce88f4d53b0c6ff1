"""The programme calendar: sessions, homework windows, `.ics` files, moving or cancelling a session.

Time arithmetic (see docs/calendar.md):
- "N days before" means the same clock time N calendar days earlier in Europe/Brussels
  (`local_days_before`): a 7-day reminder for a Tuesday 9u30 session comes the Tuesday before at
  9u30, also across the change to or from summer time.
- Offsets under a day are exact (`exact_hours_before`, in UTC): "1 hour before" is 60 minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from core.events import EventBus, SessionChanged
from core.settings import Settings
from core.workdays import WorkCalendar
from storage import assignments as assignment_store
from storage import calendar as calendar_store
from storage import followup as followup_store
from storage import memberships, trajectories
from storage.db import transaction

BRUSSELS = ZoneInfo("Europe/Brussels")


def local_days_before(moment: datetime, days: int, tz: ZoneInfo = BRUSSELS) -> datetime:
    """The same wall-clock time `days` calendar days earlier, in `tz`; returned in UTC."""
    local = moment.astimezone(tz)
    wall = local.replace(tzinfo=None) - timedelta(days=days)
    return wall.replace(tzinfo=tz).astimezone(UTC)


def local_days_after(moment: datetime, days: int, tz: ZoneInfo = BRUSSELS) -> datetime:
    return local_days_before(moment, -days, tz)


def exact_hours_before(moment: datetime, hours: float) -> datetime:
    return moment.astimezone(UTC) - timedelta(hours=hours)


def offset_before(moment: datetime, hours: float, tz: ZoneInfo = BRUSSELS) -> datetime:
    """Whole days: calendar arithmetic (same clock time); anything else: exact hours."""
    if hours >= 24 and float(hours) % 24 == 0:
        return local_days_before(moment, int(hours // 24), tz)
    return exact_hours_before(moment, hours)


def parse_hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def out_of_quiet_hours(moment: datetime, start: str, end: str, tz: ZoneInfo = BRUSSELS
                       ) -> datetime:
    """Move a moment that falls in the quiet period [start, end) to its end (local time)."""
    quiet_start, quiet_end = parse_hhmm(start), parse_hhmm(end)
    local = moment.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    if quiet_start == quiet_end:
        return moment.astimezone(UTC)
    if quiet_start > quiet_end:  # over midnight, e.g. 21:00-08:00
        in_quiet = clock >= quiet_start or clock < quiet_end
        day = local.date() + timedelta(days=1) if clock >= quiet_start else local.date()
    else:
        in_quiet = quiet_start <= clock < quiet_end
        day = local.date()
    if not in_quiet:
        return moment.astimezone(UTC)
    return datetime.combine(day, quiet_end, tzinfo=tz).astimezone(UTC)


def in_quiet_hours(moment: datetime, start: str, end: str, tz: ZoneInfo = BRUSSELS) -> bool:
    return out_of_quiet_hours(moment, start, end, tz) != moment.astimezone(UTC)


# -- homework windows ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Homework:
    assignment: assignment_store.Assignment
    session: trajectories.Session
    opens_at: datetime
    due_at: datetime
    next_session: trajectories.Session | None


def homework_windows(db: sqlite_utils.Database, trajectory_id: int, *,
                     days_before_next: int = 2, days_after_last: int = 28,
                     tz: ZoneInfo = BRUSSELS, work: WorkCalendar | None = None
                     ) -> list[Homework]:
    """Every assignment of the trajectory with its effective opening and due time: it opens at
    the end of its session and is due `days_before_next` days before the next session starts
    (same clock time), unless a coordinator fixed other times. With a work calendar, a due
    time on a weekend or holiday moves to the previous working day at its deadline time."""
    sessions = [s for s in trajectories.sessions_of(db, trajectory_id) if s.status == "planned"]
    result = []
    for assignment in assignment_store.of_trajectory(db, trajectory_id):
        session = next((s for s in sessions if s.id == assignment.session_id), None)
        if session is None:
            continue
        following = next((s for s in sessions if s.starts_at > session.starts_at), None)
        opens = assignment.opens_at or session.ends_at
        if assignment.due_at is not None:
            due = assignment.due_at
        elif following is not None:
            due = local_days_before(following.starts_at, days_before_next, tz)
            if due <= opens:
                due = following.starts_at
        else:
            due = local_days_after(session.ends_at, days_after_last, tz)
        if work is not None:
            due = max(work.deadline(due), opens)
        result.append(Homework(assignment, session, opens, due, following))
    return result


def windows_for(db: sqlite_utils.Database, s: Settings, trajectory_id: int) -> list[Homework]:
    """The homework windows with the settings in force (working-day deadlines)."""
    return homework_windows(db, trajectory_id, days_before_next=s.due_days_before_next_session,
                            days_after_last=s.due_days_after_last_session, tz=s.tz, work=s.work)


# -- what a person sees ---------------------------------------------------------------------------
def sessions_for_person(db: sqlite_utils.Database, person_id: int | None, *,
                        all_trajectories: bool = False) -> list[tuple[trajectories.Trajectory,
                                                                      trajectories.Session]]:
    if all_trajectories:
        chosen = trajectories.all_trajectories(db)
    else:
        chosen = [trajectories.get(db, m.trajectory_id)
                  for m in memberships.of_person(db, person_id)] if person_id else []
    return [(t, s) for t in chosen if t is not None for s in trajectories.sessions_of(db, t.id)]


# -- moving and cancelling -----------------------------------------------------------------------
class OutOfOrder(ValueError):
    """A session moved or added where it would swap places with (or overlap) its neighbour:
    session `number` must start after `previous` ends and end by the time `following` starts
    (the planned sessions of the trajectory numbered just before and after it). `neighbour` is
    the one in the way; `late`: the time is too late (the neighbour is `following`)."""

    def __init__(self, number: int, neighbour: trajectories.Session,
                 previous: trajectories.Session | None,
                 following: trajectories.Session | None) -> None:
        super().__init__(f"session {number} would not come after session {previous.number}"
                         if neighbour is previous else
                         f"session {number} would not come before session {following.number}")
        self.number, self.neighbour, self.late = number, neighbour, neighbour is following
        self.previous, self.following = previous, following


def _out_of_order(db: sqlite_utils.Database, trajectory_id: int, number: int,
                  starts_at: datetime, ends_at: datetime, session_id: int | None
                  ) -> OutOfOrder | None:
    others = [x for x in trajectories.sessions_of(db, trajectory_id)
              if x.status == "planned" and x.id != session_id]
    previous = max((x for x in others if x.number < number), key=lambda x: x.number,
                   default=None)
    following = min((x for x in others if x.number > number), key=lambda x: x.number,
                    default=None)
    if previous is not None and starts_at <= previous.ends_at:
        return OutOfOrder(number, previous, previous, following)
    if following is not None and ends_at > following.starts_at:
        return OutOfOrder(number, following, previous, following)
    return None


def move_refusal(db: sqlite_utils.Database, session_id: int, starts_at: datetime,
                 ends_at: datetime) -> OutOfOrder | None:
    """Why a session cannot move to this time (None when it can): it would come before the
    session numbered before it, or after (or into) the one numbered after it. Cancelled
    sessions are not in the way."""
    session = trajectories.get_session(db, session_id)
    return _out_of_order(db, session.trajectory_id, session.number, starts_at, ends_at,
                         session.id)


def add_refusal(db: sqlite_utils.Database, trajectory_id: int, starts_at: datetime,
                ends_at: datetime) -> OutOfOrder | None:
    """The same for a new session, which gets the first free number."""
    numbers = free_numbers(db, trajectory_id)
    return _out_of_order(db, trajectory_id, numbers[0], starts_at, ends_at, None) \
        if numbers else None


def move_session(db: sqlite_utils.Database, bus: EventBus, session_id: int, *,
                 starts_at: datetime, ends_at: datetime, now: datetime,
                 location: str | None = None, video_link: str | None = None,
                 edited_by: int | None = None, in_chat: bool = False) -> trajectories.Session:
    """Move a session (one transaction): the reminders follow, participants get one notice
    with the updated calendar invitation. A cancelled session moved is planned again.
    `in_chat`: a coordinator did it in the chat (a re-import will not undo it); then a time
    that swaps the session with its neighbour raises OutOfOrder and changes nothing."""
    if ends_at <= starts_at:
        raise ValueError("a session must end after it starts")
    with transaction(db):
        refusal = move_refusal(db, session_id, starts_at, ends_at) if in_chat else None
        if refusal is not None:
            raise refusal
        calendar_store.update_session(db, session_id, starts_at=starts_at, ends_at=ends_at,
                                      location=location, video_link=video_link)
        calendar_store.set_status(db, session_id, "planned")
        calendar_store.bump_sequence(db, session_id, now)
        if in_chat:
            followup_store.mark_edited(db, "session", session_id, ["starts_at", "status"],
                                       edited_by, now)
        bus.publish(db, SessionChanged(session_id, "moved", now))
    return trajectories.get_session(db, session_id)


def cancel_session(db: sqlite_utils.Database, bus: EventBus, session_id: int, now: datetime,
                   *, edited_by: int | None = None, in_chat: bool = False
                   ) -> trajectories.Session:
    with transaction(db):
        if calendar_store.set_status(db, session_id, "cancelled"):
            calendar_store.bump_sequence(db, session_id, now)
            if in_chat:
                followup_store.mark_edited(db, "session", session_id, ["status"], edited_by,
                                           now)
            bus.publish(db, SessionChanged(session_id, "cancelled", now))
    return trajectories.get_session(db, session_id)


def free_numbers(db: sqlite_utils.Database, trajectory_id: int) -> list[int]:
    """Session numbers (1-4) not used yet in the trajectory."""
    used = {x.number for x in trajectories.sessions_of(db, trajectory_id)}
    return [n for n in range(1, 5) if n not in used]


def add_session(db: sqlite_utils.Database, bus: EventBus, trajectory_id: int, *,
                starts_at: datetime, ends_at: datetime, now: datetime, title: str,
                title_en: str = "", edited_by: int | None = None) -> trajectories.Session:
    """A coordinator adds a session in the chat (the first free number; place and mode as the
    session before it). Everyone in the trajectory is told, with an invitation. A time out of
    order with the sessions numbered around it raises OutOfOrder and adds nothing."""
    if ends_at <= starts_at:
        raise ValueError("a session must end after it starts")
    with transaction(db):
        numbers = free_numbers(db, trajectory_id)
        if not numbers:
            raise ValueError("this trajectory has four sessions already")
        refusal = add_refusal(db, trajectory_id, starts_at, ends_at)
        if refusal is not None:
            raise refusal
        sessions = trajectories.sessions_of(db, trajectory_id)
        model = max((x for x in sessions if x.starts_at <= starts_at),
                    key=lambda x: x.starts_at, default=sessions[0] if sessions else None)
        session = trajectories.upsert_session(
            db, trajectory_id=trajectory_id, number=numbers[0],
            title=title, title_en=title_en,
            starts_at=starts_at, ends_at=ends_at, mode=model.mode if model else "online",
            location=model.location if model else "",
            video_link=model.video_link if model else "")
        followup_store.mark_edited(db, "session", session.id, ["starts_at", "status"],
                                   edited_by, now)
        bus.publish(db, SessionChanged(session.id, "added", now))
    return session


# -- iCalendar --------------------------------------------------------------------------------
def session_uid(session_id: int) -> str:
    """Stable across moves, so calendar apps update the event instead of adding one."""
    return f"kernbot-session-{session_id}@kernbot"


def session_ics(db: sqlite_utils.Database, session: trajectories.Session,
                trajectory: trajectories.Trajectory, *, summary: str, description: str,
                now: datetime, tz: ZoneInfo = BRUSSELS) -> bytes:
    """A valid iCalendar file with one event (METHOD:PUBLISH)."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Kernbot//Bedrijvige kern//NL")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", session_uid(session.id))
    event.add("sequence", calendar_store.sequence(db, session.id))
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", session.starts_at.astimezone(tz))
    event.add("dtend", session.ends_at.astimezone(tz))
    event.add("summary", summary)
    event.add("description", description)
    if session.mode == "online" and session.video_link:
        event.add("location", session.video_link)
        event.add("url", session.video_link)
    elif session.location:
        event.add("location", session.location)
    event.add("status", "CANCELLED" if session.status == "cancelled" else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def last_session(db: sqlite_utils.Database, trajectory_id: int | None):
    """The trajectory's last working session (None when it has none)."""
    sessions = trajectories.sessions_of(db, trajectory_id) if trajectory_id is not None else []
    return max(sessions, key=lambda s: s.ends_at) if sessions else None
