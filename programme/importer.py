"""Programme import: a TOML file with trajectories, sessions, coaches (and, for demos, people and
invite codes) becomes rows, in one transaction.

    report = import_file(db, Path("programme.toml"), now=clock.now())

The file is checked completely before anything is written; a mistake raises ImportProblem with
one line naming the file, the table entry and the key. Applying compares every row with what is
stored and writes only what differs: importing the same file twice changes nothing (not even a
timestamp). A session whose start or end changed publishes `SessionChanged(..., "moved")` on the bus.

What the file does not mention is left alone: sessions, coaches or people missing from the file
are not deleted, and an omitted `max_participants` keeps the value a coordinator may have raised
in the bot (10 for a new trajectory). Cancel a session with `status = "cancelled"`.

The format (all times are local Europe/Brussels times; see programme.example.toml):

    demo = false                      # true allows [[invites]] with fixed codes
    [[trajectories]]
    number = 8                        # the programme's own number: the key of the trajectory
    year = 2024
    title = "..."
    theme = "..."                     # optional
    entry_condition = "..."           # optional
    max_participants = 10             # optional
      [[trajectories.coaches]]        # by Telegram id, or without one: a coach invite is made
      name = "..."                    #   (once; its link is printed by `admin import`)
      organisation = "..."
      telegram_id = 123               # optional
      [[trajectories.sessions]]
      number = 1                      # 1-4, unique in the trajectory
      title = "..."
      start = 2024-02-20T09:30:00
      end = 2024-02-20T12:30:00       # or just the time: end = 12:30:00
      mode = "online"                 # online (needs video_link) | physical (needs location)
      video_link = "https://..."
      location = "..."
      agenda = "..."                  # optional
      title_en = "..."                # optional: English texts (title_en, agenda_en); without
      agenda_en = "..."               #   them English readers get the Dutch text, marked
      status = "planned"              # optional: planned | cancelled
        [[trajectories.sessions.assignments]]
        title = "..."
        instructions = "..."
        title_en = "..."              # optional, like instructions_en
        instructions_en = "..."
        kind = "text"                 # text | files | brief_step | five_whys
    [[people]]                        # optional: people known by Telegram id
    telegram_id = 9011
    name = "..."
    role = "participant"              # participant | coach | coordinator
    organisation = "" / municipality = "" / department = "" / language = "nl"
    trajectories = [8]                # memberships, in the person's role
    [[invites]]                       # only with demo = true: invite codes chosen by hand
    code = "DEMO-DEELNEMER"
    role = "participant"
    trajectory = 8                    # not for coordinators
    uses = 1000
    expires = 2024-12-31T23:59:00     # optional
    [[practices]]                     # optional: inspiration library entries (see
    key = "avondmarkt-lier"           #   programme/practices.toml); a shipped key is replaced
    themes = [2, 10]                  # the themes of the call it fits (1-12)
    link = ""                         # a web address, or "" when there is none
    source = "..."                    # optional: where it comes from
    nl.title = "..." / nl.place = "..." / nl.what = "..."
    en.title = "..." / en.place = "..." / en.what = "..."   # optional: else the Dutch text
A file may hold only [[practices]] (to extend the library without touching trajectories).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils

from core.events import Enrolled, EventBus, SessionChanged
from programme import library
from programme.enrolment import ROLE_RANK, new_code
from storage import assignments, invites, memberships, people, trajectories
from storage.db import transaction

BRUSSELS = ZoneInfo("Europe/Brussels")
MODES = ("online", "physical")
STATUSES = ("planned", "cancelled")
ASSIGNMENT_KINDS = ("text", "files", "brief_step", "five_whys")
LANGUAGES = ("nl", "en")


class ImportProblem(Exception):
    """One line: the file, the table entry and the key that is wrong."""


# -- the parsed file -------------------------------------------------------------------------
@dataclass(frozen=True)
class AssignmentSpec:
    number: int            # position in the session (1, 2, ...): its identity on re-import
    title: str
    instructions: str
    kind: str
    title_en: str = ""          # optional English texts; "" = the Dutch one, marked
    instructions_en: str = ""


@dataclass(frozen=True)
class SessionSpec:
    number: int
    title: str
    starts_at: datetime
    ends_at: datetime
    mode: str
    location: str
    video_link: str
    agenda: str
    status: str
    assignments: tuple[AssignmentSpec, ...] = ()
    title_en: str = ""          # optional English texts; "" = the Dutch one, marked
    agenda_en: str = ""


@dataclass(frozen=True)
class CoachSpec:
    name: str
    organisation: str
    telegram_id: int | None


@dataclass(frozen=True)
class TrajectorySpec:
    number: int
    year: int
    title: str
    theme: str
    entry_condition: str
    max_participants: int | None
    coaches: tuple[CoachSpec, ...]
    sessions: tuple[SessionSpec, ...]


@dataclass(frozen=True)
class PersonSpec:
    telegram_id: int
    name: str
    role: str
    organisation: str | None
    municipality: str | None
    department: str | None
    language: str | None
    trajectories: tuple[int, ...]


@dataclass(frozen=True)
class InviteSpec:
    code: str
    role: str
    trajectory: int | None
    uses: int
    expires_at: datetime | None


@dataclass(frozen=True)
class Programme:
    source: str
    trajectories: tuple[TrajectorySpec, ...]
    people: tuple[PersonSpec, ...] = ()
    invites: tuple[InviteSpec, ...] = ()
    practices: tuple[library.Practice, ...] = ()


@dataclass
class Report:
    changes: list[str] = field(default_factory=list)
    # (trajectory number, invite) for each coach invite made by this import
    coach_invites: list[tuple[int, invites.Invite]] = field(default_factory=list)
    # domain events of what changed, published on the bus at the end of apply()
    events: list[object] = field(default_factory=list)
    # what the file would overwrite but a coordinator changed in the chat: kept, reported
    kept: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.changes)


# -- reading and checking --------------------------------------------------------------------
class _Where:
    """Names the place of a value in the file for error messages."""

    def __init__(self, source: str, path: str = "") -> None:
        self.source, self.path = source, path

    def child(self, table: str, index: int, number: object = None) -> _Where:
        if number is None:
            shown = ""
        elif isinstance(number, int) and not isinstance(number, bool):
            shown = f" (number {number})"
        else:  # a wrong value: quoted, so a newline or quote in it cannot break the line
            shown = f" (number {number!r})"
        label = f"{table} #{index + 1}{shown}"
        return _Where(self.source, f"{self.path} > {label}" if self.path else label)

    def fail(self, key: str | None, problem: str) -> ImportProblem:
        where = self.path or "top level"
        key_part = f": key {key!r}" if key else ""
        return ImportProblem(f"{self.source}: {where}{key_part}: {problem}")


class _Table:
    """A TOML table read key by key, with the unknown keys reported at the end."""

    def __init__(self, data: object, where: _Where, allowed: set[str]) -> None:
        if not isinstance(data, dict):
            raise where.fail(None, "expected a table")
        self.data, self.where = data, where
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise where.fail(unknown[0], f"unknown key (allowed: {', '.join(sorted(allowed))})")

    def _get(self, key: str, required: bool):
        if key not in self.data:
            if required:
                raise self.where.fail(key, "missing")
            return None
        return self.data[key]

    def text(self, key: str, *, required: bool = False, default: str | None = "") -> str | None:
        value = self._get(key, required)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.where.fail(key, f"expected text, got {value!r}")
        value = value.strip()
        if required and not value:
            raise self.where.fail(key, "must not be empty")
        return value

    def integer(self, key: str, *, required: bool = False, low: int | None = None,
                high: int | None = None) -> int | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.where.fail(key, f"expected a whole number, got {value!r}")
        if (low is not None and value < low) or (high is not None and value > high):
            span = f"{low} to {high}" if high is not None else f"at least {low}"
            raise self.where.fail(key, f"must be {span}, got {value}")
        return value

    def choice(self, key: str, choices: tuple[str, ...], *, required: bool = False,
               default: str | None = None) -> str | None:
        value = self.text(key, required=required, default=None)
        if value is None:
            return default
        if value not in choices:
            raise self.where.fail(key, f"must be one of {', '.join(choices)}, got {value!r}")
        return value

    def moment(self, key: str, tz: ZoneInfo, *, required: bool = False,
               same_day_as: datetime | None = None) -> datetime | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, str):
            value = _parse_text_moment(value)
        if isinstance(value, time) and same_day_as is not None:
            value = datetime.combine(same_day_as.astimezone(tz).date(), value)
        if not isinstance(value, datetime):
            shape = "a local date and time like 2024-02-20T09:30:00"
            if same_day_as is not None:
                shape += " (or a time like 12:30:00)"
            raise self.where.fail(key, f"expected {shape}, got {value!r}")
        if value.tzinfo is not None:
            return value.astimezone(tz)
        return _local(value, tz, lambda problem: self.where.fail(key, problem))

    def list_of_tables(self, key: str) -> list:
        value = self._get(key, False)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.where.fail(key, "expected a list of tables ([[...]])")
        return value


def _parse_text_moment(text: str) -> datetime | time | str:
    text = text.strip()
    for parse in (datetime.fromisoformat, time.fromisoformat):
        try:
            return parse(text)
        except ValueError:
            continue
    return text


def _local(naive: datetime, tz: ZoneInfo, fail) -> datetime:
    aware = naive.replace(tzinfo=tz)
    if aware.astimezone(ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None) != naive:
        raise fail(f"{naive:%Y-%m-%d %H:%M} does not exist in {tz.key} (the clocks jump forward)")
    return aware


def parse(text: str, source: str, tz: ZoneInfo = BRUSSELS) -> Programme:
    """Read and check the whole file; nothing is written."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ImportProblem(f"{source}: not valid TOML: {exc}") from None
    return from_data(data, source, tz)


def from_data(data: dict, source: str, tz: ZoneInfo = BRUSSELS) -> Programme:
    """Check already loaded TOML data (as tomllib returns it)."""
    top = _Table(data, _Where(source), {"demo", "year", "trajectories", "people", "invites",
                                        "practices"})
    demo = top._get("demo", False)
    if demo is not None and not isinstance(demo, bool):
        raise top.where.fail("demo", "expected true or false")
    default_year = top.integer("year", low=2000, high=2100)
    result = []
    seen: dict[int, int] = {}
    for i, raw in enumerate(top.list_of_tables("trajectories")):
        number = raw.get("number") if isinstance(raw, dict) else None
        spec = _trajectory(raw, top.where.child("trajectories", i, number), default_year, tz)
        if spec.number in seen:
            raise top.where.child("trajectories", i, number).fail(
                "number", f"trajectory {spec.number} is already in trajectories "
                          f"#{seen[spec.number] + 1}")
        seen[spec.number] = i
        result.append(spec)
    try:
        practices = library.check_all(top.list_of_tables("practices"), source,
                                      require_en=False, origin="import")
    except library.LibraryProblem as exc:
        raise ImportProblem(str(exc)) from None
    if not result and not practices:
        raise top.where.fail("trajectories", "the file has no [[trajectories]]")
    people_specs = [_person(raw, top.where.child("people", i, None), set(seen))
                    for i, raw in enumerate(top.list_of_tables("people"))]
    ids: dict[int, int] = {}
    for i, p in enumerate(people_specs):
        if p.telegram_id in ids:
            raise top.where.child("people", i).fail(
                "telegram_id", f"{p.telegram_id} is already in people #{ids[p.telegram_id] + 1}")
        ids[p.telegram_id] = i
    invite_specs = []
    raw_invites = top.list_of_tables("invites")
    if raw_invites and not demo:
        raise top.where.fail("invites", "invite codes chosen by hand are guessable: only allowed "
                                        "with demo = true (make real invites with `admin invite`)")
    codes: set[str] = set()
    for i, raw in enumerate(raw_invites):
        spec = _invite(raw, top.where.child("invites", i), set(seen), tz)
        if spec.code in codes:
            raise top.where.child("invites", i).fail("code", f"{spec.code!r} appears twice")
        codes.add(spec.code)
        invite_specs.append(spec)
    return Programme(source, tuple(result), tuple(people_specs), tuple(invite_specs),
                     practices)


def _trajectory(raw, where: _Where, default_year: int | None, tz: ZoneInfo) -> TrajectorySpec:
    t = _Table(raw, where, {"number", "year", "title", "theme", "entry_condition",
                            "max_participants", "coaches", "sessions"})
    number = t.integer("number", required=True, low=1)
    year = t.integer("year", required=default_year is None, low=2000, high=2100) or default_year
    coaches = []
    coach_keys: set = set()
    for i, raw_coach in enumerate(t.list_of_tables("coaches")):
        c = _Table(raw_coach, where.child("coaches", i), {"name", "organisation", "telegram_id"})
        coach = CoachSpec(c.text("name", required=True), c.text("organisation"),
                          c.integer("telegram_id", low=1))
        key = coach.telegram_id or coach.name
        if key in coach_keys:
            raise c.where.fail("telegram_id" if coach.telegram_id else "name",
                               f"coach {key} appears twice")
        coach_keys.add(key)
        coaches.append(coach)
    sessions = []
    numbers: dict[int, int] = {}
    for i, raw_session in enumerate(t.list_of_tables("sessions")):
        number_s = raw_session.get("number") if isinstance(raw_session, dict) else None
        swhere = where.child("sessions", i, number_s)
        s = _session(raw_session, swhere, tz)
        if s.number in numbers:
            raise swhere.fail("number", f"session {s.number} is already in sessions "
                                        f"#{numbers[s.number] + 1}")
        numbers[s.number] = i
        sessions.append(s)
    return TrajectorySpec(number, year, t.text("title", required=True), t.text("theme"),
                          t.text("entry_condition"), t.integer("max_participants", low=1),
                          tuple(coaches), tuple(sorted(sessions, key=lambda s: s.number)))


def _session(raw, where: _Where, tz: ZoneInfo) -> SessionSpec:
    s = _Table(raw, where, {"number", "title", "title_en", "start", "end", "mode", "location",
                            "video_link", "agenda", "agenda_en", "status", "assignments"})
    number = s.integer("number", required=True, low=1, high=4)
    starts_at = s.moment("start", tz, required=True)
    ends_at = s.moment("end", tz, required=True, same_day_as=starts_at)
    if ends_at <= starts_at:
        raise where.fail("end", f"must be after the start ({starts_at:%Y-%m-%d %H:%M})")
    mode = s.choice("mode", MODES, required=True)
    location, video_link = s.text("location"), s.text("video_link")
    if mode == "physical" and not location:
        raise where.fail("location", "missing: a physical session needs an address")
    if mode == "online" and not video_link:
        raise where.fail("video_link", "missing: an online session needs a link")
    if video_link and not video_link.startswith(("https://", "http://")):
        raise where.fail("video_link", f"expected a web address, got {video_link!r}")
    assignments = []
    for i, raw_a in enumerate(s.list_of_tables("assignments")):
        a = _Table(raw_a, where.child("assignments", i),
                   {"title", "title_en", "instructions", "instructions_en", "kind"})
        assignments.append(AssignmentSpec(i + 1, a.text("title", required=True),
                                          a.text("instructions"),
                                          a.choice("kind", ASSIGNMENT_KINDS, required=True),
                                          a.text("title_en"), _english(a, "instructions")))
    return SessionSpec(number, s.text("title", required=True), starts_at, ends_at, mode,
                       location, video_link, s.text("agenda"),
                       s.choice("status", STATUSES, default="planned"), tuple(assignments),
                       s.text("title_en"), _english(s, "agenda"))


def _english(table: _Table, key: str) -> str:
    """The optional English text of `key` (`key_en`); it needs the Dutch one, which English
    readers get when the English is missing."""
    english = table.text(f"{key}_en")
    if english and not table.text(key):
        raise table.where.fail(f"{key}_en", f"an English text needs the Dutch {key!r} too")
    return english


def _person(raw, where: _Where, numbers: set[int]) -> PersonSpec:
    p = _Table(raw, where, {"telegram_id", "name", "role", "organisation", "municipality",
                            "department", "language", "trajectories"})
    member_of = p._get("trajectories", False) or []
    if not isinstance(member_of, list) or not all(isinstance(n, int) for n in member_of):
        raise where.fail("trajectories", "expected a list of trajectory numbers, like [7]")
    for n in member_of:
        if n not in numbers:
            raise where.fail("trajectories", f"trajectory {n} is not in this file")
    return PersonSpec(p.integer("telegram_id", required=True, low=1), p.text("name", required=True),
                      p.choice("role", tuple(ROLE_RANK), required=True),
                      p.text("organisation", default=None), p.text("municipality", default=None),
                      p.text("department", default=None),
                      p.choice("language", LANGUAGES), tuple(member_of))


def _invite(raw, where: _Where, numbers: set[int], tz: ZoneInfo) -> InviteSpec:
    v = _Table(raw, where, {"code", "role", "trajectory", "uses", "expires"})
    code = v.text("code", required=True)
    if not all(c.isalnum() or c in "-_" for c in code) or len(code) > 64:
        raise where.fail("code", "use only letters, digits, - and _ (at most 64)")
    role = v.choice("role", tuple(ROLE_RANK), required=True)
    trajectory = v.integer("trajectory", required=role != "coordinator", low=1)
    if trajectory is not None and trajectory not in numbers:
        raise where.fail("trajectory", f"trajectory {trajectory} is not in this file")
    return InviteSpec(code, role, trajectory, v.integer("uses", low=1) or 1,
                      v.moment("expires", tz))


def read_file(path: Path, tz: ZoneInfo = BRUSSELS) -> Programme:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ImportProblem(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ImportProblem(f"{path}: not a UTF-8 text file") from None
    return parse(text, str(path), tz)


# -- writing ---------------------------------------------------------------------------------
def import_file(db: sqlite_utils.Database, bus: EventBus, path: Path, *, now: datetime,
                tz: ZoneInfo = BRUSSELS, dry_run: bool = False) -> Report:
    return apply(db, bus, read_file(path, tz), now=now, dry_run=dry_run)


class _DryRun(Exception):
    pass


def apply(db: sqlite_utils.Database, bus: EventBus, programme: Programme, *, now: datetime,
          dry_run: bool = False) -> Report:
    """Write what differs, in one transaction (rolled back entirely on any error). The events
    of what changed (sessions created or moved, people enrolled) are published on `bus` at the
    end, inside the same transaction: their reactions (re-planned reminders) commit with it."""
    report = Report()
    try:
        with transaction(db):
            by_number = {}
            for spec in programme.trajectories:
                by_number[spec.number] = _apply_trajectory(db, spec, now, report)
            for spec in programme.people:
                _apply_person(db, spec, by_number, now, report)
            for spec in programme.trajectories:
                for coach in spec.coaches:
                    _apply_coach(db, by_number[spec.number], coach, now, report)
            for spec in programme.invites:
                _apply_invite(db, spec, by_number, now, report)
            for practice in programme.practices:
                _apply_practice(db, practice, now, report)
            for event in report.events:
                bus.publish(db, event)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _differences(current: object, desired: dict) -> dict:
    return {k: v for k, v in desired.items() if getattr(current, k) != v}


def _apply_trajectory(db, spec: TrajectorySpec, now: datetime, report: Report
                      ) -> trajectories.Trajectory:
    current = trajectories.by_number(db, spec.number)
    desired = {"year": spec.year, "title": spec.title, "theme": spec.theme,
               "entry_condition": spec.entry_condition}
    if spec.max_participants is not None:
        desired["max_participants"] = spec.max_participants
    if current is None:
        trajectory = trajectories.upsert(db, number=spec.number, now=now, **desired)
        report.changes.append(f"trajectory {spec.number}: created")
    else:
        changed = _differences(current, desired)
        trajectory = current
        if changed:
            desired.setdefault("max_participants", current.max_participants)
            trajectory = trajectories.upsert(db, number=spec.number, now=now, **desired)
            report.changes.append(f"trajectory {spec.number}: {', '.join(changed)} changed")
    for session in spec.sessions:
        _apply_session(db, trajectory, session, now, report)
    return trajectory


def _apply_session(db, trajectory: trajectories.Trajectory, spec: SessionSpec, now: datetime,
                   report: Report) -> None:
    desired = {"title": spec.title, "starts_at": spec.starts_at, "ends_at": spec.ends_at,
               "mode": spec.mode, "location": spec.location, "video_link": spec.video_link,
               "agenda": spec.agenda, "status": spec.status, "title_en": spec.title_en,
               "agenda_en": spec.agenda_en}
    current = trajectories.session_by_number(db, trajectory.id, spec.number)
    name = f"session {trajectory.number}.{spec.number}"
    if current is not None:
        _keep_chat_edits(db, "session", current, desired, name, report)
    if current is None:
        session = trajectories.upsert_session(db, trajectory_id=trajectory.id,
                                              number=spec.number, **desired)
        report.changes.append(f"{name}: created")
        if spec.status == "planned":
            report.events.append(SessionChanged(session.id, "created", now))
    else:
        session = current
        changed = _differences(current, desired)
        if changed:
            session = trajectories.upsert_session(db, trajectory_id=trajectory.id,
                                                  number=spec.number, **desired)
            if "status" in changed:
                change = "cancelled" if spec.status == "cancelled" else "created"
            elif "starts_at" in changed or "ends_at" in changed:
                change = "moved"
            else:
                change = None
            detail = ", ".join(changed)
            if change == "moved":
                detail = f"moved to {spec.starts_at:%Y-%m-%d %H:%M}"
                extra = [k for k in changed if k not in ("starts_at", "ends_at")]
                if extra:
                    detail += f"; {', '.join(extra)} changed"
            report.changes.append(f"{name}: {detail}")
            if change is not None and (change != "moved" or spec.status == "planned"):
                report.events.append(SessionChanged(session.id, change, now))
    _apply_assignments(db, session, spec.assignments, report)


# Fields a coordinator can change in the chat, and the file's fields that carry them.
# A Dutch text changed in the chat also keeps the English one (the chat dropped the file's
# translation of the old text).
_CHAT_FIELDS = {"session": {"starts_at": ("starts_at", "ends_at"), "status": ("status",)},
                "assignment": {"instructions": ("instructions", "instructions_en"),
                               "instructions_en": ("instructions_en",), "due_at": ()}}


def _keep_chat_edits(db, entity: str, current, desired: dict, name: str, report: Report) -> None:
    """A field changed in the chat wins over the file: the file's value is not applied and the
    report says what it would have overwritten."""
    from storage import followup as followup_store

    edited = followup_store.edited_fields(db, entity, current.id)
    for chat_field, when in edited.items():
        for key in _CHAT_FIELDS[entity].get(chat_field, ()):
            if key in desired and desired[key] != getattr(current, key):
                report.kept.append(f"{name}: {key} was changed in the chat on "
                                   f"{when:%Y-%m-%d}; the file's {desired[key]!s} is not "
                                   f"applied (kept {getattr(current, key)!s})")
                desired[key] = getattr(current, key)


def _apply_person(db, spec: PersonSpec, by_number: dict, now: datetime, report: Report) -> None:
    person = _ensure_person(db, telegram_id=spec.telegram_id, name=spec.name, role=spec.role,
                            organisation=spec.organisation, municipality=spec.municipality,
                            department=spec.department, language=spec.language, now=now,
                            report=report)
    for number in spec.trajectories:
        _ensure_membership(db, person, by_number[number], spec.role, now, report)


def _ensure_person(db, *, telegram_id: int, name: str, role: str, now: datetime, report: Report,
                   organisation: str | None = None, municipality: str | None = None,
                   department: str | None = None, language: str | None = None
                   ) -> people.Person:
    person = people.by_telegram_id(db, telegram_id)
    if person is None:
        person = people.create(db, telegram_id=telegram_id, name=name, role=role,
                               language=language or "nl", municipality=municipality or "",
                               department=department or "", organisation=organisation or "",
                               now=now)
        report.changes.append(f"person {telegram_id} ({name}): created as {role}")
        return person
    desired = {"name": name, "organisation": organisation, "municipality": municipality,
               "department": department, "language": language}
    desired = {k: v for k, v in desired.items() if v is not None}
    if ROLE_RANK[role] > ROLE_RANK[person.role]:
        desired["role"] = role   # an import never lowers a role
    changed = _differences(person, desired)
    if changed:
        person = people.update(db, person.id, now, **changed)
        report.changes.append(f"person {telegram_id} ({name}): {', '.join(changed)} changed")
    return person


def _ensure_membership(db, person: people.Person, trajectory: trajectories.Trajectory, role: str,
                       now: datetime, report: Report) -> None:
    current = memberships.get(db, person.id, trajectory.id)
    if current is not None and current.status == "active" and current.role == role:
        return
    memberships.add(db, person_id=person.id, trajectory_id=trajectory.id, role=role, now=now)
    report.changes.append(f"{person.name}: {role} in trajectory {trajectory.number}")
    report.events.append(Enrolled(person.id, trajectory.id, role, now))


def _apply_coach(db, trajectory: trajectories.Trajectory, spec: CoachSpec, now: datetime,
                 report: Report) -> None:
    if spec.telegram_id is not None:
        person = _ensure_person(db, telegram_id=spec.telegram_id, name=spec.name, role="coach",
                                organisation=spec.organisation or None, now=now, report=report)
        _ensure_membership(db, person, trajectory, "coach", now, report)
        return
    if invites.coach_invite_named(db, trajectory.id, spec.name) is not None:
        return
    for member in memberships.of_trajectory(db, trajectory.id, "coach"):
        coach = people.get(db, member.person_id)
        if coach is not None and coach.name == spec.name:
            return  # already coaching here (enrolled earlier, or known by Telegram id)
    invite = invites.create(db, code=new_code(), role="coach", trajectory_id=trajectory.id,
                            max_uses=1, expires_at=None, now=now, prefill_name=spec.name,
                            prefill_organisation=spec.organisation)
    report.coach_invites.append((trajectory.number, invite))
    report.changes.append(f"trajectory {trajectory.number}: coach invite for {spec.name}")


def _apply_invite(db, spec: InviteSpec, by_number: dict, now: datetime, report: Report) -> None:
    trajectory_id = by_number[spec.trajectory].id if spec.trajectory is not None else None
    desired = {"role": spec.role, "trajectory_id": trajectory_id, "max_uses": spec.uses,
               "expires_at": spec.expires_at}
    current = invites.by_code(db, spec.code)
    if current is None:
        invites.create(db, code=spec.code, role=spec.role, trajectory_id=trajectory_id,
                       max_uses=spec.uses, expires_at=spec.expires_at, now=now)
        report.changes.append(f"invite {spec.code}: created")
        return
    changed = _differences(current, desired)
    if changed:
        invites.update(db, current.id, **changed)
        report.changes.append(f"invite {spec.code}: {', '.join(changed)} changed")


def _apply_practice(db, practice: library.Practice, now: datetime, report: Report) -> None:
    from storage import practices as practice_store

    existed = practice_store.get(db, practice.key) is not None
    if library.save_imported(db, practice, now):
        report.changes.append(f"practice {practice.key}: {'updated' if existed else 'added'}")


def _apply_assignments(db, session: trajectories.Session, specs: tuple[AssignmentSpec, ...],
                       report: Report) -> None:
    existing = assignments.of_session(db, session.id)
    for spec in specs:
        desired = {"instructions": spec.instructions, "instructions_en": spec.instructions_en}
        if spec.number <= len(existing):
            _keep_chat_edits(db, "assignment", existing[spec.number - 1], desired,
                             f"assignment {spec.number} of session {session.number}", report)
        if assignments.import_upsert(db, session_id=session.id, number=spec.number,
                                     title=spec.title, instructions=desired["instructions"],
                                     kind=spec.kind, title_en=spec.title_en,
                                     instructions_en=desired["instructions_en"]):
            report.changes.append(f"assignment {spec.number} of session {session.number}: "
                                  f"{spec.title}")


def summary(report: Report) -> str:
    return f"{report.count} change{'s' if report.count != 1 else ''}"

