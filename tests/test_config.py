"""Configuration: defaults < file < environment; wrong values end with one line naming the key."""

import subprocess
import sys
from pathlib import Path

import pytest

from core.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_defaults_without_file_or_environment(tmp_path):
    config = load_config(write(tmp_path, ""), env={})
    assert config["bot"]["timezone"] == "Europe/Brussels"
    assert config.default_language == "nl"
    assert config.effective_mode() == "console"


def test_environment_beats_file_beats_defaults(tmp_path):
    path = write(tmp_path, '[bot]\ndefault_language = "en"\nlog_level = "DEBUG"\n'
                           '[storage]\ndatabase = "from-file.sqlite3"\n')
    config = load_config(path, env={"KERNBOT_STORAGE_DATABASE": "from-env.sqlite3",
                                    "KERNBOT_TOKEN": "123:abc"})
    assert config["storage"]["database"] == "from-env.sqlite3"
    assert config["bot"]["default_language"] == "en"
    assert config.token == "123:abc"
    assert config.effective_mode() == "polling"


def test_webhook_mode_when_url_set(tmp_path):
    path = write(tmp_path, '[bot]\ntoken = "1:x"\n[webhook]\nurl = "https://k.example/tg"\n'
                           'secret_token = "s3cret"\n')
    assert load_config(path, env={}).effective_mode() == "webhook"


@pytest.mark.parametrize("text, key", [
    ('[bot]\ntimezone = "Mars/Olympus"\n', "bot.timezone"),
    ('[bot]\ncolour = "blue"\n', "bot.colour"),
    ('[nonsense]\nx = 1\n', "[nonsense]"),
    ('[webhook]\nport = "eighty"\n', "webhook.port"),
    ('[webhook]\nport = 70000\n', "webhook.port"),
    ('[bot]\ndefault_language = "fr"\n', "bot.default_language"),
    ('[bot]\ncoordinators = ["els"]\n', "bot.coordinators"),
    ('[bot]\nmode = "webhook"\ntoken = "1:x"\n', "webhook.url"),
    ('[reminders]\nquiet_start = "25:00"\n', "reminders.quiet_start"),
    ('[bot\n', "not valid TOML"),
])
def test_wrong_values_name_the_key(tmp_path, text, key):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text), env={})
    assert key in str(info.value)
    assert "\n" not in str(info.value)


def test_wrong_environment_value_names_the_key(tmp_path):
    with pytest.raises(ConfigError, match="webhook.port"):
        load_config(write(tmp_path, ""), env={"KERNBOT_WEBHOOK_PORT": "x"})


def test_missing_explicit_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml", env={}, required=True)


def test_example_config_is_valid_and_documents_every_key():
    example = ROOT / "config.example.toml"
    load_config(example, env={})
    text = example.read_text()
    from core.config import SCHEMA

    for section, keys in SCHEMA.items():
        assert f"[{section}]" in text
        for key in keys:
            assert f"{key} =" in text or f"# {key} =" in text, f"{section}.{key} undocumented"


def run_bot(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, str(ROOT / "bot.py"), *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=60, env=env)


def test_broken_config_exits_2_with_one_line(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text('[bot]\ntimezone = "Europe/Brusels"\n')
    result = run_bot("--config", str(broken))
    assert result.returncode == 2
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "bot.timezone" in lines[0]
    assert "Traceback" not in result.stderr


def test_unreadable_config_exits_2(tmp_path):
    directory = tmp_path / "adir.toml"
    directory.mkdir()
    result = run_bot("--config", str(directory))
    assert result.returncode == 2
    assert "cannot be read" in result.stderr


def test_help_explains_modes_and_admin_commands():
    result = run_bot("--help")
    assert result.returncode == 0
    for word in ("console", "polling", "webhook", "KERNBOT_TOKEN", "admin", "migrate"):
        assert word in result.stdout
