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
    assert "Foto&#39;s van je kern" in calls[-1].text
    return await bot.tap(user, "Foto's van je kern")


async def test_hand_in_text_photo_and_document(bot):
    calls = await open_photos(bot)
    assert "Stuur je huiswerk in zoveel berichten" in calls[-1].text
    assert "Ontvangen (tekst)" in (await bot.send(SOFIE, "De markt is ons DNA."))[-1].text
    assert "Ontvangen (foto)" in (await bot.sim.send_photo(SOFIE, b"jpeg-bytes"))[-1].text
    calls = await bot.sim.send_document(SOFIE, b"%PDF-1.4", "kaart.pdf", PDF)
    assert "3 stukken" in calls[-1].text
    calls = await bot.tap(SOFIE, "Indienen")
    assert "Ingediend" in calls[-1].text and "te laat" not in calls[-1].text
    sofie = people.by_telegram_id(bot.db, SOFIE.id)
    submission = store.of(bot.db, sofie.id, photos_assignment(bot).id)
    items = store.items(bot.db, submission.id)
    assert [i.kind for i in items] == ["text", "photo", "document"]
    files = [Path(i.local_path) for i in items if i.local_path]
    assert len(files) == 2 and files[1].read_bytes() == b"%PDF-1.4"
    root = Path(bot.config["storage"]["files_dir"]).resolve()
    assert all(root in f.resolve().parents for f in files)
    listing = (await bot.send(SOFIE, "/huiswerk"))[-1].text
    assert "✅ ingediend" in listing


async def test_replace_and_add_after_submitting(bot):
    await open_photos(bot)
    await bot.send(SOFIE, "Eerste versie")
    await bot.tap(SOFIE, "Indienen")
    await bot.send(SOFIE, "/huiswerk")
    await bot.tap(SOFIE, "Foto's van je kern")
    calls = await bot.tap(SOFIE, "Opnieuw beginnen")
    assert "tellen niet meer mee" in calls[-1].text
    calls = await bot.send(SOFIE, "Tweede versie")
    assert "Je had al ingediend" in calls[-1].text
    sofie = people.by_telegram_id(bot.db, SOFIE.id)
    submission = store.of(bot.db, sofie.id, photos_assignment(bot).id)
    assert [i.text for i in store.items(bot.db, submission.id)] == ["Tweede versie"]


async def test_late_is_marked_not_refused_and_closes_at_next_session(bot):
    bot.clock.set(at(2024, 6, 17, 10, 0))  # due 16 June 9u30; session 3 is 18 June 9u30
    await bot.send(SOFIE, "/huiswerk")
    await bot.tap(SOFIE, "Foto's van je kern")
    await bot.send(SOFIE, "Sorry, wat laat")
    calls = await bot.tap(SOFIE, "Indienen")
    assert "te laat" in calls[-1].text
    bot.clock.set(at(2024, 6, 18, 9, 31))
    calls = await bot.press(SOFIE, f"hw:open:{photos_assignment(bot).id}")
    assert "niet meer aanvullen" in calls[-1].text


async def test_bad_items_get_clear_answers(bot):
    await open_photos(bot)
    calls = await bot.sim.send_document(SOFIE, b"x", "film.mp4", "video/mp4")
    assert "bestandstype (film.mp4)" in calls[-1].text
    calls = await bot.sim.send_document(SOFIE, b"x", "groot.pdf", PDF, file_size=25 * 2**20)
    assert "25.0 MB" in calls[-1].text and "20 MB" in calls[-1].text
    assert "kan ik niet bij je huiswerk voegen" in (await bot.sim.send_sticker(SOFIE))[-1].text
    calls = await bot.press(SOFIE, f"hw:submit:{photos_assignment(bot).id}")
    assert "nog niets om in te dienen" in calls[-1].text


async def test_failed_download_is_retried_and_visible(bot):
    await open_photos(bot)
    data = bot.sim.message_json(SOFIE, document={
        "file_id": "not-yet-there", "file_unique_id": "u1", "file_name": "plan.pdf",
        "mime_type": PDF, "file_size": 8})
    calls = await bot.sim.feed(data)
    assert "Ontvangen (document)" in calls[-1].text  # the item is kept all the same
    await bot.tap(SOFIE, "Indienen")
    item = store.failed_downloads(bot.db)[0]
    assert item.download_attempts == 1 and item.download_error
    overview = await bot.send(AN, "/inzendingen")
    await bot.tap(AN, "sessie 2")
    assert "niet gedownload" in bot.api.sent(AN.id)[-1].text
    bot.api.add_file(b"%PDF-later", "not-yet-there")
    await bot.run_pass()
    done = store.item(bot.db, item.id)
    assert done.download_status == "done" and Path(done.local_path).read_bytes() == b"%PDF-later"
    assert overview


async def test_coach_digest_is_batched(bot):
    await open_photos(bot)
    await bot.send(SOFIE, "Sofie's huiswerk")
    await bot.tap(SOFIE, "Indienen")
    await open_photos(bot, PIETER)
    await bot.send(PIETER, "Pieter's huiswerk")
    await bot.tap(PIETER, "Indienen")
    bot.clock.advance(timedelta(hours=1))
    await bot.run_pass()
    digests = [c.text for c in bot.api.sent(AN.id) if "Nieuw ingediend huiswerk" in c.text]
    assert len(digests) == 1
    assert "Sofie Janssens" in digests[0] and "Pieter De Smet" in digests[0]
    rows = outbox.find(bot.db, kind="homework_digest")
    assert {r.person_id for r in rows} == {people.by_telegram_id(bot.db, u.id).id
                                           for u in (AN, KOEN)}


async def test_feedback_thread_both_ways(bot):
    await open_photos(bot)
    await bot.send(SOFIE, "Onze kern in drie beelden")
    await bot.tap(SOFIE, "Indienen")
    await bot.send(AN, "/inzendingen")
    await bot.tap(AN, "sessie 2")
    calls = await bot.tap(AN, "Sofie Janssens")
    assert "Onze kern in drie beelden" in calls[0].text
    await bot.tap(AN, "Feedback geven")
    await bot.send(AN, "Sterk! Wie zijn je gebruikers?")
    received = bot.api.sent(SOFIE.id)[-1]
    assert "Feedback van An Peeters" in received.text and "Wie zijn je gebruikers" in received.text
    await bot.tap(SOFIE, "Antwoorden")
    await bot.send(SOFIE, "Vooral bezoekers van de markt.")
    answer = bot.api.sent(AN.id)[-1]
    assert "Sofie Janssens</b> antwoordt" in answer.text and "bezoekers" in answer.text
    sofie = people.by_telegram_id(bot.db, SOFIE.id)
    submission = store.of(bot.db, sofie.id, photos_assignment(bot).id)
    assert [f.text for f in store.thread(bot.db, submission.id)] == [
        "Sterk! Wie zijn je gebruikers?", "Vooral bezoekers van de markt."]
    assert "💬 feedback ontvangen" in (await bot.send(SOFIE, "/huiswerk"))[-1].text


async def test_access_with_forged_buttons(bot):
    await open_photos(bot)
    await bot.send(SOFIE, "Van Sofie")
    await bot.tap(SOFIE, "Indienen")
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
        assert "Dat kan je met jouw rol niet doen" in calls[-1].text
        assert "Van Sofie" not in " ".join(c.text for c in calls)
    calls = await bot.press(PIETER, f"hw:view:{submission.id}")
    assert "Van Sofie" not in " ".join(c.text for c in calls)
    calls = await bot.press(ELS, f"hw:view:{submission.id}")
    assert "Van Sofie" in calls[0].text
    assert homework.can_view_submission(bot.db, stranger, submission.id) is False


async def test_brief_step_homework_is_handed_in_through_the_flow(bot):
    bot.clock.set(at(2024, 2, 21, 10, 0))
    await bot.send(SOFIE, "/huiswerk")
    calls = await bot.tap(SOFIE, "Je uitdaging helder benoemd")
    assert "stap 1 van je ontwerpbrief" in calls[-1].text
    calls = await bot.tap(SOFIE, "Indienen")
    assert "werk eerst stap 1" in calls[-1].text


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
    await bot.tap(SOFIE, "Indienen")
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
    assert "Dat kan je met jouw rol niet doen" in refused[-1].text


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
