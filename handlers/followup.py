"""Follow-up in the chat (issue 16): "Herinner me morgen" on a reminder, /afwezig (away until a
date), more time for one person on one homework (coaches and coordinators, from /inzendingen),
the evaluation of the whole trajectory and the after-care answer. The rules are in
programme/followup.py; every change re-plans the person's reminders through the event bus."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from buttons import followup as fub
from core.services import Services
from handlers import flows
from handlers.access import PARTICIPANT, Actor
from handlers.context import KernbotContext
from handlers.replies import keyboard, label, refuse, reply
from handlers.router import text_of
from programme import calendar, followup, moments
from storage import assignments, conversations, memberships, people, trajectories
from storage import followup as store

PREFIX = fub.PREFIX  # states: fu:away, fu:extend:<assignment>:<person>
MAX_AWAY = timedelta(days=92)


def _participant_in(context: KernbotContext, actor: Actor, trajectory_id: int | None) -> bool:
    return trajectory_id is not None and actor.person is not None and \
        actor.memberships.get(trajectory_id) == PARTICIPANT


# -- "Herinner me morgen" ------------------------------------------------------------------------
async def later_button(update: Update, context: KernbotContext, actor: Actor,
                       button: fub.Later) -> None:
    services = context.services
    db, s, now = services.db, services.settings, services.clock.now()
    trajectory_id = followup.trajectory_of_item(db, button.kind, button.ref)
    if not _participant_in(context, actor, trajectory_id):
        await reply(update, context, actor, "common/button_expired")
        return
    subject = f"{button.kind}:{button.ref}"
    item = followup.item(db, s, actor.person_id, trajectory_id, subject)
    if item is None:
        await reply(update, context, actor, "common/button_expired")
        return
    if followup.is_done(db, services.flows, actor.person_id, item):
        await reply(update, context, actor, "followup/later_done")
        return
    until = followup.snooze(db, services.bus, s, actor.person_id, trajectory_id, subject,
                            button.rung, now)
    if until is None:
        await reply(update, context, actor, "followup/later_again")
        return
    await reply(update, context, actor, "followup/later_set", until=until)


# -- /afwezig --------------------------------------------------------------------------------------
def _away_choices(s, now):
    """(choice, last day) for the buttons: this Friday (next week's when today is Friday or
    later), a week, two weeks."""
    today = s.work.local(now).date()
    friday = today + timedelta(days=(4 - today.weekday()) % 7 or 7)
    return {"friday": friday, "1w": today + timedelta(days=7), "2w": today + timedelta(days=14)}


async def away_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/afwezig: hold reminders until a date; the coaches are told."""
    services = context.services
    now = services.clock.now()
    current = followup.current_absence(services.db, services.settings, actor.person_id, now)
    choices = _away_choices(services.settings, now)
    rows = [[(label(context, actor, "followup/away_friday", day=choices["friday"]),
              fub.Away("friday").pack())],
            [(label(context, actor, "followup/away_1w"), fub.Away("1w").pack()),
             (label(context, actor, "followup/away_2w"), fub.Away("2w").pack())],
            [(label(context, actor, "followup/away_type"), fub.Away("type").pack())]]
    if current is not None:
        rows.append([(label(context, actor, "followup/away_back"), fub.Away("back").pack())])
    chat_id = update.effective_chat.id
    typed = conversations.get(services.db, chat_id) is None  # else: that conversation's answer
    if typed:  # a date typed straight away is the answer to "tot wanneer?"
        conversations.put(services.db, chat_id, f"{PREFIX}:away", {}, now)
    await reply(update, context, actor, "followup/away_choose", keyboard(rows), current=current,
                back=followup.back_at(services.settings, current) if current else None,
                typed=typed)


async def away_button(update: Update, context: KernbotContext, actor: Actor,
                      button: fub.Away) -> None:
    services = context.services
    now = services.clock.now()
    if button.choice == "back":
        followup.come_back(services.db, services.bus, actor.person_id, now)
        state = conversations.get(services.db, update.effective_chat.id)
        if state is not None and state.state == f"{PREFIX}:away":  # no date is asked any more
            conversations.clear(services.db, update.effective_chat.id)
        context.wake_dispatcher()
        await reply(update, context, actor, "followup/away_ended")
        return
    if button.choice == "type":
        conversations.put(services.db, update.effective_chat.id, f"{PREFIX}:away", {}, now)
        await reply(update, context, actor, "followup/away_ask_date")
        return
    await _go_away(update, context, actor, _away_choices(services.settings, now)[button.choice])


async def _go_away(update: Update, context: KernbotContext, actor: Actor, last_day) -> None:
    services = context.services
    s, now = services.settings, services.clock.now()
    absence = followup.go_away(services.db, services.bus, s, actor.person_id, last_day, now)
    conversations.clear(services.db, update.effective_chat.id)
    context.wake_dispatcher()
    await reply(update, context, actor, "followup/away_set", absence=absence,
                back=followup.back_at(s, absence))


# -- more time for one person ----------------------------------------------------------------------
async def _extension_target(update: Update, context: KernbotContext, actor: Actor,
                            assignment_id: int, person_id: int):
    """(assignment, person, window, current due) when the actor may grant it; else answers."""
    services = context.services
    db = services.db
    assignment = assignments.get(db, assignment_id)
    person = people.get(db, person_id)
    trajectory_id = followup.trajectory_of_item(db, "assignment", assignment_id) \
        if assignment else None
    if assignment is None or person is None or trajectory_id is None:
        await reply(update, context, actor, "common/button_expired")
        return None
    if not actor.is_staff_of(trajectory_id):
        await refuse(update, context, actor)
        return None
    membership = memberships.get(db, person_id, trajectory_id)
    window = next((w for w in calendar.windows_for(db, services.settings, trajectory_id)
                   if w.assignment.id == assignment_id), None)
    if membership is None or membership.role != PARTICIPANT or window is None:
        await reply(update, context, actor, "common/button_expired")
        return None
    due, _extended, _catch_up = followup.assignment_due(db, services.settings, person_id, window)
    return assignment, person, window, due


async def extend_button(update: Update, context: KernbotContext, actor: Actor,
                        button: fub.Extend) -> None:
    target = await _extension_target(update, context, actor, button.assignment_id,
                                     button.person_id)
    if target is None:
        return
    assignment, person, _window, due = target
    services = context.services
    choices = followup.extension_choices(services.settings, due, services.clock.now())
    rows = [[(label(context, actor, "followup/extend_by", days=days, due=moment),
              fub.ExtendBy(assignment.id, person.id, str(days)).pack())]
            for days, moment in zip((2, 5, 10), choices, strict=True)]
    rows.append([(label(context, actor, "followup/extend_type"),
                  fub.ExtendType(assignment.id, person.id).pack())])
    await reply(update, context, actor, "followup/extend_choose", keyboard(rows),
                assignment=assignment, person=person, due=due)


async def extend_by_button(update: Update, context: KernbotContext, actor: Actor,
                           button: fub.ExtendBy) -> None:
    target = await _extension_target(update, context, actor, button.assignment_id,
                                     button.person_id)
    if target is None:
        return
    services = context.services
    days = (2, 5, 10).index(int(button.working_days))
    due = followup.extension_choices(services.settings, target[3], services.clock.now())[days]
    await _grant(update, context, actor, target, due)


async def extend_type_button(update: Update, context: KernbotContext, actor: Actor,
                             button: fub.ExtendType) -> None:
    target = await _extension_target(update, context, actor, button.assignment_id,
                                     button.person_id)
    if target is None:
        return
    services = context.services
    conversations.put(services.db, update.effective_chat.id,
                      f"{PREFIX}:extend:{button.assignment_id}:{button.person_id}", {},
                      services.clock.now())
    await reply(update, context, actor, "followup/extend_ask_date", person=target[1],
                assignment=target[0])


async def _grant(update: Update, context: KernbotContext, actor: Actor, target, due) -> None:
    services = context.services
    assignment, person, _window, _old = target
    now = services.clock.now()
    try:
        extension = followup.grant_extension(services.db, services.bus, services.settings,
                                             person.id, assignment.id, due, actor.person_id,
                                             now)
    except followup.NotLater as refused:  # no more time: the question stays open
        await reply(update, context, actor, "followup/extend_not_later", person=person,
                    current=refused.current, asked=refused.asked, due=refused.due_at,
                    moved=refused.moved,
                    suggestion=refused.suggestion, now=now)
        return
    conversations.clear(services.db, update.effective_chat.id)
    context.wake_dispatcher()
    await reply(update, context, actor, "followup/extend_done", person=person,
                assignment=assignment, extension=extension, moved=extension.due_at != due)


# -- typed dates -----------------------------------------------------------------------------------
async def on_message(update: Update, context: KernbotContext, actor: Actor,
                     state: conversations.ConversationState) -> None:
    services = context.services
    s, now = services.settings, services.clock.now()
    text = text_of(update) or None
    parts = state.state.split(":")
    if text is None:
        await reply(update, context, actor, "followup/date_please")
        return
    if parts[1:2] == ["away"]:
        parsed = moments.parse_day(text, now, s.tz)
        if parsed.ok and parsed.value - s.work.local(now).date() > MAX_AWAY:
            await reply(update, context, actor, "followup/away_too_long")
            return
        if not parsed.ok:
            await reply(update, context, actor, f"followup/date_{parsed.problem}",
                        value=parsed.value, now=now, weekday=parsed.weekday, example="15/3")
            return
        await _go_away(update, context, actor, parsed.value)
        return
    if len(parts) == 4 and parts[1] == "extend" and parts[2].isdigit() and parts[3].isdigit():
        parsed = moments.parse_due(text, now, s.tz,    # a date alone: at the deadline time
                                   lambda day: s.work.at(day, s.work.deadline_time))
        if not parsed.ok:
            await reply(update, context, actor, f"followup/date_{parsed.problem}",
                        value=parsed.value, now=now, weekday=parsed.weekday, example="26/4")
            return
        target = await _extension_target(update, context, actor, int(parts[2]), int(parts[3]))
        if target is None:
            conversations.clear(services.db, update.effective_chat.id)
            return
        _assignment, _person, window, _due = target
        last = calendar.last_session(services.db, window.session.trajectory_id)
        if last is not None and parsed.value > last.ends_at:  # nobody would read it any more
            await reply(update, context, actor, "followup/extend_after_end", session=last,
                        example="26/4")
            return
        await _grant(update, context, actor, target, parsed.value)
        return
    conversations.clear(services.db, update.effective_chat.id)
    await reply(update, context, actor, "common/button_expired")


# -- the end of a trajectory -----------------------------------------------------------------------
async def final_button(update: Update, context: KernbotContext, actor: Actor,
                       button: fub.FinalEvaluation) -> None:
    if not _participant_in(context, actor, button.trajectory_id) or \
            followup.FINAL_FLOW not in context.services.flows:
        await reply(update, context, actor, "common/button_expired")
        return
    await flows.begin(update, context, actor, followup.FINAL_FLOW, str(button.trajectory_id))


async def aftercare_button(update: Update, context: KernbotContext, actor: Actor,
                           button: fub.Aftercare) -> None:
    services = context.services
    if not _participant_in(context, actor, button.trajectory_id):
        await reply(update, context, actor, "common/button_expired")
        return
    store.answer_aftercare(services.db, actor.person_id, button.trajectory_id, button.answer,
                           services.clock.now())
    await reply(update, context, actor, "followup/aftercare_thanks", answer=button.answer,
                contact=services.settings.contact_email,
                trajectory=trajectories.get(services.db, button.trajectory_id))


async def final_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/slotevaluatie: evaluate the whole trajectory (after its closing message)."""
    services = context.services
    trajectory_id = followup.final_evaluation_trajectory(services.db, services.settings,
                                                         actor.person_id, services.clock.now())
    if trajectory_id is None or followup.FINAL_FLOW not in services.flows:
        await reply(update, context, actor, "followup/final_not_yet")
        return
    await flows.begin(update, context, actor, followup.FINAL_FLOW, str(trajectory_id))


def final_help(services: Services, actor: Actor) -> str | None:
    """/help lists /slotevaluatie once the closing message went out."""
    if actor.person_id is None or followup.final_evaluation_trajectory(
            services.db, services.settings, actor.person_id, services.clock.now()) is None:
        return None
    return "commands/slotevaluatie"


async def final_overview_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/slotevaluaties: coaches and coordinators read the evaluations of the whole trajectory."""
    from handlers.access import visible_trajectories
    from programme import flow_text
    from programme.flow_runner import load_answers

    services = context.services
    db, m = services.db, services.messages
    flow = services.flows.get(followup.FINAL_FLOW)
    blocks = []
    for trajectory in visible_trajectories(services, actor):
        entries = []
        for membership in memberships.of_trajectory(db, trajectory.id, PARTICIPANT):
            person = people.get(db, membership.person_id)
            answers = load_answers(db, membership.person_id, followup.FINAL_FLOW,
                                   str(trajectory.id)) if flow else {}
            if person is None or not answers:
                continue
            rows = [(m.plain(f"flows/{followup.FINAL_FLOW}/{pos.qid}/label", actor.language),
                     flow_text.display_value(m, actor.language, flow, pos, value))
                    for pos, value in sorted(answers.items(),
                                             key=lambda kv: _question_order(flow, kv[0].qid))]
            entries.append((person, rows, followup.final_evaluation_done(
                db, services.flows, person.id, trajectory.id)))
        blocks.append((trajectory, entries))
    await reply(update, context, actor, "followup/final_overview", blocks=blocks)


def _question_order(flow, qid: str) -> int:
    ids = [item.id for item in flow.items]
    return ids.index(qid) if qid in ids else len(ids)
