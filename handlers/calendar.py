"""/sessies: your sessions with an .ics invitation each; /stil: pause homework nudges (session
reminders keep coming); coordinators see with /stil who paused them."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from telegram import Update

from buttons.calendar import Mute
from handlers.access import Actor
from handlers.context import KernbotContext
from handlers.replies import keyboard, label, reply
from programme import calendar
from storage import mutes, people

MUTE_CHOICES = {"1w": timedelta(weeks=1), "2w": timedelta(weeks=2), "off": None}


async def sessions_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/sessies: upcoming and past sessions, with an .ics file per planned session."""
    services = context.services
    now = services.clock.now()
    pairs = calendar.sessions_for_person(services.db, actor.person_id,
                                         all_trajectories=actor.coordinator)
    if not pairs:
        await reply(update, context, actor, "calendar/no_sessions")
        return
    upcoming = [(t, s) for t, s in pairs if s.ends_at > now]
    past = [(t, s) for t, s in pairs if s.ends_at <= now]
    upcoming.sort(key=lambda pair: pair[1].starts_at)
    await reply(update, context, actor, "calendar/sessions", upcoming=upcoming, past=past,
                several=len({t.id for t, _ in pairs}) > 1)
    m = services.messages
    with tempfile.TemporaryDirectory(prefix="kernbot-ics-") as tmp:
        for trajectory, session in upcoming:
            if session.status != "planned":
                continue
            data = calendar.session_ics(
                services.db, session, trajectory, now=now,
                summary=m.plain("calendar/ics_summary", actor.language, session=session,
                                trajectory=trajectory),
                description=m.plain("calendar/ics_description", actor.language,
                                    session=session, trajectory=trajectory))
            path = Path(tmp) / f"kernbot-traject-{trajectory.number}-sessie-{session.number}.ics"
            path.write_bytes(data)
            with path.open("rb") as handle:
                await context.bot.send_document(update.effective_chat.id, handle,
                                                filename=path.name)


async def mute_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/stil: participants pause nudges; coordinators see who paused them."""
    services = context.services
    now = services.clock.now()
    if actor.coordinator:
        muted = [(people.get(services.db, x.person_id), x) for x in
                 mutes.all_active(services.db, now)]
        await reply(update, context, actor, "calendar/muted_list",
                    muted=[(p, x) for p, x in muted if p is not None])
        return
    current = mutes.active(services.db, actor.person_id, now)
    rows = [[(label(context, actor, "calendar/mute_1w"), Mute("1w").pack()),
              (label(context, actor, "calendar/mute_2w"), Mute("2w").pack())],
            [(label(context, actor, "calendar/mute_off"), Mute("off").pack())]]
    if current is not None:
        rows.append([(label(context, actor, "calendar/mute_on_again"), Mute("on").pack())])
    await reply(update, context, actor, "calendar/mute_choose", keyboard(rows), current=current)


async def mute_button(update: Update, context: KernbotContext, actor: Actor,
                      button: Mute) -> None:
    services = context.services
    choice = button.choice
    now = services.clock.now()
    if choice == "on":
        mutes.unmute(services.db, actor.person_id)
        await reply(update, context, actor, "calendar/mute_cleared")
        return
    span = MUTE_CHOICES[choice]
    mute = mutes.mute(services.db, actor.person_id, now + span if span else None, now)
    await reply(update, context, actor, "calendar/mute_set", mute=mute)
