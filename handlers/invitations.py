"""/uitnodiging (coordinators): choose a trajectory and a role with buttons, adjust uses, validity
and an optional prefill, get the link; list a trajectory's open invites and revoke them.
/maximum N M: change a trajectory's maximum number of participants.

The draft lives in the conversation state `invite:draft` (a restart keeps it). Every button
re-checks that the presser is a coordinator: buttons can be forged.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler

from handlers.access import COORDINATOR, Actor, actor_of, refusal_key
from handlers.commands import add_command
from handlers.context import KernbotContext
from handlers.replies import answer_query, keyboard, label, reply
from handlers.router import on_state
from programme import enrolment, invitations
from storage import conversations, invites, trajectories

PREFIX = "invite"
DRAFT = f"{PREFIX}:draft"
COORDINATORS = frozenset({COORDINATOR})
USES_CHOICES = (1, 5, 10)
DAYS_CHOICES = (7, 30, 90)
ROLES = ("participant", "coach")
PREFILL_FIELDS = ("name", "municipality", "department")
LIST_LIMIT = 30


async def invite_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/uitnodiging: make an invite link, or see and revoke open ones."""
    items = trajectories.all_trajectories(context.services.db)
    if not items:
        await reply(update, context, actor, "invite/no_trajectories")
        return
    rows = []
    for t in items:
        taken = invitations.places(context.services.db, t).taken
        rows.append([(label(context, actor, "buttons/invite_trajectory", trajectory=t,
                            taken=taken), f"inv:t:{t.id}")])
    await reply(update, context, actor, "invite/choose_trajectory", keyboard(rows))


async def _show(update: Update, context: KernbotContext, actor: Actor, key: str, markup=None,
                **values) -> None:
    """Edit the message of the pressed button when possible, else send a new one."""
    query = update.callback_query
    if query is not None and query.message is not None:
        text = context.services.messages.render(key, actor.language, **values)
        try:
            await query.edit_message_text(text, reply_markup=markup)
            return
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return
    await reply(update, context, actor, key, markup, **values)


def _draft(context: KernbotContext, chat_id: int) -> dict | None:
    state = conversations.get(context.services.db, chat_id)
    return state.data if state is not None and state.state == DRAFT else None


def _save_draft(context: KernbotContext, chat_id: int, draft: dict) -> None:
    conversations.put(context.services.db, chat_id, DRAFT, draft, context.services.clock.now())


def _draft_markup(context: KernbotContext, actor: Actor, draft: dict):
    def mark(text: str, chosen: bool) -> str:
        return f"✓ {text}" if chosen else text

    rows = [
        [(mark(label(context, actor, "buttons/invite_uses", uses=n), draft["uses"] == n),
          f"inv:u:{n}") for n in USES_CHOICES],
        [(mark(label(context, actor, "buttons/invite_days", days=n), draft["days"] == n),
          f"inv:d:{n}") for n in DAYS_CHOICES],
        [(label(context, actor, f"buttons/invite_prefill_{f}"), f"inv:p:{f}")
         for f in (PREFILL_FIELDS if draft["role"] == "participant" else ("name",))],
        [(label(context, actor, "buttons/invite_create"), "inv:go"),
         (label(context, actor, "buttons/invite_cancel"), "inv:x")],
    ]
    return keyboard(rows)


async def _show_draft(update: Update, context: KernbotContext, actor: Actor, draft: dict, *,
                      new_message: bool = False) -> None:
    services = context.services
    trajectory = trajectories.get(services.db, draft["t"])
    values = dict(draft=draft, trajectory=trajectory,
                  places=invitations.places(services.db, trajectory),
                  expires=services.clock.now() + timedelta(days=draft["days"]))
    markup = _draft_markup(context, actor, draft)
    if new_message:
        await reply(update, context, actor, "invite/draft", markup, **values)
    else:
        await _show(update, context, actor, "invite/draft", markup, **values)


async def on_button(update: Update, context: KernbotContext) -> None:
    services = context.services
    actor = actor_of(update, services)
    await answer_query(update)
    if actor.role != COORDINATOR:
        key = refusal_key(actor)
        await reply(update, context, actor, key)
        return
    parts = update.callback_query.data.split(":")
    action, args = parts[1], parts[2:]
    chat_id = update.effective_chat.id
    try:
        handler = _ACTIONS[action]
    except KeyError:
        await reply(update, context, actor, "common/button_expired")
        return
    await handler(update, context, actor, chat_id, args)


def _int(args: list[str], index: int = 0) -> int | None:
    try:
        return int(args[index])
    except (IndexError, ValueError):
        return None


async def _pick_trajectory(update, context, actor, chat_id, args) -> None:
    trajectory = trajectories.get(context.services.db, _int(args) or 0)
    if trajectory is None:
        await reply(update, context, actor, "common/button_expired")
        return
    db, now = context.services.db, context.services.clock.now()
    open_count = len(invitations.open_invites(db, trajectory.id, now))
    rows = [[(label(context, actor, f"buttons/invite_role_{r}"), f"inv:r:{trajectory.id}:{r}")
             for r in ROLES],
            [(label(context, actor, "buttons/invite_list", count=open_count),
              f"inv:l:{trajectory.id}")]]
    await _show(update, context, actor, "invite/trajectory", keyboard(rows),
                trajectory=trajectory, places=invitations.places(db, trajectory),
                open_count=open_count)


async def _pick_role(update, context, actor, chat_id, args) -> None:
    trajectory = trajectories.get(context.services.db, _int(args) or 0)
    role = args[1] if len(args) > 1 else ""
    if trajectory is None or role not in ROLES:
        await reply(update, context, actor, "common/button_expired")
        return
    draft = {"t": trajectory.id, "role": role, "uses": invitations.DEFAULT_USES,
             "days": invitations.DEFAULT_DAYS, "name": "", "municipality": "",
             "department": "", "awaiting": ""}
    _save_draft(context, chat_id, draft)
    await _show_draft(update, context, actor, draft)


async def _set_choice(update, context, actor, chat_id, args, key: str, choices) -> None:
    draft = _draft(context, chat_id)
    value = _int(args)
    if draft is None or value not in choices:
        await reply(update, context, actor, "common/button_expired")
        return
    draft[key] = value
    _save_draft(context, chat_id, draft)
    await _show_draft(update, context, actor, draft)


async def _set_uses(update, context, actor, chat_id, args) -> None:
    await _set_choice(update, context, actor, chat_id, args, "uses", USES_CHOICES)


async def _set_days(update, context, actor, chat_id, args) -> None:
    await _set_choice(update, context, actor, chat_id, args, "days", DAYS_CHOICES)


async def _ask_prefill(update, context, actor, chat_id, args) -> None:
    draft = _draft(context, chat_id)
    field = args[0] if args else ""
    if draft is None or field not in PREFILL_FIELDS:
        await reply(update, context, actor, "common/button_expired")
        return
    draft["awaiting"] = field
    _save_draft(context, chat_id, draft)
    await reply(update, context, actor, "invite/ask_prefill", field=field)


@on_state(PREFIX)
async def on_text(update: Update, context: KernbotContext, actor: Actor,
                  state: conversations.ConversationState) -> None:
    """A typed prefill value (name, municipality, department) for the draft."""
    chat_id = update.effective_chat.id
    if actor.role != COORDINATOR:
        conversations.clear(context.services.db, chat_id)
        await reply(update, context, actor, "common/not_allowed")
        return
    draft = dict(state.data)
    field = draft.get("awaiting") or ""
    message = update.effective_message
    if not field:
        await reply(update, context, actor, "invite/use_buttons")
        await _show_draft(update, context, actor, draft, new_message=True)
        return
    value = enrolment.clean_profile_value(message.text if message else None)
    if value is None:
        await reply(update, context, actor, "enrol/invalid", maximum=enrolment.PROFILE_MAX)
        return
    draft[field] = value
    draft["awaiting"] = ""
    _save_draft(context, chat_id, draft)
    await _show_draft(update, context, actor, draft, new_message=True)


async def _create(update, context, actor, chat_id, args) -> None:
    services = context.services
    draft = _draft(context, chat_id)
    if draft is None:
        await reply(update, context, actor, "common/button_expired")
        return
    try:
        invite = invitations.create(
            services.db, role=draft["role"], trajectory_id=draft["t"],
            now=services.clock.now(), uses=draft["uses"], days=draft["days"],
            created_by=actor.person_id, name=draft["name"],
            municipality=draft["municipality"], department=draft["department"])
    except invitations.InviteError as exc:
        await reply(update, context, actor, "invite/refused", reason=exc.reason, values=exc.values)
        return
    conversations.clear(services.db, chat_id)
    trajectory = trajectories.get(services.db, draft["t"])
    await _show(update, context, actor, "invite/created", None, invite=invite,
                trajectory=trajectory, link=invitations.link(context.bot.username, invite.code))


async def _cancel(update, context, actor, chat_id, args) -> None:
    conversations.clear(context.services.db, chat_id)
    await _show(update, context, actor, "common/cancelled")


async def _list(update, context, actor, chat_id, args) -> None:
    services = context.services
    trajectory = trajectories.get(services.db, _int(args) or 0)
    if trajectory is None:
        await reply(update, context, actor, "common/button_expired")
        return
    items = invitations.open_invites(services.db, trajectory.id, services.clock.now())
    shown = items[-LIST_LIMIT:]   # the newest; Telegram allows 100 buttons per message
    rows = [[(label(context, actor, "buttons/invite_revoke", invite=i), f"inv:v:{i.id}")]
            for i in shown]
    await reply(update, context, actor, "invite/open_list", keyboard(rows) if rows else None,
                trajectory=trajectory, items=shown, more=len(items) - len(shown))


async def _revoke(update, context, actor, chat_id, args) -> None:
    services = context.services
    invite = invites.get(services.db, _int(args) or 0)
    if invite is None:
        await reply(update, context, actor, "common/button_expired")
        return
    try:
        invite = invitations.revoke(services.db, invite.code, services.clock.now())
    except invitations.InviteError:
        await reply(update, context, actor, "invite/already_revoked")
        return
    await reply(update, context, actor, "invite/revoked", invite=invite)


_ACTIONS = {"t": _pick_trajectory, "r": _pick_role, "u": _set_uses, "d": _set_days,
            "p": _ask_prefill, "go": _create, "x": _cancel, "l": _list, "v": _revoke}


async def maximum_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/maximum N M: trajectory N takes at most M participants."""
    services = context.services
    args = context.args or []
    numbers = [int(a) for a in args if a.isdigit()]
    if len(args) != 2 or len(numbers) != 2:
        items = [(t, invitations.places(services.db, t))
                 for t in trajectories.all_trajectories(services.db)]
        await reply(update, context, actor, "invite/maximum_usage", items=items)
        return
    try:
        trajectory = invitations.set_max_participants(services.db, numbers[0], numbers[1])
    except invitations.InviteError as exc:
        await reply(update, context, actor, "invite/refused", reason=exc.reason, values=exc.values)
        return
    await reply(update, context, actor, "invite/maximum_set", trajectory=trajectory)


def register(app: Application) -> None:
    add_command(app, "uitnodiging", invite_command, COORDINATORS, order=60, aliases=("invite",))
    add_command(app, "maximum", maximum_command, COORDINATORS, order=61)
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^inv:"))
