"""/aankondiging: a coordinator composes a message, picks the audience with buttons, sees a
preview with the number of recipients, and sends it now or at a chosen time. Delivery goes
through the outbox; one status message is edited as it progresses and ends with a report.
/aankondigingen lists the recent ones with their figures."""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from buttons import announcements as ab
from handlers.access import Actor
from handlers.context import KernbotContext
from handlers.replies import keyboard, label, reply
from handlers.replies import send as send_text
from handlers.router import caption_of, message_kind, text_of
from programme import announcing, audiences, calendar, moments
from storage import announcements, conversations, people, trajectories

log = logging.getLogger(__name__)
STATE = ab.PREFIX  # an:text, an:audience, an:time, an:confirm
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


async def on_message(update: Update, context: KernbotContext, actor: Actor,
                     state: conversations.ConversationState) -> None:
    if not actor.coordinator:
        conversations.clear(context.services.db, update.effective_chat.id)
        await reply(update, context, actor, "common/not_allowed")
        return
    step = state.state.split(":", 1)[1]
    message = update.effective_message
    if step.startswith("edit:"):
        await _edited_text(update, context, actor, step)
        return
    if step == "text":
        kind = message_kind(update)
        data: dict = {}
        if kind == "text":
            data["text"] = text_of(update)
        elif kind == "photo":
            data.update(text=caption_of(update), photo=message.photo[-1].file_id)
        elif kind == "document":
            data.update(text=caption_of(update), document=message.document.file_id)
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
        now = context.services.clock.now()
        parsed = moments.parse_moment(text_of(update), now, context.services.settings.tz)
        if parsed.problem in ("past", "weekday"):
            await reply(update, context, actor, f"announcements/time_{parsed.problem}",
                        value=parsed.value, now=now, weekday=parsed.weekday)
            return
        if not parsed.ok or parsed.end is not None:
            await reply(update, context, actor, "announcements/time_invalid")
            return
        data = dict(state.data, at=parsed.value.isoformat())
        _save(context, update.effective_chat.id, "confirm", data)
        await preview(update, context, actor, data)
    else:
        await reply(update, context, actor, "announcements/use_buttons")


def parse_moment(text: str, now: datetime, tz) -> datetime | None:
    """"25/3 14u30", "25/03/2024 14:30" (Brussels time), in the future; None otherwise (a past
    date is never moved to next year: see programme.moments)."""
    parsed = moments.parse_moment(text, now, tz)
    return parsed.value if parsed.ok and parsed.end is None else None


async def ask_audience(update: Update, context: KernbotContext, actor: Actor) -> None:
    rows = [[(label(context, actor, f"announcements/aud_{kind}"), ab.Audience(kind).pack())]
            for kind in audiences.KINDS]
    rows.append([(label(context, actor, "announcements/cancel"), ab.Cancel().pack())])
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
    recipients = audiences.resolve(services.db, audience, services.flows)
    at = datetime.fromisoformat(data["at"]) if data.get("at") else None
    now = services.clock.now()
    moment = at or now
    s = services.settings
    quiet = calendar.in_quiet_hours(moment, s.quiet_start, s.quiet_end, s.tz)
    quiet_until = calendar.out_of_quiet_hours(moment, s.quiet_start, s.quiet_end, s.tz)
    rows = []
    if recipients:
        if at is None:
            rows.append([(label(context, actor, "announcements/send_now"), ab.Send().pack()),
                         (label(context, actor, "announcements/send_later"),
                          ab.Later().pack())])
        else:
            rows.append([(label(context, actor, "announcements/confirm_later"),
                          ab.Send().pack())])
    rows.append([(label(context, actor, "announcements/other_audience"),
                  ab.OtherAudience().pack()),
                 (label(context, actor, "announcements/cancel"), ab.Cancel().pack())])
    await reply(update, context, actor, "announcements/preview", keyboard(rows),
                text=data.get("text", ""), has_photo=bool(data.get("photo")),
                has_document=bool(data.get("document")), count=len(recipients),
                audience=audience_label(context, actor, audience), at=at, quiet=quiet,
                quiet_until=quiet_until,
                day_off=at is not None and not s.work.is_working_day(s.work.local(at).date()))


def _draft_data(context: KernbotContext, chat_id: int) -> dict | None:
    """The draft an audience or send button belongs to; None when there is none (old button)."""
    state = _draft(context, chat_id)
    if state is None or state.state == f"{STATE}:text":
        return None
    return dict(state.data)


async def _with_draft(update: Update, context: KernbotContext, actor: Actor) -> dict | None:
    data = _draft_data(context, update.effective_chat.id)
    if data is None:
        await reply(update, context, actor, "common/button_expired")
    return data


async def _chosen(update: Update, context: KernbotContext, actor: Actor, data: dict,
                  audience: dict) -> None:
    data["audience"] = audience
    _save(context, update.effective_chat.id, "confirm", data)
    await preview(update, context, actor, data)


async def cancel_button(update: Update, context: KernbotContext, actor: Actor,
                        button: ab.Cancel) -> None:
    if await _with_draft(update, context, actor) is None:
        return
    conversations.clear(context.services.db, update.effective_chat.id)
    await reply(update, context, actor, "announcements/cancelled")


async def other_audience_button(update: Update, context: KernbotContext, actor: Actor,
                                button: ab.OtherAudience) -> None:
    data = await _with_draft(update, context, actor)
    if data is None:
        return
    data.pop("audience", None)
    data.pop("at", None)
    _save(context, update.effective_chat.id, "audience", data)
    await ask_audience(update, context, actor)


async def audience_button(update: Update, context: KernbotContext, actor: Actor,
                          button: ab.Audience) -> None:
    data = await _with_draft(update, context, actor)
    if data is None:
        return
    if button.kind in ("all", "intake_unfinished"):
        await _chosen(update, context, actor, data, {"kind": button.kind})
    else:
        await ask_detail(update, context, actor, button.kind)


async def trajectory_button(update: Update, context: KernbotContext, actor: Actor,
                            button: ab.ForTrajectory) -> None:
    data = await _with_draft(update, context, actor)
    if data is None:
        return
    if trajectories.get(context.services.db, button.trajectory_id) is None:
        await reply(update, context, actor, "common/button_expired")
        return
    await _chosen(update, context, actor, data, {"kind": "trajectory",
                                                 "id": button.trajectory_id})


async def role_button(update: Update, context: KernbotContext, actor: Actor,
                      button: ab.ForRole) -> None:
    data = await _with_draft(update, context, actor)
    if data is not None:
        await _chosen(update, context, actor, data, {"kind": "role", "role": button.role})


async def municipality_button(update: Update, context: KernbotContext, actor: Actor,
                              button: ab.ForMunicipality) -> None:
    data = await _with_draft(update, context, actor)
    if data is None:
        return
    names = audiences.municipalities(context.services.db)
    if button.index >= len(names):
        await reply(update, context, actor, "common/button_expired")
        return
    await _chosen(update, context, actor, data, {"kind": "municipality",
                                                 "name": names[button.index]})


async def missing_homework_button(update: Update, context: KernbotContext, actor: Actor,
                                  button: ab.ForMissingHomework) -> None:
    data = await _with_draft(update, context, actor)
    if data is None:
        return
    if trajectories.get_session(context.services.db, button.session_id) is None:
        await reply(update, context, actor, "common/button_expired")
        return
    await _chosen(update, context, actor, data, {"kind": "homework_missing",
                                                 "session_id": button.session_id})


async def later_button(update: Update, context: KernbotContext, actor: Actor,
                       button: ab.Later) -> None:
    data = await _with_draft(update, context, actor)
    if data is None:
        return
    if "audience" not in data:
        await reply(update, context, actor, "common/button_expired")
        return
    _save(context, update.effective_chat.id, "time", data)
    await reply(update, context, actor, "announcements/ask_time")


async def send_button(update: Update, context: KernbotContext, actor: Actor,
                      button: ab.Send) -> None:
    data = await _with_draft(update, context, actor)
    if data is None:
        return
    if "audience" not in data:
        await reply(update, context, actor, "common/button_expired")
        return
    await send(update, context, actor, data)


async def ask_detail(update: Update, context: KernbotContext, actor: Actor, kind: str) -> None:
    db = context.services.db
    if kind == "trajectory":
        rows = [[(label(context, actor, "progress/choose_button", trajectory=t),
                  ab.ForTrajectory(t.id).pack())] for t in trajectories.all_trajectories(db)]
    elif kind == "role":
        rows = [[(label(context, actor, f"announcements/role_{r}"), ab.ForRole(r).pack())]
                for r in ("participant", "coach", "coordinator")]
    elif kind == "municipality":
        rows = [[(name, ab.ForMunicipality(i).pack())]
                for i, name in enumerate(audiences.municipalities(db))]
    else:  # homework_missing: pick the session
        rows = [[(label(context, actor, "announcements/session_button", trajectory=t,
                        session=s), ab.ForMissingHomework(s.id).pack())]
                for t in trajectories.all_trajectories(db)
                for s in trajectories.sessions_of(db, t.id)]
    rows.append([(label(context, actor, "announcements/other_audience"),
                  ab.OtherAudience().pack())])
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
        document_file_id=data.get("document"), flows=services.flows)
    conversations.clear(services.db, chat_id)
    text = services.messages.render("announcements/status", actor.language, item=item,
                                    progress=announcing.progress(services.db, item), at=at,
                                    later=at > now)
    status = await send_text(context, chat_id, text)
    if status is not None:
        announcements.set_status_message(services.db, item.id, chat_id, status.message_id)
        # what the message shows now: the next pass edits it only when that changes
        announcements.set_status_text(services.db, item.id, text)
    context.wake_dispatcher()


async def follow_deliveries(app: Application) -> None:
    """After each dispatcher pass: edit each queued announcement's status message (only when
    its text changed: the last text shown is kept on the announcement); report when done."""
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
        if item.status_text != text:
            try:
                await app.bot.edit_message_text(text, chat_id=item.status_chat_id,
                                                message_id=item.status_message_id)
                announcements.set_status_text(db, item.id, text)
            except TelegramError as exc:
                log.info("status message of announcement %s not edited: %s", item.id, exc)
        if progress.done and not later and announcements.finish(db, item.id, now):
            missed = announcing.missed(db, item)
            markup = None
            if missed.count:  # send it again to exactly those people, if the coordinator wants
                markup = keyboard([[(m.plain("announcements/resend_button", lang,
                                             count=missed.count), ab.Resend(item.id).pack())]])
            await app.bot.send_message(
                item.status_chat_id,
                m.render("announcements/report", lang, item=item, progress=progress,
                         unreachable=announcing.unreachable_people(db, item), missed=missed),
                reply_markup=markup)


async def resend_button(update: Update, context: KernbotContext, actor: Actor,
                        button: ab.Resend) -> None:
    """Under a report: send the announcement again to the people it failed or may have
    failed for (rows interrupted by a crash are never resent on their own)."""
    services = context.services
    item = announcements.get(services.db, button.announcement_id)
    if item is None:
        await reply(update, context, actor, "common/button_expired")
        return
    count = announcing.resend_missed(services.db, item, services.clock.now())
    if not count:
        await reply(update, context, actor, "announcements/nothing_to_resend", item=item)
        return
    await reply(update, context, actor, "announcements/resending", item=item, count=count)
    context.wake_dispatcher()


async def list_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/aankondigingen: the recent announcements, when each goes (or went) out, with their
    figures; a planned one can be cancelled or its text edited."""
    db = context.services.db
    now = context.services.clock.now()
    items = [(item, announcing.progress(db, item), announcing.planned(item, now))
             for item in announcements.recent(db)]
    rows = [[(label(context, actor, "announcements/edit_button", item=item),
              ab.EditPlanned(item.id).pack()),
             (label(context, actor, "announcements/withdraw_button", item=item),
              ab.CancelPlanned(item.id).pack())] for item, _p, later in items if later]
    await reply(update, context, actor, "announcements/list", keyboard(rows) if rows else None,
                items=items, now=now)


async def _planned(update: Update, context: KernbotContext, actor: Actor, announcement_id: int):
    item = announcements.get(context.services.db, announcement_id)
    if item is None or not announcing.planned(item, context.services.clock.now()):
        await reply(update, context, actor, "announcements/not_planned")
        return None
    return item


async def withdraw_button(update: Update, context: KernbotContext, actor: Actor,
                          button: ab.CancelPlanned) -> None:
    item = await _planned(update, context, actor, button.announcement_id)
    if item is None:
        return
    announcing.cancel(context.services.db, item, context.services.clock.now())
    await reply(update, context, actor, "announcements/withdrawn", item=item)


async def edit_button(update: Update, context: KernbotContext, actor: Actor,
                      button: ab.EditPlanned) -> None:
    item = await _planned(update, context, actor, button.announcement_id)
    if item is None:
        return
    _save(context, update.effective_chat.id, f"edit:{item.id}", {})
    await reply(update, context, actor, "announcements/edit_ask", item=item, limit=MAX_TEXT)


async def _edited_text(update: Update, context: KernbotContext, actor: Actor, step: str) -> None:
    ref = step.split(":", 1)[1]
    if not (ref.isascii() and ref.isdigit()):
        conversations.clear(context.services.db, update.effective_chat.id)
        await reply(update, context, actor, "common/button_expired")
        return
    text = text_of(update) if message_kind(update) == "text" else ""
    if not text:
        await reply(update, context, actor, "announcements/text_please", limit=MAX_TEXT)
        return
    if len(text) > MAX_TEXT:
        await reply(update, context, actor, "announcements/too_long", limit=MAX_TEXT,
                    length=len(text))
        return
    item = await _planned(update, context, actor, int(ref))
    conversations.clear(context.services.db, update.effective_chat.id)
    if item is None:
        return
    announcements.set_text(context.services.db, item.id, text)
    await reply(update, context, actor, "announcements/edited", item=item, text=text)
