"""What every handler and job needs, built once per Application: config, db, messages, clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from messages.render import Messages
from core.clock import Clock
from core.config import Config


@dataclass
class Services:
    config: Config
    db: sqlite_utils.Database
    messages: Messages
    clock: Clock
    # Features attach their own collaborators here (flow registry, outbox, ...), by name.
    extras: dict[str, Any] = field(default_factory=dict)
