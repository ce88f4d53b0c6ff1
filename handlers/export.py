"""/export: the session preparation files of a trajectory (coaches: their own; coordinators:
all): a PDF with briefs and homework, a ZIP with the original files, an XLSX for analysis."""

from __future__ import annotations

import tempfile

from telegram import Update

from buttons.progress import Export
from documents.export import export_trajectory
from handlers.access import COACH, COORDINATOR, Actor, trajectory_ids, visible_trajectories
from handlers.context import KernbotContext
from handlers.replies import keyboard, label, refuse, reply
from storage import audit, trajectories

STAFF = frozenset({COACH, COORDINATOR})


async def export_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    visible = visible_trajectories(context.services, actor)
    if not visible:
        await reply(update, context, actor, "progress/no_trajectories")
    elif len(visible) == 1:
        await send_export(update, context, actor, visible[0].id)
    else:
        rows = [[(label(context, actor, "progress/choose_button", trajectory=t),
                  Export(t.id).pack())] for t in visible]
        await reply(update, context, actor, "export/choose", keyboard(rows))


async def send_export(update: Update, context: KernbotContext, actor: Actor,
                      trajectory_id: int) -> None:
    services = context.services
    trajectory = trajectories.get(services.db, trajectory_id)
    audit.record(services.db, actor.person_id, "exported_trajectory", None,
                 services.clock.now(), detail=f"traject {trajectory.number}")
    await reply(update, context, actor, "export/working")
    with tempfile.TemporaryDirectory(prefix="kernbot-export-") as tmp:
        files = export_trajectory(services, trajectory_id, tmp, actor.language,
                                  services.clock.now())
        if len(files.zips) > 1:
            await reply(update, context, actor, "export/in_parts", parts=len(files.zips))
        for path in files.all:
            with path.open("rb") as handle:
                await context.bot.send_document(update.effective_chat.id, handle,
                                                filename=path.name)


async def export_button(update: Update, context: KernbotContext, actor: Actor,
                        button: Export) -> None:
    allowed = trajectory_ids(context.services, actor)
    if (allowed is not None and button.trajectory_id not in allowed) or \
            trajectories.get(context.services.db, button.trajectory_id) is None:
        await refuse(update, context, actor)
        return
    await send_export(update, context, actor, button.trajectory_id)
