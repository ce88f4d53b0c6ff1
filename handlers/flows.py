"""Guided conversations in the chat: /intake, /brief, /waarom, /evaluatie and their buttons.

Thin layer over `programme.flow_runner` (which runs the pure engine on stored answers): turn an
update into an engine Input, render the next question, the error or the summary.

Callback data (all under 64 bytes, checked when built and by the flow loader):
  fl:a:<flow>:<inst>:<qid>:<idx>:<option>   answer with an option
  fl:m:<flow>:<inst>:<qid>:<idx>:<option>   toggle an option of a multiple-choice question
  fl:n:<flow>:<inst>:<qid>:<idx>:<nav>      back | skip | stop | keep | done | sugg
  fl:e:<flow>:<inst>:<qid>:<idx>            edit one answer from the summary
  fl:s:<flow>:<inst>:<section>              start (after "pause the current one?")
  fl:k                                      keep going with the current flow
  fl:b:<section|menu>  fl:d:<pdf|docx>  fl:w:new   design brief menu, download, new chain
  flowstart:<flow>  flowstart:evaluatie:<session_id>   sent by /start and the scheduler
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile

from markupsafe import Markup
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler

from documents import brief as brief_document
from flows import engine
from flows.engine import SKIPPED, Flow, Input, Pos
from handlers import router
from handlers.access import PARTICIPANT, Actor, trajectory_ids
from handlers.commands import add_command, guarded
from handlers.context import KernbotContext
from handlers.replies import answer_query, keyboard, reply, send
from programme import flow_progress, flow_runner, flow_text
from storage import conversations, flow_runs, trajectories
from storage.db import transaction

log = logging.getLogger(__name__)
ORDER = 30
PARTICIPANTS = frozenset({PARTICIPANT})
PREFIX = "flow"
COMMANDS = {"intake": "/intake", "brief": "/brief", "waarom": "/waarom",
            "evaluatie": "/evaluatie"}
NAV = ("back", "skip", "stop", "keep", "done", "sugg")


# -- rendering --------------------------------------------------------------------------------
def _msg(context: KernbotContext):
    return context.services.messages


def _title(context: KernbotContext, actor: Actor, flow_id: str) -> str:
    return flow_text.static(_msg(context), f"flows/{flow_id}/title", actor.language)


def option_labels(context: KernbotContext, actor: Actor, q: engine.Question) -> dict[str, str]:
    return flow_text.option_labels(_msg(context), actor.language, q)


def display(context: KernbotContext, actor: Actor, flow: Flow, pos: Pos, value) -> str:
    """An answer as text, in the actor's language."""
    return flow_text.display_value(_msg(context), actor.language, flow, pos, value)


def _label(context: KernbotContext, actor: Actor, flow: Flow, pos: Pos) -> str:
    return flow_text.label(_msg(context), actor.language, flow, pos)


def _prompt_context(context: KernbotContext, actor: Actor, flow: Flow, run: flow_runs.Run,
                    answers: dict, pos: Pos) -> dict:
    chain = [answers[Pos("why", i)] for i in range(pos.idx)
             if answers.get(Pos("why", i)) not in (None, SKIPPED)] if flow.id == "waarom" else []
    return {"round": pos.idx + 1, "chain": chain,
            "problem": answers.get(Pos("problem")) or "", "root": answers.get(Pos("root")) or "",
            "suggestion": bool(_suggestion(context, actor, flow, pos))}


def ctx_key(ctx: dict) -> dict:
    """The prompt context with hashable values (for the static-template cache)."""
    return {k: (tuple(v) if isinstance(v, list) else v) for k, v in ctx.items()}


def _suggestion(context: KernbotContext, actor: Actor, flow: Flow, pos: Pos) -> str:
    q = flow.question(pos.qid)
    if q is None or q.suggest != "brief_problem":
        return ""
    value = flow_progress.flow_answers(context.services.db, actor.person_id, "brief").get(
        ("problem", 0))
    return value or ""


def _data(*parts) -> str:
    return ":".join(str(p) for p in parts)


def question_view(context: KernbotContext, actor: Actor, flow: Flow, run: flow_runs.Run,
                  answers: dict, pos: Pos, selected: list[str] | None = None):
    """(text, markup) of the question at pos."""
    m, lang = _msg(context), actor.language
    section = flow_runner.section_of(run)
    order = engine.positions(flow, answers, section)
    number = order.index(pos) + 1 if pos in order else len(order) + 1
    total = max(len(order), number)
    ctx = _prompt_context(context, actor, flow, run, answers, pos)
    group = flow.group(pos.qid)
    q = engine.Question(pos.qid, "yesno") if group is not None else flow.question(pos.qid)
    prompt_key = (f"flows/{flow.id}/{pos.qid}/more" if group is not None
                  else f"flows/{flow.id}/{pos.qid}/prompt")
    person_specific = bool(ctx["chain"] or ctx["problem"] or ctx["root"] or ctx["suggestion"])
    if not person_specific:
        # no person-specific text in it: render once per process (round is a small number)
        prompt = Markup(flow_text.static(m, prompt_key, lang, html=True, **ctx_key(ctx)))
    else:
        prompt = Markup(m.render(prompt_key, lang, **ctx))
    help_text = Markup(flow_text.static(m, f"flows/{flow.id}/{pos.qid}/help", lang, html=True)) if (
        group is None and q.help) else ""
    current = display(context, actor, flow, pos, answers[pos]) if (
        pos in answers and group is None) else ""
    can_back = number > 1
    optional = group is None and not q.required
    hint = Markup(flow_text.static(m, "flows/ui/hint", lang, html=True, kind=q.type,
                                   limit=q.limit, can_back=can_back, optional=optional))
    section_title = flow_text.static(m, f"flows/{flow.id}/sections/{run.section}", lang) if run.section else ""
    values = dict(title=_title(context, actor, flow.id), section=section_title, number=number,
                  total=total, prompt=prompt, help=help_text, current=current, hint=hint)
    if person_specific or current:
        text = m.render("flows/ui/question", lang, **values)
    else:  # the same words for everybody at this point: render once per process
        text = flow_text.static(m, "flows/ui/question", lang, html=True, **values)
    base = (flow.id, run.instance, pos.qid, pos.idx)
    rows: list[list[tuple[str, str]]] = []
    if q.type in ("choice", "yesno", "scale"):
        labels = option_labels(context, actor, q)
        buttons = [(labels[o], _data("fl", "a", *base, o)) for o in q.option_ids]
        if q.type == "scale" or (q.type == "yesno"):
            rows.append(buttons)
        else:
            rows.extend([b] for b in buttons)
    elif q.type == "multi":
        labels = option_labels(context, actor, q)
        chosen = set(selected or [])
        for o in q.option_ids:
            text_label = (m.plain("flows/buttons/option_on", lang, label=labels[o])
                          if o in chosen else labels[o])
            rows.append([(text_label, _data("fl", "m", *base, o))])
        rows.append([(flow_text.static(m, "flows/buttons/multi_done", lang), _data("fl", "n", *base, "done"))])
    if ctx["suggestion"] and pos not in answers:
        rows.append([(flow_text.static(m, "flows/buttons/use_suggestion", lang),
                      _data("fl", "n", *base, "sugg"))])
    nav = []
    if can_back:
        nav.append((flow_text.static(m, "flows/buttons/back", lang), _data("fl", "n", *base, "back")))
    if optional:
        nav.append((flow_text.static(m, "flows/buttons/skip", lang), _data("fl", "n", *base, "skip")))
    if engine.can_stop(flow, pos):
        rows.append([(flow_text.static(m, "flows/buttons/found_root", lang),
                      _data("fl", "n", *base, "stop"))])
    if pos in answers:
        nav.append((flow_text.static(m, "flows/buttons/keep", lang), _data("fl", "n", *base, "keep")))
    if nav:
        rows.append(nav)
    return text, keyboard(rows) if rows else None


async def ask(update: Update, context: KernbotContext, actor: Actor, run: flow_runs.Run,
              pos: Pos, *, before: str | None = None, selected: list[str] | None = None,
              answers: dict | None = None,
              known_state: conversations.ConversationState | None = None,
              album: dict | None = None, **before_values) -> None:
    """Send the question at pos (optionally preceded by a line such as an error). The chat's
    conversation state is written unless `known_state` shows it is already right."""
    services = context.services
    flow = flow_runner.flows()[run.flow]
    if answers is None:
        answers = flow_runner.load_answers(services.db, actor.person_id, run.flow, run.instance)
    state, data = f"{PREFIX}:{run.flow}", {"instance": run.instance, "sel": selected or []}
    if album:
        data["album"] = album
    if known_state is None or known_state.state != state or known_state.data != data:
        conversations.put(services.db, update.effective_chat.id, state, data,
                          services.clock.now())
    text, markup = question_view(context, actor, flow, run, answers, pos, selected)
    if before:
        text = _msg(context).render(before, actor.language, **before_values) + "\n\n" + text
    await send(context, update.effective_chat.id, text, markup)


async def toggle(update: Update, context: KernbotContext, actor: Actor, run: flow_runs.Run,
                 pos: Pos, selected: list[str]) -> None:
    """A multiple-choice option pressed: remember it and redraw the same message."""
    services = context.services
    flow = flow_runner.flows()[run.flow]
    answers = flow_runner.load_answers(services.db, actor.person_id, run.flow, run.instance)
    conversations.put(services.db, update.effective_chat.id, f"{PREFIX}:{run.flow}",
                      {"instance": run.instance, "sel": selected}, services.clock.now())
    text, markup = question_view(context, actor, flow, run, answers, pos, selected)
    try:
        await update.callback_query.edit_message_text(text, reply_markup=markup)
    except TelegramError as exc:  # too old, or not modified: send it anew
        log.info("could not edit the question message (%s); sending a new one", exc)
        await send(context, update.effective_chat.id, text, markup)


async def show_summary(update: Update, context: KernbotContext, actor: Actor,
                       run: flow_runs.Run, *, before: str | None = None,
                       answers: dict | None = None, album: dict | None = None) -> None:
    services, m, lang = context.services, _msg(context), actor.language
    flow = flow_runner.flows()[run.flow]
    section = flow_runner.section_of(run)
    if answers is None:
        answers = flow_runner.load_answers(services.db, actor.person_id, run.flow, run.instance)
    shown = engine.summary_positions(flow, answers, section)
    rows = [(_label(context, actor, flow, p), display(context, actor, flow, p, answers[p]))
            for p in shown]
    complete = engine.is_complete(flow, answers, section)
    edit = flow_text.static(m, "flows/buttons/edit", lang, label="\x00")
    buttons = [[(edit.replace("\x00", label)[:60],
                 _data("fl", "e", flow.id, run.instance, p.qid, p.idx))]
               for p, (label, _) in zip(shown, rows, strict=True)]
    if flow.id == "brief":
        buttons.append([(flow_text.static(m, "flows/buttons/back_to_brief", lang), "fl:b:menu")])
    if flow.id == "waarom":
        buttons.append([(flow_text.static(m, "flows/buttons/new_chain", lang), "fl:w:new")])
    section_title = flow_text.static(m, f"flows/{flow.id}/sections/{run.section}", lang) if run.section else ""
    text = m.render("flows/ui/summary", lang, title=_title(context, actor, flow.id),
                    section=section_title, rows=rows, complete=complete,
                    done=Markup(m.render(f"flows/ui/done_{flow.id}", lang)))
    if before:
        text = m.render(before, lang) + "\n\n" + text
    if album:  # the rest of a photo album may still arrive: keep collecting it
        conversations.put(services.db, update.effective_chat.id, f"{PREFIX}:album",
                          {"album": album}, services.clock.now())
    else:
        conversations.clear(services.db, update.effective_chat.id)
    await send(context, update.effective_chat.id, text, keyboard(buttons))


# -- starting ---------------------------------------------------------------------------------
async def begin(update: Update, context: KernbotContext, actor: Actor, flow_id: str,
                instance: str = "", section: str = "", *, confirmed: bool = False) -> None:
    """Start or resume a run; first ask to pause another active one."""
    services = context.services
    db, now = services.db, services.clock.now()
    current = flow_runs.active(db, actor.person_id)
    if (current is not None and not confirmed
            and (current.flow, current.instance) != (flow_id, instance)):
        m, lang = _msg(context), actor.language
        current_title = _title(context, actor, current.flow)
        new_title = _title(context, actor, flow_id)
        markup = keyboard([
            [(m.plain("flows/buttons/pause_yes", lang, title=new_title),
              _data("fl", "s", flow_id, instance, section))],
            [(m.plain("flows/buttons/pause_no", lang, title=current_title), "fl:k")]])
        await reply(update, context, actor, "flows/ui/pause_ask", markup,
                    current=current_title, new=new_title)
        return
    fresh = not flow_runner.load_answers(db, actor.person_id, flow_id, instance)
    run, pos = flow_runner.start(db, actor.person_id, flow_id, instance, section=section,
                                 now=now)
    if pos is None:
        await show_summary(update, context, actor, run)
        return
    if fresh and flow_id != "brief":  # the brief's menu already introduced it
        intro = _msg(context).render(f"flows/{flow_id}/intro", actor.language,
                                     session=_session_title(context, actor, flow_id, instance))
        await reply(update, context, actor, "flows/ui/intro", title=_title(context, actor, flow_id),
                    intro=Markup(intro))
        await ask(update, context, actor, run, pos)
    else:
        await ask(update, context, actor, run, pos, before="flows/ui/resume")


def _session_title(context: KernbotContext, actor: Actor, flow_id: str, instance: str) -> str:
    if flow_id != "evaluatie" or not instance.isdigit() or instance == "0":
        return ""
    session = trajectories.get_session(context.services.db, int(instance))
    if session is None:
        return ""
    return _msg(context).plain("flows/ui/session_label", actor.language, number=session.number,
                               title=session.title)


def latest_session_instance(context: KernbotContext, actor: Actor) -> str:
    """The most recent session (started before now) of the actor's trajectories, or "0"."""
    now = context.services.clock.now()
    best = None
    for tid in trajectory_ids(context.services, actor) or set():
        for session in trajectories.sessions_of(context.services.db, tid):
            if session.status == "planned" and session.starts_at <= now and (
                    best is None or session.starts_at > best.starts_at):
                best = session
    return str(best.id) if best else "0"


def session_allowed(context: KernbotContext, actor: Actor, session_id: str) -> bool:
    if not session_id.isdigit():
        return False
    session = trajectories.get_session(context.services.db, int(session_id))
    return session is not None and session.trajectory_id in (
        trajectory_ids(context.services, actor) or set())


async def intake_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/intake: your municipality and your challenge, before the first session."""
    await begin(update, context, actor, "intake")


async def waarom_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/waarom: a five-whys chain (resumes an unfinished one)."""
    db = context.services.db
    instance = flow_runner.open_chain(db, actor.person_id) or flow_runner.next_chain(
        db, actor.person_id)
    await begin(update, context, actor, "waarom", instance)


async def evaluatie_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/evaluatie: evaluate the latest working session."""
    await begin(update, context, actor, "evaluatie", latest_session_instance(context, actor))


async def brief_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/brief: the four parts of the design brief, and the download."""
    await brief_menu(update, context, actor)


async def brief_menu(update: Update, context: KernbotContext, actor: Actor) -> None:
    m, lang, db = _msg(context), actor.language, context.services.db
    flow = flow_runner.flows()["brief"]
    done = flow_progress.brief_steps_done(db, actor.person_id)
    parts = [(m.plain(f"flows/brief/sections/{s}", lang), done[s]) for s in flow.sections]
    rows = [[(m.plain("flows/buttons/step", lang, title=title, done=ok), f"fl:b:{s}")]
            for s, (title, ok) in zip(flow.sections, parts, strict=True)]
    rows.append([(flow_text.static(m, "flows/buttons/waarom", lang), "fl:w:go")])
    rows.append([(flow_text.static(m, "flows/buttons/pdf", lang), "fl:d:pdf"),
                 (flow_text.static(m, "flows/buttons/docx", lang), "fl:d:docx")])
    await reply(update, context, actor, "flows/ui/brief_menu", keyboard(rows),
                intro=m.plain("flows/brief/intro", lang), parts=parts,
                chains=len(flow_progress.chains(db, actor.person_id)))


async def send_brief(update: Update, context: KernbotContext, actor: Actor, kind: str) -> None:
    """Build the design brief document, send it with sendDocument, remove the temporary file."""
    services = context.services
    data = brief_document.collect(services.db, services.messages, actor.person_id,
                                  actor.language, services.clock.now())
    build = brief_document.build_pdf if kind == "pdf" else brief_document.build_docx
    name = f"{brief_document.file_stem(services.messages, data)}.{kind}"
    fd, path = tempfile.mkstemp(suffix=f".{kind}", prefix="kernbot-brief-")
    os.close(fd)
    try:
        build(data, path)
        caption = services.messages.render("flows/ui/document_caption", actor.language,
                                           date=data.version)
        with open(path, "rb") as handle:
            await context.bot.send_document(update.effective_chat.id, handle, filename=name,
                                            caption=caption)
    finally:
        with contextlib.suppress(OSError):
            os.remove(path)


# -- answers ----------------------------------------------------------------------------------
def _input_of(update: Update, context: KernbotContext, actor: Actor, flow: Flow, pos: Pos
              ) -> Input:
    message = update.effective_message
    kind = router.message_kind(update)
    if kind == "text":
        text = message.text
        q = flow.question(pos.qid)
        if q is not None and q.transform == "hkw":
            text = how_might_we(_msg(context).plain("flows/waarom/hkw_prefix", actor.language),
                                text)
        return Input("text", text)
    if kind == "photo":
        return Input("photo", message.photo[-1].file_id)
    if kind == "document":  # an image sent as a file is welcome where a photo is asked
        mime = message.document.mime_type or ""
        return Input("document", message.document.file_id if mime.startswith("image/")
                     or flow.question(pos.qid) is None
                     or flow.question(pos.qid).type == "document" else None)
    return Input(kind)


def how_might_we(prefix: str, text: str) -> str:
    """Turn typed text into a "Hoe kunnen we ...?" question."""
    body = text.strip().lstrip(".… ").strip()
    if not body:
        return text
    if not body.casefold().startswith(prefix.casefold()):
        words = prefix.split()
        for n in range(len(words) - 1, 0, -1):  # "we de leegstand ..." after "Hoe kunnen"
            tail = " ".join(words[n:]).casefold() + " "
            if body.casefold().startswith(tail):
                body = body[len(tail):]
                break
        body = f"{prefix} {body[0].lower()}{body[1:]}" if body else prefix
    if not body.endswith("?"):
        body = body.rstrip(".!") + "?"
    return body


async def _apply(update: Update, context: KernbotContext, actor: Actor, run: flow_runs.Run,
                 inp: Input, state: conversations.ConversationState | None = None) -> None:
    services = context.services
    was_edit = run.mode == "edit"
    labels: dict[str, str] = {}

    def labels_for(question: engine.Question) -> dict[str, str]:
        labels.update(option_labels(context, actor, question))
        return labels

    sub = flow_runner.submit(services.db, run, inp, now=services.clock.now(),
                             update_id=update.update_id, labels_for=labels_for)
    if sub.duplicate:
        return
    run, answers = sub.run, sub.answers
    if not sub.result.ok:
        params = dict(sub.result.params)
        if sub.result.error == "unknown_option" and labels:
            params["options"] = ", ".join(labels.values())
        if sub.next is None:
            await show_summary(update, context, actor, run)
            return
        await ask(update, context, actor, run, sub.next, before=f"flows/errors/{sub.result.error}",
                  answers=answers, known_state=state, **params)
        return
    album = None
    group_id = getattr(update.effective_message, "media_group_id", None)
    if inp.kind in ("photo", "document") and group_id and sub.result.writes:
        at = sub.result.writes[0][0]
        album = {"gid": group_id, "flow": run.flow, "inst": run.instance, "q": at.qid,
                 "idx": at.idx}
    if sub.next is None:
        await show_summary(update, context, actor, run,
                           before="flows/ui/edited" if was_edit else None, answers=answers,
                           album=album)
        return
    await ask(update, context, actor, run, sub.next, answers=answers, known_state=state,
              album=album)


@router.on_state(PREFIX)
async def on_message(update: Update, context: KernbotContext, actor: Actor,
                     state: conversations.ConversationState) -> None:
    """A message while a flow runs: the answer to the current question."""
    services = context.services
    album = state.data.get("album")
    message = update.effective_message
    if album and actor.person_id and message is not None and message.media_group_id == \
            album.get("gid") and (message.photo or message.document):
        file_id = message.photo[-1].file_id if message.photo else message.document.file_id
        flow_runner.add_to_album(services.db, actor.person_id, album["flow"], album["inst"],
                                 Pos(album["q"], album["idx"]), file_id,
                                 now=services.clock.now(), update_id=update.update_id)
        return  # the rest of an album the person just sent: collected quietly
    run = flow_runs.active(services.db, actor.person_id) if actor.person_id else None
    if run is None or actor.role != PARTICIPANT:
        conversations.clear(services.db, update.effective_chat.id)
        await router.route_message(update, context)
        return
    flow = flow_runner.flows()[run.flow]
    pos = Pos(run.question, run.idx) if run.question else Pos("")
    await _apply(update, context, actor, run, _input_of(update, context, actor, flow, pos), state)


@router.on_cancel(PREFIX)
async def on_cancel(context: KernbotContext, actor: Actor,
                    state: conversations.ConversationState) -> None:
    """/cancel: pause the run; every answer stays, restarting the flow resumes."""
    if actor.person_id is not None:
        flow_runner.pause(context.services.db, actor.person_id, context.services.clock.now())


# -- buttons ----------------------------------------------------------------------------------
async def on_button(update: Update, context: KernbotContext, actor: Actor) -> None:
    """Every fl:... and flowstart:... button."""
    await answer_query(update)
    data = update.callback_query.data or ""
    parts = data.split(":")
    if parts[0] == "flowstart":
        await _flowstart(update, context, actor, parts[1:])
        return
    verb, args = (parts[1] if len(parts) > 1 else ""), parts[2:]
    if verb in ("a", "m", "n") and len(args) == 5:
        await _question_button(update, context, actor, verb, args)
    elif verb == "e" and len(args) == 4:
        await _edit_button(update, context, actor, args)
    elif verb == "s" and len(args) == 3:
        await _confirmed_start(update, context, actor, *args)
    elif verb == "k":
        await _continue_current(update, context, actor)
    elif verb == "b" and len(args) == 1:
        if args[0] == "menu":
            await brief_menu(update, context, actor)
        elif args[0] in flow_runner.flows()["brief"].sections:
            await begin(update, context, actor, "brief", "", args[0])
        else:
            await reply(update, context, actor, "common/button_expired")
    elif verb == "d" and args in (["pdf"], ["docx"]):
        await send_brief(update, context, actor, args[0])
    elif verb == "w":
        if args == ["new"]:
            db = context.services.db
            await begin(update, context, actor, "waarom",
                        flow_runner.open_chain(db, actor.person_id)
                        or flow_runner.next_chain(db, actor.person_id))
        else:
            await waarom_command(update, context, actor)
    else:
        await reply(update, context, actor, "common/button_expired")


async def _flowstart(update: Update, context: KernbotContext, actor: Actor,
                     args: list[str]) -> None:
    if args == ["intake"]:
        await begin(update, context, actor, "intake")
    elif args == ["brief"]:
        await brief_menu(update, context, actor)
    elif args == ["waarom"]:
        await waarom_command(update, context, actor)
    elif args == ["evaluatie"]:
        await evaluatie_command(update, context, actor)
    elif len(args) == 2 and args[0] == "evaluatie":
        if not session_allowed(context, actor, args[1]):
            await reply(update, context, actor, "flows/ui/session_unknown")
            return
        await begin(update, context, actor, "evaluatie", args[1])
    else:
        await reply(update, context, actor, "common/button_expired")


async def _already_answered(update: Update, context: KernbotContext, actor: Actor) -> None:
    """A button of an earlier question: say so, and show where the person is now."""
    services = context.services
    run = flow_runs.active(services.db, actor.person_id)
    if run is None:
        await reply(update, context, actor, "flows/ui/already_answered")
        return
    flow = flow_runner.flows()[run.flow]
    answers = flow_runner.load_answers(services.db, actor.person_id, run.flow, run.instance)
    pos = flow_runner.current_position(flow, run, answers)
    if pos is None:
        await show_summary(update, context, actor, run, before="flows/ui/already_answered")
        return
    await ask(update, context, actor, run, pos, before="flows/ui/already_answered")


async def _question_button(update: Update, context: KernbotContext, actor: Actor, verb: str,
                           args: list[str]) -> None:
    services = context.services
    flow_id, instance, qid, idx, value = args
    run = flow_runs.active(services.db, actor.person_id)
    flows = flow_runner.flows()
    if run is None or (run.flow, run.instance) != (flow_id, instance) or flow_id not in flows \
            or not idx.isdigit():
        await _already_answered(update, context, actor)
        return
    flow = flows[flow_id]
    pos = Pos(run.question, run.idx) if run.question else None
    if pos is None or pos != Pos(qid, int(idx)):
        # the recorded position may be outdated (a changed definition): check the answers
        answers = flow_runner.load_answers(services.db, actor.person_id, flow_id, instance)
        pos = flow_runner.current_position(flow, run, answers)
    if pos != Pos(qid, int(idx)):
        await _already_answered(update, context, actor)
        return
    state = conversations.get(services.db, update.effective_chat.id)
    selected = list(state.data.get("sel", [])) if state is not None else []
    if verb == "m":
        q = flow.question(qid)
        if q is None or value not in q.option_ids:
            await _already_answered(update, context, actor)
            return
        selected = [o for o in q.option_ids if (o in selected) != (o == value)]
        await toggle(update, context, actor, run, pos, selected)
        return
    if verb == "a":
        inp = Input("option", value)
    elif value == "done":
        inp = Input("options", selected)
    elif value == "sugg":
        suggestion = _suggestion(context, actor, flow, pos)
        inp = Input("text", suggestion) if suggestion else Input("other")
    elif value in NAV:
        inp = Input(value)
    else:
        await reply(update, context, actor, "common/button_expired")
        return
    await _apply(update, context, actor, run, inp)


async def _edit_button(update: Update, context: KernbotContext, actor: Actor,
                       args: list[str]) -> None:
    services = context.services
    flow_id, instance, qid, idx = args
    if flow_id not in flow_runner.flows() or not idx.isdigit():
        await reply(update, context, actor, "common/button_expired")
        return
    current = flow_runs.active(services.db, actor.person_id)
    if current is not None and (current.flow, current.instance) != (flow_id, instance):
        flow_runner.pause(services.db, actor.person_id, services.clock.now())
    run, ok = flow_runner.edit(services.db, actor.person_id, flow_id, instance,
                               Pos(qid, int(idx)), now=services.clock.now())
    if not ok:
        await _already_answered(update, context, actor)
        return
    await ask(update, context, actor, run, Pos(qid, int(idx)))


async def _confirmed_start(update: Update, context: KernbotContext, actor: Actor,
                           flow_id: str, instance: str, section: str) -> None:
    flows = flow_runner.flows()
    if flow_id not in flows or (section and section not in flows[flow_id].sections) or (
            flow_id == "evaluatie" and instance != "0"
            and not session_allowed(context, actor, instance)):
        await reply(update, context, actor, "common/button_expired")
        return
    services = context.services
    with transaction(services.db):
        paused = flow_runner.pause(services.db, actor.person_id, services.clock.now())
    if paused is not None:
        await reply(update, context, actor, "flows/ui/paused",
                    title=_title(context, actor, paused.flow), command=COMMANDS[paused.flow])
    await begin(update, context, actor, flow_id, instance, section, confirmed=True)


async def _continue_current(update: Update, context: KernbotContext, actor: Actor) -> None:
    run = flow_runs.active(context.services.db, actor.person_id)
    if run is None:
        await reply(update, context, actor, "common/button_expired")
        return
    await begin(update, context, actor, run.flow, run.instance, run.section)


def register(app: Application) -> None:
    # Load and check every flow now: a broken definition stops the bot before it starts.
    from flows.engine import DefinitionError
    from flows.loader import shipped

    try:
        shipped(app.bot_data["services"].messages.has)
    except DefinitionError as exc:
        log.critical("a flow definition is broken: %s", exc)
        raise SystemExit(f"kernbot: a flow definition is broken: {exc}") from exc
    add_command(app, "intake", intake_command, PARTICIPANTS, order=20)
    add_command(app, "brief", brief_command, PARTICIPANTS, order=21)
    add_command(app, "waarom", waarom_command, PARTICIPANTS, order=22)
    add_command(app, "evaluatie", evaluatie_command, PARTICIPANTS, order=23)
    app.add_handler(CallbackQueryHandler(guarded(PARTICIPANTS, on_button),
                                         pattern=r"^(fl|flowstart):"))
