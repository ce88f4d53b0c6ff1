"""/voortgang: progress per trajectory for coaches (their own) and coordinators (all), as text,
a PNG chart and an XLSX sheet, with a button that nudges the people lagging behind."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from telegram import Update

from buttons.progress import Nudge, Show
from documents.progress import Labels, chart_png, sheet_xlsx
from handlers.access import COACH, COORDINATOR, Actor, trajectory_ids, visible_trajectories
from handlers.context import KernbotContext
from handlers.replies import keyboard, label, refuse, reply
from programme import progress as progress_model
from programme.progress import STATUSES, TrajectoryProgress, grid_columns
from schedule.planner import Planner
from storage import trajectories

log = logging.getLogger(__name__)
STAFF = frozenset({COACH, COORDINATOR})


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
              Show(t.id).pack())] for t in visible]
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
        statuses={s: m.plain(f"progress/status_{s}", lang) for s in STATUSES},
        participant=m.plain("progress/col_participant", lang),
        last_activity=m.plain("progress/col_last_activity", lang),
        flagged=m.plain("progress/flagged", lang),
        never=m.plain("progress/never", lang),
        row_names={p.person.id: m.plain("progress/row_name", lang, person=p.person)
                   for p in data.participants},
        activity={p.person.id: (m.format(p.last_activity, lang, "date")
                                if p.last_activity else m.plain("progress/never", lang))
                  for p in data.participants},
        behind_header=m.plain("progress/col_behind", lang),
        behind=_behind_words(context, actor, data),
        stuck_header=m.plain("progress/col_stuck", lang),
        stuck=_stuck_words(context, actor, data),
    )


def _behind_words(context: KernbotContext, actor: Actor, data: TrajectoryProgress
                  ) -> dict[int, str]:
    """Plain words (the overview template escapes them)."""
    m = context.services.messages
    return {p.person.id: m.plain("progress/behind", actor.language, items=p.behind)
            for p in data.participants if p.behind}


def _stuck_words(context: KernbotContext, actor: Actor, data: TrajectoryProgress
                 ) -> dict[int, str]:
    m = context.services.messages
    out = {}
    for p in data.participants:
        if p.stuck is None:
            continue
        key = f"flows/{p.stuck.flow}/{p.stuck.question}/label"
        question = m.plain(key, actor.language) if m.has(key, actor.language) \
            else p.stuck.question
        out[p.person.id] = m.plain("progress/stuck", actor.language, stuck=p.stuck,
                                  question=question)
    return out


async def show(update: Update, context: KernbotContext, actor: Actor, trajectory_id: int
               ) -> None:
    data = _progress(context, trajectory_id)
    services = context.services
    # the button counts whom it would remind, by the computation that reminds them
    nudges = progress_model.nudges_due(services.db, services.settings, data,
                                       services.clock.now())
    markup = None
    if nudges:
        markup = keyboard([[(label(context, actor, "progress/nudge_button",
                                   count=len(nudges)), Nudge(trajectory_id).pack())]])
    await reply(update, context, actor, "progress/overview", markup, progress=data,
                sessions=data.sessions, behind=_behind_words(context, actor, data),
                stuck=_stuck_words(context, actor, data), nudges=len(nudges))
    if not data.participants:
        return
    labels = _labels(context, actor, data)
    chat_id = update.effective_chat.id
    with tempfile.TemporaryDirectory(prefix="kernbot-progress-") as tmp:
        stem = label(context, actor, "files/progress", number=data.trajectory.number)
        png = chart_png(data, labels, Path(tmp) / f"{stem}.png")
        with png.open("rb") as photo:
            await context.bot.send_photo(chat_id, photo, filename=png.name)
        xlsx = sheet_xlsx(data, labels, Path(tmp) / f"{stem}.xlsx")
        with xlsx.open("rb") as sheet:
            await context.bot.send_document(chat_id, sheet, filename=xlsx.name)


def _progress(context: KernbotContext, trajectory_id: int) -> TrajectoryProgress:
    services = context.services
    return progress_model.trajectory_progress(services.db, services.flows, services.settings,
                                              trajectory_id, services.clock.now())


def _may_see(context: KernbotContext, actor: Actor, trajectory_id: int) -> bool:
    allowed = trajectory_ids(context.services, actor)
    return (allowed is None or trajectory_id in allowed) and \
        trajectories.get(context.services.db, trajectory_id) is not None


async def show_button(update: Update, context: KernbotContext, actor: Actor,
                      button: Show) -> None:
    if not _may_see(context, actor, button.trajectory_id):
        await refuse(update, context, actor)
        return
    await show(update, context, actor, button.trajectory_id)


async def nudge_button(update: Update, context: KernbotContext, actor: Actor,
                       button: Nudge) -> None:
    """Remind the participants who lag behind (through the outbox)."""
    if not _may_see(context, actor, button.trajectory_id):
        await refuse(update, context, actor)
        return
    services = context.services
    now = services.clock.now()
    data = _progress(context, button.trajectory_id)
    chosen = progress_model.nudges_due(services.db, services.settings, data, now)
    queued = Planner(services.settings).queue_lagging_nudges(
        services.db, {pid: [i.subject for i in items] for pid, items in chosen.items()},
        button.trajectory_id, now, by=actor.person_id)
    await reply(update, context, actor, "progress/nudged", count=queued)
    context.wake_dispatcher()
