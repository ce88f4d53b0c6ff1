"""Homework: /huiswerk (participants hand in text, photos, documents and voice notes), and
/inzendingen (coaches and coordinators read submissions and give feedback; the participant can
answer, and everything is one thread per submission)."""

from __future__ import annotations

import html
import logging
from datetime import datetime
from pathlib import Path

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from buttons import homework as hb
from buttons.coaches import Current, Evaluations, Intakes, Pack
from buttons.flows import Start
from buttons.followup import Extend
from buttons.sharing import Offer
from handlers import confirm
from handlers.access import Actor, trajectory_ids
from handlers.coaches import send_photos
from handlers.context import KernbotContext
from handlers.replies import keyboard, label, refuse, reply
from handlers.router import caption_of, message_kind, text_of
from messages import telegram_html
from programme import homework, readable, sharing
from storage import (
    assignments,
    audit,
    conversations,
    memberships,
    outbox,
    people,
    trajectories,
    updates,
)
from storage import coaches as coach_store
from storage import homework as store
from storage.db import transaction, utcnow_iso

log = logging.getLogger(__name__)
CAPTION = 1024
PREFIX = hb.PREFIX
COLLECT, FEEDBACK, REPLY = "collect", "feedback", "reply"  # hw:<step>:<id>
MAX_DOWNLOAD_ATTEMPTS = 5
DIGEST = "homework_digest"


# -- participants ----------------------------------------------------------------------------
async def homework_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/huiswerk: your homework with due time and status; pick one to hand it in."""
    services = context.services
    now = services.clock.now()
    views = homework.for_person(services.db, services.settings, actor.person_id, now)
    rows = [[(label(context, actor, "homework/open_button", view=v),
              hb.Open(v.assignment.id).pack())]
            for v in views if now < v.editable_until]
    db = services.db
    pieces = {v.assignment.id: store.items(db, v.submission.id) for v in views if v.draft}
    group = []
    for trajectory_id in sorted({v.trajectory.id for v in views}):
        for session in trajectories.sessions_of(db, trajectory_id):
            for f in coach_store.feedback_of_session(db, session.id):
                group.append((session, f, people.get(db, f.author_id) if f.author_id
                              else None))
    await reply(update, context, actor, "homework/list", keyboard(rows) if rows else None,
                views=views, pieces=pieces, group=group,
                feedback=homework.feedback_for_person(db, actor.person_id, views))


async def _editable(update: Update, context: KernbotContext, actor: Actor, assignment_id: int
                    ) -> homework.HomeworkView | None:
    """The person's homework view if it can still be handed in or changed; else say so."""
    services = context.services
    now = services.clock.now()
    view = homework.find(services.db, services.settings, actor.person_id, assignment_id, now)
    if view is None or now >= view.editable_until:
        await reply(update, context, actor, "homework/closed")
        return None
    return view


async def open_button(update: Update, context: KernbotContext, actor: Actor,
                      button: hb.Open) -> None:
    """Open one homework to hand it in."""
    services = context.services
    assignment_id = button.assignment_id
    view = await _editable(update, context, actor, assignment_id)
    if view is None:
        return
    now = services.clock.now()
    done = homework.flow_part_done(services.db, services.flows, actor.person_id, view.window)
    if done is not None:  # handed in by finishing a part of a guided conversation
        flow = "brief" if view.assignment.kind == "brief_step" else "waarom"
        handed_in = view.state == homework.HANDED_IN
        # handed in already: again only when the answers changed since (else nothing new)
        changed = handed_in and readable.changed_since_snapshot(
            services.db, services.flows, actor.person_id, view.submission.id)
        # the step already done: shown, and offered to hand in as it is (not asked again)
        submit_key = "homework/submit_again" if handed_in else \
            "homework/submit_as_is" if done else "homework/submit"
        submit = [(label(context, actor, submit_key), hb.Submit(assignment_id).pack())]
        go = [(label(context, actor, f"homework/go_{flow}", done=done and not handed_in),
               Start(flow).pack())]
        if handed_in:
            rows = [submit, go] if changed else [go]
        else:
            rows = [submit, go] if done else [go, submit]
        await reply(update, context, actor, "homework/via_flow", keyboard(rows), view=view,
                    done=done, answers=_step_answers(context, actor, view) if done else [],
                    changed=changed)
        return
    conversations.put(services.db, update.effective_chat.id,
                      f"{PREFIX}:{COLLECT}:{assignment_id}", {}, now)
    await reply(update, context, actor, "homework/collect", _collect_keyboard(
        context, actor, view), view=view,
        max_mb=services.config["homework"]["max_file_mb"])


def _step_answers(context: KernbotContext, actor: Actor, view: homework.HomeworkView
                  ) -> list[tuple[str, str]]:
    """(label, answer) of the brief step a homework equals: what would be handed in."""
    if view.assignment.kind != "brief_step" or not view.assignment.brief_step:
        return []
    from flows import engine
    from programme import flow_runner, flow_text

    services = context.services
    flow = services.flows["brief"]
    answers = flow_runner.load_answers(services.db, actor.person_id, "brief")
    section = f"step{view.assignment.brief_step}"
    return [(flow_text.label(services.messages, actor.language, flow, pos),
             flow_text.display_value(services.messages, actor.language, flow, pos, answers[pos]))
            for pos in engine.summary_positions(flow, answers, section)]


def _collect_keyboard(context, actor, view: homework.HomeworkView):
    """Hand in and start over once there are pieces; bring back what "opnieuw beginnen" set
    aside for as long as that can be done (also after leaving and reopening)."""
    assignment_id = view.assignment.id
    rows = []
    if view.item_count:
        rows.append([(label(context, actor, "homework/submit"), hb.Submit(assignment_id).pack())])
        rows.append([(label(context, actor, "homework/restart"),
                      hb.Restart(assignment_id).pack())])
    if homework.restorable(context.services.db, view) is not None:
        rows.append([(label(context, actor, "homework/undo"), hb.Undo(assignment_id).pack())])
    rows.append([(label(context, actor, "homework/stop"), hb.Stop().pack())])
    return keyboard(rows)


def _current(context, actor, assignment_id: int) -> homework.HomeworkView | None:
    services = context.services
    return homework.find(services.db, services.settings, actor.person_id, assignment_id,
                         services.clock.now())


async def on_message(update: Update, context: KernbotContext, actor: Actor,
                     state: conversations.ConversationState) -> None:
    """A message in a homework conversation: a piece of homework, or a feedback message."""
    step, number = state.step_and_id
    if step == COLLECT and number is not None:
        await _on_item(update, context, actor, number)
    elif step in (FEEDBACK, REPLY) and number is not None:
        await _thread_message(update, context, actor, number, from_coach=step == FEEDBACK)
    else:
        conversations.clear(context.services.db, update.effective_chat.id)
        await reply(update, context, actor, "common/button_expired")


async def _on_item(update: Update, context: KernbotContext, actor: Actor,
                   assignment_id: int) -> None:
    """A message while handing in: one more item (text, photo, document, voice)."""
    services = context.services
    now = services.clock.now()
    view = homework.find(services.db, services.settings, actor.person_id, assignment_id, now)
    if view is None or now >= view.editable_until:
        conversations.clear(services.db, update.effective_chat.id)
        await reply(update, context, actor, "homework/closed")
        return
    message = update.effective_message
    kind = message_kind(update)
    fields: dict = {}
    if kind == "text":
        fields = {"kind": "text", "text": text_of(update)}
    elif kind == "photo":
        photo = message.photo[-1]
        fields = {"kind": "photo", "text": caption_of(update), "file_id": photo.file_id,
                  "file_unique_id": photo.file_unique_id, "size": photo.file_size,
                  "mime_type": "image/jpeg", "file_name": "foto.jpg"}
    elif kind == "document":
        document = message.document
        if (document.mime_type or "") not in homework.ALLOWED_DOCUMENTS:
            await reply(update, context, actor, "homework/unsupported_type",
                        name=document.file_name or "")
            return
        fields = {"kind": "document", "text": caption_of(update),
                  "file_id": document.file_id, "file_unique_id": document.file_unique_id,
                  "size": document.file_size, "mime_type": document.mime_type,
                  "file_name": document.file_name or ""}
    elif kind == "voice":
        voice = message.voice
        fields = {"kind": "voice", "file_id": voice.file_id,
                  "file_unique_id": voice.file_unique_id, "size": voice.file_size,
                  "mime_type": voice.mime_type or "audio/ogg", "file_name": "spraak.ogg"}
    else:
        await reply(update, context, actor, "homework/unsupported_kind")
        return
    quota = homework.Quota.from_config(services.config["homework"])
    current = store.of(services.db, actor.person_id, assignment_id)
    reason = homework.over_quota(services.db, quota, actor.person_id,
                                 current.id if current else None, fields.get("size"))
    if reason is not None:
        await _refuse_piece(update, context, actor, reason, fields.get("size"))
        return
    with transaction(services.db):
        submission = store.ensure_draft(services.db, actor.person_id, assignment_id, now)
        item = store.add_item(services.db, submission.id, now=now, **fields)
        updates.mark(services.db, update.update_id, now)
    if item.file_id:
        await download(context.bot, services, item, view.trajectory.number, actor.person_id)
        kept = store.item(services.db, item.id)
        # Telegram does not always say how big a file is: check what really arrived
        reason = homework.over_quota(services.db, quota, actor.person_id, submission.id,
                                     kept.size, adding=False) if kept.size else None
        if reason is not None:
            store.remove_item(services.db, item.id, services.clock.now())
            if kept.local_path:
                Path(kept.local_path).unlink(missing_ok=True)
            await _refuse_piece(update, context, actor, reason, kept.size)
            return
    count = len(store.items(services.db, submission.id))
    await reply(update, context, actor, "homework/item_received",
                _collect_keyboard(context, actor, _current(context, actor, assignment_id)),
                kind=item.kind, count=count, submitted=submission.status == "submitted")


async def _refuse_piece(update: Update, context: KernbotContext, actor: Actor, reason: str,
                        size: int | None) -> None:
    """A piece that is not kept, and why (nothing already handed in is touched)."""
    h = context.services.config["homework"]
    await reply(update, context, actor, "homework/too_big" if reason == "file"
                else "homework/over_quota", reason=reason, max_mb=h["max_file_mb"],
                size_mb=round((size or 0) / 1024 / 1024, 1),
                max_items=h["max_items_per_submission"],
                max_submission_mb=h["max_mb_per_submission"],
                max_person_mb=h["max_mb_per_person"])


async def download(bot, services, item: store.Item, trajectory_number: int, person_id: int
                   ) -> bool:
    """Keep a local copy (exports keep working when Telegram forgets the file)."""
    try:
        path = homework.file_path(services.config["storage"]["files_dir"], trajectory_number,
                                  person_id, item.submission_id, item.id, item.mime_type)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        telegram_file = await bot.get_file(item.file_id)
        await telegram_file.download_to_drive(path)
        path.chmod(0o600)
        size = path.stat().st_size
    except (TelegramError, OSError, ValueError) as exc:
        log.warning("download of submission item %s failed: %s", item.id, exc)
        store.record_download(services.db, item.id, path=None, error=str(exc)[:300])
        return False
    store.record_download(services.db, item.id, path=str(path), size=size)
    return True


async def retry_downloads(app: Application) -> None:
    """After each dispatcher pass: try failed downloads again (a few times), one file never blocking the
    others; what still fails stays visible to coordinators in /inzendingen."""
    services = app.bot_data["services"]
    db = services.db
    for item in store.pending_downloads(db, MAX_DOWNLOAD_ATTEMPTS):
        submission = store.get(db, item.submission_id)
        trajectory_id = homework.trajectory_of_submission(db, submission.id)
        trajectory = trajectories.get(db, trajectory_id)
        await download(app.bot, services, item, trajectory.number, submission.person_id)


async def submit_button(update: Update, context: KernbotContext, actor: Actor,
                        button: hb.Submit) -> None:
    services = context.services
    assignment_id = button.assignment_id
    view = await _editable(update, context, actor, assignment_id)
    if view is None:
        return
    now = services.clock.now()
    done = homework.flow_part_done(services.db, services.flows, actor.person_id, view.window)
    if done is False:
        await reply(update, context, actor, "homework/flow_not_done", view=view)
        return
    if done is None and view.item_count == 0:
        await reply(update, context, actor, "homework/nothing_yet")
        return
    with transaction(services.db):
        submission = homework.hand_in(services.db, actor.person_id, view, now, services.flows)
        conversations.clear(services.db, update.effective_chat.id)
        _queue_digest(services, view, now)
    await _handed_in(update, context, actor, view, submission)


async def _handed_in(update: Update, context: KernbotContext, actor: Actor,
                     view: homework.HomeworkView, submission) -> None:
    services = context.services
    offer = sharing.offer_after_homework(services.db, services.flows, actor.person_id,
                                         submission.id)   # "Deel met je groep?" (issue 17)
    share = keyboard([[(label(context, actor, "sharing/offer_button"), Offer(*offer).pack())]]
                     ) if offer else None
    await reply(update, context, actor, "homework/handed_in", share, view=view,
                submission=submission)


async def submit_draft_button(update: Update, context: KernbotContext, actor: Actor,
                              button: hb.SubmitDraft) -> None:
    """ "Indienen zoals het is", asked at the deadline: the draft's pieces, late only when its
    last piece came after the deadline."""
    services = context.services
    view = await _editable(update, context, actor, button.assignment_id)
    if view is None:
        return
    if view.submission is not None and view.submission.status == "submitted":
        await reply(update, context, actor, "homework/handed_in", view=view,
                    submission=view.submission)
        return
    if view.submission is None or not view.item_count:
        await reply(update, context, actor, "homework/nothing_yet")
        return
    now = services.clock.now()
    with transaction(services.db):
        submission = homework.hand_in(services.db, actor.person_id, view, now, services.flows,
                                      as_of=view.submission.updated_at)
        conversations.clear(services.db, update.effective_chat.id)
        _queue_digest(services, view, now)
    await _handed_in(update, context, actor, view, submission)


def _queue_digest(services, view: homework.HomeworkView, now: datetime) -> None:
    """Coaches get at most one digest per interval: one outbox row per coach and window."""
    minutes = services.config["homework"]["digest_interval_minutes"]
    epoch = int(now.timestamp()) // (minutes * 60) * (minutes * 60)
    window_end = datetime.fromtimestamp(epoch + minutes * 60, tz=now.tzinfo)
    for membership in memberships.of_trajectory(services.db, view.trajectory.id, "coach"):
        outbox.enqueue(services.db, kind=DIGEST, person_id=membership.person_id,
                       subject=f"digest:{view.trajectory.id}", offset=str(epoch),
                       planned_at=window_end, now=now, trajectory_id=view.trajectory.id,
                       payload={"since": utcnow_iso(datetime.fromtimestamp(epoch,
                                                                           tz=now.tzinfo))})


# -- coaches and coordinators ----------------------------------------------------------------
async def submissions_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/inzendingen: pick a session (its homework, evaluations and preparation pack), or the
    intakes of a trajectory."""
    db = context.services.db
    allowed = trajectory_ids(context.services, actor)
    rows = []
    for trajectory in trajectories.all_trajectories(db):
        if allowed is not None and trajectory.id not in allowed:
            continue
        sessions = [s for s in trajectories.sessions_of(db, trajectory.id)
                    if s.status == "planned"]
        if not sessions:
            continue
        for session in sessions:
            rows.append([(label(context, actor, "announcements/session_button",
                                trajectory=trajectory, session=session),
                          hb.Session(session.id).pack())])
        rows.append([(label(context, actor, "coaches/intakes_button", trajectory=trajectory),
                      Intakes(trajectory.id).pack())])
    if not rows:
        await reply(update, context, actor, "homework/no_assignments")
        return
    await reply(update, context, actor, "homework/choose_session", keyboard(rows))


async def session_button(update: Update, context: KernbotContext, actor: Actor,
                         button: hb.Session) -> None:
    """Who handed in the homework of one session, who is late, who is missing."""
    services = context.services
    session_id = button.session_id
    db, now = services.db, services.clock.now()
    session = trajectories.get_session(db, session_id)
    allowed = trajectory_ids(services, actor)
    if session is None or not actor.is_staff_of(session.trajectory_id) or (
            allowed is not None and session.trajectory_id not in allowed):
        await refuse(update, context, actor)
        return
    trajectory = trajectories.get(db, session.trajectory_id)
    blocks, rows = [], []
    opens = extends = 0
    participants = [people.get(db, m.person_id) for m in
                    memberships.of_trajectory(db, trajectory.id, "participant")]
    for window in homework.windows(db, services.settings, trajectory.id):
        if window.session.id != session_id:
            continue
        entries = []
        for person in participants:
            v = homework.view(db, person.id, window, trajectory, now, services.settings)
            entries.append((person, v))
            if v.submission is not None and (v.submission.status == "submitted" or (
                    v.draft and now >= v.editable_until)):   # a draft reaches them at the lock
                rows.append([(label(context, actor, "homework/view_button", person=person,
                                    view=v), hb.View(v.submission.id).pack())])
                opens += 1
            elif actor.is_staff_of(trajectory.id):
                rows.append([(label(context, actor, "followup/extend_button", person=person),
                              Extend(window.assignment.id, person.id).pack())])
                extends += 1
        blocks.append((window, entries))
    if session.ends_at <= now:
        rows.append([(label(context, actor, "coaches/evaluations_button", session=session),
                      Evaluations(session.id).pack())])
    if session.starts_at > now:
        rows.append([(label(context, actor, "coaches/pack_button", session=session),
                      Pack(session.id).pack())])
    failed = [i for i in store.failed_downloads(db)
              if homework.trajectory_of_submission(db, i.submission_id) == trajectory.id]
    # the closing lines say what the name buttons do: open a submission, give more time
    await reply(update, context, actor, "homework/session_overview",
                keyboard(rows) if rows else None, trajectory=trajectory, session=session,
                blocks=blocks, failed=len(failed), now=now, openable=opens,
                extendable=extends)


async def view_button(update: Update, context: KernbotContext, actor: Actor,
                      button: hb.View) -> None:
    """One submission with its pieces and its feedback thread."""
    services = context.services
    submission_id = button.submission_id
    db = services.db
    if not homework.can_view_submission(db, actor.person, submission_id,
                                        coordinator=actor.coordinator):
        await refuse(update, context, actor)
        return
    submission = store.get(db, submission_id)
    owner = people.get(db, submission.person_id)
    assignment = assignments.get(db, submission.assignment_id)
    items = store.items(db, submission_id)
    now = services.clock.now()
    if actor.person_id != owner.id and submission.status != "submitted" and \
            not homework.draft_locked(db, services.settings, submission, now):
        await refuse(update, context, actor)   # a draft is the person's own until the lock
        return
    if actor.person_id != owner.id:
        audit.record(db, actor.person_id, "opened_submission", owner.id, now,
                     detail=assignment.title)
    thread = [(f, people.get(db, f.author_id) if f.author_id else None)
              for f in store.thread(db, submission_id)]
    blocks = readable.snapshot_blocks(db, services.messages, services.flows, actor.language,
                                      submission_id)
    buttons = []
    if actor.coordinator or homework.is_coach_of_submission(db, actor.person_id, submission_id):
        buttons.append([(label(context, actor, "homework/give_feedback"),
                         hb.Feedback(submission_id).pack())])
    if assignment.kind in ("brief_step", "whys"):
        buttons.append([(label(context, actor, "homework/current_button"),
                         Current(submission_id).pack())])
    await reply(update, context, actor, "homework/submission",
                keyboard(buttons) if buttons else None, owner=owner, assignment=assignment,
                submission=submission, items=items, thread=thread, blocks=blocks,
                flow_kind=assignment.kind in ("brief_step", "whys"))
    await send_photos(update, context, [p for b in blocks for p in b.photos])
    chat_id = update.effective_chat.id
    for item in items:
        try:
            if item.kind == "photo":
                await context.bot.send_photo(chat_id, item.file_id,
                                             caption=_caption(item.text))
            elif item.kind == "document":
                await context.bot.send_document(chat_id, item.file_id,
                                                caption=_caption(item.text))
            elif item.kind == "voice":
                await context.bot.send_voice(chat_id, item.file_id)
        except TelegramError as exc:
            log.info("could not resend item %s by file id: %s", item.id, exc)


def _caption(text: str) -> str | None:
    """A participant's caption shown again: escaped for Telegram HTML, cut at 1,024 characters
    (never inside an entity)."""
    return telegram_html.cut(html.escape(text, quote=False), CAPTION) if text else None


async def _ask_feedback(update: Update, context: KernbotContext, actor: Actor,
                        submission_id: int, step: str, key: str) -> None:
    services = context.services
    if not homework.can_view_submission(services.db, actor.person, submission_id,
                                        coordinator=actor.coordinator):
        await refuse(update, context, actor)
        return
    conversations.put(services.db, update.effective_chat.id,
                      f"{PREFIX}:{step}:{submission_id}", {}, services.clock.now())
    await reply(update, context, actor, key)


async def feedback_button(update: Update, context: KernbotContext, actor: Actor,
                          button: hb.Feedback) -> None:
    """Staff of the submission's trajectory write feedback."""
    if not (actor.coordinator or homework.is_coach_of_submission(
            context.services.db, actor.person_id, button.submission_id)):
        await refuse(update, context, actor)
        return
    await _ask_feedback(update, context, actor, button.submission_id, FEEDBACK,
                        "homework/feedback_ask")


async def reply_button(update: Update, context: KernbotContext, actor: Actor,
                       button: hb.Reply) -> None:
    """The owner answers the feedback on their submission."""
    submission = store.get(context.services.db, button.submission_id)
    if submission is None or submission.person_id != actor.person_id:
        await refuse(update, context, actor)
        return
    await _ask_feedback(update, context, actor, button.submission_id, REPLY,
                        "homework/answer_ask")


async def stop_button(update: Update, context: KernbotContext, actor: Actor,
                      button: hb.Stop) -> None:
    conversations.clear(context.services.db, update.effective_chat.id)
    await reply(update, context, actor, "homework/stopped")


RESTART = "hw_restart"


async def restart_button(update: Update, context: KernbotContext, actor: Actor,
                         button: hb.Restart) -> None:
    """"Opnieuw beginnen": asks first; what is set aside can be brought back until the
    hand-in."""
    services = context.services
    now = services.clock.now()
    view = homework.find(services.db, services.settings, actor.person_id, button.assignment_id,
                         now)
    if view is None or view.submission is None or now >= view.editable_until:
        await reply(update, context, actor, "common/button_expired")
        return
    assignment_id = button.assignment_id

    def markup(nonce: int):
        return keyboard([[(label(context, actor, "homework/restart_yes"),
                           hb.RestartYes(assignment_id, nonce).pack())],
                         [(label(context, actor, "homework/restart_no"),
                           hb.RestartNo(nonce).pack())]])

    await confirm.ask(update, context, actor, RESTART, "homework/restart_confirm", markup,
                      {"a": assignment_id}, view=view,
                      minutes=int(confirm.OPEN_FOR.total_seconds() // 60))


async def restart_yes_button(update: Update, context: KernbotContext, actor: Actor,
                             button: hb.RestartYes) -> None:
    services = context.services
    now = services.clock.now()
    payload = confirm.take(context, update.effective_chat.id, RESTART, button.nonce)
    view = homework.find(services.db, services.settings, actor.person_id, button.assignment_id,
                         now) if payload is not None and payload.get("a") == \
        button.assignment_id else None
    if view is None or view.submission is None or now >= view.editable_until:
        await confirm.closed(update, context, actor)
        return
    with transaction(services.db):
        store.clear_items(services.db, view.submission.id, now)
        conversations.put(services.db, update.effective_chat.id,
                          f"{PREFIX}:{COLLECT}:{button.assignment_id}", {}, now)
    await reply(update, context, actor, "homework/cleared", keyboard(
        [[(label(context, actor, "homework/undo"), hb.Undo(button.assignment_id).pack())],
         [(label(context, actor, "homework/stop"), hb.Stop().pack())]]))


async def restart_no_button(update: Update, context: KernbotContext, actor: Actor,
                            button: hb.RestartNo) -> None:
    if confirm.take(context, update.effective_chat.id, RESTART, button.nonce) is None:
        await confirm.closed(update, context, actor)
        return
    await reply(update, context, actor, "homework/restart_kept")


async def undo_button(update: Update, context: KernbotContext, actor: Actor,
                      button: hb.Undo) -> None:
    """The pieces set aside by the last "opnieuw beginnen" count again, until the hand-in
    that came after it."""
    services = context.services
    db, now = services.db, services.clock.now()
    view = homework.find(db, services.settings, actor.person_id, button.assignment_id, now)
    removed = homework.restorable(db, view) if view is not None else None
    if removed is None:
        await reply(update, context, actor, "homework/undo_closed")
        return
    with transaction(db):
        store.restore_items(db, view.submission.id, removed, now)
    count = len(store.items(db, view.submission.id))
    await reply(update, context, actor, "homework/restored", _collect_keyboard(
        context, actor, _current(context, actor, button.assignment_id)), count=count)


async def _thread_message(update: Update, context: KernbotContext, actor: Actor,
                          submission_id: int, from_coach: bool) -> None:
    services = context.services
    db, now = services.db, services.clock.now()
    staff = actor.coordinator or homework.is_coach_of_submission(db, actor.person_id,
                                                                 submission_id)
    if not homework.can_view_submission(db, actor.person, submission_id,
                                        coordinator=actor.coordinator) or (from_coach and not staff):
        conversations.clear(db, update.effective_chat.id)
        await refuse(update, context, actor)
        return
    message = update.effective_message
    kind = message_kind(update)
    if kind not in ("text", "voice"):
        await reply(update, context, actor, "homework/feedback_text_or_voice")
        return
    text = text_of(update)
    file_id = message.voice.file_id if kind == "voice" else None
    with transaction(db):
        store.add_feedback(db, submission_id, actor.person_id, text=text, now=now, kind=kind,
                           file_id=file_id)
        conversations.clear(db, update.effective_chat.id)
    submission = store.get(db, submission_id)
    assignment = assignments.get(db, submission.assignment_id)
    if from_coach:
        recipients = [people.get(db, submission.person_id)]
        key, button = "homework/feedback_to_participant", hb.Reply(submission_id).pack()
    else:
        authors = {f.author_id for f in store.thread(db, submission_id)
                   if f.author_id and f.author_id != submission.person_id}
        recipients = [people.get(db, a) for a in sorted(authors)]
        key, button = "homework/answer_to_coach", hb.Feedback(submission_id).pack()
    owner = people.get(db, submission.person_id)
    for person in recipients:
        if person is None or person.telegram_id is None:
            continue
        m = services.messages
        rendered = m.render(key, person.language, author=actor.person, assignment=assignment,
                            text=text, voice=kind == "voice", owner=owner)
        markup = keyboard([[(m.plain("homework/reply_button", person.language), button)]])
        try:
            await context.bot.send_message(person.telegram_id, rendered, reply_markup=markup)
            if file_id:
                await context.bot.send_voice(person.telegram_id, file_id)
        except TelegramError as exc:
            log.warning("feedback for submission %s not delivered: %s", submission_id, exc)
    await reply(update, context, actor, "homework/thread_sent", to_coach=not from_coach)
