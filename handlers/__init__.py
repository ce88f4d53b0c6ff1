"""The Telegram-facing layer: parse the update, check the role, call the domain, render.

Every module here with a `register(app)` function is wired in `register_all`, ordered by its
`ORDER` (default 50); the common fallbacks come last so they only see what nothing else took.
"""

from __future__ import annotations

import importlib
import pkgutil

from telegram.ext import Application


def register_all(app: Application) -> None:
    modules = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if callable(getattr(module, "register", None)):
            modules.append(module)
    modules.sort(key=lambda m: (getattr(m, "ORDER", 50), m.__name__))
    for module in modules:
        module.register(app)
    from handlers import common

    common.register_fallbacks(app)
