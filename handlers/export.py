"""/export: the session preparation files of a trajectory (coaches: their own; coordinators:
all): a PDF with briefs and homework, a ZIP with the original files, an XLSX for analysis."""

from __future__ import annotations

import tempfile

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from documents.export import export_trajectory
from handlers.access import (
    COACH,
    COORDINATOR,
    Actor,
    actor_of,
    trajectory_ids,
    visible_trajectories,
)
from handlers.commands import add_command
from handlers.context import KernbotContext
from handlers.replies import answer_query, keyboard, label, refuse, reply
from storage import audit, trajectories

PREFIX = "ex"
STAFF = frozenset({COACH, COORDINATOR})



async def export_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    visible = visible_trajectories(context.services, actor)
    if not visible:
        await reply(update, context, actor, "progress/no_trajectories")
    elif len(visible) == 1:
        await send_export(update, context, actor, visible[0].id)
    else:
        rows = [[(label(context, actor, "progress/choose_button", trajectory=t),
                  f"{PREFIX}:{t.id}")] for t in visible]
        await reply(update, context, actor, "export/choose", keyboard(rows))


async def send_export(update: Update, context: KernbotContext, actor: Actor,
                      trajectory_id: int) -> None:
    services = context.services
    trajectory = trajectories.get(services.db, trajectory_id)
    audit.record(services.db, actor.person_id, "exported_trajectory", None,
                 services.clock.now(), detail=f"traject {trajectory.number}")
    await reply(update, context, actor, "export/working")
    with tempfile.TemporaryDirectory(prefix="kernbot-export-") as tmp:
        files = export_trajectory(services.db, services.messages, trajectory_id, tmp,
                                  actor.language, services.clock.now())
        for path in (files.pdf, files.zip, files.xlsx):
            with path.open("rb") as handle:
                await context.bot.send_document(update.effective_chat.id, handle,
                                                filename=path.name)


async def button(update: Update, context: KernbotContext) -> None:
    actor = actor_of(update, context.services)
    await answer_query(update)
    value = update.callback_query.data.split(":", 1)[1]
    allowed = trajectory_ids(context.services, actor) if actor.role in STAFF else set()
    if not value.isdigit() or actor.role not in STAFF or (
            allowed is not None and int(value) not in allowed) or \
            trajectories.get(context.services.db, int(value)) is None:
        await refuse(update, context, actor)
        return
    await send_export(update, context, actor, int(value))


def register(app: Application) -> None:
    add_command(app, "export", export_command, STAFF, order=35)
    app.add_handler(CallbackQueryHandler(button, pattern=rf"^{PREFIX}:"))
