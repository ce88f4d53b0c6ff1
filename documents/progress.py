"""The progress overview as a PNG chart (matplotlib, Agg) and as an XLSX sheet (openpyxl).

Both draw the same participants-by-items grid from `programme.progress`; every label arrives
rendered (in the reader's language) from the caller, so no user-facing text lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from documents import safe
from programme.progress import (
    DONE,
    LATE,
    MISSING,
    NONE,
    NOT_APPLICABLE,
    OPEN,
    STATUSES,
    TrajectoryProgress,
    grid_cell,
    grid_columns,
)

COLOURS = {DONE: "#2e7d32", LATE: "#f9a825", MISSING: "#c62828", OPEN: "#cfd8dc",
           NOT_APPLICABLE: "#eceff1", NONE: "#ffffff"}


@dataclass(frozen=True)
class Labels:
    title: str
    columns: dict[str, str]      # column key -> short label
    statuses: dict[str, str]     # DONE/LATE/... -> legend text
    participant: str             # header of the first column
    last_activity: str
    flagged: str                 # marker text for people lagging behind
    never: str                   # "no activity yet"
    row_names: dict[int, str]    # person id -> "Name (Municipality)"
    activity: dict[int, str]     # person id -> formatted last activity
    behind_header: str = ""
    behind: dict[int, str] | None = None   # person id -> what is overdue, in words
    stuck_header: str = ""
    stuck: dict[int, str] | None = None    # person id -> where they stopped, since when


def chart_png(progress: TrajectoryProgress, labels: Labels, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.patches import Patch

    columns = grid_columns(progress)
    rows = progress.participants
    height = max(2.5, 0.45 * len(rows) + 1.8)
    fig, ax = plt.subplots(figsize=(max(8, 0.55 * len(columns) + 4), height), dpi=120)
    for y, participant in enumerate(rows):
        for x, column in enumerate(columns):
            status = grid_cell(progress, participant, column)
            ax.add_patch(plt.Rectangle((x, y), 0.92, 0.85, color=COLOURS[status],
                                       ec="#90a4ae", lw=0.5))
    ax.set_xlim(0, len(columns))
    ax.set_ylim(len(rows), 0)
    ax.set_xticks([x + 0.46 for x in range(len(columns))])
    ax.set_xticklabels([labels.columns[c] for c in columns], rotation=45, ha="right",
                       fontsize=8, parse_math=False)
    ax.set_yticks([y + 0.42 for y in range(len(rows))])
    # names are people's text: shown literally, never read as mathtext ("$", "\\")
    ax.set_yticklabels([("⚠ " if p.lagging else "") + labels.row_names[p.person.id]
                        for p in rows], fontsize=8, parse_math=False)
    for tick, participant in zip(ax.get_yticklabels(), rows, strict=True):
        if participant.lagging:
            tick.set_color(COLOURS[MISSING])
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(labels.title, fontsize=10, loc="left", parse_math=False)
    legend = [Patch(facecolor=COLOURS[s], edgecolor="#90a4ae", label=labels.statuses[s])
              for s in STATUSES]
    ax.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8,
              frameon=False)
    for text in ax.get_legend().get_texts():
        text.set_parse_math(False)
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
    return path


def sheet_xlsx(progress: TrajectoryProgress, labels: Labels, path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    columns = grid_columns(progress)
    book = Workbook()
    sheet = book.active
    sheet.title = labels.title[:31].replace("/", "-").replace(":", " ") or "Progress"
    header = [labels.participant, *(labels.columns[c] for c in columns), labels.last_activity,
              labels.flagged, labels.behind_header, labels.stuck_header]
    safe.append_row(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for participant in progress.participants:
        statuses = [grid_cell(progress, participant, c) for c in columns]
        safe.append_row(sheet, [labels.row_names[participant.person.id],
                      *(labels.statuses[s] if s != NONE else "" for s in statuses),
                      labels.activity[participant.person.id],
                      labels.flagged if participant.lagging else "",
                      (labels.behind or {}).get(participant.person.id, ""),
                      (labels.stuck or {}).get(participant.person.id, "")])
        row = sheet.max_row
        for offset, status in enumerate(statuses, start=2):
            if status != NONE:
                colour = COLOURS[status].lstrip("#")
                sheet.cell(row=row, column=offset).fill = PatternFill("solid", fgColor=colour)
    sheet.column_dimensions["A"].width = 32
    book.save(path)
    return path
