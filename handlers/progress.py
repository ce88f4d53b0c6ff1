"""/voortgang: progress per trajectory for coaches (their own) and coordinators (all), as text,
a PNG chart and an XLSX sheet, with a button that nudges the people lagging behind."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from documents.progress import Labels, chart_png, sheet_xlsx
from handlers.access import (
    COACH,
    COORDINATOR,
    Actor,
    actor_of,
    refusal_key,
    trajectory_ids,
    visible_trajectories,
)
from handlers.commands import add_command
from handlers.context import KernbotContext
from handlers.replies import answer_query, keyboard, label, reply
from programme import progress as progress_model
from programme.progress import DONE, LATE, MISSING, OPEN, TrajectoryProgress, grid_columns
from schedule import jobs, planner
from storage import trajectories

log = logging.getLogger(__name__)
PREFIX = "vg"
STAFF = frozenset({COACH, COORDINATOR})

# The reminders feature registers how to nudge: fn(db, person_ids, trajectory_id, now) -> int
# (number of nudges queued in the outbox). No nudger: no button.
NUDGERS: list[Callable] = [planner.queue_lagging_nudges]



async def progress_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/voortgang: choose a trajectory (when there are several) and show its progress."""
    visible = visible_trajectories(context.services, actor)
    if not visible:
        await reply(update, context, actor, "progress/no_trajectories")
        return
    if len(visible) == 1:
        await show(update, context, actor, visible[0].id)
        return
    rows = [[(label(context, actor, "progress/choose_button", trajectory=t),
              f"{PREFIX}:t:{t.id}")] for t in visible]
    await reply(update, context, actor, "progress/choose", keyboard(rows))


def _labels(context: KernbotContext, actor: Actor, data: TrajectoryProgress) -> Labels:
    m, lang = context.services.messages, actor.language
    columns = {}
    for column in grid_columns(data):
        if column.startswith("hw"):
            columns[column] = m.plain("progress/col_homework", lang, number=int(column[2:]))
        elif column.startswith("eval"):
            columns[column] = m.plain("progress/col_evaluation", lang, number=int(column[4:]))
        else:
            columns[column] = m.plain(f"progress/col_{column}", lang)
    return Labels(
        title=m.plain("progress/chart_title", lang, trajectory=data.trajectory),
        columns=columns,
        statuses={s: m.plain(f"progress/status_{s}", lang) for s in (DONE, LATE, MISSING,
                                                                    OPEN)},
        participant=m.plain("progress/col_participant", lang),
        last_activity=m.plain("progress/col_last_activity", lang),
        flagged=m.plain("progress/flagged", lang),
        never=m.plain("progress/never", lang),
        row_names={p.person.id: m.plain("progress/row_name", lang, person=p.person)
                   for p in data.participants},
        activity={p.person.id: (m.format(p.last_activity, lang, "date")
                                if p.last_activity else m.plain("progress/never", lang))
                  for p in data.participants},
    )


async def show(update: Update, context: KernbotContext, actor: Actor, trajectory_id: int
               ) -> None:
    services = context.services
    data = progress_model.trajectory_progress(services.db, trajectory_id, services.clock.now())
    markup = None
    if data.lagging and NUDGERS:
        markup = keyboard([[(label(context, actor, "progress/nudge_button",
                                   count=len(data.lagging)), f"{PREFIX}:n:{trajectory_id}")]])
    await reply(update, context, actor, "progress/overview", markup, progress=data,
                sessions=data.sessions)
    if not data.participants:
        return
    labels = _labels(context, actor, data)
    chat_id = update.effective_chat.id
    with tempfile.TemporaryDirectory(prefix="kernbot-progress-") as tmp:
        stem = f"voortgang-traject-{data.trajectory.number}"
        png = chart_png(data, labels, Path(tmp) / f"{stem}.png")
        with png.open("rb") as photo:
            await context.bot.send_photo(chat_id, photo, filename=png.name)
        xlsx = sheet_xlsx(data, labels, Path(tmp) / f"{stem}.xlsx")
        with xlsx.open("rb") as sheet:
            await context.bot.send_document(chat_id, sheet, filename=xlsx.name)


async def button(update: Update, context: KernbotContext) -> None:
    """vg:t:<trajectory> shows one trajectory; vg:n:<trajectory> nudges who lags behind."""
    actor = actor_of(update, context.services)
    await answer_query(update)
    parts = update.callback_query.data.split(":")
    allowed = trajectory_ids(context.services, actor) if actor.role in STAFF else set()
    try:
        action, trajectory_id = parts[1], int(parts[2])
    except (IndexError, ValueError):
        await reply(update, context, actor, "common/button_expired")
        return
    if actor.role not in STAFF or (allowed is not None and trajectory_id not in allowed) \
            or trajectories.get(context.services.db, trajectory_id) is None:
        key = refusal_key(actor)
        await reply(update, context, actor, key)
        return
    if action == "t":
        await show(update, context, actor, trajectory_id)
    elif action == "n" and NUDGERS:
        services = context.services
        now = services.clock.now()
        data = progress_model.trajectory_progress(services.db, trajectory_id, now)
        ids = [p.person.id for p in data.lagging]
        queued = sum(fn(services.db, ids, trajectory_id, now) for fn in NUDGERS)
        await reply(update, context, actor, "progress/nudged", count=queued)
        jobs.wake_now(context.application)
    else:
        await reply(update, context, actor, "common/button_expired")


def register(app: Application) -> None:
    add_command(app, "voortgang", progress_command, STAFF, order=40, aliases=("progress",))
    app.add_handler(CallbackQueryHandler(button, pattern=rf"^{PREFIX}:"))
