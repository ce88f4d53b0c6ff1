"""Privacy: /privacy, /mijngegevens, /vergeetmij, retention purge, the audit log."""

import json
import subprocess
import sys
from pathlib import Path

from kernbot.harness import AN, ELS, SOFIE, enrol
from programme import privacy as privacy_rules
from storage import memberships, people, privacy, trajectories
from tests.flow_helpers import INTAKE_NL, play

ROOT = Path(__file__).resolve().parents[1]


async def test_privacy_explains_in_both_languages(bot):
    info = (await bot.send(SOFIE, "/privacy"))[-1]
    assert info.key == "privacy/info" and info.language == "nl"
    assert info.values("privacy/info")["months"] == 24
    assert "/vergeetmij" in info.text and "/mijngegevens" in info.text  # how to use the rights
    people.update(bot.db, people.by_telegram_id(bot.db, SOFIE.id).id, bot.now(), language="en")
    info = (await bot.send(SOFIE, "/privacy"))[-1]
    assert info.key == "privacy/info" and info.language == "en"


async def test_my_data_as_json_and_pdf(bot):
    from pypdf import PdfReader

    await bot.send(SOFIE, "/intake")
    await play(bot, SOFIE, INTAKE_NL)
    calls = await bot.send(SOFIE, "/mijngegevens")
    files = {c.saved_paths[0].suffix: c.saved_paths[0] for c in calls
             if c.method == "sendDocument"}
    data = json.loads(files[".json"].read_text())
    assert data["people"][0]["name"] == "Sofie Janssens"
    assert any("Ambtenaar lokale economie in Lier" in (a["value"] or "")
               for a in data["flow_answers"])
    pdf = " ".join(" ".join(p.extract_text() for p in PdfReader(files[".pdf"]).pages).split())
    answers_heading = bot.services.messages.plain("privacy/table", "nl", table="flow_answers")
    assert "Sofie Janssens" in pdf and answers_heading in pdf
    assert "Ambtenaar lokale economie in Lier" in pdf


def test_every_table_with_a_person_is_covered(tmp_path):
    from storage.db import connect

    db = connect(tmp_path / "k.sqlite3")
    for table in db.table_names():
        columns = {c.name for c in db[table].columns}
        if columns & {"person_id", "author_id", "actor_id", "subject_person_id"} or \
                table == "people":
            assert table in privacy.PERSONAL_TABLES or table in privacy.NOT_PERSONAL, table


async def test_forget_me_erases_and_allows_enrolling_again(bot):
    await bot.send(SOFIE, "/intake")
    await play(bot, SOFIE, INTAKE_NL)
    sofie = people.by_telegram_id(bot.db, SOFIE.id)
    await bot.send(SOFIE, "/vergeetmij")
    calls = await bot.tap(SOFIE, key="privacy/forget_yes")
    assert calls[0].key == "privacy/forgotten"
    [notice] = [c for c in bot.api.sent(ELS.id) if c.key == "privacy/left_notice"]
    told = notice.values("privacy/left_notice")
    assert told["person"].name == "Sofie Janssens" and [t.number for t in told["trajectories"]] \
        == [7]
    assert "Sofie Janssens (Lier)" in notice.text
    erased = people.get(bot.db, sofie.id)
    assert erased.status == "erased" and erased.telegram_id is None and erased.name == ""
    left = privacy.export_person(bot.db, sofie.id)
    assert left["flow_answers"] == [] and left["flow_runs"] == []
    trajectory = trajectories.by_number(bot.db, 7)
    assert memberships.get(bot.db, sofie.id, trajectory.id).status == "removed"
    assert (await bot.send(SOFIE, "/help"))[-1].values("common/help")["role"] == ""
    await enrol(bot, SOFIE)
    again = people.by_telegram_id(bot.db, SOFIE.id)
    assert again.id != sofie.id and again.status == "active"


async def test_forget_me_confirmation_acts_only_on_the_presser(bot):
    await bot.send(SOFIE, "/vergeetmij")
    [data] = [b["callback_data"] for b in bot.sim.last_keyboard(SOFIE).buttons
              if b["callback_data"].startswith("pv:forget")]
    calls = await bot.press(AN, data)  # Sofie's confirmation pressed by An: An never asked
    assert calls[-1].key == "common/confirm_closed"
    assert people.by_telegram_id(bot.db, AN.id).status == "active"
    assert people.by_telegram_id(bot.db, SOFIE.id).status == "active"
    stranger = await bot.press(type(SOFIE)(5151, "Niemand"), data)
    assert stranger[-1].key == "common/not_enrolled"


async def test_audit_log_records_opening_and_export(bot):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    bot.clock.set(datetime(2024, 4, 24, 10, 0, tzinfo=ZoneInfo("Europe/Brussels")))
    await bot.send(SOFIE, "/huiswerk")
    await bot.tap(SOFIE, "van je kern")                      # the assignment's title
    await bot.send(SOFIE, "Mijn huiswerk")
    await bot.tap(SOFIE, key="homework/submit")
    await bot.send(AN, "/inzendingen")
    session = trajectories.session_by_number(bot.db, trajectories.by_number(bot.db, 7).id, 2)
    await bot.tap(AN, key="announcements/session_button", values={"session": session})
    await bot.tap(AN, "Sofie Janssens")
    await bot.send(AN, "/export")
    audit = (await bot.send(ELS, "/audit"))[-1]
    entries = [(e.action, who.name if who else None, whom.name if whom else None)
               for e, who, whom in audit.values("privacy/audit")["entries"]]
    assert ("opened_submission", "An Peeters", "Sofie Janssens") in entries
    assert any(action == "exported_trajectory" and who == "An Peeters"
               for action, who, _ in entries)
    assert "An Peeters" in audit.text and "Sofie Janssens" in audit.text
    assert (await bot.send(AN, "/audit"))[-1].key == "common/not_allowed"


def run(tmp_path, *args):
    config = tmp_path / "c.toml"
    config.write_text(f'[console]\ndatabase = "{tmp_path / "demo.sqlite3"}"\n')
    return subprocess.run([sys.executable, "bot.py", "--config", str(config), "admin", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin"})


def test_purge_dry_run_then_real(tmp_path):
    assert run(tmp_path, "seed-demo").returncode == 0
    # The console database runs on the demo clock (February 2024): nothing ended yet.
    result = run(tmp_path, "purge", "--older-than-months", "1", "--dry-run")
    assert result.returncode == 0 and "would erase the data of 0 people" in result.stdout


async def test_purge_plan_after_the_retention_period(bot):
    from datetime import timedelta

    later = bot.now() + timedelta(days=30 * 40)  # 2024 + 40 months: September 2024 + 24
    plan = privacy_rules.purge_plan(bot.db, 24, later)
    assert [t.number for t in plan.trajectories] == [7]
    names = {p.name for p in plan.people}
    assert "Sofie Janssens" in names and "Els Van den Broeck" not in names
    assert privacy_rules.purge(bot.db, plan, later) == len(plan.people)
    assert people.by_telegram_id(bot.db, SOFIE.id) is None
    assert privacy_rules.purge_plan(bot.db, 24, bot.now()).people == []


# -- an erase that leaves nothing -------------------------------------------------------------
MARK = "Zwanenmarkering"   # a word that appears nowhere else


def _database_bytes(bot) -> bytes:
    path = Path(bot.config["storage"]["database"])
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal"),
                                             path.with_name(path.name + "-shm")) if p.exists())


async def test_erase_leaves_nothing_in_the_database_files(bot):
    """The invite's prefill, answers and their history, homework, a draft: after /vergeetmij
    (mode erase) no copy of them is in the database file or its WAL."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from kernbot.harness import test_config
    from programme import invitations
    from transports.simulator import User

    bot.config = test_config(bot.tmp_path, privacy={"on_forget": "erase"})
    await bot.restart()
    newcomer = User(4321, "Nieuw")
    seven = trajectories.by_number(bot.db, 7)
    code = invitations.create(bot.db, role="participant", trajectory_id=seven.id, now=bot.now(),
                              uses=1, days=30, name=f"{MARK} Naam",
                              municipality=f"{MARK}gem", department=f"{MARK}dienst").code
    await bot.send(newcomer, f"/start {code}")
    for _ in range(3):
        await bot.tap(newcomer, 1)   # "Klopt" for the prefilled name, municipality, department
    await bot.send(newcomer, "/intake")
    await bot.send(newcomer, f"{MARK} eerste versie")
    await bot.tap(newcomer, key="flows/buttons/back")
    await bot.send(newcomer, f"{MARK} tweede versie")     # the first goes to the history table
    bot.clock.set(datetime(2024, 4, 24, 10, 0, tzinfo=ZoneInfo("Europe/Brussels")))
    await bot.send(newcomer, "/huiswerk")
    await bot.tap(newcomer, "Foto's van je kern")
    await bot.send(newcomer, f"{MARK} huiswerk")
    await bot.sim.send_photo(newcomer, b"\xff\xd8\xff jpeg " + MARK.encode())
    assert MARK.encode() in _database_bytes(bot)
    files = Path(bot.config["storage"]["files_dir"])
    assert any(files.rglob("person-*"))
    await bot.send(newcomer, "/vergeetmij")
    await bot.tap(newcomer, 1)
    assert MARK.encode() not in _database_bytes(bot)
    assert not any(files.rglob("person-*"))   # the files and the person's folder are gone
    # on by our own pragma, whatever the SQLite build's default
    assert bot.db.execute("PRAGMA secure_delete").fetchone()[0] == 1


async def test_a_coordinator_who_leaves_takes_the_texts_of_their_announcements(bot):
    await bot.send(ELS, "/aankondiging")
    await bot.send(ELS, f"{MARK}: de sessie begint later")
    await bot.tap(ELS, key="announcements/aud_all")
    await bot.tap(ELS, key="announcements/send_now")
    await bot.send(ELS, "/vergeetmij")
    await bot.tap(ELS, 1)
    assert MARK.encode() not in _database_bytes(bot)


async def test_my_data_is_complete_readable_and_without_server_paths(bot):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from pypdf import PdfReader

    await bot.send(SOFIE, "/intake")
    await play(bot, SOFIE, INTAKE_NL[:4])     # the domains chosen, the intake not finished
    bot.clock.set(datetime(2024, 4, 24, 10, 0, tzinfo=ZoneInfo("Europe/Brussels")))
    await bot.send(SOFIE, "/huiswerk")
    await bot.tap(SOFIE, "Foto's van je kern")
    await bot.sim.send_photo(SOFIE, b"\xff\xd8\xff jpeg")
    calls = await bot.send(SOFIE, "/mijngegevens")
    files = {c.saved_paths[0].suffix: c.saved_paths[0] for c in calls
             if c.method == "sendDocument"}
    raw = files[".json"].read_text()
    data = json.loads(raw)
    assert data["conversation_state"] and data["invites"] is not None
    assert str(Path(bot.config["storage"]["files_dir"]).resolve()) not in raw
    pdf = " ".join(" ".join(p.extract_text() for p in PdfReader(files[".pdf"]).pages).split())
    assert "telegram_id" not in pdf and "dom_economy" not in pdf and "person_id" not in pdf
    m = bot.services.messages            # readable: option labels, kinds and headings, in words
    for readable in (m.plain("flows/options/dom_economy", "nl"),
                     m.plain("privacy/item", "nl", kind="photo"),
                     m.plain("privacy/table", "nl", table="submissions")):
        assert readable in pdf, readable


async def test_processed_updates_are_pruned_by_a_timer_job(bot):
    from datetime import timedelta

    from kernbot.composition import prune_job
    from storage import updates

    await bot.send(SOFIE, "/help")
    assert updates.highest(bot.db) > 0
    bot.clock.advance(timedelta(days=30))

    class Context:
        application = bot.app

    await prune_job(Context())
    assert bot.db.execute("SELECT COUNT(*) FROM processed_updates").fetchone()[0] == 0


async def test_my_data_names_every_kind_of_message_and_value_in_words(bot):
    """Regression: the PDF showed "Status: active", "Taal: nl" and about 100 untranslated
    rows like "followup (gepland)" in no order."""
    from datetime import timedelta

    from kernbot.composition import COMPOSERS
    from storage import outbox

    m = bot.services.messages
    root = Path(__file__).resolve().parent.parent / "messages"
    for lang in ("nl", "en"):
        named = (root / lang / "privacy" / "message_kind.j2").read_text(encoding="utf-8")
        for kind in COMPOSERS:
            assert f'"{kind}":' in named, (lang, kind)
    pid = people.by_telegram_id(bot.db, SOFIE.id).id
    now = bot.now()
    for days, kind in ((3, "followup"), (1, "check_in"), (2, "nudge")):
        outbox.enqueue(bot.db, kind=kind, person_id=pid, subject=f"t{days}",
                       planned_at=now + timedelta(days=days), now=now)
    sections = privacy_rules.readable(bot.db, m, bot.services.flows, pid, "nl")
    lines = {s.title: s.lines for s in sections}
    person = dict(lines[m.plain("privacy/table", "nl", table="people")])
    assert person[m.plain("privacy/field", "nl", field="language")] == "Nederlands"
    assert person[m.plain("privacy/field", "nl", field="status")] == "actief"
    planned = [r for r in outbox.find(bot.db, person_id=pid) if r.status == "pending"]
    assert len(planned) >= 3
    messages = lines[m.plain("privacy/table", "nl", table="outbox")]
    assert len(messages) == 1 and f"{len(planned)} geplande herinneringen" in messages[0][1]
    assert messages[0][0] == m.format(min(r.planned_at for r in planned), "nl", "datetime")



def _answers_out_of_order(bot) -> int:
    """Sofie's answers, stored in an order that is neither the flows' order nor alphabetical,
    with a group's "add another?" marker and two earlier versions; returns her id."""
    from datetime import timedelta

    from storage import answers

    pid = people.by_telegram_id(bot.db, SOFIE.id).id
    session = trajectories.session_by_number(bot.db, trajectories.by_number(bot.db, 7).id, 2)
    now = bot.now()
    for flow, question, value, instance in (
            ("evaluatie", "score", "4", str(session.id)),
            ("waarom", "problem", "Te veel leegstand.", "2"),
            ("brief", "actions", "done", ""),       # the group's "add another?" marker
            ("brief", "place", "place_bound", ""),
            ("brief", "action", "Een pandenbank opzetten", ""),
            ("waarom", "problem", "De markt loopt leeg.", "1"),
            ("brief", "problem", "Leegstand in de Nieuwstraat.", ""),
            ("intake", "domains", ["dom_economy", "dom_mobility"], ""),
            ("intake", "challenge", "Leegstand.", ""),
            ("intake", "role", "Centrummanager", ""),
            ("intake", "challenge", "Leegstand en te weinig passage.", ""),  # one earlier
            ("brief", "problem", "Leegstand in de Nieuwstraat en de Markt.", "")):
        now += timedelta(minutes=1)
        answers.save(bot.db, pid, flow, instance, question, 0, value, now=now)
    return pid


async def test_my_data_shows_answers_and_earlier_versions_by_title_and_label_in_flow_order(bot):
    """Regression: the PDF showed "Ontwerpbrief: actions: done" (a group's "add another?"
    marker), earlier versions as "intake: challenge: ..." (ids, not words) and the answers in
    database order (brief step 4 before step 1, the intake after the brief)."""
    from pypdf import PdfReader

    m, flows = bot.services.messages, bot.services.flows
    pid = _answers_out_of_order(bot)
    for lang in ("nl", "en"):
        def title(flow, lang=lang):
            return m.plain(f"flows/{flow}/title", lang)

        def name(flow, qid, lang=lang):
            return m.plain(f"flows/{flow}/{qid}/label", lang)

        lines = {s.title: s.lines for s in privacy_rules.readable(bot.db, m, flows, pid, lang)}
        answers = lines[m.plain("privacy/table", lang, table="flow_answers")]
        brief, intake = title("brief"), title("intake")
        assert [label for label, _ in answers] == [
            f"{intake}: {name('intake', 'role')}", f"{intake}: {name('intake', 'domains')}",
            f"{intake}: {name('intake', 'challenge')}",
            f"{brief}: {name('brief', 'problem')}",
            f"{brief}: {name('brief', 'action')} (1)", f"{brief}: {name('brief', 'place')} (1)",
            f"{m.plain('flows/doc/chain', lang, number='1')}: {name('waarom', 'problem')}",
            f"{m.plain('flows/doc/chain', lang, number='2')}: {name('waarom', 'problem')}",
            f"{m.plain('flows/evaluatie/title_session', lang, number=2)}: "
            f"{name('evaluatie', 'score')}"], lang
        values = dict(answers)
        assert values[f"{intake}: {name('intake', 'domains')}"] == ", ".join(
            m.plain(f"flows/options/{o}", lang) for o in ("dom_economy", "dom_mobility"))
        assert values[f"{brief}: {name('brief', 'place')} (1)"] == m.plain(
            "flows/options/place_bound", lang)
        earlier = lines[m.plain("privacy/table", lang, table="flow_answer_history")]
        assert [label for label, _ in earlier] == [f"{intake}: {name('intake', 'challenge')}",
                                                   f"{brief}: {name('brief', 'problem')}"], lang
        assert earlier[0][1].startswith("Leegstand.") and \
            earlier[1][1].startswith("Leegstand in de Nieuwstraat.")

    calls = await bot.send(SOFIE, "/mijngegevens")
    [path] = [c.saved_paths[0] for c in calls if c.method == "sendDocument"
              and c.saved_paths[0].suffix == ".pdf"]
    pdf = " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())
    assert "actions" not in pdf and "done" not in pdf and "intake:" not in pdf
    assert "place_bound" not in pdf and "dom_economy" not in pdf
    order = [pdf.index(text) for text in ("Centrummanager", "Leegstand en te weinig passage.",
                                          "Leegstand in de Nieuwstraat en de Markt.",
                                          "Een pandenbank opzetten", "De markt loopt leeg.",
                                          "Te veel leegstand.")]
    assert order == sorted(order)


async def test_my_data_json_lists_answers_by_flow_and_run(bot):
    """The JSON keeps the stored ids (it is machine-readable) but not the database's order:
    the intake first, then the brief, the chains by number, the evaluations; within a run, in
    the order the answers were given."""
    _answers_out_of_order(bot)
    calls = await bot.send(SOFIE, "/mijngegevens")
    [path] = [c.saved_paths[0] for c in calls if c.method == "sendDocument"
              and c.saved_paths[0].suffix == ".json"]
    data = json.loads(path.read_text())
    for table in ("flow_answers", "flow_answer_history"):
        runs = [(a["flow"], a["instance"]) for a in data[table]]
        assert runs == sorted(runs, key=lambda k: (
            ["intake", "brief", "waarom", "evaluatie"].index(k[0]), len(k[1]), k[1])), table
    assert [a["question"] for a in data["flow_answers"] if a["flow"] == "brief"] == \
        ["actions", "place", "action", "problem"]
