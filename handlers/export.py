"""/export: the session preparation files of a trajectory (coaches: their own; coordinators:
all): a PDF with briefs and homework, a ZIP with the original files, an XLSX for analysis."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from pathlib import Path

from telegram import Update
from telegram.error import TelegramError

from buttons.progress import Export
from documents.export import brief_photo_ids, export_trajectory
from handlers.access import COACH, COORDINATOR, Actor, trajectory_ids, visible_trajectories
from handlers.context import KernbotContext
from handlers.replies import keyboard, label, refuse, reply
from storage import audit, trajectories

STAFF = frozenset({COACH, COORDINATOR})
log = logging.getLogger(__name__)


async def export_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    visible = visible_trajectories(context.services, actor)
    if not visible:
        await reply(update, context, actor, "progress/no_trajectories")
    elif len(visible) == 1:
        await send_export(update, context, actor, visible[0].id)
    else:
        rows = [[(label(context, actor, "progress/choose_button", trajectory=t),
                  Export(t.id).pack())] for t in visible]
        await reply(update, context, actor, "export/choose", keyboard(rows))


async def send_export(update: Update, context: KernbotContext, actor: Actor,
                      trajectory_id: int) -> None:
    services = context.services
    trajectory = trajectories.get(services.db, trajectory_id)
    audit.record(services.db, actor.person_id, "exported_trajectory", None,
                 services.clock.now(), detail=f"traject {trajectory.number}")
    await reply(update, context, actor, "export/working")
    photos = await download_brief_photos(context, trajectory_id)
    with tempfile.TemporaryDirectory(prefix="kernbot-export-") as tmp:
        files = export_trajectory(services, trajectory_id, tmp, actor.language,
                                  services.clock.now(), photos=photos)
        if len(files.zips) > 1:
            await reply(update, context, actor, "export/in_parts", parts=len(files.zips))
        for path in files.all:
            with path.open("rb") as handle:
                await context.bot.send_document(update.effective_chat.id, handle,
                                                filename=path.name)


async def download_brief_photos(context: KernbotContext, trajectory_id: int
                                ) -> dict[str, Path]:
    """The photos of the briefs, kept under the files folder (downloaded once; a photo that
    cannot be fetched is left out and named in the PDF)."""
    services = context.services
    trajectory = trajectories.get(services.db, trajectory_id)
    base = Path(services.config["storage"]["files_dir"]).resolve()
    found: dict[str, Path] = {}
    for person_id, file_ids in brief_photo_ids(services, trajectory_id).items():
        folder = base / f"traject-{int(trajectory.number)}" / f"person-{int(person_id)}"
        for file_id in file_ids:
            path = folder / f"brief-{hashlib.sha256(file_id.encode()).hexdigest()[:20]}.jpg"
            if not path.exists():
                try:
                    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                    telegram_file = await context.bot.get_file(file_id)
                    await telegram_file.download_to_drive(path)
                    path.chmod(0o600)
                except (TelegramError, OSError) as exc:
                    log.info("brief photo not downloaded: %s", exc)
                    continue
            found[file_id] = path
    return found


async def export_button(update: Update, context: KernbotContext, actor: Actor,
                        button: Export) -> None:
    allowed = trajectory_ids(context.services, actor)
    if (allowed is not None and button.trajectory_id not in allowed) or \
            trajectories.get(context.services.db, button.trajectory_id) is None:
        await refuse(update, context, actor)
        return
    await send_export(update, context, actor, button.trajectory_id)
