"""Where each private chat stands in a conversation; written before the bot replies.

A state is a short string naming the conversation and step (`enrol:name`, `flow:intake`), plus a
small JSON object. Features own their prefixes; the text router dispatches on them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

import sqlite_utils

from storage.db import utcnow_iso


@dataclass(frozen=True)
class ConversationState:
    chat_id: int
    state: str
    data: dict = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        return self.state.split(":", 1)[0]

    @property
    def step_and_id(self) -> tuple[str, int | None]:
        """("collect", 12) of a "<feature>:<step>:<id>" state; ("", None) for any other shape."""
        parts = self.state.split(":")
        if len(parts) != 3 or not parts[2].isascii() or not parts[2].isdigit():
            return "", None
        return parts[1], int(parts[2])


def get(db: sqlite_utils.Database, chat_id: int) -> ConversationState | None:
    row = db.execute("SELECT state, data FROM conversation_state WHERE chat_id = ?",
                     [chat_id]).fetchone()
    if row is None:
        return None
    return ConversationState(chat_id, row[0], json.loads(row[1]))


def put(db: sqlite_utils.Database, chat_id: int, state: str, data: dict | None,
        now: datetime) -> ConversationState:
    db.execute(
        "INSERT INTO conversation_state (chat_id, state, data, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (chat_id) DO UPDATE SET state = excluded.state, data = excluded.data,"
        " updated_at = excluded.updated_at",
        [chat_id, state, json.dumps(data or {}, ensure_ascii=False), utcnow_iso(now)],
    )
    return ConversationState(chat_id, state, data or {})


def clear(db: sqlite_utils.Database, chat_id: int) -> bool:
    return db.execute("DELETE FROM conversation_state WHERE chat_id = ?", [chat_id]).rowcount == 1
