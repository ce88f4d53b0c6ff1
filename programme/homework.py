"""Homework rules: what a participant has to hand in, its status, who may see a submission,
and where its files are kept.

Status of one assignment for one person:
    open        opened, nothing handed in, due time not passed
    overdue     due time passed, nothing handed in (handing in is still possible: marked late)
    closed      nothing handed in, and it can no longer be (the next session started)
    handed_in   handed in on time
    late        handed in after the due time
    feedback    a coach answered (and it was handed in)
A submission can be added to or replaced until the next session starts.

Its *state*, the one answer every participant-facing message uses (/huiswerk, the session
reminders, the check-ins, the reminders and nudges): open, draft (pieces, not handed in, still
changeable), overdue (late but still accepted), handed_in, closed (missed: nothing handed in
and too late to do so). Only open, draft and overdue are something still to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlite_utils

from core.settings import Settings
from flows.engine import Flow
from programme import calendar, flow_progress
from storage import homework as store
from storage import memberships, people, trajectories
from storage.db import utcnow_iso

ALLOWED_DOCUMENTS = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/heic": ".heic",
}
EDIT_AFTER_LAST_SESSION = timedelta(days=7)
OPEN, DRAFT, OVERDUE, HANDED_IN, CLOSED = "open", "draft", "overdue", "handed_in", "closed"
TO_DO = (OPEN, DRAFT, OVERDUE)


@dataclass(frozen=True)
class HomeworkView:
    window: calendar.Homework
    trajectory: trajectories.Trajectory
    submission: store.Submission | None
    item_count: int
    feedback_count: int
    status: str
    editable_until: datetime
    due_at: datetime | None = None     # the person's own deadline (an extension, a late joiner)
    extended: bool = False
    changeable: bool = True            # it can still be handed in or added to (now < editable_until)

    def __post_init__(self) -> None:
        if self.due_at is None:
            object.__setattr__(self, "due_at", self.window.due_at)

    @property
    def assignment(self):
        return self.window.assignment

    @property
    def draft(self) -> bool:
        """Pieces collected but not handed in ("concept, nog niet ingediend")."""
        return self.submission is not None and self.submission.status == "draft" and \
            self.item_count > 0

    @property
    def state(self) -> str:
        """open | draft | overdue | handed_in | closed (see the module's docstring)."""
        if self.submission is not None and self.submission.status == "submitted":
            return HANDED_IN
        if not self.changeable:
            return CLOSED
        return DRAFT if self.draft else self.status

    @property
    def to_do(self) -> bool:
        """Still something the person can and should do."""
        return self.state in TO_DO


def windows(db: sqlite_utils.Database, s: Settings, trajectory_id: int
            ) -> list[calendar.Homework]:
    return calendar.windows_for(db, s, trajectory_id)


def editable_until(window: calendar.Homework, due_at: datetime | None = None,
                   sessions: list[trajectories.Session] | None = None) -> datetime:
    """Handing in or adding to it is possible until the next session starts (after the
    deadline it counts as late), or a week after the deadline of the last session's homework.
    A person's own later deadline (an extension, a late joiner's catch-up) moves this along:
    until the first of `sessions` that starts after it (or a week after it), so a late hand-in
    is accepted after every deadline, as the reminders say."""
    if window.next_session is not None:
        until = window.next_session.starts_at
    else:
        until = window.due_at + EDIT_AFTER_LAST_SESSION
    if due_at is None or due_at <= until:
        return until
    after = [x.starts_at for x in sessions or () if x.status == "planned" and
             x.starts_at > due_at]
    return min(after) if after else due_at + EDIT_AFTER_LAST_SESSION


def status_of(submission: store.Submission | None, feedback_count: int,
              window: calendar.Homework, now: datetime, due_at: datetime | None = None,
              until: datetime | None = None) -> str:
    """`until`: when handing in stops (editable_until); from then on nothing handed in is
    "closed", no longer "overdue"."""
    if submission is not None and submission.status == "submitted":
        if feedback_count:
            return "feedback"
        return "late" if submission.late else "handed_in"
    if until is not None and now >= until:
        return CLOSED
    return OVERDUE if now > (due_at or window.due_at) else OPEN


def view(db: sqlite_utils.Database, person_id: int, window: calendar.Homework,
         trajectory: trajectories.Trajectory, now: datetime, s: Settings | None = None
         ) -> HomeworkView:
    """One person's homework; with the settings, their own deadline (extension, late joiner)."""
    due, extended = window.due_at, False
    if s is not None:
        from programme import followup

        due, extended, _catch_up = followup.assignment_due(db, s, person_id, window)
    submission = store.of(db, person_id, window.assignment.id)
    items = store.items(db, submission.id) if submission else []
    feedback = store.thread(db, submission.id) if submission else []
    coach_feedback = [f for f in feedback if f.author_id != person_id]
    until = editable_until(window, due, trajectories.sessions_of(db, trajectory.id)
                           if extended or due > window.due_at else None)
    return HomeworkView(window, trajectory, submission, len(items), len(coach_feedback),
                        status_of(submission, len(coach_feedback), window, now, due, until),
                        until, due, extended, now < until)


def for_person(db: sqlite_utils.Database, s: Settings, person_id: int, now: datetime
               ) -> list[HomeworkView]:
    """The opened homework of every trajectory the person takes part in."""
    result = []
    for membership in memberships.of_person(db, person_id):
        if membership.role != "participant":
            continue
        trajectory = trajectories.get(db, membership.trajectory_id)
        for window in windows(db, s, trajectory.id):
            if window.opens_at <= now:
                result.append(view(db, person_id, window, trajectory, now, s))
    return result


def find(db: sqlite_utils.Database, s: Settings, person_id: int, assignment_id: int,
         now: datetime) -> HomeworkView | None:
    return next((v for v in for_person(db, s, person_id, now)
                 if v.assignment.id == assignment_id), None)


def state_of(db: sqlite_utils.Database, s: Settings, person_id: int, assignment_id: int,
             now: datetime) -> str | None:
    """The person's state of one assignment now (None: no such assignment)."""
    found = window_of(db, s, assignment_id)
    if found is None:
        return None
    window, trajectory = found
    return view(db, person_id, window, trajectory, now, s).state


def restorable(db: sqlite_utils.Database, view_: HomeworkView) -> str | None:
    """When the pieces set aside by the last "opnieuw beginnen" were set aside, while they can
    still be brought back (the homework is changeable and was not handed in after it); None:
    nothing to bring back."""
    submission = view_.submission
    if submission is None or not view_.changeable:
        return None
    removed = store.last_removal(db, submission.id)
    if removed is None or (submission.submitted_at is not None
                           and utcnow_iso(submission.submitted_at) >= removed):
        return None
    return removed


def flow_part_done(db: sqlite_utils.Database, flows: dict[str, Flow], person_id: int,
                   window: calendar.Homework) -> bool | None:
    """For assignments handed in through a flow: is that part finished? None: not such a kind."""
    assignment = window.assignment
    if assignment.kind == "brief_step":
        return flow_progress.brief_steps_done(db, flows, person_id).get(
            f"step{assignment.brief_step}", False)
    if assignment.kind == "whys":
        return any(c.complete for c in flow_progress.chains(db, flows, person_id))
    return None


def hand_in(db: sqlite_utils.Database, person_id: int, view_: HomeworkView, now: datetime,
            flows: dict[str, Flow] | None = None, *, as_of: datetime | None = None
            ) -> store.Submission:
    """Hand in (or again, after a change). With the flow definitions, homework that is a brief
    step or a chain keeps a snapshot of those answers as they are now. `as_of`: the moment
    the content dates from (a draft handed in as it was at its deadline), for "late"."""
    submission = store.ensure_draft(db, person_id, view_.assignment.id, now)
    store.submit(db, submission.id, now, late=(as_of or now) > view_.due_at)
    if flows is not None:
        from programme import readable

        readable.take_snapshot(db, flows, person_id, submission.id, view_.assignment, now)
    return store.get(db, submission.id)


def window_of(db: sqlite_utils.Database, s: Settings, assignment_id: int
              ) -> tuple[calendar.Homework, trajectories.Trajectory] | None:
    from storage import assignments

    assignment = assignments.get(db, assignment_id)
    session = trajectories.get_session(db, assignment.session_id) if assignment else None
    if session is None:
        return None
    window = next((w for w in windows(db, s, session.trajectory_id)
                   if w.assignment.id == assignment_id), None)
    return (window, trajectories.get(db, session.trajectory_id)) if window else None


def draft_locked(db: sqlite_utils.Database, s: Settings, submission: store.Submission,
                 now: datetime) -> bool:
    """A draft (never handed in) whose homework can no longer be changed: from then on it
    reaches the coaches, marked as a draft."""
    found = window_of(db, s, submission.assignment_id)
    if found is None:
        return False
    window, trajectory = found
    return now >= view(db, submission.person_id, window, trajectory, now, s).editable_until


def drafts_at_lock(db: sqlite_utils.Database, s: Settings, assignment_id: int, now: datetime
                   ) -> list[tuple[people.Person, store.Submission, int]]:
    """Drafts with pieces left when this homework locked: (person, submission, pieces)."""
    out = []
    for submission in store.of_assignment(db, assignment_id):
        if submission.status != "draft" or not draft_locked(db, s, submission, now):
            continue
        pieces = len(store.items(db, submission.id))
        person = people.get(db, submission.person_id)
        if pieces and person is not None and person.status != "erased":
            out.append((person, submission, pieces))
    return out


def feedback_for_person(db: sqlite_utils.Database, person_id: int, views: list[HomeworkView]
                        ) -> dict[int, list[tuple[store.Feedback, people.Person | None]]]:
    """Per assignment id, the coaches' messages on the person's submission (their own replies
    left out): which feedback belongs to which homework."""
    out = {}
    for v in views:
        if v.submission is None:
            continue
        thread = [(f, people.get(db, f.author_id) if f.author_id else None)
                  for f in store.thread(db, v.submission.id) if f.author_id != person_id]
        if thread:
            out[v.assignment.id] = thread
    return out


# Homework per session number, for progress: "on_time", "late", "missing" (due time passed,
# nothing handed in) or "open" (not due yet, nothing handed in); absent: no assignment.
HOMEWORK_PROGRESS = {"handed_in": "on_time", "feedback": "on_time", "late": "late",
                     "overdue": "missing", "closed": "missing", "open": "open"}


def status_by_session(db: sqlite_utils.Database, s: Settings, person_id: int,
                      trajectory_id: int, now: datetime) -> dict[int, str]:
    """The person's homework per session number, for the assignments given so far (the worst
    state when a session has several: missing > late > open > on time)."""
    rank = {"on_time": 0, "open": 1, "late": 2, "missing": 3}
    trajectory = trajectories.get(db, trajectory_id)
    result: dict[int, str] = {}
    for window in windows(db, s, trajectory_id):
        if window.opens_at > now:
            continue  # not given yet
        state = HOMEWORK_PROGRESS[view(db, person_id, window, trajectory, now, s).status]
        number = window.session.number
        if number not in result or rank[state] > rank[result[number]]:
            result[number] = state
    return result


# -- quotas -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Quota:
    max_file: int            # bytes per piece (Telegram lets bots download 20 MB)
    max_items: int           # pieces per submission
    max_submission: int      # bytes per submission
    max_person: int          # bytes of all of a person's homework

    @classmethod
    def from_config(cls, homework: dict) -> Quota:
        mb = 1024 * 1024
        return cls(int(homework["max_file_mb"] * mb), homework["max_items_per_submission"],
                   int(homework["max_mb_per_submission"] * mb),
                   int(homework["max_mb_per_person"] * mb))


def over_quota(db: sqlite_utils.Database, quota: Quota, person_id: int,
               submission_id: int | None, size: int | None, *, adding: bool = True
               ) -> str | None:
    """Why one more piece of `size` bytes may not be kept (None: it may): "file", "items",
    "submission" or "person". With adding=False the piece is already counted."""
    size = size or 0
    if size > quota.max_file:
        return "file"
    extra_items, extra_bytes = (1, size) if adding else (0, 0)
    if submission_id is not None:
        count, used = store.usage(db, person_id, submission_id)
        if count + extra_items > quota.max_items:
            return "items"
        if used + extra_bytes > quota.max_submission:
            return "submission"
    _count, total = store.usage(db, person_id)
    if total + extra_bytes > quota.max_person:
        return "person"
    return None


# -- who may see what -----------------------------------------------------------------------------
def trajectory_of_submission(db: sqlite_utils.Database, submission_id: int) -> int | None:
    submission = store.get(db, submission_id)
    if submission is None:
        return None
    from storage import assignments

    assignment = assignments.get(db, submission.assignment_id)
    session = trajectories.get_session(db, assignment.session_id) if assignment else None
    return session.trajectory_id if session else None


def can_view_submission(db: sqlite_utils.Database, person: people.Person | None,
                        submission_id: int, *, coordinator: bool = False) -> bool:
    """The owner; coordinators of the programme; the coaches of the submission's trajectory
    (a coach role in another trajectory gives nothing here). The one rule every command and
    button goes through."""
    submission = store.get(db, submission_id)
    if submission is None or (person is None and not coordinator):
        return False
    if coordinator or submission.person_id == person.id:
        return True
    return is_coach_of_submission(db, person.id, submission_id)


def is_coach_of_submission(db: sqlite_utils.Database, person_id: int | None,
                           submission_id: int) -> bool:
    trajectory_id = trajectory_of_submission(db, submission_id)
    membership = memberships.get(db, person_id, trajectory_id) \
        if trajectory_id and person_id else None
    return membership is not None and membership.role == "coach" and \
        membership.status == "active"


# -- files ----------------------------------------------------------------------------------------


# The extension a stored file gets, from its checked content type (never from the name the
# sender gave it: "factuur.pdf.exe" declared as a PDF is stored as .pdf).
EXTENSIONS = {**ALLOWED_DOCUMENTS, "audio/ogg": ".ogg", "audio/mpeg": ".mp3",
              "audio/mp4": ".m4a"}


def file_path(files_dir: str | Path, trajectory_number: int, person_id: int, submission_id: int,
              item_id: int, mime_type: str) -> Path:
    """<files>/traject-7/person-12/sub-3-item-9.pdf: ids make it unique; the extension follows
    the content type, so nothing the sender typed reaches the file system."""
    suffix = EXTENSIONS.get(mime_type, ".bin")
    base = Path(files_dir).resolve()
    path = (base / f"traject-{int(trajectory_number)}" / f"person-{int(person_id)}"
            / f"sub-{int(submission_id)}-item-{int(item_id)}{suffix}").resolve()
    if base not in path.parents:
        raise ValueError("file path escapes the files folder")
    return path
