"""Session preparation exports of one trajectory, written to a folder:

- a PDF with, per participant, the design brief, the five-whys chains and the homework texts
  with photo thumbnails;
- a ZIP with the original files, named by municipality and assignment;
- an XLSX with one row per participant and one column per question (intake and design brief)
  plus the homework status per assignment, for analysis; a sheet "Acties" with every action
  sheet of every brief (one row each) and a sheet with every evaluation of every session.

The photos of the briefs (Telegram file ids in the answers) are in the ZIP and, as thumbnails,
in the PDF when the caller downloaded them first (`photos`: file id -> local path; the /export
command does, see handlers/export.py).

Every label comes from the message templates in the reader's language.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from core.services import Services
from documents import images, safe
from documents.brief import collect, drawable_or, new_pdf
from flows.engine import Group, Pos
from programme import flow_text, homework, readable
from programme.flow_runner import load_answers
from storage import assignments, memberships, people, trajectories
from storage import homework as store


@dataclass(frozen=True)
class ExportFiles:
    pdf: Path
    zips: list[Path]     # the original files; several parts when they would not fit in one
    xlsx: Path

    @property
    def all(self) -> list[Path]:
        return [self.pdf, *self.zips, self.xlsx]


def _slug(text: str) -> str:
    return safe.slug(text)


def _participants(db, trajectory_id: int) -> list[people.Person]:
    found = [people.get(db, m.person_id)
             for m in memberships.of_trajectory(db, trajectory_id, "participant")]
    return sorted((p for p in found if p is not None and p.status != "erased"),
                  key=lambda p: (p.municipality, p.name))


def _homework(services: Services, person: people.Person, trajectory, now):
    db = services.db
    rows = []
    for window in homework.windows(db, services.settings, trajectory.id):
        view = homework.view(db, person.id, window, trajectory, now)
        items = store.items(db, view.submission.id) if view.submission else []
        rows.append((view, items))
    return rows


def brief_photo_ids(services: Services, trajectory_id: int) -> dict[int, list[str]]:
    """Per participant, the Telegram file ids of the photos in their brief."""
    flow = services.flows["brief"]
    return {p.id: readable.photo_ids(flow, load_answers(services.db, p.id, "brief"))
            for p in _participants(services.db, trajectory_id)}


def export_trajectory(services: Services, trajectory_id: int, out_dir: str | Path, lang: str,
                      now: datetime, photos: dict[str, Path] | None = None) -> ExportFiles:
    db, messages = services.db, services.messages
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    trajectory = trajectories.get(db, trajectory_id)
    stem = messages.plain("files/export", lang, number=trajectory.number,
                          day=f"{now.astimezone(messages.tz):%Y%m%d}")
    participants = _participants(db, trajectory_id)
    photos = photos or {}
    return ExportFiles(
        pdf=_pdf(services, trajectory, participants, out / f"{stem}.pdf", lang, now, photos),
        zips=_zips(services, trajectory, participants, out, f"{stem}-bestanden", now,
                   photos=photos),
        xlsx=_xlsx(services, trajectory, participants, out / f"{stem}.xlsx", lang, now))


def _thumbnail(pdf, text, m, lang: str, path: Path | None) -> None:
    small = images.thumbnail(path) if path is not None and Path(path).exists() else None
    if small is None:   # not downloaded, not a picture we can read, or far too large: named
        text(m.plain("export/photo_unreadable", lang), 9, "", 1)
    else:
        pdf.image(io.BytesIO(small), w=60)
        pdf.ln(2)


def _pdf(services: Services, trajectory, participants, path: Path, lang: str, now,
         photos: dict[str, Path] | None = None) -> Path:
    db, m = services.db, services.messages
    photos = photos or {}
    emoji_only = m.plain("prep/label", lang, name="emoji_only")  # a text the font cannot draw
    evaluations = {s.id: readable.session_evaluations(db, m, services.flows, lang, s)
                   for s in trajectories.sessions_of(db, trajectory.id)
                   if s.status == "planned" and s.ends_at <= now}
    pdf, text = new_pdf()
    pdf.add_page()
    text(m.plain("export/title", lang, trajectory=trajectory), 18, "B", 2)
    text(m.plain("export/subtitle", lang, count=len(participants),
                 date=m.format(now, lang, "date")), 11, "", 4)
    for person in participants:
        pdf.add_page()
        data = collect(db, m, services.flows, person.id, lang, now)
        text(" · ".join(p for p in (person.name, person.municipality, person.department) if p),
             15, "B", 3)
        intake = readable.intake_block(db, m, services.flows, lang, person.id)
        text(intake.title + ("" if intake.complete else f" ({data.texts['open'].lower()})"),
             12, "B", 1)
        for label, value in intake.rows:
            text(f"{label}: {value}", 9.5, "", 1)
        for part in data.parts:
            text(part.title + ("" if part.done else f" ({data.texts['open'].lower()})"),
                 12, "B", 1)
            for label, value in part.rows:
                if value is not None:
                    text(f"{label}: {value}", 9.5, "", 1)
        if data.actions:
            text(data.texts["actions"], 11, "B", 1)
            for n, action in enumerate(data.actions, 1):
                text(f"{n}. " + " | ".join(f"{h}: {v}" for h, v in zip(
                    data.action_headers, action, strict=False) if v), 9.5, "", 1)
        for file_id in readable.photo_ids(services.flows["brief"],
                                        load_answers(db, person.id, "brief")):
            _thumbnail(pdf, text, m, lang, photos.get(file_id))
        for chain in data.chains:
            text(f"{data.texts['chains']}: {chain.problem}", 10.5, "B", 0.5)
            for n, why in enumerate(chain.whys, 1):
                text(f"{data.texts['why']} {n}: {why}", 9.5, "", 0.5)
            if chain.root:
                text(f"{data.texts['root']}: {chain.root}", 9.5, "B", 0.5)
            if chain.hkw:
                text(chain.hkw, 9.5, "B", 2)
        for evaluation in evaluations.values():
            entry = next((e for e in evaluation.entries if e.person.id == person.id), None)
            if entry is None:
                continue
            text(m.plain("prep/evaluation_heading", lang, session=evaluation.session),
                 11, "B", 0.8)
            for label, value in entry.block.rows:
                text(f"{label}: {value}", 9.5, "", 0.5)
            pdf.ln(1)
        text(m.plain("export/homework", lang), 13, "B", 1.5)
        for view, items in _homework(services, person, trajectory, now):
            status = m.plain("homework/_status", lang, status=view.status)
            text(f"{m.programme_text(view.assignment, 'title', lang)} ({status})", 10.5, "B", 1)
            for item in items:
                if item.kind == "text" or item.text:
                    text(drawable_or(item.text or "", emoji_only), 9.5, "", 1)
                if item.kind == "photo" and item.local_path and Path(item.local_path).exists():
                    _thumbnail(pdf, text, m, lang, Path(item.local_path))  # size checked first
                elif item.kind in ("document", "voice"):
                    text(f"[{item.file_name or item.kind}]", 9, "", 1)
    pdf.output(str(path))
    return path


# Telegram takes documents of at most 50 MB from a bot; a part stays well below.
PART_BYTES = 45 * 1024 * 1024


def _zips(services: Services, trajectory, participants, out: Path, stem: str, now,
          part_bytes: int | None = None, photos: dict[str, Path] | None = None) -> list[Path]:
    """The original files, by municipality and assignment, in as many ZIP parts as needed to
    keep each under `part_bytes` (files are stored as they are: photos do not shrink); the
    photos of each brief under <municipality>/ontwerpbrief/."""
    part_bytes = part_bytes or PART_BYTES
    photos = photos or {}
    entries: list[tuple[Path, str]] = []
    brief_folder = _slug(services.messages.plain("flows/doc/filename", "nl"))
    for person in participants:
        who = _slug(person.municipality or person.name)
        for n, file_id in enumerate(readable.photo_ids(services.flows["brief"], load_answers(
                services.db, person.id, "brief")), 1):
            source = photos.get(file_id)
            if source is not None and Path(source).exists():
                entries.append((Path(source), f"{who}/{brief_folder}/foto-{n}"
                                              f"{Path(source).suffix or '.jpg'}"))
        for view, items in _homework(services, person, trajectory, now):
            for item in items:
                if not item.local_path or not Path(item.local_path).exists():
                    continue
                suffix = Path(item.local_path).suffix
                name = _slug(Path(item.file_name).stem) if item.file_name else item.kind
                entries.append((Path(item.local_path),
                                f"{who}/{_slug(view.assignment.title)}/{item.id}-{name}{suffix}"))
    parts: list[list[tuple[Path, str]]] = [[]]
    size = 0
    for source, name in entries:
        length = source.stat().st_size
        if parts[-1] and size + length > part_bytes:
            parts.append([])
            size = 0
        parts[-1].append((source, name))
        size += length
    paths = []
    for n, part in enumerate(parts, 1):
        path = out / (f"{stem}.zip" if len(parts) == 1 else f"{stem}-deel-{n}.zip")
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
            for source, name in part:
                archive.write(source, name)
        paths.append(path)
    return paths


def _xlsx(services: Services, trajectory, participants, path: Path, lang: str, now) -> Path:
    db, m, flows = services.db, services.messages, services.flows
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = m.plain("files/export_sheet", lang, number=trajectory.number)
    columns: list[tuple[str, str, Pos]] = []
    # (flow, instance): the evaluation of the whole trajectory is one per trajectory
    sources = [("intake", ""), ("brief", "")]
    if "slotevaluatie" in flows:
        sources.append(("slotevaluatie", str(trajectory.id)))
    for flow_id, _instance in sources:
        flow = flows[flow_id]
        for item in flow.items:
            questions = item.questions if isinstance(item, Group) else [item]
            for q in questions:
                label = m.plain(f"flows/{flow_id}/{q.id}/label", lang)
                columns.append((flow_id, label, Pos(q.id, 0)))
    work = assignments.of_trajectory(db, trajectory.id)
    header = [m.plain("export/col_name", lang), m.plain("export/col_municipality", lang),
              m.plain("export/col_department", lang),
              *(f"{flow_id}: {label}" for flow_id, label, _ in columns),
              *(m.plain("export/col_homework", lang,
                        title=m.programme_text(a, "title", lang)) for a in work)]
    safe.append_row(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for person in participants:
        answers = {f: load_answers(db, person.id, f, instance) for f, instance in sources}
        values = []
        for flow_id, _label, pos in columns:
            value = answers[flow_id].get(pos)
            values.append(flow_text.display_value(m, lang, flows[flow_id], pos, value)
                          if pos in answers[flow_id] else "")
        statuses = {v.assignment.id: v.status
                    for v, _ in _homework(services, person, trajectory, now)}
        safe.append_row(sheet, [person.name, person.municipality, person.department, *values,
                      *(m.plain("homework/_status", lang, status=statuses.get(a.id, "open"))
                        for a in work)])
    _actions_sheet(book, services, participants, lang, now)
    _evaluations_sheet(book, services, trajectory, participants, lang, now)
    book.save(path)
    return path


def _actions_sheet(book, services: Services, participants, lang: str, now) -> None:
    """Every action sheet of every brief, one row each."""
    from openpyxl.styles import Font

    m = services.messages
    sheet = book.create_sheet(m.plain("export/sheet_actions", lang)[:31])
    headers: list[str] = []
    rows = []
    for person in participants:
        data = collect(services.db, m, services.flows, person.id, lang, now)
        headers = headers or data.action_headers
        for n, action in enumerate(data.actions, 1):
            rows.append([person.name, person.municipality, n, *action])
    if not headers:
        group = next(i for i in services.flows["brief"].items if isinstance(i, Group))
        headers = [m.plain(f"flows/brief/{q.id}/label", lang) for q in group.questions]
    safe.append_row(sheet, [m.plain("export/col_name", lang),
                            m.plain("export/col_municipality", lang),
                            m.plain("export/col_number", lang), *headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        safe.append_row(sheet, row)


def _evaluations_sheet(book, services: Services, trajectory, participants, lang: str, now
                       ) -> None:
    """Every evaluation of every session: one row per person and session."""
    from openpyxl.styles import Font

    db, m = services.db, services.messages
    sheet = book.create_sheet(m.plain("export/sheet_evaluations", lang)[:31])
    header = None
    for session in trajectories.sessions_of(db, trajectory.id):
        if session.status != "planned" or session.ends_at > now:
            continue
        data = readable.session_evaluations(db, m, services.flows, lang, session)
        if header is None:
            header = [m.plain("export/col_name", lang), m.plain("export/col_municipality", lang),
                      m.plain("export/col_session", lang),
                      m.plain("flows/evaluatie/score/label", lang), *data.labels.values()]
            safe.append_row(sheet, header)
            for cell in sheet[1]:
                cell.font = Font(bold=True)
        for e in data.entries:
            safe.append_row(sheet, [e.person.name, e.person.municipality, session.number,
                                    e.score, *(e.open_answers[q] for q in data.labels)])
