"""Composers of what coaches receive and give (issue 14): the preparation pack of a session
(one PDF, made at send time from the data as it is then), and a coach's answer to the group's
evaluations ("koppel terug"), one row per participant."""

from __future__ import annotations

from buttons import coaches as cob
from delivery.sender import Outgoing
from documents import prep
from programme import preparation
from schedule.compose import Compose, Skip
from storage import coaches as coach_store
from storage import memberships, people, trajectories


def prep_pack(c: Compose, row, person):
    """To one coach, `prep_working_days` working days before the session."""
    session_id = row.subject_id("session")
    session = trajectories.get_session(c.db, session_id) if session_id else None
    if session is None or session.status != "planned":
        return Skip("session cancelled or removed")
    if session.starts_at <= c.now:
        return Skip("the session has already started")
    membership = memberships.get(c.db, person.id, session.trajectory_id)
    if membership is None or membership.role != "coach" or membership.status != "active":
        return Skip("no longer a coach of this trajectory")
    pack = preparation.collect(c.db, c.messages, c.flows, c.settings, session, person.language,
                               c.now)
    text = c.messages.render("coaches/pack_message", person.language, person=person, pack=pack)
    buttons = ((((c.messages.plain("coaches/evaluations_button", person.language,
                                   session=pack.previous)),
                 cob.Evaluations(pack.previous.id).pack()),),) if pack.previous else ()
    return Outgoing(text, buttons=buttons, attachments=(
        (prep.file_name(c.messages, pack, person.language),
         prep.pack_pdf(c.messages, pack, person.language)),))


def group_feedback(c: Compose, row, person):
    """A coach's answer to the evaluations of a session, to each participant."""
    feedback = coach_store.session_feedback(c.db, int(row.payload.get("feedback", 0)))
    if feedback is None or not feedback.text:
        return Skip("feedback withdrawn or erased")
    session = trajectories.get_session(c.db, feedback.session_id)
    if session is None:
        return Skip("session removed")
    author = people.get(c.db, feedback.author_id) if feedback.author_id else None
    trajectory = trajectories.get(c.db, session.trajectory_id)
    return Outgoing(c.messages.render("coaches/group_feedback", person.language, person=person,
                                      author=author, session=session, trajectory=trajectory,
                                      text=feedback.text))


def draft_check(c: Compose, row, person):
    """At a homework's deadline, to a participant with an unsent draft: hand it in as it is?"""
    from buttons import homework as hb
    from programme import followup
    from storage import homework as homework_store

    if row.trajectory_id is None or not followup.membership_running(c.db, person.id,
                                                                    row.trajectory_id):
        return Skip("no longer takes part")
    item = followup.item(c.db, c.settings, person.id, row.trajectory_id, row.subject)
    if item is None or item.kind != "assignment":
        return Skip("homework removed")
    submission = homework_store.of(c.db, person.id, item.ref)
    if submission is None or submission.status != "draft":
        return Skip("handed in, or nothing started")
    pieces = homework_store.items(c.db, submission.id)
    if not pieces:
        return Skip("an empty draft")
    m = c.messages
    return Outgoing(m.render("homework/draft_deadline", person.language, person=person,
                             item=item, pieces=pieces,
                             on_time=submission.updated_at <= item.due_at),
                    buttons=(((m.plain("homework/submit_as_is", person.language),
                               hb.SubmitDraft(item.ref).pack()),),
                             ((m.plain("homework/open_draft", person.language),
                               hb.Open(item.ref).pack()),)))


def drafts_locked(c: Compose, row, person):
    """To each coach when a homework locks: the drafts nobody handed in, marked as drafts."""
    from buttons import homework as hb
    from programme import homework
    from storage import assignments

    assignment_id = row.subject_id("assignment")
    assignment = assignments.get(c.db, assignment_id) if assignment_id else None
    if assignment is None:
        return Skip("homework removed")
    drafts = homework.drafts_at_lock(c.db, c.settings, assignment.id, c.now)
    if not drafts:
        return Skip("no drafts left at the lock")
    m = c.messages
    buttons = tuple(((m.plain("homework/view_draft_button", person.language, person=p,
                              pieces=n), hb.View(sub.id).pack()),) for p, sub, n in drafts)
    return Outgoing(m.render("homework/drafts_locked", person.language, person=person,
                             assignment=assignment, drafts=drafts), buttons=buttons)
