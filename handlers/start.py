"""/start with an invite code (a deep link payload): enrolment and the greeting per role."""

from __future__ import annotations

import logging

from telegram import Update

from buttons.flows import Start
from handlers import enrol
from handlers.access import COORDINATOR, PARTICIPANT, Actor, actor_of
from handlers.commands import set_menu_for
from handlers.context import KernbotContext
from handlers.replies import keyboard, label, reply
from programme import enrolment, overview
from programme.enrolment import Outcome
from storage import conversations, people

log = logging.getLogger(__name__)


def _display_name(update: Update) -> str:
    user = update.effective_user
    return " ".join(p for p in (user.first_name, user.last_name) if p).strip() or "?"


async def start_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/start [code]: enrol with an invite code, or say hello again."""
    services = context.services
    args = context.args or []
    if not args:
        await _start_without_code(update, context, actor)
        return
    result = enrolment.redeem(services.db, services.bus, code=args[0], telegram_id=actor.telegram_id,
                              display_name=_display_name(update), language=actor.language,
                              now=services.clock.now())
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
        await set_menu_for(context, update.effective_chat.id, actor.role, actor.language)
        return
    log.info("invite refused for user %s: %s", actor.telegram_id, result.outcome.value)
    await reply(update, context, actor, f"start/code_{result.outcome.value}",
                trajectory=result.trajectory, minutes=int(enrolment.WRONG_CODE_PAUSE
                                                          .total_seconds() // 60))


async def _start_without_code(update: Update, context: KernbotContext, actor: Actor) -> None:
    services = context.services
    first_time = False
    if actor.person is None and actor.role == COORDINATOR:
        # A coordinator named in the configuration is known from the first message on.
        people.create(services.db, telegram_id=actor.telegram_id, name=_display_name(update),
                      role=COORDINATOR, language=actor.language, now=services.clock.now())
        actor = actor_of(update, services)
        first_time = True
    if not actor.enrolled:
        await reply(update, context, actor, "start/no_code")
        return
    if await _resume_enrolment(update, context, actor):
        return
    await set_menu_for(context, update.effective_chat.id, actor.role, actor.language)
    await greet(update, context, actor, welcome_back=not first_time)


async def _resume_enrolment(update: Update, context: KernbotContext, actor: Actor) -> bool:
    """In the middle of the enrolment questions, /start asks the open question again."""
    state = conversations.get(context.services.db, update.effective_chat.id)
    if state is None or state.prefix != enrol.PREFIX:
        return False
    await enrol.resume(update, context, actor, state)
    return True


async def greet(update: Update, context: KernbotContext, actor: Actor, *,
                welcome_back: bool) -> None:
    services = context.services
    views = overview.views_of(services.db, actor.person.id, services.clock.now())
    markup = None
    if actor.role == PARTICIPANT and "intake" in context.registry.commands:
        markup = keyboard([[(label(context, actor, "buttons/start_intake"),
                             Start("intake").pack())]])
    await reply(update, context, actor, f"start/welcome_{actor.role}", markup,
                person=actor.person, views=views, welcome_back=welcome_back)
