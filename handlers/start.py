"""/start with an invite code (a deep link payload): enrolment and the greeting per role.

Someone already enrolled who redeems another invite is first told what they are now and what
the invite would make them, and confirms (state `st:confirm` keeps the code until then); an
invite never changes a role silently.
"""

from __future__ import annotations

import logging

from telegram import Update

from buttons.flows import Start
from buttons.start import PREFIX, ConfirmInvite, DeclineInvite
from handlers import enrol
from handlers.access import PARTICIPANT, Actor, actor_of, display_name
from handlers.commands import set_menu_for
from handlers.context import KernbotContext
from handlers.replies import keyboard, label, reply
from programme import enrolment, flow_progress, overview
from programme.enrolment import Outcome
from storage import conversations

log = logging.getLogger(__name__)
CONFIRM_STATE = f"{PREFIX}:confirm"


async def start_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/start [code]: enrol with an invite code, or say hello again."""
    args = context.args or []
    if not args:
        await _start_without_code(update, context, actor)
        return
    await _redeem(update, context, actor, args[0], confirmed=False)


async def _redeem(update: Update, context: KernbotContext, actor: Actor, code: str, *,
                  confirmed: bool) -> None:
    services = context.services
    result = enrolment.redeem(services.db, services.bus, code=code,
                              telegram_id=actor.telegram_id, display_name=display_name(update),
                              language=actor.language, now=services.clock.now(),
                              confirmed=confirmed)
    if result.outcome is Outcome.CONFIRM:
        conversations.put(services.db, update.effective_chat.id, CONFIRM_STATE, {"code": code},
                          services.clock.now())
        markup = keyboard([[(label(context, actor, "start/confirm_yes"),
                             ConfirmInvite().pack())],
                           [(label(context, actor, "start/confirm_no"),
                             DeclineInvite().pack())]])
        await reply(update, context, actor, "start/confirm_invite", markup, held=result.held,
                    trajectory=result.trajectory, role=result.role)
        return
    if result.outcome is Outcome.OTHER_ROLE:
        await reply(update, context, actor, "start/code_other_role", held=result.held,
                    trajectory=result.trajectory, role=result.role)
        return
    if result.outcome in (Outcome.ENROLLED, Outcome.ALREADY):
        actor = actor_of(update, services)
        # No network call before the enrolment state is written: a crash in between would
        # leave an enrolled person without their questions (a redelivery says "already").
        if await _resume_enrolment(update, context, actor):
            pass
        elif (result.outcome is Outcome.ENROLLED and result.is_new_person
                and result.role == PARTICIPANT):
            await enrol.begin(update, context, actor)  # name, municipality, department first
        else:
            await greet(update, context, actor, welcome_back=result.outcome is Outcome.ALREADY)
        await set_menu_for(context, update.effective_chat.id, actor)
        return
    log.info("invite refused for user %s: %s", actor.telegram_id, result.outcome.value)
    await reply(update, context, actor, f"start/code_{result.outcome.value}",
                trajectory=result.trajectory, minutes=int(enrolment.WRONG_CODE_PAUSE
                                                          .total_seconds() // 60))


async def confirm_button(update: Update, context: KernbotContext, actor: Actor,
                         button: ConfirmInvite) -> None:
    """"Ja": redeem the invite the person was asked about (once: the state is cleared)."""
    state = conversations.get(context.services.db, update.effective_chat.id)
    if state is None or state.state != CONFIRM_STATE or not state.data.get("code"):
        await reply(update, context, actor, "common/button_expired")
        return
    conversations.clear(context.services.db, update.effective_chat.id)
    await _redeem(update, context, actor, state.data["code"], confirmed=True)


async def decline_button(update: Update, context: KernbotContext, actor: Actor,
                         button: DeclineInvite) -> None:
    state = conversations.get(context.services.db, update.effective_chat.id)
    if state is not None and state.state == CONFIRM_STATE:
        conversations.clear(context.services.db, update.effective_chat.id)
    await reply(update, context, actor, "start/confirm_declined")


async def on_message(update: Update, context: KernbotContext, actor: Actor,
                     state: conversations.ConversationState) -> None:
    """A message while the invite question is open: ask it again."""
    await reply(update, context, actor, "start/confirm_use_buttons",
                markup=keyboard([[(label(context, actor, "start/confirm_yes"),
                                   ConfirmInvite().pack())],
                                 [(label(context, actor, "start/confirm_no"),
                                   DeclineInvite().pack())]]))


async def _start_without_code(update: Update, context: KernbotContext, actor: Actor) -> None:
    if not actor.enrolled:
        await reply(update, context, actor, "start/no_code")
        return
    if await _resume_enrolment(update, context, actor):
        return
    await set_menu_for(context, update.effective_chat.id, actor)
    await greet(update, context, actor, welcome_back=True)


async def _resume_enrolment(update: Update, context: KernbotContext, actor: Actor) -> bool:
    """In the middle of the enrolment questions, /start asks the open question again."""
    state = conversations.get(context.services.db, update.effective_chat.id)
    if state is None or (state.prefix != enrol.PREFIX and enrol.paused_field(state) is None):
        return False
    await enrol.resume(update, context, actor, state)
    return True


async def greet(update: Update, context: KernbotContext, actor: Actor, *,
                welcome_back: bool) -> None:
    services = context.services
    views = overview.views_of(services.db, actor.person.id, services.clock.now())
    markup = None
    # the intake is offered until it is done, never again after
    intake_open = (PARTICIPANT in actor.roles and "intake" in context.registry.commands
                   and not flow_progress.intake_done(services.db, services.flows,
                                                     actor.person.id))
    if intake_open:
        markup = keyboard([[(label(context, actor, "buttons/start_intake"),
                             Start("intake").pack())]])
    await reply(update, context, actor, f"start/welcome_{actor.role}", markup,
                person=actor.person, views=views, welcome_back=welcome_back,
                several_roles=len({v.role for v in views}) > 1, intake_open=intake_open)
