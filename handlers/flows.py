"""Guided conversations in the chat: /intake, /waarom, /evaluatie, the answers and the buttons.

Thin layer over `programme.flow_runner` (which runs the pure engine on stored answers): turn an
update into an engine Input, then send the next question, the error or the summary (rendered in
handlers/flow_views.py). The design brief's menu and download are in handlers/brief.py.
Buttons: buttons/flows.py. Conversation state: `fl:<flow>` (or `fl:album` after the summary),
with a `trail` while more may follow what the person just sent: the rest of a photo album,
more photos for the same question, the next part of a text Telegram split.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import timedelta

from markupsafe import Markup
from telegram import Update
from telegram.error import TelegramError

from buttons import flows as fb
from core.services import Services
from flows import engine
from flows.engine import Flow, Input, Pos
from handlers import brief, flow_views, router
from handlers.access import PARTICIPANT, Actor
from handlers.context import KernbotContext
from handlers.replies import Sent, delete, edit, keyboard, label, reply, send
from programme import evaluation, flow_progress, flow_runner, flow_text
from storage import conversations, drafts, flow_runs, updates
from storage.db import parse_iso, transaction, utcnow_iso

log = logging.getLogger(__name__)
PARTICIPANTS = frozenset({PARTICIPANT})
PREFIX = fb.PREFIX
COMMANDS = {"intake": "/intake", "brief": "/brief", "waarom": "/waarom",
            "evaluatie": "/evaluatie", "slotevaluatie": "/slotevaluatie"}


def _flow(context: KernbotContext, flow_id: str) -> Flow:
    return context.services.flows[flow_id]


# -- sending a question or the summary --------------------------------------------------------
async def ask(update: Update, context: KernbotContext, actor: Actor, run: flow_runs.Run,
              pos: Pos, *, before: str | None = None, selected: list[str] | None = None,
              answers: dict | None = None,
              known_state: conversations.ConversationState | None = None,
              trail: dict | None = None, order: tuple[Pos, ...] | None = None,
              known_draft=flow_runner.UNREAD, **before_values) -> Sent | None:
    """Send the question at pos (optionally preceded by a line such as an error). The chat's
    conversation state is written unless `known_state` shows it is already right."""
    services = context.services
    flow = _flow(context, run.flow)
    if answers is None:
        answers = flow_runner.load_answers(services.db, actor.person_id, run.flow, run.instance)
    if selected is None:  # a multiple choice asked again shows its current answer ticked
        q = flow.question(pos.qid)
        current = answers.get(pos)
        if q is not None and q.type == "multi" and isinstance(current, list):
            selected = [o for o in q.option_ids if o in current]
    state, data = f"{PREFIX}:{run.flow}", {"instance": run.instance, "sel": selected or []}
    if trail:
        data["trail"] = trail
    if known_state is None or known_state.state != state or known_state.data != data:
        conversations.put(services.db, update.effective_chat.id, state, data,
                          services.clock.now())
    text, markup = flow_views.question_view(context, actor, flow, run, answers, pos, selected,
                                            order, known_draft)
    if before:
        text = services.messages.render(before, actor.language, **before_values) + "\n\n" + text
    sent = await send(context, update.effective_chat.id, text, markup)
    _replaceable(context, update.effective_chat.id, state, data, sent)
    return sent


def _replaceable(context: KernbotContext, chat_id: int, state: str, data: dict,
                 sent: Sent | None) -> None:
    """After a long text: what was just sent (`sent`) is to be replaced when the next part
    of the text arrives (see `_follow`), so its ids join the trail. Written after the reply,
    as only a hint: when it cannot be written, the question is simply shown twice."""
    trail = data.get("trail")
    if sent is None or not isinstance(trail, dict) or trail.get("kind") != "text":
        return
    try:
        conversations.put(context.services.db, chat_id, state,
                          {**data, "trail": {**trail, "replaces": list(sent.parts)}},
                          context.services.clock.now())
    except sqlite3.Error as exc:
        log.warning("could not note the message a text's next part replaces: %s", exc)


async def toggle(update: Update, context: KernbotContext, actor: Actor, run: flow_runs.Run,
                 pos: Pos, selected: list[str]) -> None:
    """A multiple-choice option pressed: remember it and redraw the same message."""
    services = context.services
    flow = _flow(context, run.flow)
    answers = flow_runner.load_answers(services.db, actor.person_id, run.flow, run.instance)
    with transaction(services.db):  # with the update id: a replay must not toggle it back
        conversations.put(services.db, update.effective_chat.id, f"{PREFIX}:{run.flow}",
                          {"instance": run.instance, "sel": selected}, services.clock.now())
        updates.mark(services.db, update.update_id, services.clock.now())
    text, markup = flow_views.question_view(context, actor, flow, run, answers, pos, selected)
    pressed = update.callback_query.message
    if pressed is not None:
        try:
            await edit(context, update.effective_chat.id, pressed.message_id, text, markup)
            return
        except TelegramError as exc:  # too old, or not modified: send it anew
            log.info("could not edit the question message (%s); sending a new one", exc)
    await send(context, update.effective_chat.id, text, markup)


async def show_summary(update: Update, context: KernbotContext, actor: Actor,
                       run: flow_runs.Run, *, before: str | None = None,
                       answers: dict | None = None, trail: dict | None = None,
                       keep_state: bool = False, closing: bool = False, **before_values
                       ) -> Sent | None:
    services = context.services
    if answers is None:
        answers = flow_runner.load_answers(services.db, actor.person_id, run.flow, run.instance)
    text, markup = flow_views.summary_view(context, actor, _flow(context, run.flow), run,
                                           answers, closing)
    if before:
        text = services.messages.render(before, actor.language, **before_values) + "\n\n" + text
    if keep_state:  # an overview asked for while the person may be doing something else
        pass
    elif trail:  # more photos, or the rest of a split text, may still arrive: keep them
        conversations.put(services.db, update.effective_chat.id, f"{PREFIX}:album",
                          {"trail": trail}, services.clock.now())
    else:
        conversations.clear(services.db, update.effective_chat.id)
    sent = await send(context, update.effective_chat.id, text, markup)
    if sent is not None and trail and trail.get("kind") == "photo" and trail.get("gid"):
        # the rest of the album updates this summary ("3 foto's"), see `_follow`
        conversations.put(services.db, update.effective_chat.id, f"{PREFIX}:album",
                          {"trail": {**trail, "msg": sent.message_id}}, services.clock.now())
    elif trail and not keep_state:
        _replaceable(context, update.effective_chat.id, f"{PREFIX}:album", {"trail": trail},
                     sent)
    return sent


async def _refresh_summary(update: Update, context: KernbotContext, actor: Actor,
                           trail: dict) -> None:
    """The summary sent for the first photo of an album, brought up to date with the rest."""
    services = context.services
    run = flow_runs.get(services.db, actor.person_id, trail["flow"], trail["inst"])
    if run is None or run.flow not in services.flows:
        return
    answers = flow_runner.load_answers(services.db, actor.person_id, run.flow, run.instance)
    text, markup = flow_views.summary_view(context, actor, _flow(context, run.flow), run,
                                           answers)
    try:
        await edit(context, update.effective_chat.id, int(trail["msg"]), text, markup)
    except TelegramError as exc:  # e.g. the text did not change: nothing lost
        log.info("album summary not updated: %s", exc)


# -- starting ---------------------------------------------------------------------------------
async def begin(update: Update, context: KernbotContext, actor: Actor, flow_id: str,
                instance: str = "", section: str = "", *, confirmed: bool = False) -> None:
    """Start or resume a run; first ask to pause another active one."""
    services = context.services
    db, now, m = services.db, services.clock.now(), services.messages
    current = flow_runs.active(db, actor.person_id)
    if (current is not None and not confirmed
            and (current.flow, current.instance) != (flow_id, instance)):
        current_title = flow_views.title(context, actor, current.flow, current.instance)
        new_title = flow_views.title(context, actor, flow_id, instance)
        markup = keyboard([
            [(m.plain("flows/buttons/pause_yes", actor.language, title=new_title),
              fb.Switch(flow_id, instance, section).pack())],
            [(m.plain("flows/buttons/pause_no", actor.language, title=current_title),
              fb.KeepCurrent().pack())]])
        await reply(update, context, actor, "flows/ui/pause_ask", markup,
                    current=current_title, new=new_title)
        return
    flow = _flow(context, flow_id)
    # "we go on where you were" only where something was answered: in the brief, in this step
    answers = flow_runner.load_answers(db, actor.person_id, flow_id, instance)
    asked = [flow.asked(p.qid) for p in answers]
    fresh = not any(q is not None and section in ("", q.section) for q in asked)
    run, pos = flow_runner.start(db, flow, actor.person_id, instance,
                                 section=section, now=now)   # changes no answer
    if pos is None:
        await show_summary(update, context, actor, run, answers=answers)
        return
    if fresh and flow_id == "brief":  # the brief's menu already introduced it
        await ask(update, context, actor, run, pos, answers=answers)
    elif fresh:
        intro = m.render(f"flows/{flow_id}/intro", actor.language,
                         **flow_views.session_values(context, actor, flow_id, instance))
        await reply(update, context, actor, "flows/ui/intro",
                    title=flow_views.title(context, actor, flow_id, instance),
                    intro=Markup(intro))
        await ask(update, context, actor, run, pos, answers=answers)
    else:
        await ask(update, context, actor, run, pos, before="flows/ui/resume", answers=answers)


async def intake_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/intake: your municipality and your challenge, before the first session."""
    await begin(update, context, actor, "intake")


async def waarom_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/waarom: a five-whys chain (resumes an unfinished one)."""
    db = context.services.db
    instance = flow_runner.open_chain(db, _flow(context, "waarom"), actor.person_id) \
        or flow_runner.next_chain(db, actor.person_id)
    await begin(update, context, actor, "waarom", instance)


async def evaluatie_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/evaluatie: evaluate the latest working session, once it has taken place."""
    services = context.services
    now = services.clock.now()
    session = evaluation.latest_session(services.db, actor.person_id, now)
    if session is None:
        coming = evaluation.next_session(services.db, actor.person_id, now)
        await reply(update, context, actor, "flows/ui/evaluation_not_yet", session=coming,
                    label=flow_views.session_label(context, actor, coming) if coming else "")
        return
    evaluated = {e.session_id for e in flow_progress.evaluations(
        services.db, services.flows, actor.person_id) if e.complete}
    still_open = evaluation.open_sessions(services.db, actor.person_id, evaluated, now)
    if session.id in evaluated and len(still_open) == 1:  # the latest is done: an earlier one
        session = still_open[0]                           # left open (the nudges chase it)
    elif session.id in evaluated and still_open:  # several: the person chooses
        markup = keyboard([[(label(context, actor, "flows/buttons/evaluate_session",
                                   number=s.number),
                             fb.Start("evaluatie", str(s.id)).pack())] for s in still_open])
        await reply(update, context, actor, "flows/ui/evaluation_choose", markup,
                    sessions=still_open)
        return
    await begin(update, context, actor, "evaluatie", str(session.id))


def intake_help(services: Services, actor: Actor) -> str | None:
    """/help: once the intake is done, /intake is for looking back at it and editing it."""
    done = actor.person_id is not None and flow_progress.intake_done(
        services.db, services.flows, actor.person_id)
    return "commands/intake_done" if done else "commands/intake"


def evaluatie_help(services: Services, actor: Actor) -> str | None:
    """/help lists /evaluatie once a working session took place."""
    if evaluation.latest_session(services.db, actor.person_id, services.clock.now()) is None:
        return None
    return "commands/evaluatie"


# -- answers ----------------------------------------------------------------------------------
def _input_of(update: Update, context: KernbotContext, actor: Actor, flow: Flow, pos: Pos,
              selected: list[str] = ()) -> Input:
    message = update.effective_message
    kind = router.message_kind(update)
    if kind == "text":
        text = router.text_of(update)
        q = flow.question(pos.qid)
        nav = _typed_nav(context, actor, flow, pos, text)
        if nav == "done":
            return Input("options", list(selected))
        if nav is not None:
            return Input(nav)
        return Input("text", _transformed(context, actor, q, text))
    if kind == "photo":
        return Input("photo", message.photo[-1].file_id)
    if kind == "document":  # an image sent as a file is welcome where a photo is asked
        mime = message.document.mime_type or ""
        return Input("document", message.document.file_id if mime.startswith("image/")
                     or flow.question(pos.qid) is None
                     or flow.question(pos.qid).type == "document" else None)
    return Input(kind)


# What typing a navigation button's label (or a word for it) means: the same as tapping it.
_NAV_KEYS = {"back": "flows/buttons/back", "skip": "flows/buttons/skip",
             "stop": "flows/buttons/found_root", "keep": "flows/buttons/keep",
             "done": "flows/buttons/multi_done"}


def _typed_nav(context: KernbotContext, actor: Actor, flow: Flow, pos: Pos, text: str
               ) -> str | None:
    """The navigation a typed text names ("Vorige vraag", "terug", "Overslaan", "Klaar"), or
    None. Only short texts count, so an answer that merely contains such a word stays an
    answer; "Klaar" only at a multiple choice, "stop" only where the five whys can end."""
    if len(text) > 60:  # an answer, not a button's label
        return None
    typed = router.plain_words(text)
    if not typed or len(typed) > 40:
        return None
    m = context.services.messages
    q = flow.question(pos.qid)
    for nav, key in _NAV_KEYS.items():
        if nav == "done" and (q is None or q.type != "multi"):
            continue
        if nav == "stop" and not engine.can_stop(flow, pos):
            continue
        if typed in router.button_words(m, key, f"flows/typed/{nav}", actor.language):
            return nav
    return None


def _transformed(context: KernbotContext, actor: Actor, q, text: str) -> str:
    """Typed text as the question keeps it: a "Hoe kunnen we ...?" question gets its prefix
    once (not again when the person typed it, in either language)."""
    if q is not None and q.transform == "hkw" and isinstance(text, str):
        messages = context.services.messages
        prefix = messages.plain("flows/waarom/hkw_prefix", actor.language)
        return flow_text.how_might_we(prefix, text, flow_text.hkw_prefixes(messages))
    return text


# A text part this long may have been cut by Telegram (4,096 characters per message): a text
# arriving soon after it is its next part.
JOIN_MIN = 3500
JOIN_WITHIN = timedelta(seconds=5)


def _trail(update: Update, context: KernbotContext, run: flow_runs.Run, at: Pos, inp: Input,
           stored: bool) -> dict | None:
    """What may still follow this input: more photos for the question they answered, or the
    next part of a long text (see `_follow`)."""
    now = utcnow_iso(context.services.clock.now())
    base = {"flow": run.flow, "inst": run.instance, "q": at.qid, "idx": at.idx, "at": now}
    if stored and inp.kind in ("photo", "document"):
        return {**base, "kind": "photo",
                "gid": getattr(update.effective_message, "media_group_id", None)}
    if inp.kind == "text" and isinstance(inp.value, str) and len(inp.value) >= JOIN_MIN:
        return {**base, "kind": "text"}
    return None


async def _apply(update: Update, context: KernbotContext, actor: Actor, run: flow_runs.Run,
                 inp: Input, state: conversations.ConversationState | None = None, *,
                 rest: str | None = None) -> None:
    services = context.services
    was_edit = run.mode == "edit"
    labels: dict[str, str] = {}

    def labels_for(question) -> dict[str, str]:
        labels.clear()  # the question the input is finally applied to
        labels.update(flow_views.option_labels(context, actor, question))
        return labels

    sub = flow_runner.submit(services.db, _flow(context, run.flow), run, inp,
                             now=services.clock.now(), update_id=update.update_id,
                             labels_for=labels_for, caption=router.caption_of(update),
                             rest=rest)
    if sub.duplicate:
        return
    run, answers = sub.run, sub.answers
    if not sub.result.ok:
        params = flow_text.error_values(sub.result.params, labels)
        trail = _trail(update, context, run, sub.at, inp, False) \
            if sub.result.error == "too_long" else None
        group_id = getattr(update.effective_message, "media_group_id", None)
        if group_id and trail is None:  # an album where none fits: one answer for all of it
            trail = {"kind": "album", "gid": group_id, "flow": run.flow, "inst": run.instance,
                     "q": sub.at.qid, "idx": sub.at.idx, "at": None}
        if sub.next is None:
            await show_summary(update, context, actor, run, trail=trail)
            return
        # the same question again: what was ticked so far stays ticked
        kept = list(state.data.get("sel", [])) if state is not None and sub.next == sub.at \
            else None
        await ask(update, context, actor, run, sub.next, before=f"flows/errors/{sub.result.error}",
                  answers=answers, known_state=state, trail=trail, selected=kept, **params)
        return
    trail = _trail(update, context, run, sub.at, inp, bool(sub.result.writes))
    if sub.next is None:
        await show_summary(update, context, actor, run,
                           before="flows/ui/edited" if was_edit else None, answers=answers,
                           trail=trail, closing=not was_edit)
    else:
        await ask(update, context, actor, run, sub.next, answers=answers, known_state=state,
                  trail=trail, order=sub.result.order, known_draft=sub.draft)
    if inp.kind in ("photo", "document") and sub.result.writes:
        await brief.copy_photos(context, actor.person_id)  # for the brief document


def _trail_of(state: conversations.ConversationState) -> dict | None:
    trail = state.data.get("trail")
    if isinstance(trail, dict):
        return trail
    album = state.data.get("album")  # written by earlier versions: the rest of an album
    if isinstance(album, dict) and "q" in album:
        return {"flow": album.get("flow"), "inst": album.get("inst", ""), "q": album["q"],
                "idx": album.get("idx", 0), "kind": "photo", "gid": album.get("gid"),
                "at": None}
    return None


def _image_of(update: Update) -> str | None:
    message = update.effective_message
    if message is None:
        return None
    if message.photo:
        return message.photo[-1].file_id
    if message.document and (message.document.mime_type or "").startswith("image/"):
        return message.document.file_id
    return None


async def _show_where(update: Update, context: KernbotContext, actor: Actor, before: str,
                      trail: dict | None = None, *, run_of: dict | None = None, **values
                      ) -> Sent | None:
    """A line, then the question the person is at, or the summary when the run is done (the
    run `run_of` names, or else `trail`, when none is active). What was sent, or None."""
    services = context.services
    run = flow_runs.active(services.db, actor.person_id)
    named = run_of or trail
    if run is None and named is not None:
        run = flow_runs.get(services.db, actor.person_id, named["flow"], named["inst"])
    if run is None or run.flow not in services.flows:
        conversations.clear(services.db, update.effective_chat.id)
        return await reply(update, context, actor, before, **values)
    flow = _flow(context, run.flow)
    answers = flow_runner.load_answers(services.db, actor.person_id, run.flow, run.instance)
    pos = flow_runner.current_position(flow, run, answers) if run.status == "active" else None
    if pos is None:
        return await show_summary(update, context, actor, run, before=before, answers=answers,
                                  trail=trail, **values)
    return await ask(update, context, actor, run, pos, before=before, answers=answers,
                     trail=trail, **values)


async def _follow(update: Update, context: KernbotContext, actor: Actor,
                  state: conversations.ConversationState, trail: dict) -> bool:
    """More of what the person just sent: the rest of a photo album or another photo for the
    same question (kept, with its caption), or the next part of a text Telegram split. True
    when the message was taken that way."""
    services = context.services
    flow = services.flows.get(trail.get("flow") or "")
    if flow is None or not isinstance(trail.get("q"), str):
        return False
    pos = Pos(trail["q"], int(trail.get("idx") or 0))
    message = update.effective_message
    now = services.clock.now()
    if trail.get("kind") == "album":  # the rest of an album that did not fit: answered once
        return message is not None and bool(message.media_group_id) and \
            message.media_group_id == trail.get("gid")
    if trail.get("kind") == "photo":
        file_id = _image_of(update)
        if file_id is None:
            return False
        same_album = bool(message.media_group_id) and message.media_group_id == trail.get("gid")
        if not same_album:
            run = flow_runs.active(services.db, actor.person_id)
            if run is not None and run.question is not None:
                current = flow.question(run.question) if run.flow == flow.id else None
                if current is not None and current.type in ("photo", "document"):
                    return False  # the answer to the photo question the person is at
        count = flow_runner.add_photo(services.db, actor.person_id, flow.id, trail["inst"], pos,
                                      file_id, router.caption_of(update), now=now,
                                      update_id=update.update_id)
        if count is not None and not same_album:  # the rest of an album: no reply of its own
            await _show_where(update, context, actor, "flows/ui/photo_added", trail=trail,
                              count=count, label=flow_text.label(services.messages,
                                                                 actor.language, flow, pos))
        elif count is not None and trail.get("msg"):  # ... but its summary counts it
            await _refresh_summary(update, context, actor, trail)
        if count is not None:
            await brief.copy_photos(context, actor.person_id)
        return True
    at = trail.get("at")
    if trail.get("kind") != "text" or not isinstance(at, str) or message is None \
            or not message.text or now - parse_iso(at) > JOIN_WITHIN:
        return False
    part = router.text_of(update)
    joined = flow_runner.join_text(services.db, flow, actor.person_id, trail["inst"], pos, part,
                                   now=now, update_id=update.update_id)
    if joined is None:
        return True  # already handled (a redelivery)
    follow = None
    if len(part) >= JOIN_MIN:  # yet another part may follow
        follow = dict(trail, at=utcnow_iso(now))
        follow.pop("replaces", None)
    sent = await _show_where(update, context, actor, "flows/ui/joined", trail=follow,
                             run_of=trail, length=joined.length, draft=joined.draft,
                             label=flow_text.label(services.messages, actor.language, flow,
                                                   pos))
    earlier = trail.get("replaces")  # what was sent after the part before, now out of date
    if sent is not None and isinstance(earlier, list) and earlier:
        await delete(context, update.effective_chat.id, [int(i) for i in earlier])
    return True


async def on_message(update: Update, context: KernbotContext, actor: Actor,
                     state: conversations.ConversationState) -> None:
    """A message while a flow runs: the answer to the current question (or more of what the
    person just sent: see `_follow`)."""
    services = context.services
    trail = _trail_of(state)
    if trail is not None and actor.person_id and PARTICIPANT in actor.roles and \
            await _follow(update, context, actor, state, trail):
        return
    run = flow_runs.active(services.db, actor.person_id) if actor.person_id else None
    if run is None or PARTICIPANT not in actor.roles:
        conversations.clear(services.db, update.effective_chat.id)
        await router.route_message(update, context)
        return
    flow = _flow(context, run.flow)
    pos = Pos(run.question, run.idx) if run.question else Pos("")
    selected = state.data.get("sel", []) if state is not None else []
    await _apply(update, context, actor, run,
                 _input_of(update, context, actor, flow, pos, selected), state)


async def on_cancel(context: KernbotContext, actor: Actor,
                    state: conversations.ConversationState) -> None:
    """/cancel: pause the run; every answer stays, restarting the flow resumes."""
    if actor.person_id is not None:
        flow_runner.pause(context.services.db, actor.person_id, context.services.clock.now())


# -- buttons ----------------------------------------------------------------------------------
async def start_button(update: Update, context: KernbotContext, actor: Actor,
                       button: fb.Start) -> None:
    """fl:start:<flow>[:<instance>]: from /start, the reminders and the brief menu."""
    if button.flow == "intake":
        await begin(update, context, actor, "intake")
    elif button.flow == "brief":
        await brief.brief_menu(update, context, actor)
    elif button.flow == "waarom":
        await waarom_command(update, context, actor)
    elif not button.instance:
        await evaluatie_command(update, context, actor)
    else:
        session = evaluation.session_of_person(context.services.db, actor.person_id,
                                               button.instance)
        if session is None:
            await reply(update, context, actor, "flows/ui/session_unknown")
        elif not evaluation.has_ended(session, context.services.clock.now()):
            await reply(update, context, actor, "flows/ui/evaluation_not_yet", session=session,
                        label=flow_views.session_label(context, actor, session))
        else:
            await begin(update, context, actor, "evaluatie", button.instance)


async def _already_answered(update: Update, context: KernbotContext, actor: Actor,
                            flow_id: str | None = None, instance: str = "") -> None:
    """A button of an earlier question: say so, and show where the person is now; when no
    conversation runs, the overview of the one the button belonged to (the person may be
    doing something else: their conversation state is left alone)."""
    services = context.services
    run = flow_runs.active(services.db, actor.person_id)
    if run is None:
        done = flow_runs.get(services.db, actor.person_id, flow_id, instance) \
            if flow_id in services.flows else None
        if done is None or not flow_runner.load_answers(services.db, actor.person_id,
                                                        done.flow, done.instance):
            await reply(update, context, actor, "flows/ui/already_answered_idle")
            return
        if done.status == "paused":  # not done: say how to carry on
            await reply(update, context, actor, "flows/ui/paused", command=COMMANDS[done.flow],
                        title=flow_views.title(context, actor, done.flow, done.instance))
            return
        await show_summary(update, context, actor, done, before="flows/ui/already_done",
                           keep_state=True,
                           title=flow_views.title(context, actor, done.flow, done.instance))
        return
    flow = _flow(context, run.flow)
    answers = flow_runner.load_answers(services.db, actor.person_id, run.flow, run.instance)
    pos = flow_runner.current_position(flow, run, answers)
    if pos is None:
        await show_summary(update, context, actor, run, before="flows/ui/already_done",
                           title=flow_views.title(context, actor, run.flow, run.instance))
        return
    await ask(update, context, actor, run, pos, before="flows/ui/already_answered")


def _paused_at(context: KernbotContext, actor: Actor, button: fb.Answer | fb.Toggle | fb.Move
               ) -> flow_runs.Run | None:
    """The paused run (after /cancel, or another conversation) whose question this button
    belongs to, when it stopped at that very question; None otherwise."""
    if button.flow not in context.services.flows:
        return None
    run = flow_runs.get(context.services.db, actor.person_id, button.flow, button.instance)
    if run is None or run.status != "paused" or run.mode != "ask" \
            or (run.question, run.idx) != (button.question, button.idx):
        return None
    return run


async def question_button(update: Update, context: KernbotContext, actor: Actor,
                          button: fb.Answer | fb.Toggle | fb.Move) -> None:
    """An option, a multiple-choice toggle or a navigation button of the current question."""
    services = context.services
    run = flow_runs.active(services.db, actor.person_id)
    paused = None if run is not None and (run.flow, run.instance) == (
        button.flow, button.instance) else _paused_at(context, actor, button)
    if paused is not None and run is not None:  # another one runs: ask which, as the command
        await begin(update, context, actor, paused.flow, paused.instance, paused.section)
        return
    if paused is not None:  # carries on where the person stopped, with this answer
        run, _pos = flow_runner.start(services.db, _flow(context, paused.flow),
                                      actor.person_id, paused.instance, section=paused.section,
                                      now=services.clock.now())
    if run is None or (run.flow, run.instance) != (button.flow, button.instance) \
            or button.flow not in services.flows:
        await _already_answered(update, context, actor, button.flow, button.instance)
        return
    flow = _flow(context, button.flow)
    target = Pos(button.question, button.idx)
    pos = Pos(run.question, run.idx) if run.question else None
    if pos != target:
        # the recorded position may be outdated (a changed definition): check the answers
        answers = flow_runner.load_answers(services.db, actor.person_id, run.flow, run.instance)
        pos = flow_runner.current_position(flow, run, answers)
    if pos != target:
        await _already_answered(update, context, actor)
        return
    state = conversations.get(services.db, update.effective_chat.id)
    selected = list(state.data.get("sel", [])) if state is not None else []
    if isinstance(button, fb.Toggle):
        q = flow.question(button.question)
        if q is None or button.option not in q.option_ids:
            await _already_answered(update, context, actor)
            return
        selected = [o for o in q.option_ids if (o in selected) != (o == button.option)]
        await toggle(update, context, actor, run, pos, selected)
        return
    if isinstance(button, fb.Answer):
        inp = Input("option", button.option)
    elif button.nav == "done":
        inp = Input("options", selected)
    elif button.nav == "sugg":
        suggestion = flow_views.suggestion(context, actor, flow, pos)
        inp = Input("text", suggestion) if suggestion else Input("other")
    elif button.nav in ("split", "rest", "draft"):
        await _draft_button(update, context, actor, run, flow, pos, button.nav)
        return
    else:
        inp = Input(button.nav)
    await _apply(update, context, actor, run, inp)


async def _draft_button(update: Update, context: KernbotContext, actor: Actor,
                        run: flow_runs.Run, flow: Flow, pos: Pos, nav: str) -> None:
    """A text kept as a draft: split it (this question gets the first part that fits, the rest
    waits for the next question), use the rest here, or have it sent back to shorten it."""
    services = context.services
    draft = drafts.get(services.db, actor.person_id, run.flow, run.instance)
    q = flow.question(pos.qid)
    mine = draft is not None and (draft.question, draft.idx) == (pos.qid, pos.idx)
    if draft is None or q is None or (nav in ("split", "draft") and not mine) or (
            nav == "rest" and draft.question != ""):
        await _already_answered(update, context, actor)
        return
    if nav == "draft":
        await reply(update, context, actor, "flows/ui/draft_back", text=draft.text)
        await ask(update, context, actor, run, pos)
        return
    if nav == "split":
        first, rest = flow_text.split_at(draft.text, q.limit)
        await _apply(update, context, actor, run,
                     Input("text", _transformed(context, actor, q, first)), rest=rest)
        return
    await _apply(update, context, actor, run,
                 Input("text", _transformed(context, actor, q, draft.text)), rest="")


async def edit_button(update: Update, context: KernbotContext, actor: Actor,
                      button: fb.Edit) -> None:
    services = context.services
    if button.flow not in services.flows:
        await reply(update, context, actor, "common/button_expired")
        return
    current = flow_runs.active(services.db, actor.person_id)
    if current is not None and (current.flow, current.instance) != (button.flow,
                                                                    button.instance):
        flow_runner.pause(services.db, actor.person_id, services.clock.now())
    pos = Pos(button.question, button.idx)
    run, ok = flow_runner.edit(services.db, _flow(context, button.flow), actor.person_id,
                               button.instance, pos, now=services.clock.now())
    if not ok:
        await _already_answered(update, context, actor)
        return
    await ask(update, context, actor, run, pos)


async def switch_button(update: Update, context: KernbotContext, actor: Actor,
                        button: fb.Switch) -> None:
    """Pause the current flow and start another (after "pause the current one?")."""
    services = context.services
    flow = services.flows.get(button.flow)
    session = evaluation.session_of_person(services.db, actor.person_id, button.instance) \
        if button.flow == "evaluatie" else None
    if flow is None or (button.section and button.section not in flow.sections) or (
            button.flow == "evaluatie" and (session is None or not evaluation.has_ended(
                session, services.clock.now()))):
        await reply(update, context, actor, "common/button_expired")
        return
    with transaction(services.db):
        paused = flow_runner.pause(services.db, actor.person_id, services.clock.now())
    if paused is not None:
        await reply(update, context, actor, "flows/ui/paused",
                    title=flow_views.title(context, actor, paused.flow, paused.instance),
                    command=COMMANDS[paused.flow])
    await begin(update, context, actor, button.flow, button.instance, button.section,
                confirmed=True)


async def keep_button(update: Update, context: KernbotContext, actor: Actor,
                      button: fb.KeepCurrent) -> None:
    run = flow_runs.active(context.services.db, actor.person_id)
    if run is None:
        await reply(update, context, actor, "common/button_expired")
        return
    await begin(update, context, actor, run.flow, run.instance, run.section)


async def step_button(update: Update, context: KernbotContext, actor: Actor,
                      button: fb.BriefStep) -> None:
    """One part of the design brief, from its menu."""
    if button.section not in context.services.flows["brief"].sections:
        await reply(update, context, actor, "common/button_expired")
        return
    await begin(update, context, actor, "brief", "", button.section)


async def new_chain_button(update: Update, context: KernbotContext, actor: Actor,
                           button: fb.NewChain) -> None:
    """A new five-whys chain (the unfinished ones stay; /brief lists them)."""
    await begin(update, context, actor, "waarom",
                flow_runner.next_chain(context.services.db, actor.person_id))


async def chain_button(update: Update, context: KernbotContext, actor: Actor,
                       button: fb.Chain) -> None:
    """One chain from /brief: a finished one shows its overview (to read or change), an
    unfinished one carries on where it stopped."""
    services = context.services
    instance = str(button.number)
    if not flow_runner.load_answers(services.db, actor.person_id, "waarom", instance):
        await reply(update, context, actor, "common/button_expired")
        return
    flow = _flow(context, "waarom")
    answers = flow_runner.load_answers(services.db, actor.person_id, "waarom", instance)
    run = flow_runs.get(services.db, actor.person_id, "waarom", instance)
    if run is not None and engine.is_complete(flow, answers):
        await show_summary(update, context, actor, run, answers=answers, keep_state=True)
        return
    await begin(update, context, actor, "waarom", instance)
