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

from buttons import invitations as ib
from handlers.access import COORDINATOR, Actor
from handlers.context import KernbotContext
from handlers.replies import keyboard, label, reply
from handlers.router import text_of
from programme import enrolment, invitations
from storage import conversations, invites, trajectories

PREFIX = ib.PREFIX
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
                            taken=taken), ib.PickTrajectory(t.id).pack())])
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
          ib.Uses(n).pack()) for n in USES_CHOICES],
        [(mark(label(context, actor, "buttons/invite_days", days=n), draft["days"] == n),
          ib.Days(n).pack()) for n in DAYS_CHOICES],
        [(label(context, actor, f"buttons/invite_prefill_{f}"), ib.Prefill(f).pack())
         for f in (PREFILL_FIELDS if draft["role"] == "participant" else ("name",))],
        [(label(context, actor, "buttons/invite_create"), ib.Create().pack()),
         (label(context, actor, "buttons/invite_cancel"), ib.Cancel().pack())],
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


async def pick_trajectory(update: Update, context: KernbotContext, actor: Actor,
                          button: ib.PickTrajectory) -> None:
    trajectory = trajectories.get(context.services.db, button.trajectory_id)
    if trajectory is None:
        await reply(update, context, actor, "common/button_expired")
        return
    db, now = context.services.db, context.services.clock.now()
    open_count = len(invitations.open_invites(db, trajectory.id, now))
    rows = [[(label(context, actor, f"buttons/invite_role_{r}"),
              ib.PickRole(trajectory.id, r).pack()) for r in ROLES],
            [(label(context, actor, "buttons/invite_list", count=open_count),
              ib.ListOpen(trajectory.id).pack())]]
    await _show(update, context, actor, "invite/trajectory", keyboard(rows),
                trajectory=trajectory, places=invitations.places(db, trajectory),
                open_count=open_count)


async def pick_role(update: Update, context: KernbotContext, actor: Actor,
                    button: ib.PickRole) -> None:
    trajectory = trajectories.get(context.services.db, button.trajectory_id)
    role = button.role
    chat_id = update.effective_chat.id
    if trajectory is None:
        await reply(update, context, actor, "common/button_expired")
        return
    draft = {"t": trajectory.id, "role": role, "uses": invitations.DEFAULT_USES,
             "days": invitations.DEFAULT_DAYS, "name": "", "municipality": "",
             "department": "", "awaiting": ""}
    _save_draft(context, chat_id, draft)
    await _show_draft(update, context, actor, draft)


async def _set_choice(update, context, actor, value: int, key: str, choices) -> None:
    chat_id = update.effective_chat.id
    draft = _draft(context, chat_id)
    if draft is None or value not in choices:
        await reply(update, context, actor, "common/button_expired")
        return
    draft[key] = value
    _save_draft(context, chat_id, draft)
    await _show_draft(update, context, actor, draft)


async def set_uses(update: Update, context: KernbotContext, actor: Actor,
                   button: ib.Uses) -> None:
    await _set_choice(update, context, actor, button.uses, "uses", USES_CHOICES)


async def set_days(update: Update, context: KernbotContext, actor: Actor,
                   button: ib.Days) -> None:
    await _set_choice(update, context, actor, button.days, "days", DAYS_CHOICES)


async def ask_prefill(update: Update, context: KernbotContext, actor: Actor,
                      button: ib.Prefill) -> None:
    chat_id = update.effective_chat.id
    draft = _draft(context, chat_id)
    field = button.field
    if draft is None:
        await reply(update, context, actor, "common/button_expired")
        return
    draft["awaiting"] = field
    _save_draft(context, chat_id, draft)
    await reply(update, context, actor, "invite/ask_prefill", field=field)


async def on_text(update: Update, context: KernbotContext, actor: Actor,
                  state: conversations.ConversationState) -> None:
    """A typed prefill value (name, municipality, department) for the draft."""
    chat_id = update.effective_chat.id
    if not actor.coordinator:
        conversations.clear(context.services.db, chat_id)
        await reply(update, context, actor, "common/not_allowed")
        return
    draft = dict(state.data)
    field = draft.get("awaiting") or ""
    if not field:
        await reply(update, context, actor, "invite/use_buttons")
        await _show_draft(update, context, actor, draft, new_message=True)
        return
    value = enrolment.clean_profile_value(text_of(update))
    if value is None:
        await reply(update, context, actor, "enrol/invalid", maximum=enrolment.PROFILE_MAX)
        return
    draft[field] = value
    draft["awaiting"] = ""
    _save_draft(context, chat_id, draft)
    await _show_draft(update, context, actor, draft, new_message=True)


async def create(update: Update, context: KernbotContext, actor: Actor,
                 button: ib.Create) -> None:
    services = context.services
    chat_id = update.effective_chat.id
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


async def cancel(update: Update, context: KernbotContext, actor: Actor,
                 button: ib.Cancel) -> None:
    conversations.clear(context.services.db, update.effective_chat.id)
    await _show(update, context, actor, "common/cancelled")


async def list_open(update: Update, context: KernbotContext, actor: Actor,
                    button: ib.ListOpen) -> None:
    services = context.services
    trajectory = trajectories.get(services.db, button.trajectory_id)
    if trajectory is None:
        await reply(update, context, actor, "common/button_expired")
        return
    items = invitations.open_invites(services.db, trajectory.id, services.clock.now())
    shown = items[-LIST_LIMIT:]   # the newest; Telegram allows 100 buttons per message
    rows = [[(label(context, actor, "buttons/invite_revoke", invite=i), ib.Revoke(i.id).pack())]
            for i in shown]
    await reply(update, context, actor, "invite/open_list", keyboard(rows) if rows else None,
                trajectory=trajectory, items=shown, more=len(items) - len(shown))


async def revoke(update: Update, context: KernbotContext, actor: Actor,
                 button: ib.Revoke) -> None:
    services = context.services
    invite = invites.get(services.db, button.invite_id)
    if invite is None:
        await reply(update, context, actor, "common/button_expired")
        return
    try:
        invite = invitations.revoke(services.db, invite.code, services.clock.now())
    except invitations.InviteError:
        await reply(update, context, actor, "invite/already_revoked")
        return
    await reply(update, context, actor, "invite/revoked", invite=invite)


async def maximum_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/maximum N M: trajectory N takes at most M participants."""
    services = context.services
    args = context.args or []
    numbers = [int(a) for a in args if a.isascii() and a.isdigit() and len(a) < 10]
    if len(args) != 2 or len(numbers) != 2:
        items = [(t, invitations.places(services.db, t))
                 for t in trajectories.all_trajectories(services.db)]
        await reply(update, context, actor, "invite/maximum_usage", items=items)
        return
    rule = services.settings.max_participants_rule
    trajectory = trajectories.by_number(services.db, numbers[0])
    if numbers[1] > rule and trajectory is not None and numbers[1] <= \
            invitations.MAX_PARTICIPANTS_LIMIT:
        # Above the programme's rule: say the rule and ask first.
        rows = [[(label(context, actor, "invite/maximum_yes", value=numbers[1]),
                  ib.ConfirmMaximum(numbers[0], numbers[1]).pack())],
                [(label(context, actor, "invite/maximum_no"),
                  ib.KeepMaximum(numbers[0]).pack())]]
        await reply(update, context, actor, "invite/maximum_confirm", keyboard(rows),
                    trajectory=trajectory, value=numbers[1], rule=rule)
        return
    await _set_maximum(update, context, actor, numbers[0], numbers[1])


async def _set_maximum(update: Update, context: KernbotContext, actor: Actor, number: int,
                       value: int) -> None:
    services = context.services
    try:
        trajectory = invitations.set_max_participants(services.db, number, value)
    except invitations.InviteError as exc:
        await reply(update, context, actor, "invite/refused", reason=exc.reason, values=exc.values)
        return
    await reply(update, context, actor, "invite/maximum_set", trajectory=trajectory,
                rule=services.settings.max_participants_rule)


async def keep_maximum(update: Update, context: KernbotContext, actor: Actor,
                       button: ib.KeepMaximum) -> None:
    """"Nee" to a maximum above the programme's rule: nothing changes."""
    trajectory = trajectories.by_number(context.services.db, button.trajectory_number)
    await reply(update, context, actor, "invite/maximum_kept", trajectory=trajectory)


async def confirm_maximum(update: Update, context: KernbotContext, actor: Actor,
                          button: ib.ConfirmMaximum) -> None:
    """The coordinator confirms a maximum above the programme's rule."""
    await _set_maximum(update, context, actor, button.trajectory_number, button.value)
