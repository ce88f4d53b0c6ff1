"""What coaches and coordinators read in /inzendingen besides homework: the current version of
a brief step or chain handed in as homework, the evaluations of a session (a summary with the
three open answers side by side, and per person), the intakes, the preparation pack of a
session, and "koppel terug": one message answering the group's evaluations, sent to every
participant of the trajectory.

Every button checks the trajectory the data belongs to (`actor.is_staff_of`): a coach sees
their own trajectories, a coordinator all; a participant sees none of it.
"""

from __future__ import annotations

import logging

from telegram import Update

from buttons import coaches as cob
from documents import prep
from handlers.access import Actor
from handlers.context import KernbotContext
from handlers.replies import keyboard, label, refuse, reply
from handlers.router import message_kind, text_of
from programme import homework, preparation, readable
from schedule import planner
from storage import assignments, audit, conversations, memberships, outbox, people, trajectories
from storage import coaches as store
from storage import homework as homework_store
from storage.db import transaction

log = logging.getLogger(__name__)
PREFIX = cob.PREFIX
FEEDBACK, PREVIEW = "feedback", "preview"   # co:feedback:<session>, co:preview:<session>


def _session_for_staff(context: KernbotContext, actor: Actor, session_id: int
                       ) -> trajectories.Session | None:
    session = trajectories.get_session(context.services.db, session_id)
    if session is None or not actor.is_staff_of(session.trajectory_id):
        return None
    return session


# -- a handed-in brief step or chain, as it is now ------------------------------------------------
async def current_button(update: Update, context: KernbotContext, actor: Actor,
                         button: cob.Current) -> None:
    services = context.services
    db = services.db
    submission = homework_store.get(db, button.submission_id)
    if submission is None or not homework.can_view_submission(
            db, actor.person, submission.id, coordinator=actor.coordinator) or (
            actor.person_id != submission.person_id and submission.status != "submitted"
            and not homework.draft_locked(db, services.settings, submission,
                                          services.clock.now())):
        await refuse(update, context, actor)   # a draft is the person's own until the lock
        return
    owner = people.get(db, submission.person_id)
    assignment = assignments.get(db, submission.assignment_id)
    blocks = readable.current_blocks(db, services.messages, services.flows, actor.language,
                                     owner.id, assignment)
    await reply(update, context, actor, "coaches/current", owner=owner, assignment=assignment,
                blocks=blocks, changed=readable.changed_since_snapshot(
                    db, services.flows, owner.id, submission.id))
    await send_photos(update, context, [p for b in blocks for p in b.photos])


async def send_photos(update: Update, context: KernbotContext, file_ids: list[str]) -> None:
    """Photos answered in a guided conversation, shown again by their Telegram file id."""
    from telegram.error import TelegramError

    for file_id in file_ids:
        try:
            await context.bot.send_photo(update.effective_chat.id, file_id)
        except TelegramError as exc:
            log.info("could not resend a photo by file id: %s", exc)


# -- evaluations of a session ----------------------------------------------------------------
async def evaluations_button(update: Update, context: KernbotContext, actor: Actor,
                             button: cob.Evaluations) -> None:
    """A summary (scores, the three open answers side by side), one button per person and
    "koppel terug" to the group."""
    services = context.services
    session = _session_for_staff(context, actor, button.session_id)
    if session is None:
        await refuse(update, context, actor)
        return
    data = readable.session_evaluations(services.db, services.messages, services.flows,
                                        actor.language, session)
    rows = [[(label(context, actor, "coaches/evaluation_person_button", entry=e),
              cob.EvaluationOf(session.id, e.person.id).pack())] for e in data.entries]
    if session.ends_at <= services.clock.now():
        rows.append([(label(context, actor, "coaches/feedback_button", session=session),
                      cob.GroupFeedback(session.id).pack())])
    given = store.feedback_of_session(services.db, session.id)
    await reply(update, context, actor, "coaches/evaluations", keyboard(rows) if rows else None,
                data=data, given=[(f, people.get(services.db, f.author_id) if f.author_id
                                   else None) for f in given])


async def evaluation_of_button(update: Update, context: KernbotContext, actor: Actor,
                               button: cob.EvaluationOf) -> None:
    services = context.services
    session = _session_for_staff(context, actor, button.session_id)
    membership = memberships.get(services.db, button.person_id, session.trajectory_id) \
        if session else None
    if session is None or membership is None or membership.role != "participant":
        await refuse(update, context, actor)
        return
    data = readable.session_evaluations(services.db, services.messages, services.flows,
                                        actor.language, session)
    entry = next((e for e in data.entries if e.person.id == button.person_id), None)
    person = people.get(services.db, button.person_id)
    audit.record(services.db, actor.person_id, "opened_evaluation", person.id,
                 services.clock.now(), detail=f"sessie {session.number}")
    await reply(update, context, actor, "coaches/evaluation", person=person, session=session,
                entry=entry)


# -- intakes ------------------------------------------------------------------------------------
async def intakes_button(update: Update, context: KernbotContext, actor: Actor,
                         button: cob.Intakes) -> None:
    services = context.services
    trajectory = trajectories.get(services.db, button.trajectory_id)
    if trajectory is None or not actor.is_staff_of(trajectory.id):
        await refuse(update, context, actor)
        return
    from programme import flow_progress

    entries = [(p, flow_progress.intake_done(services.db, services.flows, p.id))
               for p in readable.participants_of(services.db, trajectory.id)]
    rows = [[(label(context, actor, "coaches/intake_person_button", person=p, done=done),
              cob.IntakeOf(trajectory.id, p.id).pack())] for p, done in entries]
    await reply(update, context, actor, "coaches/intakes", keyboard(rows) if rows else None,
                trajectory=trajectory, entries=entries)


async def intake_of_button(update: Update, context: KernbotContext, actor: Actor,
                           button: cob.IntakeOf) -> None:
    services = context.services
    db = services.db
    membership = memberships.get(db, button.person_id, button.trajectory_id)
    if not actor.is_staff_of(button.trajectory_id) or membership is None or \
            membership.role != "participant":
        await refuse(update, context, actor)
        return
    from programme import flow_progress

    person = people.get(db, button.person_id)
    block = readable.intake_block(db, services.messages, services.flows, actor.language,
                                  person.id)
    audit.record(db, actor.person_id, "opened_intake", person.id, services.clock.now())
    await reply(update, context, actor, "coaches/intake", person=person, block=block,
                done=flow_progress.intake_done(db, services.flows, person.id))


# -- the preparation pack --------------------------------------------------------------------------
async def pack_button(update: Update, context: KernbotContext, actor: Actor,
                      button: cob.Pack) -> None:
    services = context.services
    session = _session_for_staff(context, actor, button.session_id)
    if session is None:
        await refuse(update, context, actor)
        return
    now = services.clock.now()
    pack = preparation.collect(services.db, services.messages, services.flows,
                               services.settings, session, actor.language, now)
    audit.record(services.db, actor.person_id, "made_preparation_pack", None, now,
                 detail=f"traject {pack.trajectory.number} sessie {session.number}")
    await reply(update, context, actor, "coaches/pack_message", person=actor.person, pack=pack)
    content = prep.pack_pdf(services.messages, pack, actor.language)
    await context.bot.send_document(update.effective_chat.id, content,
                                    filename=prep.file_name(services.messages, pack,
                                                            actor.language))


# -- "koppel terug" ------------------------------------------------------------------------------
async def group_feedback_button(update: Update, context: KernbotContext, actor: Actor,
                                button: cob.GroupFeedback) -> None:
    services = context.services
    session = _session_for_staff(context, actor, button.session_id)
    if session is None:
        await refuse(update, context, actor)
        return
    conversations.put(services.db, update.effective_chat.id,
                      f"{PREFIX}:{FEEDBACK}:{session.id}", {}, services.clock.now())
    count = len(readable.participants_of(services.db, session.trajectory_id))
    await reply(update, context, actor, "coaches/feedback_ask", session=session, count=count)


async def on_message(update: Update, context: KernbotContext, actor: Actor,
                     state: conversations.ConversationState) -> None:
    """The text of the group feedback: shown back with "send" and "cancel"."""
    services = context.services
    step, session_id = state.step_and_id
    session = _session_for_staff(context, actor, session_id) if session_id else None
    if session is None or step not in (FEEDBACK, PREVIEW):
        conversations.clear(services.db, update.effective_chat.id)
        await reply(update, context, actor, "common/button_expired")
        return
    if message_kind(update) != "text" or not text_of(update).strip():
        await reply(update, context, actor, "coaches/feedback_text_only")
        return
    text = text_of(update).strip()
    conversations.put(services.db, update.effective_chat.id,
                      f"{PREFIX}:{PREVIEW}:{session.id}", {"text": text}, services.clock.now())
    count = len(readable.participants_of(services.db, session.trajectory_id))
    rows = [[(label(context, actor, "coaches/feedback_send", count=count),
              cob.SendFeedback(session.id).pack()),
             (label(context, actor, "coaches/feedback_cancel"),
              cob.CancelFeedback(session.id).pack())]]
    await reply(update, context, actor, "coaches/feedback_preview", keyboard(rows),
                session=session, text=text, count=count)


async def send_feedback_button(update: Update, context: KernbotContext, actor: Actor,
                               button: cob.SendFeedback) -> None:
    services = context.services
    db, now = services.db, services.clock.now()
    session = _session_for_staff(context, actor, button.session_id)
    if session is None:
        await refuse(update, context, actor)
        return
    state = conversations.get(db, update.effective_chat.id)
    if state is None or state.state != f"{PREFIX}:{PREVIEW}:{session.id}" or \
            not state.data.get("text"):
        await reply(update, context, actor, "common/button_expired")
        return
    participants = readable.participants_of(db, session.trajectory_id)
    with transaction(db):
        feedback = store.add_session_feedback(db, session.id, actor.person_id,
                                              state.data["text"], now)
        for person in participants:
            outbox.enqueue(db, kind=planner.GROUP_FEEDBACK, person_id=person.id,
                           subject=f"session:{session.id}", offset=f"fb{feedback.id}",
                           planned_at=now, now=now, trajectory_id=session.trajectory_id,
                           payload={"feedback": feedback.id})
        conversations.clear(db, update.effective_chat.id)
    await reply(update, context, actor, "coaches/feedback_sent", count=len(participants),
                session=session)
    context.wake_dispatcher()


async def cancel_feedback_button(update: Update, context: KernbotContext, actor: Actor,
                                 button: cob.CancelFeedback) -> None:
    state = conversations.get(context.services.db, update.effective_chat.id)
    if state is not None and state.prefix == PREFIX:
        conversations.clear(context.services.db, update.effective_chat.id)
    await reply(update, context, actor, "coaches/feedback_cancelled")
