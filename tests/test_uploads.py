"""Limits on uploads: per piece, per submission (count and bytes) and per person, with the
real size when Telegram does not say it; pictures are checked before a document decodes them;
an export too large for one Telegram message comes in parts."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from PIL import Image

from documents import images
from kernbot.harness import ELS, SOFIE, BotHarness, test_config
from storage import homework as store
from storage import people

APRIL = datetime(2024, 4, 24, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))
PDF = b"%PDF-1.4\n" + b"0" * 3000


async def _open_photos(bot):
    bot.clock.set(APRIL)
    await bot.send(SOFIE, "/huiswerk")
    await bot.tap(SOFIE, "Foto's van je kern")


def _kept(bot) -> list:
    sofie = people.by_telegram_id(bot.db, SOFIE.id)
    return [i for s in store.of_person(bot.db, sofie.id) for i in store.items(bot.db, s.id)]


async def test_a_submission_takes_at_most_so_many_pieces(tmp_path, clock):
    config = test_config(tmp_path, homework={"max_items_per_submission": 3})
    async with BotHarness.start(tmp_path, clock=clock, config=config) as bot:
        await _open_photos(bot)
        for n in range(3):
            assert "homework/item_received" in (await bot.send(SOFIE, f"stuk {n}"))[-1].keys
        calls = await bot.send(SOFIE, "nog een")
        assert calls[-1].key == "homework/over_quota"
        assert calls[-1].values("homework/over_quota")["reason"] == "items"
        assert len(_kept(bot)) == 3


async def test_bytes_per_submission_and_per_person(tmp_path, clock):
    config = test_config(tmp_path, homework={"max_mb_per_submission": 0.005,
                                             "max_mb_per_person": 0.008})
    async with BotHarness.start(tmp_path, clock=clock, config=config) as bot:
        await _open_photos(bot)
        assert "homework/item_received" in (await bot.sim.send_document(
            SOFIE, PDF, "plan.pdf", "application/pdf"))[-1].keys
        calls = await bot.sim.send_document(SOFIE, PDF, "plan2.pdf", "application/pdf")
        assert calls[-1].values("homework/over_quota")["reason"] == "submission"
        assert len(_kept(bot)) == 1


async def test_the_real_size_counts_when_telegram_does_not_say_it(tmp_path, clock):
    config = test_config(tmp_path, homework={"max_file_mb": 0.002})   # about 2 KB
    async with BotHarness.start(tmp_path, clock=clock, config=config) as bot:
        await _open_photos(bot)
        calls = await bot.sim.send_document(SOFIE, PDF, "groot.pdf", "application/pdf",
                                            omit_size=True)
        assert calls[-1].key == "homework/too_big"
        assert _kept(bot) == []                                   # not kept, not counted
        files = bot.config["storage"]["files_dir"]
        from pathlib import Path
        assert not [p for p in Path(files).rglob("*") if p.is_file()]


def test_a_picture_bomb_is_not_decoded(tmp_path):
    bomb = tmp_path / "bom.png"
    Image.new("1", (12_500, 12_500)).save(bomb, optimize=True)   # a few hundred KB on disk
    assert bomb.stat().st_size < 2_000_000
    assert images.thumbnail(bomb) is None
    photo = tmp_path / "foto.jpg"
    Image.new("RGB", (4000, 3000), "orange").save(photo)
    small = images.thumbnail(photo)
    assert small is not None and max(Image.open(io.BytesIO(small)).size) <= images.BOX
    assert images.thumbnail(tmp_path / "bestaat-niet.jpg") is None


async def test_an_export_too_large_for_one_message_comes_in_parts(bot, monkeypatch):
    from documents import export

    monkeypatch.setattr(export, "PART_BYTES", 4000)
    await _open_photos(bot)
    for n in range(3):
        await bot.sim.send_document(SOFIE, PDF, f"plan{n}.pdf", "application/pdf")
    calls = await bot.send(ELS, "/export")
    assert "export/in_parts" in [k for c in calls for k in c.keys]
    zips = [c.saved_paths[0].name for c in calls if c.method == "sendDocument"
            and c.saved_paths[0].suffix == ".zip"]
    assert len(zips) == 3 and all("-deel-" in name for name in zips)
