"""The inspiration library in the chat: "laat me voorbeelden zien" at brief step 2's practices
question (and from /groep): the practices that fit the participant's theme and challenge, or
the whole library; a chosen practice is kept with step 2 and appears in the brief document.
Rules and data: programme/library.py; buttons: buttons/library.py."""

from __future__ import annotations

from telegram import Update

from buttons import flows as fb
from buttons import library as lb
from handlers import flows
from handlers.access import PARTICIPANT, Actor
from handlers.context import KernbotContext
from handlers.replies import keyboard, label, reply
from programme import library
from storage import flow_runs, updates
from storage import practices as store
from storage.db import transaction

LIMIT = 8        # practices that fit, per message
LIMIT_ALL = 40   # the whole library: one button each, Telegram allows 100


def examples_row(context: KernbotContext, lang: str) -> list[tuple[str, str]]:
    """The "laat me voorbeelden zien" button, for the question where the flow offers it."""
    return [(context.services.messages.static("library/show_button", lang),
             lb.Examples("fit").pack())]


def _at_examples_question(context: KernbotContext, actor: Actor) -> flow_runs.Run | None:
    """The person's active run when it waits at a question that offers the examples."""
    run = flow_runs.active(context.services.db, actor.person_id) if actor.person_id else None
    return run if run is not None and (run.flow, run.question) in library.EXAMPLES_AT else None


async def examples_button(update: Update, context: KernbotContext, actor: Actor,
                          button: lb.Examples) -> None:
    """Practices that fit you (your trajectory's theme, the words of your challenge), or all."""
    services = context.services
    db, lang = services.db, actor.language
    participant = PARTICIPANT in actor.roles
    scope = button.scope if participant else "all"   # staff browse the whole library
    fitting = library.for_person(db, services.library, actor.person_id, LIMIT) \
        if scope == "fit" else []
    every = library.catalogue(db, services.library)
    shown = fitting if fitting else every[:LIMIT] if scope == "fit" else every[:LIMIT_ALL]
    chosen = {c.key for c in store.chosen(db, actor.person_id)} if actor.person_id else set()
    rows = []
    if participant:
        rows = [[(label(context, actor, "library/choose_button", title=p.text(lang).title,
                        chosen=p.key in chosen), lb.Choose(p.key).pack())] for p in shown]
    other = "all" if scope == "fit" else "fit"
    if participant:
        rows.append([(label(context, actor, f"library/{other}_button"),
                      lb.Examples(other).pack())])
    if _at_examples_question(context, actor):
        rows.append([(label(context, actor, "library/back_button"),
                      fb.BriefStep("step2").pack())])
    await reply(update, context, actor, "library/examples", keyboard(rows),
                practices=[(p, p.text(lang)) for p in shown], scope=scope,
                fitting=bool(fitting), total=len(every), chooser=participant)


async def choose_button(update: Update, context: KernbotContext, actor: Actor,
                        button: lb.Choose) -> None:
    """Keep a practice with brief step 2 (pressed again: off again); back to the question when
    the person was answering it."""
    services = context.services
    db, now = services.db, services.clock.now()
    practice = library.find(db, services.library, button.key)
    if practice is None:
        await reply(update, context, actor, "common/button_expired")
        return
    text = practice.text(actor.language)
    with transaction(db):
        on = store.choose(db, actor.person_id, practice.key, text.title, text.place, now)
        if not on:
            store.unchoose(db, actor.person_id, practice.key)
        updates.mark(db, update.update_id, now)
    await reply(update, context, actor, "library/chosen" if on else "library/unchosen",
                title=text.title, place=text.place)
    run = _at_examples_question(context, actor)
    if run is not None:   # back to the question the person was answering
        await flows.begin(update, context, actor, run.flow, run.instance, run.section)
