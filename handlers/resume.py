"""After a crash, nobody is left waiting: the current prompt of a chat that was owed a reply.

The inbox (transports/inbox.py) knows which updates had their effects committed but may have
lost their reply (the process died before Telegram accepted it). For each such chat, once,
`resend_owed` sends a short line that the bot was briefly away together with the prompt the
person is at now, rebuilt from storage: the conversation state's resume hook (the composition
root maps one to each state prefix that has a prompt to rebuild), or the summary of a guided
conversation that the owed update finished. Without a prompt to rebuild, the line alone asks
to send the last message again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from telegram import Update
from telegram.ext import Application

from handlers import enrol, flows, router
from handlers.access import Actor, actor_of
from handlers.context import KernbotContext
from handlers.replies import reply
from programme import flow_runner
from storage import conversations, flow_runs

log = logging.getLogger(__name__)
BACK = "common/back_again"            # "I was away for a moment; here is where we were:"
BACK_IDLE = "common/back_again_idle"  # "... did you get no answer? send it again"

# fn(update, context, actor, state, before_key) -> True when it re-sent the prompt
ResumeHook = Callable[[Update, KernbotContext, Actor, conversations.ConversationState, str],
                      Awaitable[bool]]


async def resend_owed(app: Application, update: Update, received_at: datetime) -> None:
    """The inbox's owed-reply hook: re-send the current prompt of the update's chat, once."""
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        return
    context = KernbotContext.from_update(update, app)
    services = context.services
    actor = actor_of(update, services)
    state = conversations.get(services.db, chat.id)
    if await router.show_prompt(update, context, actor, state, BACK):
        return
    if state is None and await finished_flow(update, context, actor, received_at, BACK):
        return
    await reply(update, context, actor, BACK_IDLE)


async def _flow_prompt(update: Update, context: KernbotContext, actor: Actor,
                       run: flow_runs.Run | None, before: str,
                       selected: list[str] | None = None) -> bool:
    services = context.services
    if run is None or run.flow not in services.flows:
        return False
    flow = services.flows[run.flow]
    answers = flow_runner.load_answers(services.db, actor.person_id, run.flow, run.instance)
    pos = flow_runner.current_position(flow, run, answers) if run.status == "active" else None
    if pos is None:
        # re-sent after a lost reply (`BACK`): that reply may have been the one finishing the
        # conversation, whose closing words the person then never saw
        await flows.show_summary(update, context, actor, run, before=before, answers=answers,
                                 closing=before == BACK)
    else:
        await flows.ask(update, context, actor, run, pos, before=before, answers=answers,
                        selected=selected)
    return True


async def flow(update: Update, context: KernbotContext, actor: Actor,
               state: conversations.ConversationState, before: str) -> bool:
    """A guided conversation (`fl:<flow>`, `fl:album`): the question it is at, or its summary
    when the owed update answered the last question."""
    if actor.person_id is None:
        return False
    db = context.services.db
    run = flow_runs.active(db, actor.person_id)
    selected = None
    if run is not None and state.state == f"{flows.PREFIX}:{run.flow}" and \
            state.data.get("instance", "") == run.instance:
        selected = list(state.data.get("sel") or [])  # multiple-choice options ticked so far
    if run is None:
        name = state.state.split(":", 1)[1] if ":" in state.state else ""
        album = state.data.get("trail") or state.data.get("album") or {}
        flow_id, instance = (album.get("flow"), album.get("inst", "")) if name == "album" \
            else (name, state.data.get("instance", ""))
        run = flow_runs.get(db, actor.person_id, flow_id, instance) if flow_id else None
    return await _flow_prompt(update, context, actor, run, before, selected)


async def finished_flow(update: Update, context: KernbotContext, actor: Actor,
                        since: datetime, before: str) -> bool:
    """No conversation state left: the owed update may have finished a guided conversation
    (its summary clears the state). Then the summary is what the person is waiting for."""
    if actor.person_id is None:
        return False
    runs = flow_runs.of_person(context.services.db, actor.person_id)
    latest = runs[0] if runs else None
    if latest is None or latest.updated_at < since.replace(microsecond=0):
        return False
    return await _flow_prompt(update, context, actor, latest, before)


async def enrolment(update: Update, context: KernbotContext, actor: Actor,
                    state: conversations.ConversationState, before: str) -> bool:
    """The enrolment question (`enrol:<field>`) the person is at."""
    if actor.person is None:
        return False
    await reply(update, context, actor, before)
    await enrol.resume(update, context, actor, state)
    return True
