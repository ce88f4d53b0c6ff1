"""Composers of the follow-up rows (see programme/followup.py and schedule/planner.py).

Each checks at send time whether the message is still wanted: a rung is skipped when its item
is done (or removed, or the person left), a check-in when the person was in touch recently.
"""

from __future__ import annotations

from datetime import date, datetime

from buttons import followup as fub
from delivery.sender import Outgoing
from programme import calendar, followup
from schedule.compose import Compose, Skip
from storage import followup as followup_store
from storage import memberships, mutes, people, trajectories


def _offset(row) -> str:
    return row.unique_key.rsplit(":", 1)[-1]


def _item(c: Compose, row, person_id: int) -> followup.Item | None:
    if row.trajectory_id is None or followup.parse_subject(row.subject) is None:
        return None
    if not followup.membership_running(c.db, person_id, row.trajectory_id):
        return None
    return followup.item(c.db, c.settings, person_id, row.trajectory_id, row.subject)


def _action_buttons(c: Compose, person, item: followup.Item) -> list[tuple[str, str]]:
    from buttons.flows import Start

    m = c.messages
    if item.kind == "evaluation":
        return [(m.plain("reminders/evaluation_button", person.language),
                 Start("evaluatie", str(item.ref)).pack())]
    if item.kind == "final":
        return [(m.plain("followup/final_button", person.language),
                 fub.FinalEvaluation(item.ref).pack())]
    return []


def _draft_pieces(c: Compose, person, item: followup.Item) -> int:
    """Pieces of an unsent draft of this homework (0: none): a reminder mentions them."""
    from storage import homework as homework_store

    if item.kind != "assignment":
        return 0
    submission = homework_store.of(c.db, person.id, item.ref)
    if submission is None or submission.status != "draft":
        return 0
    return len(homework_store.items(c.db, submission.id))


def reminder(c: Compose, row, person):
    """The gentle and firm rungs, and "herinner me morgen"."""
    item = _item(c, row, person.id)
    if item is None:
        return Skip("item removed, or the person no longer takes part")
    if followup.is_done(c.db, c.flows, person.id, item):
        return Skip("done")
    if followup.closed(c.db, c.settings, person.id, item, c.now):
        return Skip("closed: it can no longer be handed in")
    if mutes.active(c.db, person.id, c.now) is not None:
        return Skip("nudges muted by the participant")
    rung, _, later = _offset(row).partition(".")
    if not later and followup.superseded(c.settings, item, rung, c.now):
        return Skip("overdue by now: the firm reminder says so")
    overdue = c.now > item.due_at
    trajectory = trajectories.get(c.db, item.trajectory_id)
    # a reminder before the deadline that comes after it speaks as the overdue one
    text = c.messages.render("followup/reminder", person.language, person=person, item=item,
                             rung="firm" if overdue and rung == "gentle" else rung,
                             later=bool(later), trajectory=trajectory, overdue=overdue,
                             draft=_draft_pieces(c, person, item))
    buttons = [_action_buttons(c, person, item)]
    if not later:
        buttons.append([(c.messages.plain("followup/later_button", person.language),
                         fub.Later(item.kind, item.ref, rung).pack())])
    return Outgoing(text, buttons=tuple(tuple(r) for r in buttons if r))


def _staff_digest(c: Compose, trajectory_id: int, person, moment: datetime
                  ) -> tuple[dict, list[followup.StaffRung]]:
    """What a staff member's digest of one trajectory says at one moment: the items that reached
    their rung (coach: they coach the trajectory; coordinator) then and are still open, grouped
    by rung and item with every participant concerned, and who of those is away or
    unreachable (the template's values), and the entries named (recorded as told when the
    message goes: never the same rung twice). Computed from the data as it is now."""
    db, s = c.db, c.settings
    roles = set()
    if any(m.person_id == person.id for m in memberships.of_trajectory(db, trajectory_id,
                                                                         "coach")):
        roles.add("coach")
    if person.role == "coordinator":
        roles.add("coordinator")
    participants = [m.person_id for m in memberships.of_trajectory(db, trajectory_id,
                                                                    "participant")]
    groups: dict[tuple, dict] = {}
    named: dict[int, people.Person] = {}
    told: list[followup.StaffRung] = []
    for entry in followup.staff_rungs(db, s, trajectory_id, participants):
        if entry.at != moment or entry.rung not in roles:
            continue
        about = named.get(entry.about) or people.get(db, entry.about)
        if about is None or about.status not in ("active", "unreachable") or \
                followup.is_done(db, c.flows, about.id, entry.item) or \
                followup.already_told(db, person.id, entry):
            continue
        named[about.id] = about
        told.append(entry)
        key = (followup.STAFF_RUNGS.index(entry.rung), entry.item.due_at, entry.item.subject)
        group = groups.setdefault(key, {"rung": entry.rung, "item": entry.item,
                                        "due": entry.item.due_at, "people": []})
        group["people"].append(about)
    away = []
    for about in named.values():
        absence = followup.away_at(s, followup_store.absences_of(db, about.id), c.now)
        if absence is not None:
            away.append({"about": about, "absence": absence})
    coaches = [p for p in (people.get(db, m.person_id) for m in
                           memberships.of_trajectory(db, trajectory_id, "coach"))
               if p is not None]
    return {"groups": [groups[k] for k in sorted(groups)], "coaches": coaches, "away": away,
            "unreachable": [p for p in named.values() if p.status == "unreachable"]}, told


def staff(c: Compose, row, person):
    """The coach and coordinator rungs: one digest per trajectory and moment, naming every
    participant and item still open that reached the rung then."""
    moment = followup.parse_digest_moment(_offset(row))
    if row.trajectory_id is None or moment is None:
        return Skip("not a digest row")
    digest, told = _staff_digest(c, row.trajectory_id, person, moment)
    if not digest["groups"]:
        return Skip("everything was done meanwhile, or the participants left")
    followup.mark_told(c.db, person.id, told, c.now)
    trajectory = trajectories.get(c.db, row.trajectory_id)
    return Outgoing(c.messages.render("followup/staff", person.language, person=person,
                                      trajectory=trajectory, **digest))


def check_in(c: Compose, row, person):
    """Nobody silent for longer than `silence_working_days` while the trajectory runs."""
    s, db, now = c.settings, c.db, c.now
    tid = row.trajectory_id
    if tid is None or not followup.membership_running(db, person.id, tid):
        return Skip("no longer takes part")
    if not followup.running(db, s, tid, now):
        return Skip("the trajectory is not running")
    if followup.away_at(s, followup_store.absences_of(db, person.id), now) is not None:
        return Skip("away")
    sessions = [x for x in trajectories.sessions_of(db, tid) if x.status == "planned"]
    joined = followup_store.joined_at(db, person.id, tid) or sessions[0].starts_at
    since = max(sessions[0].starts_at, joined)
    threshold = s.silence_working_days - followup.check_in_step(s)
    silent = followup.silent_since(db, s, person.id, now, since)
    if silent < threshold:
        return Skip(f"in touch: {silent} working days since the last contact")
    trajectory = trajectories.get(db, tid)
    open_items = followup.open_items(db, s, c.flows, person.id, tid, now)
    upcoming = next((x for x in sessions if x.starts_at > now), None)
    text = c.messages.render("followup/check_in", person.language, person=person,
                             trajectory=trajectory, items=open_items, session=upcoming,
                             contact=s.contact_email, now=now)
    return Outgoing(text)


def welcome_late(c: Compose, row, person):
    """A late joiner: the sessions they missed and what to catch up, due from their joining."""
    s, db, now = c.settings, c.db, c.now
    tid = row.trajectory_id
    if tid is None or not followup.membership_running(db, person.id, tid):
        return Skip("no longer takes part")
    joined = followup_store.joined_at(db, person.id, tid)
    sessions = [x for x in trajectories.sessions_of(db, tid) if x.status == "planned"]
    missed = [x for x in sessions if x.starts_at < joined]
    items = [i for i in followup.items_for(db, s, person.id, tid, joined)
             if (i.kind == "intake" or i.catch_up) and i.opens_at <= now
             and not followup.is_done(db, c.flows, person.id, i)]
    upcoming = next((x for x in sessions if x.starts_at > now), None)
    trajectory = trajectories.get(db, tid)
    text = c.messages.render("followup/welcome_late", person.language, person=person,
                             trajectory=trajectory, missed=missed, items=items,
                             session=upcoming, contact=s.contact_email)
    return Outgoing(text)


def absence_notice(c: Compose, row, person):
    """To each coach: a participant is away until a date."""
    about = people.get(c.db, int(row.payload.get("about", 0)))
    if about is None:
        return Skip("the participant left")
    absences = followup_store.absences_of(c.db, about.id)
    current = next((a for a in absences if a.id == int(row.payload.get("absence", 0))), None)
    if current is None or current.ended_at is not None:
        return Skip("the absence was ended")
    trajectory = trajectories.get(c.db, row.trajectory_id) if row.trajectory_id else None
    return Outgoing(c.messages.render("followup/absence_notice", person.language, about=about,
                                      absence=current, trajectory=trajectory,
                                      back=followup.back_at(c.settings, current)))


def closing(c: Compose, row, person):
    """After the last session: thanks, the brief as PDF, the planned actions, the final
    evaluation, the contact point."""
    s, db = c.settings, c.db
    tid = row.trajectory_id
    if tid is None or not followup.membership_running(db, person.id, tid):
        return Skip("no longer takes part")
    from documents import brief as brief_document

    trajectory = trajectories.get(db, tid)
    data = brief_document.collect(db, c.messages, c.flows, person.id, person.language, c.now)
    attachments = ((f"{brief_document.file_stem(c.messages, data)}.pdf",
                    brief_document.document_bytes(data, "pdf")),)
    actions = [dict(zip(("action", "owner", "place", "urgency", "impact_cost", "done_when",
                         "milestone"), a, strict=False)) for a in data.actions]
    final_done = followup.final_evaluation_done(db, c.flows, person.id, tid)
    text = c.messages.render("followup/closing", person.language, person=person,
                             trajectory=trajectory, actions=actions,
                             contact=s.contact_email, final_done=final_done,
                             aftercare=followup.aftercare_at(s, row.planned_at))
    buttons = () if final_done else (((c.messages.plain("followup/final_button",
                                                        person.language),
                                       fub.FinalEvaluation(tid).pack()),),)
    return Outgoing(text, buttons=buttons, attachments=attachments)


def aftercare(c: Compose, row, person):
    """Months after the end: how did the first planned action go?"""
    db, tid = c.db, row.trajectory_id
    if tid is None or not followup.membership_running(db, person.id, tid):
        return Skip("no longer takes part")
    from documents import brief as brief_document

    data = brief_document.collect(db, c.messages, c.flows, person.id, person.language, c.now)
    first = data.actions[0][0] if data.actions and data.actions[0] else ""
    trajectory = trajectories.get(db, tid)
    m = c.messages
    buttons = ((tuple((m.plain(f"followup/aftercare_{a}", person.language),
                       fub.Aftercare(tid, a).pack()) for a in ("done", "busy", "notyet"))),)
    return Outgoing(m.render("followup/aftercare", person.language, person=person,
                             trajectory=trajectory, action=first,
                             contact=c.settings.contact_email), buttons=buttons)


def session_change(c: Compose, row, person):
    """A moved or cancelled session: a short notice with the updated calendar invitation
    (same UID, higher SEQUENCE; a cancelled one says STATUS:CANCELLED)."""
    db, m = c.db, c.messages
    session_id = row.subject_id("session")
    session = trajectories.get_session(db, session_id) if session_id else None
    if session is None:
        return Skip("session removed")
    trajectory = trajectories.get(db, session.trajectory_id)
    text = m.render("reminders/session_change", person.language, person=person,
                    session=session, trajectory=trajectory,
                    change=row.payload.get("change", "moved"))
    ics = calendar.session_ics(
        db, session, trajectory, now=c.now, tz=c.settings.tz,
        summary=m.plain("calendar/ics_summary", person.language, session=session,
                        trajectory=trajectory),
        description=m.plain("calendar/ics_description", person.language, session=session,
                            trajectory=trajectory))
    name = f"kernbot-traject-{trajectory.number}-sessie-{session.number}.ics"
    return Outgoing(text, attachments=((name, ics),))


def extension_notice(c: Compose, row, person):
    """The participant is told about more time on one homework."""
    from storage import assignments

    assignment_id = row.subject_id("assignment")
    extension = followup_store.extension(c.db, person.id, assignment_id) if assignment_id \
        else None
    if extension is None:
        return Skip("extension withdrawn")
    if _offset(row) != f"until{extension.due_at.strftime('%Y%m%d%H%M')}":
        return Skip("a newer extension was granted meanwhile")
    by = people.get(c.db, extension.granted_by) if extension.granted_by else None
    return Outgoing(c.messages.render("followup/extension_notice", person.language,
                                      person=person, extension=extension, by=by,
                                      assignment=assignments.get(c.db, assignment_id)))


def escalation(c: Compose, row, person):
    """The coordinator's weekly overview of one trajectory: handed-in work no coach opened,
    feedback a participant did not answer (each reported once), and the follow-up digest that
    falls at the same moment (the planner plans no separate row for it); nothing: no
    message."""
    if row.trajectory_id is None:
        return Skip("no trajectory")
    items = followup.lying(c.db, c.settings, row.trajectory_id, c.now)
    # the coordinator's follow-up digest of the same moment is part of this message
    moment = c.settings.work.at(date.fromisoformat(_offset(row)), c.settings.ladder_time)
    digest, told = _staff_digest(c, row.trajectory_id, person, moment)
    if not items and not digest["groups"]:
        return Skip("nothing left lying")
    followup.mark_reported(c.db, items, c.now)
    followup.mark_told(c.db, person.id, told, c.now)
    trajectory = trajectories.get(c.db, row.trajectory_id)
    text = c.messages.render("followup/escalation", person.language, person=person,
                             trajectory=trajectory,
                             unopened=[i for i in items if i.kind == "unopened"],
                             unanswered=[i for i in items if i.kind == "unanswered"], **digest)
    return Outgoing(text)
