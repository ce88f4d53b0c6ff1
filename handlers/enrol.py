"""After `/start CODE`: a new participant confirms or types name, municipality and department,
then gets the greeting with the intake button.

The chat's place is the conversation state `enrol:<field>` (written with the answer, in one
transaction with the update id), so a restart in the middle resumes at the same question.
"""

from __future__ import annotations

from telegram import Update

from buttons.enrol import PREFIX, AsTyped, KeepValue, Suggestion
from handlers.access import Actor, actor_of
from handlers.context import KernbotContext
from handlers.replies import keyboard, label, reply
from handlers.router import button_words, plain_words, text_of
from programme import enrolment, overview, places
from storage import conversations, updates
from storage.db import transaction


def _state(field: str) -> str:
    return f"{PREFIX}:{field}"


# After /cancel: no question is open (a message is not taken as an answer), but /start carries
# on with the question where the person stopped. No handler routes this prefix.
PAUSED = f"{PREFIX}_paused"


async def on_cancel(context: KernbotContext, actor: Actor,
                    state: conversations.ConversationState) -> tuple[str, dict]:
    return f"{PAUSED}:{state.state.split(':', 1)[1]}", {}


def paused_field(state: conversations.ConversationState | None) -> str | None:
    """The question an enrolment stopped at with /cancel, if it did."""
    if state is None or state.prefix != PAUSED:
        return None
    field = state.state.split(":", 1)[1]
    return field if field in enrolment.PROFILE_FIELDS else None


async def begin(update: Update, context: KernbotContext, actor: Actor) -> None:
    """Start the questions for a participant who just enrolled."""
    services = context.services
    first = enrolment.next_profile_field(None)
    conversations.put(services.db, update.effective_chat.id, _state(first), {},
                      services.clock.now())
    views = overview.views_of(services.db, actor.person.id, services.clock.now())
    await ask(update, context, actor, first, first=True, views=views)


async def ask(update: Update, context: KernbotContext, actor: Actor, field: str, *,
              first: bool = False, views: list | None = None, typed: bool = False,
              part: str = "") -> None:
    """The question of `field`; with a value (prefilled, or just typed: `typed`) it is read
    back with a "Klopt" button. `part`: the deelgemeente typed, read back with its
    municipality."""
    value = getattr(actor.person, field) if actor.person else ""
    markup = None
    if value:
        markup = keyboard([[(label(context, actor, "buttons/enrol_ok"),
                             KeepValue(field).pack())]])
    await reply(update, context, actor, "enrol/ask", markup, field=field, value=value,
                first=first, views=views or [], typed=typed, part=part)


async def resume(update: Update, context: KernbotContext, actor: Actor,
                 state: conversations.ConversationState) -> None:
    """Ask the open question again (after /start, or a message that is not an answer; after
    /cancel, /start opens it again)."""
    field = paused_field(state)
    if field is not None:
        conversations.put(context.services.db, update.effective_chat.id, _state(field), {},
                          context.services.clock.now())
        await ask(update, context, actor, field)
        return
    await ask(update, context, actor, state.state.split(":", 1)[1],
              typed=bool(state.data.get("typed")), part=state.data.get("part") or "")


async def _read_back(update: Update, context: KernbotContext, actor: Actor, field: str,
                     value: str, part: str = "") -> None:
    """Store what was typed but stay at the question: it is read back for a "Klopt"."""
    services = context.services
    now = services.clock.now()
    with transaction(services.db):
        enrolment.save_profile_value(services.db, actor.person.id, field, value, now)
        conversations.put(services.db, update.effective_chat.id, _state(field),
                          {"typed": True, "part": part}, now)
        updates.mark(services.db, update.update_id, now)
    await ask(update, context, actor_of(update, services), field, typed=True, part=part)


async def _municipality(update: Update, context: KernbotContext, actor: Actor,
                        value: str) -> None:
    """A municipality from the list goes on; a deelgemeente is read back with its
    municipality; a name not in the list gets the closest ones to pick from."""
    found = places.match(value)
    if len(found) == 1 and found[0].is_municipality:
        await _advance(update, context, actor, "municipality", found[0].name)
        return
    if len(found) == 1 and found[0].municipality:
        await _read_back(update, context, actor, "municipality", found[0].municipality,
                         part=found[0].name)
        return
    options = found if found else places.closest(value)
    options = [p for p in options if p.municipality] or []
    services = context.services
    conversations.put(services.db, update.effective_chat.id, _state("municipality"),
                      {"typed": False, "asked": value,
                       "suggest": [p.municipality for p in options]}, services.clock.now())
    rows = [[(label(context, actor, "enrol/suggestion", place=p), Suggestion(i).pack())]
            for i, p in enumerate(options)]
    rows.append([(label(context, actor, "enrol/as_typed", value=value), AsTyped().pack())])
    await reply(update, context, actor, "enrol/municipality_unknown", keyboard(rows),
                value=value, options=options, several=bool(found))


async def _advance(update: Update, context: KernbotContext, actor: Actor, field: str,
                   value: str | None) -> None:
    """Store the answer (None: keep what is there), move the state on; one transaction."""
    services = context.services
    now = services.clock.now()
    following = enrolment.next_profile_field(field)
    chat_id = update.effective_chat.id
    with transaction(services.db):
        if value is not None:
            enrolment.save_profile_value(services.db, actor.person.id, field, value, now)
        if following is None:
            conversations.clear(services.db, chat_id)
        else:
            conversations.put(services.db, chat_id, _state(following), {}, now)
        updates.mark(services.db, update.update_id, now)
    actor = actor_of(update, services)
    if following is not None:
        await ask(update, context, actor, following)
        return
    from handlers.start import greet

    await greet(update, context, actor, welcome_back=False)


async def on_answer(update: Update, context: KernbotContext, actor: Actor,
                    state: conversations.ConversationState) -> None:
    field = state.state.split(":", 1)[1]
    if actor.person is None or field not in enrolment.PROFILE_FIELDS:
        conversations.clear(context.services.db, update.effective_chat.id)
        await reply(update, context, actor, "common/button_expired")
        return
    message = update.effective_message
    if message is None or not message.text:
        await reply(update, context, actor, "enrol/text_please")
        await ask(update, context, actor, field)
        return
    if getattr(actor.person, field, "") and _says_ok(context, actor, text_of(update)):
        await _advance(update, context, actor, field, None)   # typed "Klopt": the button
        return
    value = enrolment.clean_profile_value(text_of(update))
    if value is None:
        await reply(update, context, actor, "enrol/invalid", maximum=enrolment.PROFILE_MAX)
        return
    if field == "name":
        await _read_back(update, context, actor, field, value)   # "Klopt dat?"
    elif field == "municipality":
        await _municipality(update, context, actor, value)
    elif not enrolment.has_words(value):
        await reply(update, context, actor, "enrol/department_words")
    else:
        await _advance(update, context, actor, field, value)


def _says_ok(context: KernbotContext, actor: Actor, text: str) -> bool:
    """The typed text is the "Klopt" button's label, or a word for it ("ja", "juist")."""
    return plain_words(text) in button_words(context.services.messages, "buttons/enrol_ok",
                                             "enrol/typed_ok", actor.language)


async def on_ok_button(update: Update, context: KernbotContext, actor: Actor,
                       button: KeepValue) -> None:
    """"Klopt": keep the prefilled value of the question the chat is at."""
    services = context.services
    field = button.field
    state = conversations.get(services.db, update.effective_chat.id)
    if (actor.person is None or state is None or state.state != _state(field)
            or not getattr(actor.person, field, "")):
        await reply(update, context, actor, "common/button_expired")
        return
    await _advance(update, context, actor, field, None)


async def on_suggestion(update: Update, context: KernbotContext, actor: Actor,
                        button: Suggestion) -> None:
    """One of the suggested municipalities."""
    state = conversations.get(context.services.db, update.effective_chat.id)
    suggestions = state.data.get("suggest") if state is not None else None
    if (actor.person is None or state is None or state.state != _state("municipality")
            or not isinstance(suggestions, list) or button.index >= len(suggestions)):
        await reply(update, context, actor, "common/button_expired")
        return
    await _advance(update, context, actor, "municipality", str(suggestions[button.index]))


async def on_as_typed(update: Update, context: KernbotContext, actor: Actor,
                      button: AsTyped) -> None:
    """Keep the municipality as typed, although it is not in the list."""
    state = conversations.get(context.services.db, update.effective_chat.id)
    typed = state.data.get("asked") if state is not None else None
    if (actor.person is None or state is None or state.state != _state("municipality")
            or not isinstance(typed, str) or not typed):
        await reply(update, context, actor, "common/button_expired")
        return
    await _advance(update, context, actor, "municipality", typed)
