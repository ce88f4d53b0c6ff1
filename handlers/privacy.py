"""/privacy (what is stored, why, who reads it, how long), /mijngegevens (all your data as
JSON and PDF), /vergeetmij (erase or anonymise, after a confirmation), /audit (coordinators:
who opened or exported whose data)."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from telegram import Update
from telegram.error import TelegramError

from buttons.privacy import Forget, Keep
from documents.personal_data import build_pdf
from handlers import confirm
from handlers.access import Actor
from handlers.context import KernbotContext
from handlers.replies import keyboard, label, reply
from programme import privacy
from storage import audit, memberships, people, trajectories

log = logging.getLogger(__name__)


async def privacy_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    config = context.services.config
    await reply(update, context, actor, "privacy/info",
                months=config["privacy"]["retention_months"],
                anonymise=config["privacy"]["on_forget"] == "anonymise")


async def my_data_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/mijngegevens: everything stored about you, as JSON (complete) and as a readable PDF."""
    services = context.services
    m, lang = services.messages, actor.language
    chat_id = update.effective_chat.id
    await reply(update, context, actor, "privacy/my_data")
    sections = privacy.readable(services.db, m, services.flows, actor.person_id, lang)
    with tempfile.TemporaryDirectory(prefix="kernbot-mydata-") as tmp:
        stem = m.plain("files/my_data", lang)
        json_path = Path(tmp) / f"{stem}.json"
        json_path.write_text(privacy.export_json(services.db, actor.person_id), "utf-8")
        pdf_path = build_pdf(m.plain("privacy/pdf_title", lang),
                             m.plain("privacy/pdf_intro", lang,
                                     date=m.format(services.clock.now(), lang, "date")),
                             sections, Path(tmp) / f"{stem}.pdf")
        for path in (json_path, pdf_path):
            with path.open("rb") as handle:
                await context.bot.send_document(chat_id, handle, filename=path.name)


FORGET = "forget"


async def forget_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/vergeetmij: asks first; the answer counts once, only while it is the open question."""
    def markup(nonce: int):
        return keyboard([[(label(context, actor, "privacy/forget_yes"), Forget(nonce).pack())],
                         [(label(context, actor, "privacy/forget_no"), Keep(nonce).pack())]])

    await confirm.ask(update, context, actor, FORGET, "privacy/forget_confirm", markup,
                      anonymise=context.services.config["privacy"]["on_forget"] == "anonymise",
                      minutes=int(confirm.OPEN_FOR.total_seconds() // 60))


async def keep_button(update: Update, context: KernbotContext, actor: Actor,
                      button: Keep) -> None:
    if confirm.take(context, update.effective_chat.id, FORGET, button.nonce) is None:
        await confirm.closed(update, context, actor)
        return
    await reply(update, context, actor, "privacy/forget_cancelled")


async def forget_button(update: Update, context: KernbotContext, actor: Actor,
                        button: Forget) -> None:
    """The confirmation carries no id: it always acts on the person who pressed it, and only
    when it is their open question (not after "Nee", another step, or a few minutes)."""
    services = context.services
    if actor.person is None:
        await reply(update, context, actor, "common/not_enrolled")
        return
    if confirm.take(context, update.effective_chat.id, FORGET, button.nonce) is None:
        await confirm.closed(update, context, actor)
        return
    person, now = actor.person, services.clock.now()
    places = [trajectories.get(services.db, m.trajectory_id)
              for m in memberships.of_person(services.db, person.id)]
    coordinators = [p for p in people.all_people(services.db)
                    if p.role == "coordinator" and p.status == "active" and p.telegram_id
                    and p.id != person.id]
    privacy.forget(services.db, person, now, services.config["privacy"]["on_forget"],
                   services.config["storage"]["files_dir"])
    await reply(update, context, actor, "privacy/forgotten")
    for coordinator in coordinators:
        text = services.messages.render("privacy/left_notice", coordinator.language,
                                        person=person, trajectories=[t for t in places if t])
        try:
            await context.bot.send_message(coordinator.telegram_id, text)
        except TelegramError as exc:
            log.warning("coordinator not told about a departure: %s", exc)


async def audit_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    db = context.services.db
    entries = [(e, people.get(db, e.actor_id) if e.actor_id else None,
                people.get(db, e.subject_person_id) if e.subject_person_id else None)
               for e in audit.recent(db)]
    await reply(update, context, actor, "privacy/audit", entries=entries)
