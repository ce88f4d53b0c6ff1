"""What a guided conversation looks like in the chat: the question with its buttons, and the
summary with its edit buttons. Pure rendering (text + keyboard), nothing is sent or stored."""

from __future__ import annotations

from markupsafe import Markup
from telegram import InlineKeyboardMarkup

from buttons import flows as fb
from buttons import library as lb
from buttons import sharing as sh
from flows import engine
from flows.engine import SKIPPED, Flow, Pos
from handlers.access import Actor
from handlers.context import KernbotContext
from programme import evaluation, flow_progress, flow_runner, flow_text, library, sharing
from storage import drafts, flow_runs
from storage import practices as practice_store


def title(context: KernbotContext, actor: Actor, flow_id: str, instance: str = "") -> str:
    """The conversation's name; an evaluation names the working session it is about."""
    if flow_id == "evaluatie" and instance:
        session = evaluation.session_of_person(context.services.db, actor.person_id, instance)
        if session is not None:
            return context.services.messages.plain("flows/evaluatie/title_session",
                                                   actor.language, number=session.number)
    return context.services.messages.static(f"flows/{flow_id}/title", actor.language)


def session_label(context: KernbotContext, actor: Actor, session) -> str:
    """"werksessie 2: Stap 2: ..." in the person's language."""
    messages = context.services.messages
    return messages.plain("flows/ui/session_label", actor.language, number=session.number,
                          title=messages.programme_text(session, "title", actor.language))


def session_values(context: KernbotContext, actor: Actor, flow_id: str, instance: str) -> dict:
    """What the evaluation's intro and closing words need: the session, and whether it was
    the last of the trajectory."""
    if flow_id != "evaluatie":
        return {"session": "", "last": False}
    db = context.services.db
    session = evaluation.session_of_person(db, actor.person_id, instance)
    if session is None:
        return {"session": "", "last": False}
    return {"session": session_label(context, actor, session),
            "last": evaluation.is_last(db, session)}


def option_labels(context: KernbotContext, actor: Actor, q: engine.Question) -> dict[str, str]:
    return flow_text.option_labels(context.services.messages, actor.language, q)


def display(context: KernbotContext, actor: Actor, flow: Flow, pos: Pos, value) -> str:
    """An answer as text, in the actor's language."""
    return flow_text.display_value(context.services.messages, actor.language, flow, pos, value)


# Where a question's suggested answer comes from (`suggest` in the flow definition): an
# answer the person already gave elsewhere, offered with a button instead of asked twice.
SUGGESTIONS = {"brief_problem": ("brief", "problem"),        # a new chain starts from it
               "intake_challenge": ("intake", "challenge")}  # brief step 1 starts from it


def suggestion(context: KernbotContext, actor: Actor, flow: Flow, pos: Pos) -> str:
    """A prefilled answer offered with a button (what the person wrote elsewhere)."""
    q = flow.question(pos.qid)
    source = SUGGESTIONS.get(q.suggest) if q is not None else None
    if source is None or actor.person_id is None:
        return ""
    value = flow_progress.flow_answers(context.services.db, actor.person_id, source[0]).get(
        (source[1], 0))
    return value if isinstance(value, str) else ""


def _prompt_context(context: KernbotContext, actor: Actor, flow: Flow, answers: dict,
                    pos: Pos) -> dict:
    chain = [answers[Pos("why", i)] for i in range(pos.idx)
             if answers.get(Pos("why", i)) not in (None, SKIPPED)] if flow.id == "waarom" else []
    suggested = suggestion(context, actor, flow, pos)
    person = actor.person
    return {"round": pos.idx + 1, "chain": chain,
            "problem": answers.get(Pos("problem")) or "", "root": answers.get(Pos("root")) or "",
            "suggestion": bool(suggested), "suggested": suggested,
            # known from the enrolment: not asked again
            "department": (person.department if person else "") or "",
            "municipality": (person.municipality if person else "") or ""}


_PERSONAL = ("chain", "problem", "root", "suggestion", "suggested", "department",
             "municipality")


def _hashable(ctx: dict) -> dict:
    return {k: (tuple(v) if isinstance(v, list) else v) for k, v in ctx.items()}


def question_view(context: KernbotContext, actor: Actor, flow: Flow, run: flow_runs.Run,
                  answers: dict, pos: Pos, selected: list[str] | None = None,
                  order: tuple[Pos, ...] | None = None, known_draft=flow_runner.UNREAD
                  ) -> tuple[str, InlineKeyboardMarkup | None]:
    """(text, markup) of the question at pos; `order` (the positions to ask) and the run's
    draft (a Draft or None) when known."""
    m, lang = context.services.messages, actor.language
    if order is None:
        order = engine.positions(flow, answers, flow_runner.section_of(run))
    numbered = engine.counter(flow, pos, flow_runner.section_of(run))
    number, total = numbered or (None, None)
    ctx = _prompt_context(context, actor, flow, answers, pos)
    group = flow.group(pos.qid)
    q = engine.Question(pos.qid, "yesno") if group is not None else flow.question(pos.qid)
    prompt_key = (f"flows/{flow.id}/{pos.qid}/more" if group is not None
                  else f"flows/{flow.id}/{pos.qid}/prompt")
    # person-specific only when this prompt reads one of the person's values (most prompts
    # read none of them: rendered once per process then)
    read = m.variables(prompt_key, lang)
    person_specific = any(ctx[name] for name in _PERSONAL if name in read)
    if not person_specific:
        # no person-specific text in it: rendered once per process (round is a small number)
        prompt = Markup(m.static(prompt_key, lang, html=True,
                                 **{k: v for k, v in _hashable(ctx).items() if k in read}))
    else:
        prompt = Markup(m.render(prompt_key, lang, **ctx))
    help_text = Markup(m.static(f"flows/{flow.id}/{pos.qid}/help", lang, html=True)) if (
        group is None and q.help) else ""
    current = display(context, actor, flow, pos, answers[pos]) if (
        pos in answers and group is None) else ""
    can_back = order.index(pos) > 0 if pos in order else bool(order)
    optional = group is None and not q.required
    hint = Markup(m.static("flows/ui/hint", lang, html=True, kind=q.type, limit=q.limit,
                           can_back=can_back, optional=optional))
    section_title = m.static(f"flows/{flow.id}/sections/{run.section}", lang) \
        if run.section else ""
    values = dict(title=title(context, actor, flow.id, run.instance), section=section_title,
                  number=number,
                  total=total, prompt=prompt, help=help_text, current=current, hint=hint)
    if person_specific or current:
        text = m.render("flows/ui/question", lang, **values)
    else:  # the same words for everybody at this point: rendered once per process
        text = m.static("flows/ui/question", lang, html=True, **values)
    draft = draft_here(context, actor, flow, run, pos, q, known_draft)
    view_key = ("question", flow.id, run.instance, pos, lang, tuple(selected or ()), can_back,
                optional, pos in answers, ctx["suggestion"], draft)
    markup = context.keyboards.cached(view_key)
    if markup is None:
        markup = context.keyboards.remember(view_key, _question_rows(
            context, actor, flow, run, pos, q, selected, can_back, optional, pos in answers,
            ctx["suggestion"], draft))
    return text, markup


def draft_here(context: KernbotContext, actor: Actor, flow: Flow, run: flow_runs.Run, pos: Pos,
               q: engine.Question, draft=flow_runner.UNREAD) -> str:
    """"too_long": the run's draft was too long for this question (split it, or have it sent
    back to shorten); "rest": what is left of a split text may answer this one; "" else.
    `draft`: the run's draft when the caller just read it (None: there is none)."""
    if q.type not in engine.TEXT_TYPES or actor.person_id is None:
        return ""
    if draft is flow_runner.UNREAD:
        draft = drafts.get(context.services.db, actor.person_id, flow.id, run.instance)
    if draft is None:
        return ""
    if (draft.question, draft.idx) == (pos.qid, pos.idx):
        return "too_long"
    return "rest" if draft.question == "" else ""


def _question_rows(context: KernbotContext, actor: Actor, flow: Flow, run: flow_runs.Run,
                   pos: Pos, q: engine.Question, selected: list[str] | None, can_back: bool,
                   optional: bool, answered: bool, suggested: bool, draft: str = ""
                   ) -> list[list[tuple[str, str]]]:
    m, lang = context.services.messages, actor.language
    base = (flow.id, run.instance, pos.qid, pos.idx)
    rows: list[list[tuple[str, str]]] = []
    if q.type in ("choice", "yesno", "scale"):
        labels = option_labels(context, actor, q)
        buttons = [(labels[o], fb.Answer(*base, o).pack()) for o in q.option_ids]
        if q.type in ("scale", "yesno"):
            rows.append(buttons)
        else:
            rows.extend([b] for b in buttons)
    elif q.type == "multi":
        labels = option_labels(context, actor, q)
        chosen = set(selected or [])
        for o in q.option_ids:
            text_label = (m.plain("flows/buttons/option_on", lang, label=labels[o])
                          if o in chosen else labels[o])
            rows.append([(text_label, fb.Toggle(*base, o).pack())])
        rows.append([(m.static("flows/buttons/multi_done", lang),
                      fb.Move(*base, "done").pack())])
    if suggested and not answered:
        rows.append([(m.static("flows/buttons/use_suggestion", lang, kind=q.suggest),
                      fb.Move(*base, "sugg").pack())])
    if draft == "too_long":
        rows.append([(m.static("flows/buttons/split", lang), fb.Move(*base, "split").pack())])
        rows.append([(m.static("flows/buttons/draft_back", lang),
                      fb.Move(*base, "draft").pack())])
    elif draft == "rest":
        rows.append([(m.static("flows/buttons/use_rest", lang), fb.Move(*base, "rest").pack())])
    nav = []
    if can_back:
        nav.append((m.static("flows/buttons/back", lang), fb.Move(*base, "back").pack()))
    if optional:
        nav.append((m.static("flows/buttons/skip", lang), fb.Move(*base, "skip").pack()))
    if engine.can_stop(flow, pos):
        rows.append([(m.static("flows/buttons/found_root", lang), fb.Move(*base, "stop").pack())])
    if answered:
        nav.append((m.static("flows/buttons/keep", lang), fb.Move(*base, "keep").pack()))
    if nav:
        rows.append(nav)
    if (flow.id, pos.qid) in library.EXAMPLES_AT:  # "laat me voorbeelden zien" (issue 17)
        rows.append([(m.static("library/show_button", lang), lb.Examples("fit").pack())])
    return rows


def summary_view(context: KernbotContext, actor: Actor, flow: Flow, run: flow_runs.Run,
                 answers: dict, closing: bool = False) -> tuple[str, InlineKeyboardMarkup]:
    """(text, markup) of the summary: every answer with an edit button; with the closing
    words ("Dank je wel! Je intake is klaar") when the last answer just completed it."""
    m, lang = context.services.messages, actor.language
    section = flow_runner.section_of(run)
    shown = engine.summary_positions(flow, answers, section)
    rows = [(flow_text.label(m, lang, flow, p), display(context, actor, flow, p, answers[p]))
            for p in shown]
    complete = engine.is_complete(flow, answers, section)
    key = ("summary", flow.id, run.instance, tuple(shown), lang, complete, run.section)
    markup = context.keyboards.cached(key)
    if markup is None:
        edit = m.static("flows/buttons/edit", lang, label="\x00")
        buttons = [[(edit.replace("\x00", label)[:60],
                     fb.Edit(flow.id, run.instance, p.qid, p.idx).pack())]
                   for p, (label, _) in zip(shown, rows, strict=True)]
        if flow.id == "brief":
            buttons.append([(m.static("flows/buttons/back_to_brief", lang),
                             fb.BriefMenu().pack())])
        if flow.id == "waarom":
            buttons.append([(m.static("flows/buttons/new_chain", lang), fb.NewChain().pack())])
        offer = sharing.offer_after(flow.id, run.instance, section, complete)
        if offer is not None:  # "Deel met je groep?" (issue 17)
            buttons.append([(m.static("sharing/offer_button", lang), sh.Offer(*offer).pack())])
        markup = context.keyboards.remember(key, buttons)
    section_title = m.static(f"flows/{flow.id}/sections/{run.section}", lang) \
        if run.section else ""
    if flow.id == "brief" and section == "step2":  # what was kept from the library, as in the PDF
        picked = practice_store.chosen(context.services.db, actor.person_id)
        if picked:
            rows = [*rows, (m.static("flows/doc/chosen_practices", lang),
                            "\n".join(f"• {c.title} ({c.place})" for c in picked))]
    text = m.render("flows/ui/summary", lang, title=title(context, actor, flow.id, run.instance),
                    section=section_title, rows=rows, complete=complete,
                    done=Markup(m.static(f"flows/ui/done_{flow.id}", lang, html=True,
                                         **_hashable(session_values(context, actor, flow.id,
                                                                    run.instance))))
                    if closing else "")
    return text, markup
