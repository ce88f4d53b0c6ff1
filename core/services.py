"""What every handler, job and admin command needs, built once from the configuration by the
composition root (kernbot/composition.py) and carried by the Application (`bot_data`).

Nothing here is filled by imports: the settings, the event bus, the flow definitions and the
shipped inspiration library are made in `kernbot.composition.build_services` and handed down.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from core.clock import Clock
from core.config import Config
from core.events import EventBus
from core.settings import Settings
from flows.engine import Flow
from messages.render import Messages


@dataclass
class Services:
    config: Config
    db: sqlite_utils.Database
    messages: Messages
    clock: Clock
    settings: Settings
    bus: EventBus
    flows: dict[str, Flow]
    # the shipped inspiration library (programme.library.Practice entries), checked at start-up
    library: tuple = ()
