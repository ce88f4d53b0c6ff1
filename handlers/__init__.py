"""The Telegram-facing layer: parse the update, check the role, call the domain, render.

One module per feature; each exposes plain async functions. Which command, button or
conversation state runs which function is listed in kernbot/composition.py.
"""
