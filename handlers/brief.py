"""/brief: the four parts of the design brief with their state, and the brief as PDF or DOCX
(with the photos of each step beside it)."""

from __future__ import annotations

import logging
from pathlib import Path

from telegram import InputFile, Update
from telegram.error import TelegramError

from buttons import flows as fb
from documents import brief as brief_document
from handlers.access import Actor
from handlers.context import KernbotContext
from handlers.replies import keyboard, reply
from programme import flow_progress
from storage import flow_files

log = logging.getLogger(__name__)


def photo_path(files_dir: str | Path, person_id: int, row_id: int) -> Path:
    """<files>/flows/person-12/photo-7.jpg: ids only, nothing the sender typed."""
    return Path(files_dir).resolve() / "flows" / f"person-{int(person_id)}" / \
        f"photo-{int(row_id)}.jpg"


async def copy_photos(context: KernbotContext, person_id: int | None) -> None:
    """Keep a local copy of the person's conversation photos (the brief embeds them; Telegram
    may forget a file). One that fails is tried again next time, never blocking the others."""
    if person_id is None:
        return
    services = context.services
    for row_id, owner, file_id in flow_files.without_copy(services.db, person_id):
        path = photo_path(services.config["storage"]["files_dir"], owner, row_id)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            telegram_file = await context.bot.get_file(file_id)
            await telegram_file.download_to_drive(path)
        except (TelegramError, OSError, ValueError) as exc:
            log.warning("copy of conversation photo %s failed: %s", row_id, exc)
            continue
        flow_files.record_copy(services.db, row_id, str(path))


async def brief_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/brief: the four parts of the design brief, and the download."""
    await brief_menu(update, context, actor)


async def brief_menu(update: Update, context: KernbotContext, actor: Actor) -> None:
    """The four steps with their state, the five-whys chains with their "Hoe kunnen we
    ...?" (open one, carry on with one, start one), and the download."""
    services = context.services
    m, lang, db = services.messages, actor.language, services.db
    flow = services.flows["brief"]
    done = flow_progress.brief_steps_done(db, services.flows, actor.person_id)
    parts = [(m.plain(f"flows/brief/sections/{s}", lang), done[s]) for s in flow.sections]
    chains = flow_progress.chains(db, services.flows, actor.person_id)
    rows = [[(m.plain("flows/buttons/step", lang, title=title, done=ok),
              fb.BriefStep(s).pack())]
            for s, (title, ok) in zip(flow.sections, parts, strict=True)]
    for chain in chains:
        if chain.number.isdigit():
            rows.append([(m.plain("flows/buttons/chain", lang, number=chain.number,
                                  complete=chain.complete), fb.Chain(int(chain.number)).pack())])
    rows.append([(m.static("flows/buttons/new_chain", lang), fb.NewChain().pack())])
    rows.append([(m.static("flows/buttons/pdf", lang), fb.Download("pdf").pack()),
                 (m.static("flows/buttons/docx", lang), fb.Download("docx").pack())])
    await reply(update, context, actor, "flows/ui/brief_menu", keyboard(rows),
                intro=m.plain("flows/brief/intro", lang), parts=parts, chains=chains)


async def menu_button(update: Update, context: KernbotContext, actor: Actor,
                      button: fb.BriefMenu) -> None:
    await brief_menu(update, context, actor)


async def download_button(update: Update, context: KernbotContext, actor: Actor,
                          button: fb.Download) -> None:
    """The design brief as a document, built in memory and sent with sendDocument."""
    services = context.services
    await copy_photos(context, actor.person_id)
    data = brief_document.collect(services.db, services.messages, services.flows,
                                  actor.person_id, actor.language, services.clock.now())
    content = brief_document.document_bytes(data, button.kind)
    name = f"{brief_document.file_stem(services.messages, data)}.{button.kind}"
    caption = services.messages.render("flows/ui/document_caption", actor.language,
                                       date=data.version)
    await context.bot.send_document(update.effective_chat.id, InputFile(content, filename=name),
                                    caption=caption)
