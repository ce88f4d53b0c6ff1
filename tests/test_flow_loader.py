"""Flow definitions are checked at load: every shipped flow loads; broken ones are refused with
a message naming the file and the question."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows import loader
from flows.engine import DefinitionError
from messages.render import LANGUAGES, Messages

BROKEN = Path(__file__).parent / "flows_broken"


@pytest.fixture(scope="module")
def messages():
    return Messages()


def test_every_shipped_flow_loads_with_all_templates(messages):
    flows = loader.load_all(messages.has)
    assert set(flows) == {"intake", "brief", "waarom", "evaluatie", "slotevaluatie"}
    for flow in flows.values():
        for key, _ in loader.required_templates(flow):
            for lang in LANGUAGES:
                assert messages.has(key, lang)
    assert flows["brief"].sections == ("step1", "step2", "step3", "step4")


def test_shipped_prompts_render_in_both_languages(messages):
    for flow in loader.load_all(messages.has).values():
        for key, _ in loader.required_templates(flow):
            for lang in LANGUAGES:
                for filled in (True, False):   # the values handlers/flow_views.py passes
                    text = messages.render(
                        key, lang, round=1, chain=["a"] if filled else [],
                        problem="p" if filled else "", root="r" if filled else "",
                        suggestion=filled, suggested="s" if filled else "",
                        department="d" if filled else "", municipality="m" if filled else "",
                        session="s" if filled else "", last=filled)
                    assert text.strip(), key


@pytest.mark.parametrize("name, words", [
    ("unknown_type", ["unknown_type.toml", "'mood'", "unknown type 'emoji_picker'"]),
    ("unknown_condition", ["unknown_condition.toml", "'area'", "'area_specific'"]),
    ("bad_condition_value", ["bad_condition_value.toml", "'area'", "maybe"]),
    ("not_toml", ["not_toml.toml", "cannot read"]),
])
def test_broken_definitions_are_refused(name, words):
    with pytest.raises(DefinitionError) as info:
        loader.load_file(BROKEN / f"{name}.toml", lambda key, lang: True)
    for word in words:
        assert word in str(info.value)


def test_missing_template_in_one_language_names_file_and_question(messages, tmp_path):
    shutil.copy(loader.FLOWS_DIR / "evaluatie.toml", tmp_path / "evaluatie.toml")

    def has(key, lang):
        return messages.has(key, lang) and not (lang == "en" and key ==
                                                "flows/evaluatie/score/prompt")

    with pytest.raises(DefinitionError) as info:
        loader.load_all(has, tmp_path)
    message = str(info.value)
    assert "evaluatie.toml" in message and "'score'" in message and "'en'" in message


def test_a_broken_shipped_flow_stops_the_application(tmp_path, monkeypatch, capsys):
    """build_services loads and checks every flow; bot.py stops with one line and exit
    status 2 (no traceback)."""
    import bot

    broken = tmp_path / "flows"
    broken.mkdir()
    shutil.copy(BROKEN / "unknown_type.toml", broken / "unknown_type.toml")
    monkeypatch.setattr(loader, "FLOWS_DIR", broken)
    config = tmp_path / "config.toml"
    config.write_text(f'[console]\ndatabase = "{tmp_path / "demo.sqlite3"}"\n')
    assert bot.main(["--config", str(config), "admin", "seed-demo"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "flow definition is broken: unknown_type.toml, question 'mood'" \
        in err[0]
