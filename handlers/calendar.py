"""/sessies: your sessions with an .ics invitation each; /stil: pause homework nudges (session
reminders keep coming); coordinators see with /stil who paused them.

For a coordinator /sessies is the calendar in the chat (issue 16): per session a button to
manage it: move it (type the new date and time, see a preview of what changes, confirm:
reminders are re-planned and everyone in the trajectory gets a short notice with the updated
.ics, a higher SEQUENCE), cancel it (everyone told, reminders withdrawn), edit the text and the
deadline of its assignment; and a button to add a session. What is changed here is marked, so
a re-import of the programme file reports it instead of undoing it."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from telegram import Update

from buttons import calendar as cb
from buttons.calendar import Mute
from core.events import FollowupChanged
from handlers.access import Actor
from handlers.context import KernbotContext
from handlers.replies import keyboard, label, reply
from handlers.router import text_of
from programme import calendar, moments
from schedule import calendar_preview
from storage import assignments, conversations, memberships, mutes, people, trajectories
from storage import followup as followup_store
from storage.db import transaction

MUTE_CHOICES = {"1w": timedelta(weeks=1), "2w": timedelta(weeks=2), "off": None}


async def sessions_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/sessies: upcoming and past sessions in one message, with a button per planned session
    for its calendar invitation (.ics)."""
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
    several = len({t.id for t, _ in pairs}) > 1
    rows = _manage_rows(context, actor, pairs, several) if actor.coordinator else []
    manage = bool(rows)
    rows += [[(label(context, actor, "calendar/ics_button", trajectory=t, session=s,
                     several=several), cb.Ics(s.id).pack())]
             for t, s in upcoming if s.status == "planned"]
    await reply(update, context, actor, "calendar/sessions", keyboard(rows) if rows else None,
                upcoming=upcoming, past=past, several=several, manage=manage,
                ics=any(s.status == "planned" for _, s in upcoming))


async def ics_button(update: Update, context: KernbotContext, actor: Actor,
                     button: cb.Ics) -> None:
    """The .ics of one session of the person's trajectories (a moved session: the same
    invitation, updated)."""
    services = context.services
    now = services.clock.now()
    pairs = calendar.sessions_for_person(services.db, actor.person_id,
                                         all_trajectories=actor.coordinator)
    found = next(((t, s) for t, s in pairs if s.id == button.session_id), None)
    if found is None or found[1].status != "planned":
        await reply(update, context, actor, "common/button_expired")
        return
    trajectory, session = found
    m = services.messages
    data = calendar.session_ics(
        services.db, session, trajectory, now=now,
        summary=m.plain("calendar/ics_summary", actor.language, session=session,
                        trajectory=trajectory),
        description=m.plain("calendar/ics_description", actor.language, session=session,
                            trajectory=trajectory))
    name = f"kernbot-traject-{trajectory.number}-sessie-{session.number}.ics"
    with tempfile.TemporaryDirectory(prefix="kernbot-ics-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        with path.open("rb") as handle:
            await context.bot.send_document(update.effective_chat.id, handle, filename=name)


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



# -- the coordinator's calendar ------------------------------------------------------------------
STATE = cb.CAL
MAX_INSTRUCTIONS = 1500


def _manage_rows(context: KernbotContext, actor: Actor, pairs, several: bool) -> list:
    db = context.services.db
    rows = [[(label(context, actor, "calendar/manage_button", trajectory=t, session=s,
                    several=several), cb.Manage(s.id).pack())] for t, s in pairs]
    for trajectory in {t.id: t for t, _ in pairs}.values():
        if calendar.free_numbers(db, trajectory.id):
            rows.append([(label(context, actor, "calendar/add_button", trajectory=trajectory),
                          cb.AddSession(trajectory.id).pack())])
    return rows


def _session_of(context: KernbotContext, session_id: int):
    session = trajectories.get_session(context.services.db, session_id)
    if session is None:
        return None, None
    return session, trajectories.get(context.services.db, session.trajectory_id)


async def manage_button(update: Update, context: KernbotContext, actor: Actor,
                        button: cb.Manage) -> None:
    session, trajectory = _session_of(context, button.session_id)
    if session is None:
        await reply(update, context, actor, "common/button_expired")
        return
    work = assignments.of_session(context.services.db, session.id)
    rows = [[(label(context, actor, "calendar/move_button", session=session),
              cb.Move(session.id).pack())]]
    if session.status == "planned":
        rows[0].append((label(context, actor, "calendar/cancel_button"),
                        cb.CancelSession(session.id).pack()))
    for a in work:
        rows.append([(label(context, actor, "calendar/edit_text_button", assignment=a),
                      cb.EditText(a.id).pack()),
                     (label(context, actor, "calendar/edit_due_button", assignment=a),
                      cb.EditDue(a.id).pack())])
    windows = {w.assignment.id: w for w in
               calendar.windows_for(context.services.db, context.services.settings,
                                    trajectory.id)}
    await reply(update, context, actor, "calendar/manage", keyboard(rows), session=session,
                trajectory=trajectory,
                work=[(a, windows[a.id].due_at if a.id in windows else None) for a in work])


async def _ask(update: Update, context: KernbotContext, actor: Actor, state: str, key: str,
               **values) -> None:
    conversations.put(context.services.db, update.effective_chat.id, f"{STATE}:{state}", {},
                      context.services.clock.now())
    await reply(update, context, actor, key, **values)


async def move_button(update: Update, context: KernbotContext, actor: Actor,
                      button: cb.Move) -> None:
    session, trajectory = _session_of(context, button.session_id)
    if session is None:
        await reply(update, context, actor, "common/button_expired")
        return
    await _ask(update, context, actor, f"move:{session.id}", "calendar/move_ask",
               session=session, trajectory=trajectory)


async def add_button(update: Update, context: KernbotContext, actor: Actor,
                     button: cb.AddSession) -> None:
    trajectory = trajectories.get(context.services.db, button.trajectory_id)
    if trajectory is None or not calendar.free_numbers(context.services.db, trajectory.id):
        await reply(update, context, actor, "common/button_expired")
        return
    await _ask(update, context, actor, f"add:{trajectory.id}", "calendar/add_ask",
               trajectory=trajectory)


async def edit_text_button(update: Update, context: KernbotContext, actor: Actor,
                           button: cb.EditText) -> None:
    assignment = assignments.get(context.services.db, button.assignment_id)
    if assignment is None:
        await reply(update, context, actor, "common/button_expired")
        return
    await _ask(update, context, actor, f"text:{assignment.id}", "calendar/text_ask",
               assignment=assignment, limit=MAX_INSTRUCTIONS)


async def edit_due_button(update: Update, context: KernbotContext, actor: Actor,
                          button: cb.EditDue) -> None:
    assignment = assignments.get(context.services.db, button.assignment_id)
    if assignment is None:
        await reply(update, context, actor, "common/button_expired")
        return
    await _ask(update, context, actor, f"due:{assignment.id}", "calendar/due_ask",
               assignment=assignment)


async def cancel_button(update: Update, context: KernbotContext, actor: Actor,
                        button: cb.CancelSession) -> None:
    services = context.services
    session, trajectory = _session_of(context, button.session_id)
    if session is None or session.status != "planned":
        await reply(update, context, actor, "common/button_expired")
        return
    now = services.clock.now()
    preview = calendar_preview.preview_cancel(services.db, services.settings, session.id, now)
    await _confirm(update, context, actor, {"op": "cancel", "session": session.id},
                   "calendar/cancel_preview", session=session, trajectory=trajectory,
                   preview=preview)


async def _confirm(update: Update, context: KernbotContext, actor: Actor, data: dict, key: str,
                   **values) -> None:
    conversations.put(context.services.db, update.effective_chat.id, f"{STATE}:confirm", data,
                      context.services.clock.now())
    rows = [[(label(context, actor, "calendar/confirm"), cb.Confirm().pack()),
             (label(context, actor, "calendar/abort"), cb.Abort().pack())]]
    await reply(update, context, actor, key, keyboard(rows), **values)


def _typed_session_time(text: str, now, tz, length):
    """ "25/6 9u30" (as long as now) or "25/6 9u30-12u30": (start, end) or a Parsed problem."""
    parsed = moments.parse_moment(text, now, tz)
    if not parsed.ok:
        return parsed
    return parsed.value, parsed.end or parsed.value + length


async def _out_of_order(update: Update, context: KernbotContext, actor: Actor, step: str,
                        refusal: calendar.OutOfOrder,
                        trajectory: trajectories.Trajectory) -> None:
    """The session would swap places with its neighbour: say which, and ask for another moment
    in the same step (also when it was typed, or confirmed, at the confirmation)."""
    await _ask(update, context, actor, step, "calendar/out_of_order", refusal=refusal,
               trajectory=trajectory)


async def on_message(update: Update, context: KernbotContext, actor: Actor,
                     state: conversations.ConversationState) -> None:
    """Typed answers while managing the calendar: a date and time, a text, a deadline."""
    services = context.services
    db, s, now = services.db, services.settings, services.clock.now()
    chat_id = update.effective_chat.id
    if not actor.coordinator:
        conversations.clear(db, chat_id)
        await reply(update, context, actor, "common/not_allowed")
        return
    parts = state.state.split(":")
    text = text_of(update) or None
    step = parts[1] if len(parts) > 1 else ""
    ref = int(parts[2]) if len(parts) > 2 and parts[2].isascii() and parts[2].isdigit() else None
    if step == "confirm":
        # another date typed while a move or a new session waits for confirmation: a new
        # preview for that date (anything else: the buttons decide)
        op = state.data.get("op")
        retyped = text is not None and op in ("move", "add") and \
            moments.parse_moment(text, now, s.tz).ok
        if not retyped:
            await reply(update, context, actor, "calendar/use_buttons")
            return
        step = op
        ref = int(state.data["session"] if op == "move" else state.data["trajectory"])
    if text is None or ref is None:
        await reply(update, context, actor, "calendar/text_please")
        return
    if step in ("move", "add"):
        if step == "move":
            session, trajectory = _session_of(context, ref)
            length = session.ends_at - session.starts_at if session else None
        else:
            session, trajectory = None, trajectories.get(db, ref)
            length = timedelta(hours=3)
        if (step == "move" and session is None) or trajectory is None:
            conversations.clear(db, chat_id)
            await reply(update, context, actor, "common/button_expired")
            return
        typed = _typed_session_time(text, now, s.tz, length)
        if isinstance(typed, moments.Parsed):
            await reply(update, context, actor, f"calendar/time_{typed.problem}",
                        value=typed.value, now=now, weekday=typed.weekday)
            return
        starts_at, ends_at = typed
        refusal = calendar.move_refusal(db, session.id, starts_at, ends_at) if step == "move" \
            else calendar.add_refusal(db, trajectory.id, starts_at, ends_at)
        if refusal is not None:
            await _out_of_order(update, context, actor, f"{step}:{ref}", refusal, trajectory)
            return
        if step == "move":
            preview = calendar_preview.preview_move(db, s, session.id, starts_at, ends_at, now)
            await _confirm(update, context, actor,
                           {"op": "move", "session": session.id, "start": starts_at.isoformat(),
                            "end": ends_at.isoformat()}, "calendar/move_preview",
                           session=session, trajectory=trajectory, preview=preview,
                           starts_at=starts_at, ends_at=ends_at,
                           weekend=not s.work.is_working_day(s.work.local(starts_at).date()))
        else:
            await _confirm(update, context, actor,
                           {"op": "add", "trajectory": trajectory.id,
                            "start": starts_at.isoformat(), "end": ends_at.isoformat()},
                           "calendar/add_preview", trajectory=trajectory,
                           number=calendar.free_numbers(db, trajectory.id)[0],
                           starts_at=starts_at, ends_at=ends_at,
                           members=len(memberships.of_trajectory(db, trajectory.id)))
        return
    assignment = assignments.get(db, ref)
    if assignment is None:
        conversations.clear(db, chat_id)
        await reply(update, context, actor, "common/button_expired")
        return
    session = trajectories.get_session(db, assignment.session_id)
    if step == "text":
        if len(text) > MAX_INSTRUCTIONS:
            await reply(update, context, actor, "calendar/text_too_long", limit=MAX_INSTRUCTIONS,
                        length=len(text))
            return
        # The text of the coordinator's language changes; the other one is kept (and the
        # confirmation says so, since it may need the same change).
        english = actor.language == "en"
        with transaction(db):
            assignments.set_instructions(db, assignment.id, text, actor.language)
            followup_store.mark_edited(db, "assignment", assignment.id,
                                       ["instructions_en" if english else "instructions"],
                                       actor.person_id, now)
            conversations.clear(db, chat_id)
        changed = assignments.get(db, assignment.id)
        await reply(update, context, actor, "calendar/text_done", assignment=changed,
                    other=changed.instructions if english else changed.instructions_en)
        return
    if step == "due":
        parsed = moments.parse_due(text, now, s.tz,    # a date alone: at the deadline time
                                   lambda day: s.work.at(day, s.work.deadline_time))
        if not parsed.ok:
            await reply(update, context, actor, f"calendar/time_{parsed.problem}",
                        value=parsed.value, now=now, weekday=parsed.weekday)
            return
        due = s.work.deadline(parsed.value)
        opens = assignment.opens_at or session.ends_at
        if due <= opens:
            await reply(update, context, actor, "calendar/due_before_open", opens=opens)
            return
        with transaction(db):
            assignments.set_times(db, assignment.id, opens_at=assignment.opens_at, due_at=due)
            followup_store.mark_edited(db, "assignment", assignment.id, ["due_at"],
                                       actor.person_id, now)
            services.bus.publish(db, FollowupChanged(None, session.trajectory_id, now))
            conversations.clear(db, chat_id)
        context.wake_dispatcher()
        await reply(update, context, actor, "calendar/due_done", assignment=assignment,
                    due=due, moved=due != parsed.value)
        return
    conversations.clear(db, chat_id)
    await reply(update, context, actor, "common/button_expired")


async def confirm_button(update: Update, context: KernbotContext, actor: Actor,
                         button: cb.Confirm) -> None:
    services = context.services
    db = services.db
    chat_id = update.effective_chat.id
    state = conversations.get(db, chat_id)
    if state is None or state.state != f"{STATE}:confirm":
        await reply(update, context, actor, "common/button_expired")
        return
    data = state.data
    conversations.clear(db, chat_id)
    try:
        done = _apply(context, actor, data)
    except calendar.OutOfOrder as refusal:   # a neighbour moved since the preview
        op = data["op"]
        ref = data["session"] if op == "move" else data["trajectory"]
        await _out_of_order(update, context, actor, f"{op}:{ref}", refusal,
                            trajectories.get(db, refusal.neighbour.trajectory_id))
        return
    if done is None:
        await reply(update, context, actor, "common/button_expired")
        return
    key, session = done
    context.wake_dispatcher()
    await reply(update, context, actor, key, session=session,
                trajectory=trajectories.get(db, session.trajectory_id))


def _apply(context: KernbotContext, actor: Actor, data: dict):
    """Carry out what the preview showed: (message key, session), or None for an unknown
    operation. A move or a new session out of order raises calendar.OutOfOrder."""
    services = context.services
    db, now = services.db, services.clock.now()
    if data.get("op") == "move":
        return "calendar/moved", calendar.move_session(
            db, services.bus, int(data["session"]), starts_at=datetime.fromisoformat(data["start"]),
            ends_at=datetime.fromisoformat(data["end"]), now=now, edited_by=actor.person_id,
            in_chat=True)
    if data.get("op") == "cancel":
        return "calendar/cancelled", calendar.cancel_session(
            db, services.bus, int(data["session"]), now, edited_by=actor.person_id,
            in_chat=True)
    if data.get("op") == "add":
        trajectory = trajectories.get(db, int(data["trajectory"]))
        number = calendar.free_numbers(db, trajectory.id)[0]
        return "calendar/added", calendar.add_session(
            db, services.bus, trajectory.id, starts_at=datetime.fromisoformat(data["start"]),
            ends_at=datetime.fromisoformat(data["end"]), now=now,
            title=services.messages.plain("calendar/new_session_title", "nl", number=number),
            title_en=services.messages.plain("calendar/new_session_title", "en", number=number),
            edited_by=actor.person_id)
    return None


async def abort_button(update: Update, context: KernbotContext, actor: Actor,
                       button: cb.Abort) -> None:
    conversations.clear(context.services.db, update.effective_chat.id)
    await reply(update, context, actor, "calendar/aborted")
