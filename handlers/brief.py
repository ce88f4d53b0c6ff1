"""/brief: the four parts of the design brief with their state, and the brief as PDF or DOCX."""

from __future__ import annotations

from telegram import InputFile, Update

from buttons import flows as fb
from documents import brief as brief_document
from handlers.access import Actor
from handlers.context import KernbotContext
from handlers.replies import keyboard, reply
from programme import flow_progress


async def brief_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/brief: the four parts of the design brief, and the download."""
    await brief_menu(update, context, actor)


async def brief_menu(update: Update, context: KernbotContext, actor: Actor) -> None:
    services = context.services
    m, lang, db = services.messages, actor.language, services.db
    flow = services.flows["brief"]
    done = flow_progress.brief_steps_done(db, services.flows, actor.person_id)
    parts = [(m.plain(f"flows/brief/sections/{s}", lang), done[s]) for s in flow.sections]
    rows = [[(m.plain("flows/buttons/step", lang, title=title, done=ok),
              fb.BriefStep(s).pack())]
            for s, (title, ok) in zip(flow.sections, parts, strict=True)]
    rows.append([(m.static("flows/buttons/waarom", lang), fb.Start("waarom").pack())])
    rows.append([(m.static("flows/buttons/pdf", lang), fb.Download("pdf").pack()),
                 (m.static("flows/buttons/docx", lang), fb.Download("docx").pack())])
    await reply(update, context, actor, "flows/ui/brief_menu", keyboard(rows),
                intro=m.plain("flows/brief/intro", lang), parts=parts,
                chains=len(flow_progress.chains(db, services.flows, actor.person_id)))


async def menu_button(update: Update, context: KernbotContext, actor: Actor,
                      button: fb.BriefMenu) -> None:
    await brief_menu(update, context, actor)


async def download_button(update: Update, context: KernbotContext, actor: Actor,
                          button: fb.Download) -> None:
    """The design brief as a document, built in memory and sent with sendDocument."""
    services = context.services
    data = brief_document.collect(services.db, services.messages, services.flows,
                                  actor.person_id, actor.language, services.clock.now())
    content = brief_document.document_bytes(data, button.kind)
    name = f"{brief_document.file_stem(services.messages, data)}.{button.kind}"
    caption = services.messages.render("flows/ui/document_caption", actor.language,
                                       date=data.version)
    await context.bot.send_document(update.effective_chat.id, InputFile(content, filename=name),
                                    caption=caption)
