"""Homework through the whole Application: hand in, replace, late, files, digest, feedback,
and who may see what (also with forged buttons)."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kernbot.harness import AN, ELS, KOEN, PIETER, SOFIE
from programme import homework
from schedule import dispatcher
from storage import assignments, memberships, outbox, people, trajectories
from storage import homework as store

BXL = ZoneInfo("Europe/Brussels")
PDF = "application/pdf"
SUBMIT, REFUSED = "homework/submit", "common/not_allowed"


@pytest.fixture(autouse=True)
def no_pacing(monkeypatch):
    async def instant(self):
        return None

    monkeypatch.setattr(dispatcher.Pacer, "wait", instant)


def at(*args):
    return datetime(*args, tzinfo=BXL)


def photos_assignment(bot):
    trajectory = trajectories.by_number(bot.db, 7)
    session = trajectories.session_by_number(bot.db, trajectory.id, 2)
    return assignments.of_session(bot.db, session.id)[0]


async def open_photos(bot, user=SOFIE):
    bot.clock.set(at(2024, 4, 24, 10, 0))
    calls = await bot.send(user, "/huiswerk")
    assert calls[-1].key == "homework/list"
    assert "Foto&#39;s van je kern" in calls[-1].text     # the assignment's title
    return await bot.tap(user, "Foto's van je kern")     # its button is its title


def received(call) -> tuple[str, int, bool]:
    values = call.values("homework/item_received")
    return values["kind"], values["count"], values["submitted"]


def statuses(call) -> dict[str, str]:
    """The status per assignment title in a /huiswerk list."""
    return {v.assignment.title: v.status for v in call.values("homework/list")["views"]}


async def session_2(bot, user):
    """Tap the session-2 button of /inzendingen."""
    session = trajectories.session_by_number(bot.db, trajectories.by_number(bot.db, 7).id, 2)
    return await bot.tap(user, key="announcements/session_button", values={"session": session})


async def test_hand_in_text_photo_and_document(bot):
    calls = await open_photos(bot)
    assert calls[-1].key == "homework/collect"
    assert received((await bot.send(SOFIE, "De markt is ons DNA."))[-1]) == ("text", 1, False)
    assert received((await bot.sim.send_photo(SOFIE, b"jpeg-bytes"))[-1]) == ("photo", 2, False)
    calls = await bot.sim.send_document(SOFIE, b"%PDF-1.4", "kaart.pdf", PDF)
    assert received(calls[-1]) == ("document", 3, False)
    calls = await bot.tap(SOFIE, key=SUBMIT)
    assert calls[-1].key == "homework/handed_in"
    assert calls[-1].values("homework/handed_in")["submission"].late is False
    sofie = people.by_telegram_id(bot.db, SOFIE.id)
    submission = store.of(bot.db, sofie.id, photos_assignment(bot).id)
    items = store.items(bot.db, submission.id)
    assert [i.kind for i in items] == ["text", "photo", "document"]
    files = [Path(i.local_path) for i in items if i.local_path]
    assert len(files) == 2 and files[1].read_bytes() == b"%PDF-1.4"
    root = Path(bot.config["storage"]["files_dir"]).resolve()
    assert all(root in f.resolve().parents for f in files)
    listing = (await bot.send(SOFIE, "/huiswerk"))[-1]
    assert statuses(listing)["Foto's van je kern"] == "handed_in"


async def test_replace_and_add_after_submitting(bot):
    await open_photos(bot)
    await bot.send(SOFIE, "Eerste versie")
    await bot.tap(SOFIE, key=SUBMIT)
    await bot.send(SOFIE, "/huiswerk")
    await bot.tap(SOFIE, "Foto's van je kern")
    calls = await bot.tap(SOFIE, key="homework/restart")
    assert calls[-1].key == "homework/restart_confirm"     # asks first
    calls = await bot.tap(SOFIE, key="homework/restart_yes")
    assert calls[-1].key == "homework/cleared"
    calls = await bot.send(SOFIE, "Tweede versie")
    assert received(calls[-1]) == ("text", 1, True)        # handed in already: it counts
    sofie = people.by_telegram_id(bot.db, SOFIE.id)
    submission = store.of(bot.db, sofie.id, photos_assignment(bot).id)
    assert [i.text for i in store.items(bot.db, submission.id)] == ["Tweede versie"]


async def test_late_is_marked_not_refused_and_closes_at_next_session(bot):
    bot.clock.set(at(2024, 6, 17, 10, 0))  # due 16 June 9u30; session 3 is 18 June 9u30
    await bot.send(SOFIE, "/huiswerk")
    await bot.tap(SOFIE, "Foto's van je kern")
    await bot.send(SOFIE, "Sorry, wat laat")
    calls = await bot.tap(SOFIE, key=SUBMIT)
    assert calls[-1].values("homework/handed_in")["submission"].late is True
    sofie = people.by_telegram_id(bot.db, SOFIE.id)
    assert store.of(bot.db, sofie.id, photos_assignment(bot).id).status == "submitted"
    bot.clock.set(at(2024, 6, 18, 9, 31))
    calls = await bot.press(SOFIE, f"hw:open:{photos_assignment(bot).id}")
    assert calls[-1].key == "homework/closed"


async def test_bad_items_get_clear_answers(bot):
    await open_photos(bot)
    calls = await bot.sim.send_document(SOFIE, b"x", "film.mp4", "video/mp4")
    assert calls[-1].key == "homework/unsupported_type"
    assert calls[-1].values("homework/unsupported_type")["name"] == "film.mp4"
    calls = await bot.sim.send_document(SOFIE, b"x", "groot.pdf", PDF, file_size=25 * 2**20)
    too_big = calls[-1].values("homework/too_big")
    assert float(too_big["size_mb"]) == 25.0 and round(too_big["max_mb"]) == 20
    assert (await bot.sim.send_sticker(SOFIE))[-1].key == "homework/unsupported_kind"
    calls = await bot.press(SOFIE, f"hw:submit:{photos_assignment(bot).id}")
    assert calls[-1].key == "homework/nothing_yet"
    sofie = people.by_telegram_id(bot.db, SOFIE.id)
    assert store.of(bot.db, sofie.id, photos_assignment(bot).id) is None


async def test_failed_download_is_retried_and_visible(bot):
    await open_photos(bot)
    data = bot.sim.message_json(SOFIE, document={
        "file_id": "not-yet-there", "file_unique_id": "u1", "file_name": "plan.pdf",
        "mime_type": PDF, "file_size": 8})
    calls = await bot.sim.feed(data)
    assert received(calls[-1]) == ("document", 1, False)  # the item is kept all the same
    await bot.tap(SOFIE, key=SUBMIT)
    item = store.failed_downloads(bot.db)[0]
    assert item.download_attempts == 1 and item.download_error
    overview = await bot.send(AN, "/inzendingen")
    await session_2(bot, AN)
    assert bot.api.sent(AN.id)[-1].values("homework/session_overview")["failed"] == 1
    bot.api.add_file(b"%PDF-later", "not-yet-there")
    await bot.run_pass()
    done = store.item(bot.db, item.id)
    assert done.download_status == "done" and Path(done.local_path).read_bytes() == b"%PDF-later"
    assert overview


async def test_coach_digest_is_batched(bot):
    await open_photos(bot)
    await bot.send(SOFIE, "Sofie's huiswerk")
    await bot.tap(SOFIE, key=SUBMIT)
    await open_photos(bot, PIETER)
    await bot.send(PIETER, "Pieter's huiswerk")
    await bot.tap(PIETER, key=SUBMIT)
    bot.clock.advance(timedelta(hours=1))
    await bot.run_pass()
    digests = [c.text for c in bot.api.sent(AN.id) if c.key == "reminders/homework_digest"]
    assert len(digests) == 1
    assert "Sofie Janssens" in digests[0] and "Pieter De Smet" in digests[0]
    rows = outbox.find(bot.db, kind="homework_digest")
    assert {r.person_id for r in rows} == {people.by_telegram_id(bot.db, u.id).id
                                           for u in (AN, KOEN)}


async def test_feedback_thread_both_ways(bot):
    await open_photos(bot)
    await bot.send(SOFIE, "Onze kern in drie beelden")
    await bot.tap(SOFIE, key=SUBMIT)
    await bot.send(AN, "/inzendingen")
    await session_2(bot, AN)
    calls = await bot.tap(AN, "Sofie Janssens")              # the button is her name
    assert calls[0].key == "homework/submission"
    assert "Onze kern in drie beelden" in calls[0].text
    await bot.tap(AN, key="homework/give_feedback")
    await bot.send(AN, "Sterk! Wie zijn je gebruikers?")
    feedback = bot.api.sent(SOFIE.id)[-1]
    assert feedback.key == "homework/feedback_to_participant"
    assert feedback.values(feedback.key)["author"].name == "An Peeters"
    assert "Wie zijn je gebruikers" in feedback.text
    await bot.tap(SOFIE, key="homework/reply_button")
    await bot.send(SOFIE, "Vooral bezoekers van de markt.")
    answer = bot.api.sent(AN.id)[-1]
    assert answer.key == "homework/answer_to_coach"
    assert answer.values(answer.key)["owner"].name == "Sofie Janssens"
    assert "bezoekers" in answer.text
    sofie = people.by_telegram_id(bot.db, SOFIE.id)
    submission = store.of(bot.db, sofie.id, photos_assignment(bot).id)
    assert [f.text for f in store.thread(bot.db, submission.id)] == [
        "Sterk! Wie zijn je gebruikers?", "Vooral bezoekers van de markt."]
    assert statuses((await bot.send(SOFIE, "/huiswerk"))[-1])["Foto's van je kern"] == \
        "feedback"


async def test_access_with_forged_buttons(bot):
    await open_photos(bot)
    await bot.send(SOFIE, "Van Sofie")
    await bot.tap(SOFIE, key=SUBMIT)
    sofie = people.by_telegram_id(bot.db, SOFIE.id)
    submission = store.of(bot.db, sofie.id, photos_assignment(bot).id)
    # A coach of another trajectory only.
    other = trajectories.upsert(bot.db, number=8, year=2024, title="Ander", now=bot.now())
    stranger = people.create(bot.db, telegram_id=7171, name="Vreemde Coach", role="coach",
                             language="nl", now=bot.now())
    memberships.add(bot.db, person_id=stranger.id, trajectory_id=other.id, role="coach",
                    now=bot.now())
    from transports.simulator import User

    coach = User(7171, "Vreemde")
    for data in (f"hw:view:{submission.id}", f"hw:feedback:{submission.id}"):
        calls = await bot.press(coach, data)
        assert calls[-1].key == REFUSED
        assert "Van Sofie" not in " ".join(c.text for c in calls)
    calls = await bot.press(PIETER, f"hw:view:{submission.id}")
    assert "Van Sofie" not in " ".join(c.text for c in calls)
    calls = await bot.press(ELS, f"hw:view:{submission.id}")
    assert "Van Sofie" in calls[0].text
    assert homework.can_view_submission(bot.db, stranger, submission.id) is False


async def test_brief_step_homework_is_handed_in_through_the_flow(bot):
    bot.clock.set(at(2024, 2, 21, 10, 0))
    await bot.send(SOFIE, "/huiswerk")
    calls = await bot.tap(SOFIE, "Je uitdaging helder benoemd")   # the assignment's title
    assert calls[-1].key == "homework/via_flow"
    assert calls[-1].values("homework/via_flow")["view"].assignment.brief_step == 1
    assert calls[-1].values("homework/via_flow")["done"] is False
    calls = await bot.tap(SOFIE, key=SUBMIT)
    assert calls[-1].key == "homework/flow_not_done"
    sofie = people.by_telegram_id(bot.db, SOFIE.id)
    assert store.of(bot.db, sofie.id, calls[-1].values(calls[-1].key)["view"].assignment.id) \
        is None


def tiny_png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


async def test_export_contains_what_was_handed_in(bot):
    import zipfile
    from io import BytesIO

    from openpyxl import load_workbook
    from pypdf import PdfReader

    from tests.flow_helpers import INTAKE_NL, play

    await bot.send(SOFIE, "/intake")
    await play(bot, SOFIE, INTAKE_NL)
    await open_photos(bot)
    await bot.send(SOFIE, "Het marktplein is het hart van Lier.")
    await bot.sim.send_photo(SOFIE, tiny_png())
    await bot.sim.send_document(SOFIE, b"%PDF-1.4 plan", "plan kern.pdf", PDF)
    await bot.tap(SOFIE, key=SUBMIT)
    calls = await bot.send(AN, "/export")
    documents = {c.saved_paths[0].suffix: c.saved_paths[0] for c in calls
                 if c.method == "sendDocument"}
    assert set(documents) == {".pdf", ".zip", ".xlsx"}
    pdf_text = " ".join(page.extract_text() for page in PdfReader(documents[".pdf"]).pages)
    assert "Sofie Janssens" in pdf_text and "marktplein is het hart van Lier" in pdf_text
    names = zipfile.ZipFile(documents[".zip"]).namelist()
    assert any(n.startswith("Lier/Foto-s-van-je-kern/") and n.endswith(".pdf") for n in names)
    assert any(n.endswith(".png") or n.endswith(".jpg") for n in names)
    rows = list(load_workbook(BytesIO(documents[".xlsx"].read_bytes())).active
                .iter_rows(values_only=True))
    sofie = next(r for r in rows if r[0] == "Sofie Janssens")
    assert "Ambtenaar lokale economie in Lier" in sofie
    assert any(str(v).startswith("✅") for v in sofie if v)
    refused = await bot.send(SOFIE, "/export")
    assert refused[-1].key == REFUSED
    assert not any(c.method == "sendDocument" for c in refused)


def test_admin_export_writes_three_files(tmp_path):
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    config = tmp_path / "c.toml"
    config.write_text(f'[console]\ndatabase = "{tmp_path / "demo.sqlite3"}"\n')
    env = {"PATH": "/usr/bin:/bin"}
    run = [sys.executable, "bot.py", "--config", str(config), "admin"]
    assert subprocess.run([*run, "seed-demo"], cwd=root, env=env, timeout=60).returncode == 0
    result = subprocess.run([*run, "export", "--trajectory", "7", "--out",
                             str(tmp_path / "out")], cwd=root, env=env, timeout=60,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    paths = [Path(line) for line in result.stdout.split()]
    assert sorted(p.suffix for p in paths) == [".pdf", ".xlsx", ".zip"]
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    missing = subprocess.run([*run, "export", "--trajectory", "99", "--out", str(tmp_path)],
                             cwd=root, env=env, timeout=60, capture_output=True, text=True)
    assert missing.returncode == 2 and "no trajectory 99" in missing.stderr


async def test_starting_over_asks_first_and_can_be_undone_until_the_hand_in(bot):
    """Regression: "Opnieuw beginnen" threw the pieces away without a question."""
    await open_photos(bot)
    await bot.send(SOFIE, "Eerste stuk")
    await bot.sim.send_photo(SOFIE, b"jpeg")
    sofie = people.by_telegram_id(bot.db, SOFIE.id)
    submission = store.of(bot.db, sofie.id, photos_assignment(bot).id)
    calls = await bot.tap(SOFIE, key="homework/restart")
    assert calls[-1].key == "homework/restart_confirm"
    assert len(store.items(bot.db, submission.id)) == 2          # nothing gone yet
    old_yes = next(b["callback_data"] for b in calls[-1].buttons
                   if b["callback_data"].startswith("hw:clear"))
    calls = await bot.tap(SOFIE, key="homework/restart_no")
    assert calls[-1].key == "homework/restart_kept"
    assert (await bot.press(SOFIE, old_yes))[-1].key == "common/confirm_closed"
    assert len(store.items(bot.db, submission.id)) == 2
    calls = await bot.send(SOFIE, "Derde stuk")                   # still collecting
    assert received(calls[-1]) == ("text", 3, False)
    await bot.tap(SOFIE, key="homework/restart")
    calls = await bot.tap(SOFIE, key="homework/restart_yes")
    assert calls[-1].key == "homework/cleared" and store.items(bot.db, submission.id) == []
    calls = await bot.tap(SOFIE, key="homework/undo")
    assert calls[-1].key == "homework/restored"
    assert [i.text for i in store.items(bot.db, submission.id)] == ["Eerste stuk", "",
                                                                    "Derde stuk"]
    await bot.tap(SOFIE, key="homework/restart")
    await bot.tap(SOFIE, key="homework/restart_yes")
    undo = next(b["callback_data"] for b in bot.sim.last_keyboard(SOFIE).buttons
                if b["callback_data"].startswith("hw:undo"))
    await bot.send(SOFIE, "Nieuwe versie")
    await bot.tap(SOFIE, key=SUBMIT)
    assert (await bot.press(SOFIE, undo))[-1].key == "homework/undo_closed"
    assert [i.text for i in store.items(bot.db, submission.id)] == ["Nieuwe versie"]


async def test_homework_that_is_a_done_brief_step_is_offered_as_it_is(bot):
    """Homework equal to a brief step knows the step is done: it shows it and offers to hand
    it in as it is; "je kleinste test" is brief step 3, not a second free text."""
    from tests.flow_helpers import YES, play

    await bot.send(SOFIE, "/brief")
    await bot.tap(SOFIE, key="flows/brief/sections/step3")
    await play(bot, SOFIE, [("send", "Tijdelijk groen"), ("send", "Bakken groen op het plein"),
                            ("send", "De handelaars"), ("send", "Blijven mensen langer?"),
                            ("key", YES), ("send", "Ze bleven langer"),
                            ("key", "flows/buttons/skip")])
    bot.clock.set(at(2024, 6, 19, 10, 0))
    await bot.send(SOFIE, "/huiswerk")
    calls = await bot.tap(SOFIE, "Je kleinste test")
    shown = calls[-1].values("homework/via_flow")
    assert calls[-1].key == "homework/via_flow" and shown["done"] is True
    assert shown["view"].assignment.brief_step == 3
    assert "Bakken groen op het plein" in [value for _label, value in shown["answers"]]
    # regression: the first answer was glued to "klaar:" (trim_blocks ate the line break)
    assert "al klaar:\n<b>" in calls[-1].text
    calls = await bot.tap(SOFIE, key="homework/submit_as_is")
    assert calls[-1].key == "homework/handed_in"
