"""Homework rules: what a participant has to hand in, its status, who may see a submission,
and where its files are kept.

Status of one assignment for one person:
    open        opened, nothing handed in, due time not passed
    overdue     due time passed, nothing handed in (handing in is still possible: marked late)
    handed_in   handed in on time
    late        handed in after the due time
    feedback    a coach answered (and it was handed in)
A submission can be added to or replaced until the next session starts.
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

ALLOWED_DOCUMENTS = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/heic": ".heic",
}
EDIT_AFTER_LAST_SESSION = timedelta(days=7)


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

    def __post_init__(self) -> None:
        if self.due_at is None:
            object.__setattr__(self, "due_at", self.window.due_at)

    @property
    def assignment(self):
        return self.window.assignment


def windows(db: sqlite_utils.Database, s: Settings, trajectory_id: int
            ) -> list[calendar.Homework]:
    return calendar.windows_for(db, s, trajectory_id)


def editable_until(window: calendar.Homework, due_at: datetime | None = None) -> datetime:
    """Handing in or adding to it is possible until the next session starts (after the
    deadline it counts as late), or a week after the deadline of the last session's homework;
    never before the person's own deadline (an extension)."""
    if window.next_session is not None:
        until = window.next_session.starts_at
    else:
        until = window.due_at + EDIT_AFTER_LAST_SESSION
    return max(until, due_at) if due_at is not None else until


def status_of(submission: store.Submission | None, feedback_count: int,
              window: calendar.Homework, now: datetime, due_at: datetime | None = None) -> str:
    if submission is not None and submission.status == "submitted":
        if feedback_count:
            return "feedback"
        return "late" if submission.late else "handed_in"
    return "overdue" if now > (due_at or window.due_at) else "open"


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
    return HomeworkView(window, trajectory, submission, len(items), len(coach_feedback),
                        status_of(submission, len(coach_feedback), window, now, due),
                        editable_until(window, due), due, extended)


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


def hand_in(db: sqlite_utils.Database, person_id: int, view_: HomeworkView, now: datetime
            ) -> store.Submission:
    submission = store.ensure_draft(db, person_id, view_.assignment.id, now)
    store.submit(db, submission.id, now, late=now > view_.due_at)
    return store.get(db, submission.id)


# Homework per session number, for progress: "on_time", "late", "missing" (due time passed,
# nothing handed in) or "open" (not due yet, nothing handed in); absent: no assignment.
HOMEWORK_PROGRESS = {"handed_in": "on_time", "feedback": "on_time", "late": "late",
                     "overdue": "missing", "open": "open"}


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
