"""Privacy rights: what is stored about a person (export), forgetting a person, retention.

Storage knows which tables hold personal data (storage/privacy.py); this module adds the rules:
forgetting is one transaction, local files go after it commits, and a purge only touches
people whose every trajectory ended long enough ago.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlite_utils

from flows.engine import SKIPPED, Flow, Group, Pos
from messages.render import Messages
from programme import evaluation, flow_text
from storage import assignments, people, trajectories
from storage import privacy as store
from storage.db import checkpoint_truncate, parse_iso, transaction

# The guided conversations in the order a person meets them: answers are listed in this
# order (a flow not named here comes after them), each run in its own order (chains by number).
FLOW_ORDER = ("intake", "brief", "waarom", "evaluatie", "slotevaluatie")


def _run_order(row: dict) -> tuple:
    """Where the answers of one run of a flow come: by flow, then by instance as a number."""
    flow, instance = row["flow"], row["instance"] or ""
    rank = FLOW_ORDER.index(flow) if flow in FLOW_ORDER else len(FLOW_ORDER)
    return rank, flow, len(instance), instance


def export_data(db: sqlite_utils.Database, person_id: int) -> dict:
    """Everything stored about the person, without server paths; answers (and their earlier
    versions) by flow and run, within a run in the order they were given."""
    data = store.export_readable(db, person_id)
    for table in ("flow_answers", "flow_answer_history"):
        data[table].sort(key=lambda row: (_run_order(row), row["id"]))
    return data


def export_json(db: sqlite_utils.Database, person_id: int) -> str:
    return json.dumps(export_data(db, person_id), ensure_ascii=False, indent=2, default=str)


def forget(db: sqlite_utils.Database, person: people.Person, now: datetime, mode: str,
           files_dir: str | Path | None = None) -> int:
    """Erase or anonymise one person; returns the number of local files removed. Nothing is
    left behind: the rows (secure_delete overwrites them), the copies in the WAL (emptied by a
    TRUNCATE checkpoint), the person's files and their folders."""
    files = store.local_files(db, person.id)
    with transaction(db):
        store.forget(db, person.id, person.telegram_id, now, mode)
    with contextlib.suppress(sqlite3.OperationalError):  # busy: the timer job checkpoints later
        checkpoint_truncate(db)
    removed = 0
    for name in files:
        try:
            Path(name).unlink()
            removed += 1
        except OSError:
            pass
    if files_dir is not None:
        for folder in [*Path(files_dir).glob(f"traject-*/person-{int(person.id)}"),
                       Path(files_dir) / "flows" / f"person-{int(person.id)}"]:
            shutil.rmtree(folder, ignore_errors=True)
    return removed


@dataclass(frozen=True)
class Section:
    """One part of the readable overview: a heading and (label, value) lines."""
    title: str
    lines: list[tuple[str, str]]


def readable(db: sqlite_utils.Database, messages: Messages, flows: dict[str, Flow],
             person_id: int, lang: str) -> list[Section]:
    """Everything stored about the person, as a person reads it: labels in their language,
    answers as the words they chose, no internal ids or server paths."""
    data = export_data(db, person_id)
    m = messages

    def label(field: str) -> str:
        return m.plain("privacy/field", lang, field=field)

    def when(value) -> str:
        moment = parse_iso(value) if isinstance(value, str) and value else None
        return m.format(moment, lang, "datetime") if moment else ""

    sections: list[Section] = []
    for person in data["people"]:
        sections.append(Section(m.plain("privacy/table", lang, table="people"), [
            (label(f), m.plain("privacy/value", lang, field=f, value=str(person[f])))
            for f in ("name", "municipality", "department", "organisation", "language",
                      "status") if person.get(f)]))
    lines = []
    for row in data["memberships"]:
        trajectory = trajectories.get(db, row["trajectory_id"])
        lines.append((m.plain("privacy/role", lang, role=row["role"]),
                      f"{trajectory.number}: {trajectory.title}" if trajectory else "?"))
    sections.append(Section(m.plain("privacy/table", lang, table="memberships"), lines))
    answers, earlier = _answer_lines(db, m, flows, person_id, lang, data)
    sections.append(Section(m.plain("privacy/table", lang, table="flow_answers"), answers))
    sections.append(Section(m.plain("privacy/table", lang, table="flow_answer_history"),
                            earlier))
    work = []
    for row in data["submissions"]:
        assignment = assignments.get(db, row["assignment_id"])
        work.append((m.programme_text(assignment, "title", lang) if assignment else "?",
                     m.plain("homework/_status", lang, status="late" if row["late"]
                             else ("handed_in" if row["status"] == "submitted" else "open"))))
    for row in data["submission_items"]:
        work.append((m.plain("privacy/item", lang, kind=row["kind"]),
                     row["text"] or row["file_name"] or ""))
    sections.append(Section(m.plain("privacy/table", lang, table="submissions"), work))
    sections.append(Section(m.plain("privacy/table", lang, table="feedback"),
                            [(when(r["created_at"]), r["text"]) for r in data["feedback"]]))
    # the messages: what went out (or failed), in date order; what is still planned as one
    # line, since each is sent only if it is still needed then
    rows = sorted(data["outbox"], key=lambda r: r["planned_at"] or "")
    outgoing = [(when(r["planned_at"]), m.plain("privacy/message_kind", lang, kind=r["kind"],
                                                status=r["status"]))
                for r in rows if r["status"] not in ("pending", "skipped", "cancelled")]
    planned = [r for r in rows if r["status"] == "pending"]
    if planned:
        outgoing.append((when(planned[0]["planned_at"]),
                         m.plain("privacy/planned_messages", lang, count=len(planned))))
    sections.append(Section(m.plain("privacy/table", lang, table="outbox"), outgoing))
    sections.append(Section(m.plain("privacy/table", lang, table="nudge_mutes"), [
        (label("until"), when(r.get("until")) or "-") for r in data["nudge_mutes"]]))
    sections.append(Section(m.plain("privacy/table", lang, table="announcements"), [
        (when(r["planned_at"]), r["text"]) for r in data["announcements"]]))
    sections.append(Section(m.plain("privacy/table", lang, table="audit_log"), [
        (when(r["created_at"]), m.plain("privacy/audit_action", lang, action=r["action"]))
        for r in data["audit_log"]]))
    sections.append(Section(m.plain("privacy/table", lang, table="invites"), [
        (label(field.removeprefix("prefill_")), r[field]) for r in data["invites"]
        for field in ("prefill_name", "prefill_municipality", "prefill_department",
                      "prefill_organisation") if r[field]]))
    sections.append(Section(m.plain("privacy/table", lang, table="shared_items"), [
        (m.plain("sharing/title", lang, kind=r["kind"], step=r["step"],
                 headline=json.loads(r["content"]).get("headline", "")),
         m.plain("privacy/shared", lang, when=when(r["shared_at"]),
                 trajectory=_trajectory_number(db, r["trajectory_id"])))
        for r in data["shared_items"]]))
    sections.append(Section(m.plain("privacy/table", lang, table="share_reactions"), [
        (when(r["created_at"]), m.plain("privacy/reaction", lang, kind=r["kind"],
                                        mine=r["person_id"] == person_id, text=r["text"],
                                        answer=r["answer"]))
        for r in data["share_reactions"]]))
    sections.append(Section(m.plain("privacy/table", lang, table="practices"), [
        (r["title_nl"], r["what_nl"]) for r in data["practices"]]))
    sections.append(Section(m.plain("privacy/table", lang, table="chosen_practices"), [
        (when(r["chosen_at"]), f"{r['title']} ({r['place']})") for r in
        data["chosen_practices"]]))
    sections.append(Section(m.plain("privacy/table", lang, table="conversation_state"), [
        (when(r["updated_at"]), m.plain("privacy/conversation", lang,
                                        feature=r["state"].split(":", 1)[0]))
        for r in data["conversation_state"]]))
    return [s for s in sections if s.lines]


def _answer_lines(db: sqlite_utils.Database, m: Messages, flows: dict[str, Flow],
                  person_id: int, lang: str, data: dict
                  ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The answers and their earlier versions as ("<conversation>: <question>", answer), in
    the order they are asked: the flows in FLOW_ORDER, each run (a chain, an evaluation) in
    turn, the questions in the flow's order, a group round by round. A group's "add
    another?" marker is no answer and is left out, as in the summaries; so are answers to
    flows that no longer exist (they are in the JSON)."""
    titles: dict[tuple[str, str], tuple[str, tuple]] = {}

    def run(flow: Flow, instance: str) -> tuple[str, tuple]:
        """(title, order) of one run of a flow."""
        if (flow.id, instance) not in titles:
            title, order = m.static(f"flows/{flow.id}/title", lang), (len(instance), instance)
            if flow.instances == "numbered" and instance:
                title = m.plain("flows/doc/chain", lang, number=instance)
            elif flow.id == "evaluatie" and instance:   # the instance is a session id
                session = evaluation.session_of_person(db, person_id, instance)
                if session is not None:
                    title = m.plain("flows/evaluatie/title_session", lang,
                                    number=session.number)
                    order = (0, session.starts_at.isoformat(), *order)
            titles[flow.id, instance] = (title, order)
        return titles[flow.id, instance]

    def lines(rows: list[dict], shown) -> list[tuple[str, str]]:
        found = []
        for row in rows:
            flow = flows.get(row["flow"])
            if flow is None or flow.group(row["question"]) is not None:
                continue
            pos = Pos(row["question"], row["idx"])
            title, order = run(flow, row["instance"] or "")
            name = flow_text.label(m, lang, flow, pos) if flow.question(pos.qid) else pos.qid
            value = SKIPPED if row["skipped"] else \
                (json.loads(row["value"]) if row["value"] else None)
            found.append(((_run_order(row)[:2], order, _question_order(flow, pos), row["id"]),
                          f"{title}: {name}", shown(flow, pos, value, row)))
        return [(name, text) for _, name, text in sorted(found, key=lambda f: f[0])]

    def current(flow: Flow, pos: Pos, value, row: dict) -> str:
        return flow_text.display_value(m, lang, flow, pos, value)

    def replaced(flow: Flow, pos: Pos, value, row: dict) -> str:
        moment = parse_iso(row["replaced_at"]) if row.get("replaced_at") else None
        return m.plain("privacy/replaced", lang, value=current(flow, pos, value, row),
                       when=m.format(moment, lang, "datetime") if moment else "")

    return (lines(data["flow_answers"], current),
            lines(data["flow_answer_history"], replaced))


def _question_order(flow: Flow, pos: Pos) -> tuple:
    """Where a question comes in its flow: by item, a group round by round; a question the
    flow no longer has comes last."""
    for n, item in enumerate(flow.items):
        if item.id == pos.qid:
            return n, pos.idx, 0, ""
        if isinstance(item, Group):
            for k, q in enumerate(item.questions):
                if q.id == pos.qid:
                    return n, pos.idx, k, ""
    return len(flow.items), pos.idx, 0, pos.qid


def _trajectory_number(db: sqlite_utils.Database, trajectory_id: int) -> str:
    trajectory = trajectories.get(db, trajectory_id)
    return str(trajectory.number) if trajectory else "?"


@dataclass(frozen=True)
class PurgePlan:
    trajectories: list[trajectories.Trajectory]
    people: list[people.Person]


def purge_plan(db: sqlite_utils.Database, older_than_months: int, now: datetime) -> PurgePlan:
    """Trajectories whose last session ended more than N months (of 30 days) ago, and the
    people who belong to no other trajectory."""
    limit = now - timedelta(days=30 * older_than_months)
    ended = []
    for trajectory in trajectories.all_trajectories(db):
        sessions = trajectories.sessions_of(db, trajectory.id)
        if sessions and max(s.ends_at for s in sessions) < limit:
            ended.append(trajectory)
    ids = store.people_only_in(db, [t.id for t in ended])
    found = [people.get(db, i) for i in ids]
    return PurgePlan(ended, [p for p in found if p is not None and p.role != "coordinator"])


def purge(db: sqlite_utils.Database, plan: PurgePlan, now: datetime,
          files_dir: str | Path | None = None) -> int:
    for person in plan.people:
        forget(db, person, now, "erase", files_dir)
    return len(plan.people)
