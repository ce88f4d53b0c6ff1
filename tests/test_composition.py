"""The composition root is complete: every outbox kind the code queues has a composer, every
button kind the bot sends has a route, every conversation state a feature writes has a handler,
every command has its descriptions and shows in /help exactly for the roles that may use it."""

from __future__ import annotations

import ast
import contextlib
import importlib
from pathlib import Path

import pytest

from buttons import announcements as ab
from buttons import enrol as eb
from buttons import flows as fb
from buttons import homework as hb
from buttons import invitations as ib
from handlers.access import Actor
from kernbot.composition import BUTTON_KINDS, COMPOSERS, build_registry
from messages.render import LANGUAGES, Messages
from schedule import planner

ROOT = Path(__file__).resolve().parents[1]
CODE = ("handlers", "programme", "schedule", "kernbot")


def _python_files():
    for package in CODE:
        yield from (ROOT / package).rglob("*.py")


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def queued_kinds() -> set[str]:
    """The `kind=` of every outbox.enqueue(...) call in the code, resolved to its value."""
    kinds = set()
    for path in _python_files():
        tree = ast.parse(path.read_text())
        module = None
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "enqueue"):
                continue
            for keyword in node.keywords:
                if keyword.arg != "kind":
                    continue
                module = module or importlib.import_module(_module_name(path))
                # a variable (the planner's want.kind) cannot be resolved: see PLANNED_KINDS
                with contextlib.suppress(NameError):
                    kinds.add(eval(compile(ast.Expression(keyword.value), str(path), "eval"),
                                   vars(module)))
    return kinds | set(planner.PLANNED_KINDS)


def test_every_queued_kind_has_a_composer():
    kinds = queued_kinds()
    assert kinds, "no outbox.enqueue calls found: the scan is broken"
    assert kinds <= set(COMPOSERS), kinds - set(COMPOSERS)


def test_every_button_kind_has_exactly_one_route():
    registry = build_registry()
    routed = {route.kind for route in registry.buttons.values()}
    assert routed == set(BUTTON_KINDS)


def test_every_conversation_state_has_a_handler():
    registry = build_registry()
    for prefix in (fb.PREFIX, hb.PREFIX, ab.PREFIX, ib.PREFIX, eb.PREFIX):
        assert prefix in registry.states, prefix
    # and the code writes no state under a prefix that nobody handles
    written = set()
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr == "put" and len(node.args) >= 3:
                state = node.args[2]
                if isinstance(state, ast.JoinedStr) and isinstance(state.values[0],
                                                                     ast.FormattedValue):
                    written.add(ast.unparse(state.values[0].value))
    module_prefixes = {"PREFIX", "STATE", "state", "DRAFT"}
    assert written <= module_prefixes | {"_state(field)"}, written


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_command_has_a_description_and_help_matches_the_roles(language):
    registry = build_registry()
    messages = Messages()
    for command in registry.commands.values():
        assert messages.has(command.description_key, language), command.name
    for role in (None, "participant", "coach", "coordinator"):
        actor = Actor.with_role(role, language)
        shown = {c.name for c in registry.commands_for(actor)}
        expected = {c.name for c in registry.commands.values()
                    if c.roles is None or (role is not None and role in c.roles)}
        assert shown == expected
