"""Programme import: idempotence, updates in place, the session_changed hook, and errors that
name file, entry and key while writing nothing."""

from __future__ import annotations

import copy
import hashlib
import subprocess
import sys
import tomllib
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.events import EventBus, SessionChanged
from programme import importer
from programme.demo import DEMO_FILE, DEMO_NOW
from storage import invites, memberships, people, trajectories
from storage.db import connect

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "programme.example.toml"

SMALL = """\
year = 2024
[[trajectories]]
number = 8
title = "Leegstand aanpakken"
  [[trajectories.coaches]]
  name = "Wouter Vermeulen"
  organisation = "CityD-WES"
  [[trajectories.coaches]]
  name = "An Peeters"
  organisation = "IDEA Consult"
  telegram_id = 9002
  [[trajectories.sessions]]
  number = 1
  title = "Stap 1"
  start = 2024-02-27T09:30:00
  end = 12:30:00
  mode = "online"
  video_link = "https://meet.example.org/8-1"
  [[trajectories.sessions]]
  number = 2
  title = "Stap 2"
  start = 2024-04-16T13:30:00
  end = 2024-04-16T16:30:00
  mode = "physical"
  location = "Stadhuis Sint-Niklaas, Grote Markt 1, 9100 Sint-Niklaas"
"""


def dump(db) -> list[str]:
    return list(db.conn.iterdump())


@pytest.fixture
def db(tmp_path):
    database = connect(tmp_path / "import.sqlite3")
    yield database
    database.close()


@pytest.fixture
def bus():
    return EventBus()


@pytest.fixture
def hook_calls(bus):
    calls: list[tuple[int, str]] = []

    def hook(db, event):
        calls.append((event.session_id, event.change))

    bus.subscribe(SessionChanged, hook)
    return calls


def write(tmp_path: Path, text: str, name: str = "programme.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_example_imports_all_2024_trajectories(db, bus):
    report = importer.import_file(db, bus, EXAMPLE, now=DEMO_NOW)
    numbers = [t.number for t in trajectories.all_trajectories(db)]
    assert numbers == [7, 8, 9, 10, 11, 12]
    for t in trajectories.all_trajectories(db):
        sessions = trajectories.sessions_of(db, t.id)
        assert [s.number for s in sessions] == [1, 2, 3, 4]
        assert all(datetime(2024, 2, 1, tzinfo=UTC) < s.starts_at
                   < datetime(2024, 10, 1, tzinfo=UTC) for s in sessions)
        assert [s.mode for s in sessions] == ["online", "physical", "online", "physical"]
    # every coach without a Telegram id got one single-use coach invite
    assert len(report.coach_invites) == 12
    assert all(i.role == "coach" and i.max_uses == 1 and len(i.code) >= 16
               for _n, i in report.coach_invites)


def test_second_import_changes_nothing_byte_for_byte(tmp_path, hook_calls, bus):
    path = tmp_path / "twice.sqlite3"
    db = connect(path)
    first = importer.import_file(db, bus, EXAMPLE, now=DEMO_NOW)
    assert first.count > 0
    before_rows = dump(db)
    db.close()
    before_bytes = hashlib.sha256(path.read_bytes()).hexdigest()
    hook_calls.clear()

    db = connect(path)
    second = importer.import_file(db, bus, EXAMPLE, now=datetime(2024, 3, 1, tzinfo=UTC))
    assert second.count == 0 and second.changes == [] and second.coach_invites == []
    assert hook_calls == []
    assert dump(db) == before_rows
    db.close()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before_bytes


def test_demo_file_and_example_agree_on_trajectory_7(db, bus):
    """The console database holds both: seeding the demo after importing the example (and the
    other way round) must not flip trajectory 7 back and forth."""
    importer.import_file(db, bus, DEMO_FILE, now=DEMO_NOW)
    importer.import_file(db, bus, EXAMPLE, now=DEMO_NOW)
    assert importer.import_file(db, bus, DEMO_FILE, now=DEMO_NOW).count == 0
    assert importer.import_file(db, bus, EXAMPLE, now=DEMO_NOW).count == 0
    # the demo coaches already coach trajectory 7: no coach invites were made for them
    t7 = trajectories.by_number(db, 7)
    assert [i for i in invites.of_trajectory(db, t7.id) if i.role == "coach"
            and i.code != "DEMO-EXPERT"] == []


def test_edit_updates_in_place_and_moved_session_fires_hook(db, tmp_path, hook_calls, bus):
    path = write(tmp_path, SMALL)
    importer.import_file(db, bus, path, now=DEMO_NOW)
    t = trajectories.by_number(db, 8)
    s1, s2 = trajectories.sessions_of(db, t.id)
    assert sorted(c for _sid, c in hook_calls) == ["created", "created"]
    assert s1.ends_at == datetime(2024, 2, 27, 11, 30, tzinfo=UTC)   # "12:30" on the start day
    hook_calls.clear()

    edited = (SMALL.replace('title = "Leegstand aanpakken"', 'title = "Leegstand aanpakken 2"')
              .replace("2024-04-16T13:30:00", "2024-04-18T13:30:00")
              .replace("2024-04-16T16:30:00", "2024-04-18T16:30:00")
              .replace('title = "Stap 1"', 'title = "Stap 1: de uitdaging"'))
    write(tmp_path, edited)
    report = importer.import_file(db, bus, path, now=DEMO_NOW)
    assert report.count == 3, report.changes
    after = trajectories.by_number(db, 8)
    assert after.id == t.id and after.title == "Leegstand aanpakken 2"
    n1, n2 = trajectories.sessions_of(db, t.id)
    assert (n1.id, n2.id) == (s1.id, s2.id)                      # in place, same rows
    assert n1.title == "Stap 1: de uitdaging" and n1.starts_at == s1.starts_at
    assert n2.starts_at == datetime(2024, 4, 18, 11, 30, tzinfo=UTC)  # CEST, UTC+2
    assert hook_calls == [(s2.id, "moved")]                    # a title change is no move


def test_cancelled_session_fires_cancelled(db, tmp_path, hook_calls, bus):
    path = write(tmp_path, SMALL)
    importer.import_file(db, bus, path, now=DEMO_NOW)
    hook_calls.clear()
    write(tmp_path, SMALL.replace('mode = "physical"', 'mode = "physical"\n  status = "cancelled"'))
    importer.import_file(db, bus, path, now=DEMO_NOW)
    session = trajectories.session_by_number(db, trajectories.by_number(db, 8).id, 2)
    assert session.status == "cancelled"
    assert hook_calls == [(session.id, "cancelled")]


def test_coaches_by_telegram_id_and_by_invite(db, tmp_path, bus):
    report = importer.import_file(db, bus, write(tmp_path, SMALL), now=DEMO_NOW)
    t = trajectories.by_number(db, 8)
    an = people.by_telegram_id(db, 9002)
    assert an.role == "coach" and an.organisation == "IDEA Consult"
    assert memberships.get(db, an.id, t.id).role == "coach"
    [(number, invite)] = report.coach_invites
    assert number == 8 and invite.prefill_name == "Wouter Vermeulen"
    assert invite.prefill_organisation == "CityD-WES"


def test_omitted_maximum_keeps_a_raised_one(db, tmp_path, bus):
    path = write(tmp_path, SMALL)
    importer.import_file(db, bus, path, now=DEMO_NOW)
    t = trajectories.by_number(db, 8)
    assert t.max_participants == 10
    trajectories.set_max_participants(db, t.id, 12)
    assert importer.import_file(db, bus, path, now=DEMO_NOW).count == 0
    assert trajectories.by_number(db, 8).max_participants == 12


BROKEN = [
    ("missing key", SMALL.replace('  title = "Stap 2"\n', ""),
     "trajectories #1 (number 8) > sessions #2 (number 2): key 'title': missing"),
    ("bad date", SMALL.replace("2024-04-16T13:30:00", '"2024-13-16 13:30"'),
     "sessions #2 (number 2): key 'start': expected a local date and time"),
    ("unknown mode", SMALL.replace('mode = "physical"', 'mode = "hybrid"'),
     "key 'mode': must be one of online, physical, got 'hybrid'"),
    ("duplicate session", SMALL.replace("number = 2", "number = 1"),
     "sessions #2 (number 1): key 'number': session 1 is already in sessions #1"),
    ("typo in a key", SMALL.replace("video_link", "videolink"),
     "key 'videolink': unknown key"),
    ("end before start", SMALL.replace("end = 12:30:00", "end = 08:30:00"),
     "key 'end': must be after the start"),
    ("clock jumps forward", SMALL.replace("2024-02-27T09:30:00", "2024-03-31T02:30:00")
     .replace("end = 12:30:00", "end = 04:30:00"),
     "does not exist in Europe/Brussels"),
    ("not TOML", SMALL + "\n[[trajectories]\n", "not valid TOML"),
    ("fixed codes outside a demo", SMALL + '\n[[invites]]\ncode = "X"\nrole = "coach"\n',
     "key 'invites': invite codes chosen by hand are guessable"),
]


@pytest.mark.parametrize(("case", "text", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_errors_name_file_entry_and_key_and_write_nothing(db, tmp_path, case, text, expected, bus):
    before = dump(db)
    path = write(tmp_path, text)
    with pytest.raises(importer.ImportProblem) as info:
        importer.import_file(db, bus, path, now=DEMO_NOW)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and expected in message, message
    assert "\n" not in message
    assert dump(db) == before


def test_database_error_midway_rolls_back_everything(db, tmp_path, bus):
    """A failure after some rows were written (here: a hook raising) leaves nothing behind."""
    before = dump(db)

    def boom(db, event):
        raise RuntimeError("calendar is down")

    bus.subscribe(SessionChanged, boom)
    with pytest.raises(RuntimeError):
        importer.import_file(db, bus, write(tmp_path, SMALL), now=DEMO_NOW)
    assert dump(db) == before


def test_dry_run_writes_nothing(db, bus):
    before = dump(db)
    report = importer.import_file(db, bus, EXAMPLE, now=DEMO_NOW, dry_run=True)
    assert report.count > 0
    assert dump(db) == before


def test_assignments_are_checked_even_without_storage(tmp_path):
    bad = SMALL + ('  [[trajectories.sessions.assignments]]\n  title = "Kaart"\n'
                   '  kind = "drawing"\n')
    with pytest.raises(importer.ImportProblem, match="assignments #1: key 'kind'"):
        importer.parse(bad, "p.toml")
    good = importer.parse(bad.replace('"drawing"', '"files"'), "p.toml")
    assert good.trajectories[0].sessions[1].assignments[0].kind == "files"


# -- through bot.py, as a process: exit status and one line ----------------------------------
def run_bot(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\ndatabase = "{tmp_path / "cli.sqlite3"}"\n'
                      f'[console]\ndatabase = "{tmp_path / "console.sqlite3"}"\n')
    return subprocess.run([sys.executable, "bot.py", "--config", str(config), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin"})


def test_cli_import_twice_then_broken_file(tmp_path):
    first = run_bot(tmp_path, "admin", "import", str(EXAMPLE))
    assert first.returncode == 0, first.stderr
    assert "https://t.me/kernbot_demo_bot?start=" in first.stdout    # coach invite links
    second = run_bot(tmp_path, "admin", "import", str(EXAMPLE))
    assert second.returncode == 0
    assert "programme.example.toml: 0 changes" in second.stdout
    assert str(tmp_path / "console.sqlite3") in second.stdout   # no token: the console db

    broken = write(tmp_path, SMALL.replace('mode = "physical"', 'mode = "hybrid"'))
    result = run_bot(tmp_path, "admin", "import", str(broken))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"kernbot: import error: {broken}: trajectories #1 (number 8)"
                               " > sessions #2 (number 2): key 'mode'")
    db = connect(tmp_path / "console.sqlite3")
    assert trajectories.by_number(db, 8).title != "Leegstand aanpakken"   # example's 8 intact
    db.close()


def test_coach_invite_from_import_enrols_the_coach_with_organisation(db, tmp_path, bus):
    from programme import enrolment

    report = importer.import_file(db, bus, write(tmp_path, SMALL), now=DEMO_NOW)
    [(_number, invite)] = report.coach_invites
    result = enrolment.redeem(db, bus, code=invite.code, telegram_id=7777, display_name="W. V.",
                              language="nl", now=DEMO_NOW)
    assert result.outcome is enrolment.Outcome.ENROLLED
    coach = people.by_telegram_id(db, 7777)
    assert (coach.name, coach.organisation, coach.role) == ("Wouter Vermeulen", "CityD-WES",
                                                            "coach")
    # re-importing now finds the coach in the trajectory: no second invite
    assert importer.import_file(db, bus, tmp_path / "programme.toml", now=DEMO_NOW).count == 0


# -- any wrong value type gives an ImportProblem, never a crash --------------------------------


VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=5),
                   st.just(date(2024, 2, 3)), st.just(time(10, 0)),
                   st.just(datetime(2024, 2, 3, 10, 0)), st.lists(st.integers(0, 9), max_size=2),
                   st.just([{"x": 1}]), st.just({"a": 1}))
SMALL_DATA = tomllib.loads(SMALL)


def _paths(data, prefix=()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _paths(value, (*prefix, i))


PATHS = list(_paths(SMALL_DATA))


@settings(max_examples=300, deadline=None)
@given(path=st.sampled_from(PATHS), value=VALUES)
def test_any_wrong_value_is_reported_not_crashed(path, value):
    data = copy.deepcopy(SMALL_DATA)
    target = data
    for step in path[:-1]:
        target = target[step]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    try:
        importer.from_data(data, "p.toml")
    except importer.ImportProblem as exc:
        assert str(exc).startswith("p.toml: ") and "\n" not in str(exc)
