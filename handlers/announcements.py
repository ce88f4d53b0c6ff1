"""/aankondiging: a coordinator composes a message, picks the audience with buttons, sees a
preview with the number of recipients, and sends it now or at a chosen time. Delivery goes
through the outbox; one status message is edited as it progresses and ends with a report.
/aankondigingen lists the recent ones with their figures."""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler

from handlers.access import COORDINATOR, Actor, actor_of
from handlers.commands import add_command
from handlers.context import KernbotContext
from handlers.replies import answer_query, keyboard, label, refuse, reply
from handlers.router import message_kind, on_state
from programme import announcing, audiences, calendar
from schedule import jobs
from schedule.settings import settings
from storage import announcements, conversations, people, trajectories

log = logging.getLogger(__name__)
PREFIX = "an"
STATE = "ann"
ONLY = frozenset({COORDINATOR})
MAX_TEXT = 3500  # leaves room for the header within Telegram's 4096


def _draft(context: KernbotContext, chat_id: int) -> conversations.ConversationState | None:
    state = conversations.get(context.services.db, chat_id)
    return state if state is not None and state.prefix == STATE else None


def _save(context: KernbotContext, chat_id: int, step: str, data: dict) -> None:
    conversations.put(context.services.db, chat_id, f"{STATE}:{step}", data,
                      context.services.clock.now())


async def announce_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/aankondiging: start a new announcement."""
    _save(context, update.effective_chat.id, "text", {})
    await reply(update, context, actor, "announcements/ask_text", limit=MAX_TEXT)


@on_state(STATE)
async def on_message(update: Update, context: KernbotContext, actor: Actor,
                     state: conversations.ConversationState) -> None:
    if actor.role != COORDINATOR:
        conversations.clear(context.services.db, update.effective_chat.id)
        await reply(update, context, actor, "common/not_allowed")
        return
    step = state.state.split(":", 1)[1]
    message = update.effective_message
    if step == "text":
        kind = message_kind(update)
        data: dict = {}
        if kind == "text":
            data["text"] = message.text
        elif kind == "photo":
            data.update(text=message.caption or "", photo=message.photo[-1].file_id)
        elif kind == "document":
            data.update(text=message.caption or "", document=message.document.file_id)
        else:
            await reply(update, context, actor, "announcements/text_please", limit=MAX_TEXT)
            return
        if len(data["text"]) > MAX_TEXT:
            await reply(update, context, actor, "announcements/too_long", limit=MAX_TEXT,
                        length=len(data["text"]))
            return
        _save(context, update.effective_chat.id, "audience", data)
        await ask_audience(update, context, actor)
    elif step == "time" and message.text:
        moment = parse_moment(message.text, context.services.clock.now())
        if moment is None:
            await reply(update, context, actor, "announcements/time_invalid")
            return
        data = dict(state.data, at=moment.isoformat())
        _save(context, update.effective_chat.id, "confirm", data)
        await preview(update, context, actor, data)
    else:
        await reply(update, context, actor, "announcements/use_buttons")


def parse_moment(text: str, now: datetime) -> datetime | None:
    """"25/3 14u30", "25/03/2024 14:30" (Brussels time), in the future."""
    import re

    match = re.fullmatch(r"\s*(\d{1,2})[/-](\d{1,2})(?:[/-](\d{2,4}))?\s+(\d{1,2})[u:h.](\d{2})\s*",
                         text)
    if not match:
        return None
    day, month, year, hour, minute = match.groups()
    tz = settings().tz
    local_now = now.astimezone(tz)
    year_value = int(year) + (2000 if year and len(year) == 2 else 0) if year else local_now.year
    try:
        moment = datetime(year_value, int(month), int(day), int(hour), int(minute), tzinfo=tz)
    except ValueError:
        return None
    if not year and moment < local_now:
        moment = moment.replace(year=moment.year + 1)
    return moment if moment > now else None


async def ask_audience(update: Update, context: KernbotContext, actor: Actor) -> None:
    rows = [[(label(context, actor, f"announcements/aud_{kind}"), f"{PREFIX}:a:{kind}")]
            for kind in audiences.KINDS]
    rows.append([(label(context, actor, "announcements/cancel"), f"{PREFIX}:x")])
    await reply(update, context, actor, "announcements/ask_audience", keyboard(rows))


def audience_label(context: KernbotContext, actor: Actor, audience: dict) -> str:
    db = context.services.db
    values: dict = {}
    if audience["kind"] == "trajectory":
        values["trajectory"] = trajectories.get(db, audience["id"])
    if audience["kind"] == "homework_missing":
        session = trajectories.get_session(db, audience["session_id"])
        values.update(session=session, trajectory=trajectories.get(db, session.trajectory_id))
    return label(context, actor, f"announcements/label_{audience['kind']}", **audience,
                 **values)


async def preview(update: Update, context: KernbotContext, actor: Actor, data: dict) -> None:
    services = context.services
    audience = data["audience"]
    recipients = audiences.resolve(services.db, audience)
    at = datetime.fromisoformat(data["at"]) if data.get("at") else None
    now = services.clock.now()
    moment = at or now
    quiet = calendar.in_quiet_hours(moment, settings().quiet_start, settings().quiet_end,
                                    settings().tz)
    quiet_until = calendar.out_of_quiet_hours(moment, settings().quiet_start,
                                              settings().quiet_end, settings().tz)
    rows = []
    if recipients:
        if at is None:
            rows.append([(label(context, actor, "announcements/send_now"), f"{PREFIX}:s"),
                         (label(context, actor, "announcements/send_later"), f"{PREFIX}:l")])
        else:
            rows.append([(label(context, actor, "announcements/confirm_later"), f"{PREFIX}:s")])
    rows.append([(label(context, actor, "announcements/other_audience"), f"{PREFIX}:back"),
                 (label(context, actor, "announcements/cancel"), f"{PREFIX}:x")])
    await reply(update, context, actor, "announcements/preview", keyboard(rows),
                text=data.get("text", ""), has_photo=bool(data.get("photo")),
                has_document=bool(data.get("document")), count=len(recipients),
                audience=audience_label(context, actor, audience), at=at, quiet=quiet,
                quiet_until=quiet_until)


async def button(update: Update, context: KernbotContext) -> None:
    services = context.services
    actor = actor_of(update, services)
    await answer_query(update)
    if actor.role != COORDINATOR:
        await refuse(update, context, actor)
        return
    chat_id = update.effective_chat.id
    state = _draft(context, chat_id)
    parts = update.callback_query.data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    if state is None or state.state == f"{STATE}:text":
        await reply(update, context, actor, "common/button_expired")
        return
    data = dict(state.data)
    db = services.db
    if action == "x":
        conversations.clear(db, chat_id)
        await reply(update, context, actor, "announcements/cancelled")
        return
    if action == "back":
        data.pop("audience", None)
        data.pop("at", None)
        _save(context, chat_id, "audience", data)
        await ask_audience(update, context, actor)
        return
    if action == "a" and len(parts) == 3 and parts[2] in audiences.KINDS:
        kind = parts[2]
        if kind in ("all", "intake_unfinished"):
            data["audience"] = {"kind": kind}
        else:
            await ask_detail(update, context, actor, kind)
            return
    elif action == "t" and len(parts) == 3 and parts[2].isdigit() \
            and trajectories.get(db, int(parts[2])):
        data["audience"] = {"kind": "trajectory", "id": int(parts[2])}
    elif action == "r" and len(parts) == 3 and parts[2] in ("participant", "coach",
                                                            "coordinator"):
        data["audience"] = {"kind": "role", "role": parts[2]}
    elif action == "m" and len(parts) == 3 and parts[2].isdigit() \
            and int(parts[2]) < len(audiences.municipalities(db)):
        data["audience"] = {"kind": "municipality",
                            "name": audiences.municipalities(db)[int(parts[2])]}
    elif action == "h" and len(parts) == 3 and parts[2].isdigit() \
            and trajectories.get_session(db, int(parts[2])):
        data["audience"] = {"kind": "homework_missing", "session_id": int(parts[2])}
    elif action == "l" and "audience" in data:
        _save(context, chat_id, "time", data)
        await reply(update, context, actor, "announcements/ask_time")
        return
    elif action == "s" and "audience" in data:
        await send(update, context, actor, data)
        return
    else:
        await reply(update, context, actor, "common/button_expired")
        return
    _save(context, chat_id, "confirm", data)
    await preview(update, context, actor, data)


async def ask_detail(update: Update, context: KernbotContext, actor: Actor, kind: str) -> None:
    db = context.services.db
    if kind == "trajectory":
        rows = [[(label(context, actor, "progress/choose_button", trajectory=t),
                  f"{PREFIX}:t:{t.id}")] for t in trajectories.all_trajectories(db)]
    elif kind == "role":
        rows = [[(label(context, actor, f"announcements/role_{r}"), f"{PREFIX}:r:{r}")]
                for r in ("participant", "coach", "coordinator")]
    elif kind == "municipality":
        rows = [[(name, f"{PREFIX}:m:{i}")]
                for i, name in enumerate(audiences.municipalities(db))]
    else:  # homework_missing: pick the session
        rows = [[(label(context, actor, "announcements/session_button", trajectory=t,
                        session=s), f"{PREFIX}:h:{s.id}")]
                for t in trajectories.all_trajectories(db)
                for s in trajectories.sessions_of(db, t.id)]
    rows.append([(label(context, actor, "announcements/other_audience"), f"{PREFIX}:back")])
    await reply(update, context, actor, f"announcements/ask_{kind}", keyboard(rows))


async def send(update: Update, context: KernbotContext, actor: Actor, data: dict) -> None:
    services = context.services
    now = services.clock.now()
    at = datetime.fromisoformat(data["at"]) if data.get("at") else now
    chat_id = update.effective_chat.id
    item = announcing.queue(
        services.db, author_id=actor.person_id, text=data.get("text", ""),
        audience=data["audience"], audience_label=audience_label(context, actor,
                                                                 data["audience"]),
        planned_at=at, now=now, photo_file_id=data.get("photo"),
        document_file_id=data.get("document"))
    conversations.clear(services.db, chat_id)
    status = await reply(update, context, actor, "announcements/status", item=item,
                         progress=announcing.progress(services.db, item), at=at,
                         later=at > now)
    if status is not None:
        announcements.set_status_message(services.db, item.id, chat_id, status.message_id)
    jobs.wake_now(context.application)


_last_status: dict[int, str] = {}


async def follow_deliveries(app: Application) -> None:
    """AFTER_PASS hook: edit each queued announcement's status message; report when done."""
    services = app.bot_data["services"]
    db, m = services.db, services.messages
    for item in announcements.queued(db):
        if item.status_chat_id is None:
            continue
        author = people.get(db, item.author_id) if item.author_id else None
        lang = author.language if author else None
        progress = announcing.progress(db, item)
        now = services.clock.now()
        later = item.planned_at > now
        text = m.render("announcements/status", lang, item=item, progress=progress,
                        at=item.planned_at, later=later)
        if _last_status.get(item.id) != text:
            try:
                await app.bot.edit_message_text(text, chat_id=item.status_chat_id,
                                                message_id=item.status_message_id)
                _last_status[item.id] = text
            except TelegramError as exc:
                log.info("status message of announcement %s not edited: %s", item.id, exc)
        if progress.done and not later and announcements.finish(db, item.id, now):
            _last_status.pop(item.id, None)
            await app.bot.send_message(
                item.status_chat_id,
                m.render("announcements/report", lang, item=item, progress=progress,
                         unreachable=announcing.unreachable_people(db, item)))


async def list_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/aankondigingen: the recent announcements with their figures."""
    db = context.services.db
    items = [(item, announcing.progress(db, item)) for item in announcements.recent(db)]
    await reply(update, context, actor, "announcements/list", items=items)


def register(app: Application) -> None:
    add_command(app, "aankondiging", announce_command, ONLY, order=45, aliases=("announce",))
    add_command(app, "aankondigingen", list_command, ONLY, order=46,
                aliases=("announcements",))
    app.add_handler(CallbackQueryHandler(button, pattern=rf"^{PREFIX}:"))
    if follow_deliveries not in jobs.AFTER_PASS:
        jobs.AFTER_PASS.append(follow_deliveries)
