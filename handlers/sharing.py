"""/groep (/group): learning from each other.

Participants share a finished brief step, five-whys chain or homework with their trajectory
(after a preview of exactly what peers will see) and withdraw it later; the shelf shows what
peers of the same trajectory shared; a peer takes an item along ("dit neem ik mee") or asks its
author one short question, whose answer reaches the asker (like the feedback thread of
homework). Coaches and coordinators see the shelf of their trajectories and mark picks for the
next session; a coordinator proposes an item for the library and its author decides in the
chat. The rules are in programme/sharing.py; buttons in buttons/sharing.py; conversation states
`sh:ask:<item>` and `sh:answer:<reaction>`.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from buttons import library as lb
from buttons import sharing as sh
from handlers.access import COORDINATOR, PARTICIPANT, Actor
from handlers.context import KernbotContext
from handlers.replies import keyboard, label, refuse, reply
from handlers.router import message_kind, text_of
from programme import sharing
from storage import conversations, people, trajectories, updates
from storage import practices as practice_store
from storage import sharing as store
from storage.db import transaction

log = logging.getLogger(__name__)
PREFIX = sh.PREFIX
ASK, ANSWER = "ask", "answer"   # sh:ask:<item id>, sh:answer:<reaction id>


# -- helpers -------------------------------------------------------------------------------------
def title_of(context: KernbotContext, lang: str, kind: str, step: int, headline: str) -> str:
    return context.services.messages.plain("sharing/title", lang, kind=kind, step=step,
                                           headline=headline)


def _item_title(context: KernbotContext, lang: str, item: store.Item) -> str:
    return title_of(context, lang, item.kind, item.step, item.headline)


def _first_name(person: people.Person | None) -> str:
    return (person.name.split() or [""])[0] if person and person.name else ""


def _group_heading(context: KernbotContext, lang: str, step: int) -> str:
    m = context.services.messages
    if step == sharing.WHYS_STEP:
        return m.plain("sharing/group_whys", lang)
    key = f"flows/brief/sections/step{step}"
    return m.plain(key, lang) if m.has(key, lang) else str(step)


def _viewer_trajectories(context: KernbotContext, actor: Actor) -> list[trajectories.Trajectory]:
    """The trajectories whose shelf this person may see: where they take part or coach (a
    coordinator: all)."""
    every = trajectories.all_trajectories(context.services.db)
    if actor.coordinator:
        return every
    return [t for t in every if sharing.may_see(actor.role_in(t.id))]


async def _send_photos(context: KernbotContext, chat_id: int, photos: list[str]) -> None:
    for file_id in photos[:10]:
        try:
            await context.bot.send_photo(chat_id, file_id)
        except TelegramError as exc:
            log.info("could not show a shared photo again: %s", exc)


# -- /groep and the shelf --------------------------------------------------------------------------
async def group_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/groep: the shelf of your trajectory; with several, choose one."""
    visible = _viewer_trajectories(context, actor)
    if not visible:
        await reply(update, context, actor, "sharing/no_group")
        return
    if len(visible) == 1:
        await show_shelf(update, context, actor, visible[0].id)
        return
    rows = [[(label(context, actor, "sharing/trajectory_button", trajectory=t),
              sh.Shelf(t.id).pack())] for t in visible]
    await reply(update, context, actor, "sharing/choose_trajectory", keyboard(rows))


async def shelf_button(update: Update, context: KernbotContext, actor: Actor,
                       button: sh.Shelf) -> None:
    await show_shelf(update, context, actor, button.trajectory_id)


async def show_shelf(update: Update, context: KernbotContext, actor: Actor,
                     trajectory_id: int) -> None:
    """What peers of this trajectory shared, by step, newest first, with their municipality."""
    services = context.services
    db, lang = services.db, actor.language
    trajectory = trajectories.get(db, trajectory_id)
    if trajectory is None or not sharing.may_see(actor.role_in(trajectory_id)):
        await refuse(update, context, actor)
        return
    groups = sharing.shelf(db, trajectory_id)
    counts = store.useful_counts(db, [i.id for _, items in groups for i in items])
    shown, rows, number = [], [], 0
    for step, items in groups:
        entries = []
        for item in items:
            number += 1
            author = people.get(db, item.person_id)
            title = _item_title(context, lang, item)
            entries.append({"number": number, "title": title, "name": author.name,
                            "municipality": author.municipality, "useful": counts.get(item.id, 0),
                            "picked": item.picked_by is not None,
                            "mine": item.person_id == actor.person_id})
            rows.append([(label(context, actor, "sharing/open_button", number=number,
                                title=title, name=_first_name(author)),
                          sh.Open(item.id).pack())])
        shown.append((_group_heading(context, lang, step), entries))
    participant = actor.role_in(trajectory_id) == PARTICIPANT
    actions = []
    if participant:
        actions.append((label(context, actor, "sharing/share_menu_button"), sh.ShareMenu().pack()))
        actions.append((label(context, actor, "sharing/mine_button"), sh.Mine().pack()))
    rows.append(actions + [(label(context, actor, "sharing/library_button"),
                            lb.Examples("fit" if participant else "all").pack())])
    await reply(update, context, actor, "sharing/shelf", keyboard(rows), trajectory=trajectory,
                groups=shown, participant=participant,
                staff=actor.is_staff_of(trajectory_id))


async def open_button(update: Update, context: KernbotContext, actor: Actor,
                      button: sh.Open) -> None:
    """One shared item, whole, with its photos and what you can do with it."""
    services = context.services
    db, lang = services.db, actor.language
    item = store.get(db, button.item_id)
    if item is None:
        await reply(update, context, actor, "sharing/gone")
        return
    role = actor.role_in(item.trajectory_id)
    mine = item.person_id == actor.person_id
    if not (mine or sharing.may_see(role)):
        await refuse(update, context, actor)
        return
    if not sharing.visible(db, item):
        await reply(update, context, actor, "sharing/gone")
        return
    author = people.get(db, item.person_id)
    takers = store.useful(db, item.id)
    taken = actor.person_id in takers
    rows = []
    if role == PARTICIPANT and not mine:
        rows.append([(label(context, actor, "sharing/useful_button", on=taken),
                      sh.Useful(item.id).pack()),
                     (label(context, actor, "sharing/ask_button"), sh.Ask(item.id).pack())])
    if mine:
        rows.append([(label(context, actor, "sharing/withdraw_button"),
                      sh.Withdraw(item.id).pack())])
    if actor.is_staff_of(item.trajectory_id):
        rows.append([(label(context, actor, "sharing/pick_button",
                            picked=item.picked_by is not None), sh.Pick(item.id).pack())])
    if role == COORDINATOR and practice_store.of_item(db, item.id) is None:
        rows.append([(label(context, actor, "sharing/promote_button"),
                      sh.Promote(item.id).pack())])
    rows.append([(label(context, actor, "sharing/back_button"),
                  sh.Shelf(item.trajectory_id).pack())])
    picker = people.get(db, item.picked_by) if item.picked_by else None
    await _send_photos(context, update.effective_chat.id, item.photos)
    await reply(update, context, actor, "sharing/item", keyboard(rows),
                title=_item_title(context, lang, item), name=author.name,
                municipality=author.municipality, rows=item.rows, photos=len(item.photos),
                when=item.shared_at, useful=len(takers), mine=mine,
                takers=[people.get(db, p).name for p in takers] if mine else [],
                picked=item.picked_by is not None, picker=_first_name(picker),
                published=practice_store.of_item(db, item.id) is not None)


# -- sharing -------------------------------------------------------------------------------------
async def share_menu_button(update: Update, context: KernbotContext, actor: Actor,
                            button: sh.ShareMenu) -> None:
    """Everything you finished and could share; a tick where it is shared already."""
    services = context.services
    found = sharing.shareable(services.db, services.flows, actor.person_id, services.messages,
                              actor.language)
    if not found:
        await reply(update, context, actor, "sharing/nothing_to_share")
        return
    rows = [[(label(context, actor, "sharing/offer_item_button", shared=s.shared,
                    title=title_of(context, actor.language, s.kind, s.step, s.headline)),
              sh.Offer(s.kind, s.ref).pack())] for s in found]
    await reply(update, context, actor, "sharing/share_menu", keyboard(rows))


async def offer_button(update: Update, context: KernbotContext, actor: Actor,
                       button: sh.Offer) -> None:
    """The preview: exactly what peers would see (name, municipality, text, photos)."""
    services = context.services
    made = sharing.draft(services.db, services.messages, services.flows, actor.person_id,
                         button.kind, button.ref, actor.language)
    if made is None:
        await reply(update, context, actor, "sharing/not_finished")
        return
    if not made.trajectory_ids:
        await reply(update, context, actor, "sharing/no_group")
        return
    places = [trajectories.get(services.db, t) for t in made.trajectory_ids]
    rows = [[(label(context, actor, "sharing/share_yes", trajectory=t,
                    several=len(places) > 1), sh.Share(button.kind, button.ref, t.id).pack())]
            for t in places if t is not None]
    rows.append([(label(context, actor, "sharing/share_no"), sh.NotNow().pack())])
    existing = [store.find(services.db, actor.person_id, t, button.kind, button.ref)
                for t in made.trajectory_ids]
    await _send_photos(context, update.effective_chat.id, made.content["photos"])
    person = actor.person
    await reply(update, context, actor, "sharing/preview", keyboard(rows),
                title=title_of(context, actor.language, made.kind, made.step,
                               made.content["headline"]),
                name=person.name, municipality=person.municipality,
                rows=[(r[0], r[1]) for r in made.content["rows"]],
                photos=len(made.content["photos"]), left_out=made.left_out,
                again=any(existing))


async def share_button(update: Update, context: KernbotContext, actor: Actor,
                       button: sh.Share) -> None:
    services = context.services
    db, now = services.db, services.clock.now()
    made = sharing.draft(db, services.messages, services.flows, actor.person_id, button.kind,
                         button.ref, actor.language)
    if made is None:
        await reply(update, context, actor, "sharing/not_finished")
        return
    with transaction(db):
        item = sharing.share(db, actor.person_id, button.trajectory_id, made, now)
        updates.mark(db, update.update_id, now)
    if item is None:
        await reply(update, context, actor, "common/button_expired")
        return
    trajectory = trajectories.get(db, item.trajectory_id)
    rows = [[(label(context, actor, "sharing/to_shelf_button"), sh.Shelf(trajectory.id).pack()),
             (label(context, actor, "sharing/mine_button"), sh.Mine().pack())]]
    await reply(update, context, actor, "sharing/shared", keyboard(rows), trajectory=trajectory,
                title=_item_title(context, actor.language, item))


async def not_now_button(update: Update, context: KernbotContext, actor: Actor,
                         button: sh.NotNow) -> None:
    await reply(update, context, actor, "sharing/not_now")


async def mine_button(update: Update, context: KernbotContext, actor: Actor,
                      button: sh.Mine) -> None:
    """What you shared, with whom, who takes it along; withdraw it here."""
    db = context.services.db
    items = store.of_person(db, actor.person_id)
    if not items:
        await reply(update, context, actor, "sharing/nothing_shared")
        return
    entries, rows = [], []
    for number, item in enumerate(items, 1):
        title = _item_title(context, actor.language, item)
        entries.append({"number": number, "title": title,
                        "trajectory": trajectories.get(db, item.trajectory_id),
                        "when": item.shared_at,
                        "takers": [people.get(db, p).name for p in store.useful(db, item.id)],
                        "questions": len(store.questions(db, item.id)),
                        "picked": item.picked_by is not None,
                        "published": practice_store.of_item(db, item.id) is not None})
        rows.append([(label(context, actor, "sharing/open_button", number=number, title=title,
                            name=""), sh.Open(item.id).pack()),
                     (label(context, actor, "sharing/withdraw_button"),
                      sh.Withdraw(item.id).pack())])
    await reply(update, context, actor, "sharing/mine", keyboard(rows), entries=entries)


async def withdraw_button(update: Update, context: KernbotContext, actor: Actor,
                          button: sh.Withdraw) -> None:
    """The author takes it back: gone from the shelf, the library and every export."""
    services = context.services
    item = store.get(services.db, button.item_id)
    if item is not None and item.person_id != actor.person_id:
        await refuse(update, context, actor)
        return
    with transaction(services.db):
        done = item is not None and store.withdraw(services.db, item.id, actor.person_id)
        updates.mark(services.db, update.update_id, services.clock.now())
    if not done:
        await reply(update, context, actor, "sharing/gone")
        return
    await reply(update, context, actor, "sharing/withdrawn",
                title=_item_title(context, actor.language, item))


# -- reactions: "dit neem ik mee", a question and its answer ---------------------------------------
async def _peer_item(update: Update, context: KernbotContext, actor: Actor, item_id: int
                     ) -> store.Item | None:
    """The item if this actor is a peer of its author (a participant of its trajectory, not
    the author); otherwise say why not and return None."""
    db = context.services.db
    item = store.get(db, item_id)
    if item is None or not sharing.visible(db, item):
        await reply(update, context, actor, "sharing/gone")
        return None
    if item.person_id == actor.person_id:
        await reply(update, context, actor, "sharing/own_item")
        return None
    if actor.role_in(item.trajectory_id) != PARTICIPANT:
        await refuse(update, context, actor)
        return None
    return item


async def useful_button(update: Update, context: KernbotContext, actor: Actor,
                        button: sh.Useful) -> None:
    services = context.services
    item = await _peer_item(update, context, actor, button.item_id)
    if item is None:
        return
    now = services.clock.now()
    with transaction(services.db):
        on = store.toggle_useful(services.db, item.id, actor.person_id, now)
        updates.mark(services.db, update.update_id, now)
    author = people.get(services.db, item.person_id)
    await reply(update, context, actor, "sharing/useful_on" if on else "sharing/useful_off",
                title=_item_title(context, actor.language, item), author=_first_name(author),
                count=len(store.useful(services.db, item.id)))


async def ask_button(update: Update, context: KernbotContext, actor: Actor,
                     button: sh.Ask) -> None:
    services = context.services
    item = await _peer_item(update, context, actor, button.item_id)
    if item is None:
        return
    conversations.put(services.db, update.effective_chat.id, f"{PREFIX}:{ASK}:{item.id}", {},
                      services.clock.now())
    author = people.get(services.db, item.person_id)
    await reply(update, context, actor, "sharing/ask_prompt", author=_first_name(author),
                title=_item_title(context, actor.language, item),
                limit=sharing.QUESTION_LIMIT)


async def answer_button(update: Update, context: KernbotContext, actor: Actor,
                        button: sh.Answer) -> None:
    services = context.services
    db = services.db
    question = store.reaction(db, button.reaction_id)
    item = store.get(db, question.item_id) if question is not None else None
    if item is not None and item.person_id != actor.person_id:
        await refuse(update, context, actor)
        return
    if item is None or question.kind != "question":
        await reply(update, context, actor, "sharing/gone")
        return
    conversations.put(db, update.effective_chat.id, f"{PREFIX}:{ANSWER}:{question.id}", {},
                      services.clock.now())
    asker = people.get(db, question.person_id)
    await reply(update, context, actor, "sharing/answer_prompt", asker=_first_name(asker),
                question=question.text, limit=sharing.QUESTION_LIMIT)


async def on_message(update: Update, context: KernbotContext, actor: Actor,
                     state: conversations.ConversationState) -> None:
    """The question to an author, or the author's answer."""
    services = context.services
    step, number = state.step_and_id
    if step not in (ASK, ANSWER) or number is None:
        conversations.clear(services.db, update.effective_chat.id)
        await reply(update, context, actor, "common/button_expired")
        return
    if message_kind(update) != "text":
        await reply(update, context, actor, "sharing/text_please")
        return
    text = text_of(update).strip()
    if not text:
        await reply(update, context, actor, "sharing/text_please")
        return
    if len(text) > sharing.QUESTION_LIMIT:
        await reply(update, context, actor, "sharing/too_long", limit=sharing.QUESTION_LIMIT,
                    length=len(text))
        return
    if step == ASK:
        await _deliver_question(update, context, actor, number, text)
    else:
        await _deliver_answer(update, context, actor, number, text)


async def _deliver_question(update: Update, context: KernbotContext, actor: Actor,
                            item_id: int, text: str) -> None:
    services = context.services
    db, now = services.db, services.clock.now()
    item = store.get(db, item_id)
    if item is None or not sharing.visible(db, item) or \
            actor.role_in(item.trajectory_id) != PARTICIPANT or item.person_id == actor.person_id:
        conversations.clear(db, update.effective_chat.id)
        await reply(update, context, actor, "sharing/gone")
        return
    with transaction(db):
        question = store.ask(db, item.id, actor.person_id, text, now)
        conversations.clear(db, update.effective_chat.id)
        updates.mark(db, update.update_id, now)
    author = people.get(db, item.person_id)
    await _tell(context, author, "sharing/question_to_author",
                [[("sharing/answer_button", sh.Answer(question.id).pack())]],
                asker=actor.person.name, municipality=actor.person.municipality,
                title=title_of(context, author.language, item.kind, item.step, item.headline),
                question=text)
    await reply(update, context, actor, "sharing/question_sent", author=_first_name(author))


async def _deliver_answer(update: Update, context: KernbotContext, actor: Actor,
                          reaction_id: int, text: str) -> None:
    services = context.services
    db, now = services.db, services.clock.now()
    question = store.reaction(db, reaction_id)
    item = store.get(db, question.item_id) if question is not None else None
    if item is None or item.person_id != actor.person_id:
        conversations.clear(db, update.effective_chat.id)
        await reply(update, context, actor, "sharing/gone")
        return
    with transaction(db):
        store.answer(db, question.id, text, now)
        conversations.clear(db, update.effective_chat.id)
        updates.mark(db, update.update_id, now)
    asker = people.get(db, question.person_id)
    await _tell(context, asker, "sharing/answer_to_asker",
                [[("sharing/open_again_button", sh.Open(item.id).pack())]],
                author=actor.person.name,
                title=title_of(context, asker.language if asker else "nl", item.kind,
                               item.step, item.headline),
                question=question.text, answer=text)
    await reply(update, context, actor, "sharing/answer_sent", asker=_first_name(asker))


async def _tell(context: KernbotContext, person: people.Person | None, key: str,
                buttons: list[list[tuple[str, str]]], **values) -> bool:
    """A message to someone else's chat, in their language (label keys in `buttons`)."""
    if person is None or person.telegram_id is None or person.status != "active":
        return False
    m = context.services.messages
    markup = keyboard([[(m.plain(k, person.language), data) for k, data in row]
                       for row in buttons]) if buttons else None
    try:
        await context.bot.send_message(person.telegram_id, m.render(key, person.language,
                                                                    **values),
                                       reply_markup=markup)
    except TelegramError as exc:
        log.warning("%s not delivered: %s", key, exc)
        return False
    return True


# -- coaches: picks for the next session --------------------------------------------------------
async def pick_button(update: Update, context: KernbotContext, actor: Actor,
                      button: sh.Pick) -> None:
    services = context.services
    db, now = services.db, services.clock.now()
    item = store.get(db, button.item_id)
    if item is not None and not actor.is_staff_of(item.trajectory_id):
        await refuse(update, context, actor)
        return
    if item is None or not sharing.visible(db, item):
        await reply(update, context, actor, "sharing/gone")
        return
    picked = item.picked_by is None
    with transaction(db):
        store.set_pick(db, item.id, actor.person_id if picked else None, now)
        updates.mark(db, update.update_id, now)
    author = people.get(db, item.person_id)
    title = _item_title(context, actor.language, item)
    if picked:
        await _tell(context, author, "sharing/picked_notice",
                    [[("sharing/open_again_button", sh.Open(item.id).pack())]],
                    coach=actor.person.name if actor.person else "",
                    title=title_of(context, author.language, item.kind, item.step,
                                   item.headline))
    back = keyboard([[(label(context, actor, "sharing/back_button"),
                       sh.Shelf(item.trajectory_id).pack())]])
    await reply(update, context, actor, "sharing/picked" if picked else "sharing/unpicked", back,
                title=title, author=_first_name(author))


# -- the library: a coordinator proposes, the author decides ---------------------------------------
async def promote_button(update: Update, context: KernbotContext, actor: Actor,
                         button: sh.Promote) -> None:
    services = context.services
    db, now = services.db, services.clock.now()
    item = store.get(db, button.item_id)
    if item is None or not sharing.visible(db, item):
        await reply(update, context, actor, "sharing/gone")
        return
    if practice_store.of_item(db, item.id) is not None:
        await reply(update, context, actor, "sharing/already_published")
        return
    author = people.get(db, item.person_id)
    with transaction(db):
        practice_store.ask_consent(db, item.id, actor.person_id, now)
        updates.mark(db, update.update_id, now)
    title = title_of(context, author.language, item.kind, item.step, item.headline)
    await _tell(context, author, "sharing/consent_ask",
                [[("sharing/consent_yes", sh.Consent(item.id, "yes").pack())],
                 [("sharing/consent_no", sh.Consent(item.id, "no").pack())]],
                coordinator=actor.person.name if actor.person else "", title=title,
                municipality=author.municipality, rows=item.rows)
    await reply(update, context, actor, "sharing/consent_asked", author=_first_name(author),
                title=_item_title(context, actor.language, item))


async def consent_button(update: Update, context: KernbotContext, actor: Actor,
                         button: sh.Consent) -> None:
    services = context.services
    db, now = services.db, services.clock.now()
    item = store.get(db, button.item_id)
    if item is not None and item.person_id != actor.person_id:
        await refuse(update, context, actor)
        return
    asked = practice_store.consent(db, item.id) if item is not None else None
    if item is None or asked is None or asked.answer is not None or \
            not sharing.visible(db, item):
        await reply(update, context, actor, "sharing/consent_closed")
        return
    yes = button.answer == "yes"
    title = _item_title(context, actor.language, item)
    with transaction(db):
        practice_store.answer_consent(db, item.id, button.answer, now)
        if yes:
            sharing.publish(db, item, title, now)
        updates.mark(db, update.update_id, now)
    coordinator = people.get(db, asked.asked_by) if asked.asked_by else None
    await _tell(context, coordinator,
                "sharing/published_notice" if yes else "sharing/declined_notice",
                [[("sharing/open_again_button", sh.Open(item.id).pack())]],
                author=actor.person.name,
                title=title_of(context, coordinator.language if coordinator else "nl",
                               item.kind, item.step, item.headline))
    await reply(update, context, actor, "sharing/published" if yes else "sharing/not_published",
                title=title)
