"""Several photos per brief step (issue 15): an album kept whole with one reply, photos sent one
after the other kept too, captions kept, and the photos in the brief's PDF and DOCX beside the
step they belong to."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from PIL import Image
from pypdf import PdfReader

from kernbot.harness import SOFIE
from programme import flow_progress
from storage import flow_files
from tests.flow_helpers import YES, person_id, play


def png(color: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, "PNG")
    return buffer.getvalue()


async def to_test_photo(bot):
    await bot.send(SOFIE, "/brief")
    await bot.tap(SOFIE, key="flows/brief/sections/step3")
    await play(bot, SOFIE, [("send", "Tijdelijk groen"), ("send", "Bakken groen"),
                            ("send", "De handelaars"), ("send", "Blijven mensen langer?"),
                            ("key", YES), ("send", "Ze bleven langer")])


async def download(bot, kind: str) -> Path:
    calls = await bot.tap(SOFIE, key=f"flows/buttons/{kind}")
    [document] = [c for c in calls if c.method == "sendDocument"]
    return document.saved_paths[0]


async def test_an_album_of_three_photos_is_kept_whole_with_captions_and_one_reply(bot):
    await to_test_photo(bot)
    replies = []
    for n, color in enumerate(["red", "green", "blue"]):
        replies.append(await bot.sim.send_photo(SOFIE, png(color), media_group_id="g1",
                                                caption="Het plein" if n == 0 else ""))
    # one reply; the rest of the album only brings that reply's photo count up to date
    assert len(replies[0]) == 1
    assert [c.method for c in replies[1] + replies[2]] == ["editMessageText"] * 2
    pid = person_id(bot, SOFIE)
    photos = flow_progress.flow_answers(bot.db, pid, "brief")[("test_photo", 0)]
    assert len(photos) == 3
    kept = flow_files.of_run(bot.db, pid, "brief")
    assert [f.caption for f in kept] == ["Het plein", "", ""]
    assert all(f.local_path and Path(f.local_path).is_file() for f in kept)


async def test_photos_sent_one_by_one_are_kept_with_their_step(bot):
    await to_test_photo(bot)
    await bot.sim.send_photo(SOFIE, png("red"))
    calls = await bot.sim.send_photo(SOFIE, png("green"), caption="De bakken")
    assert calls[-1].values("flows/ui/photo_added")["count"] == 2
    calls = await bot.sim.send_document(SOFIE, png("blue"), "kaart.png", "image/png")
    assert calls[-1].values("flows/ui/photo_added")["count"] == 3
    pid = person_id(bot, SOFIE)
    assert len(flow_progress.flow_answers(bot.db, pid, "brief")[("test_photo", 0)]) == 3
    assert [f.caption for f in flow_files.of_run(bot.db, pid, "brief")] == ["", "De bakken", ""]


async def test_the_photos_are_in_the_brief_pdf_and_docx(bot):
    await to_test_photo(bot)
    for n, color in enumerate(["red", "green", "blue"]):
        await bot.sim.send_photo(SOFIE, png(color), media_group_id="g1",
                                 caption="Het plein" if n == 0 else "")
    await bot.send(SOFIE, "/brief")
    pdf = PdfReader(await download(bot, "pdf"))
    images = [image for page in pdf.pages for image in page.images]
    assert len(images) == 3
    text = "\n".join(page.extract_text() for page in pdf.pages)
    step3 = bot.services.messages.plain("flows/brief/sections/step3", "nl")
    step4 = bot.services.messages.plain("flows/brief/sections/step4", "nl")
    assert text.index(step3) < text.index("Het plein") < text.index(step4)  # beside its step
    docx = Document(str(await download(bot, "docx")))
    assert len(docx.inline_shapes) == 3
