"""The inspiration library: the shipped file is checked at start-up (a malformed entry is
refused naming the file and the entry), the coordinator extends it through the programme
import, and the step-2 suggestion picks practices by theme and challenge."""

from __future__ import annotations

from pathlib import Path

import pytest

from kernbot.composition import StartupError, build_services
from kernbot.harness import test_config
from programme import importer, library

SEEDED = {"pop-up-to-date", "immo-cupido", "amok", "artenova", "baas", "allossa"}


def test_the_shipped_library_loads_with_the_programmes_examples():
    practices = library.load()
    keys = {p.key for p in practices}
    assert keys >= SEEDED
    by_key = {p.key: p for p in practices}
    assert by_key["immo-cupido"].nl.place == "Aalst"
    assert by_key["amok"].nl.what == ("Een kunstzinnig stadsfestival dat zich via pop-ups in "
                                      "leegstaande winkelpanden doorheen de stad verspreidt.")
    for p in practices:  # bilingual, themes of the call, no invented links
        assert p.translated and p.en.title and p.en.what
        assert p.themes and set(p.themes) <= set(library.THEMES)
        assert p.link == ""
        assert p.source


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "practices.toml"
    path.write_text(body, encoding="utf-8")
    return path


GOOD = """
[[practices]]
key = "goed"
themes = [9]
nl.title = "Goed"
nl.place = "Lier"
nl.what = "Iets."
en.title = "Good"
en.place = "Lier"
en.what = "Something."
"""


@pytest.mark.parametrize("entry, field", [
    ('key = "Fout Key"\nthemes = [9]', "key"),
    ('key = "x"\nthemes = [13]', "themes"),
    ('key = "x"\nthemes = []', "themes"),
    ('key = "x"\nthemes = [9]\nlink = "www.example.org"', "link"),
    ('key = "x"\nthemes = [9]\nnl.title = "T"\nnl.place = "P"', "nl.what"),
    ('key = "x"\nthemes = [9]\nnl.title = "T"\nnl.place = "P"\nnl.what = "W"', "en"),
    ('key = "x"\nthemes = [9]\ncolour = "red"', "colour"),
])
def test_a_malformed_entry_is_refused_naming_the_file_and_the_entry(tmp_path, entry, field):
    path = _write(tmp_path, GOOD + "\n[[practices]]\n" + entry + "\n")
    with pytest.raises(library.LibraryProblem) as problem:
        library.load(path)
    message = str(problem.value)
    assert str(path) in message
    assert "practices #2" in message
    assert repr(field) in message


def test_a_key_used_twice_is_refused(tmp_path):
    path = _write(tmp_path, GOOD + GOOD)
    with pytest.raises(library.LibraryProblem, match=r"practices #2 \('goed'\).*#1"):
        library.load(path)


def test_the_bot_does_not_start_with_a_broken_library(tmp_path, monkeypatch):
    path = _write(tmp_path, GOOD + '\n[[practices]]\nkey = "kapot"\nthemes = [0]\n')
    monkeypatch.setattr(library, "SHIPPED", path)
    with pytest.raises(StartupError, match=r"practices #2 \('kapot'\).*'themes'"):
        build_services(test_config(tmp_path))


# -- step 2: by theme and challenge --------------------------------------------------------------
def test_the_suggestion_picks_practices_by_theme():
    practices = library.load()
    vacancy = {p.key for p in library.suggest(practices, {9}, limit=20)}
    assert vacancy == {p.key for p in practices if 9 in p.themes}
    roads = [p.key for p in library.suggest(practices, {6}, limit=20)]
    assert roads == ["avelgem-steenweg"]
    assert library.suggest(practices, {8}, "", limit=20) == []   # nothing on city distribution


def test_the_challenge_ranks_and_widens_the_suggestion():
    practices = library.load()
    # theme 2 (DNA) has no practice of its own; the challenge speaks of vacancy and starters
    found = [p.key for p in library.suggest(practices, {2},
                                            "Leegstaande winkelpanden en weinig starters")]
    assert found and found[0] in {"pop-up-to-date", "amok"}
    assert "avelgem-steenweg" not in found
    # the theme counts more than a word of the challenge
    mixed = [p.key for p in library.suggest(practices, {6}, "te veel leegstand", limit=20)]
    assert mixed[0] == "avelgem-steenweg"


@pytest.mark.parametrize("text, themes", [
    ("2 Het DNA vertalen naar (stads)marketing, publiek domein en producten", {2}),
    ("9, 11", {9, 11}),
    ("Leegstand", {9}),
    ("Leefbare kernen langs de steenweg", {6}),
    ("", set()),
])
def test_theme_numbers_read_a_trajectory_theme(text, themes):
    assert library.theme_numbers(text) == themes


# -- extended by the coordinator through the programme import ----------------------------------
PROGRAMME = """
[[trajectories]]
number = 7
year = 2024
title = "Het DNA van de kern vertalen naar marketing, publiek domein en producten"

[[practices]]
key = "lier-avondmarkt"
themes = [2, 10]
link = "https://www.example.org/avondmarkt"
nl.title = "Avondmarkt"
nl.place = "Lier"
nl.what = "Elke donderdag een markt tot 21u."
"""


def test_the_programme_import_adds_and_updates_library_entries(bot):
    programme = importer.parse(PROGRAMME, "programma.toml")
    report = importer.apply(bot.db, bot.bus, programme, now=bot.now())
    assert "practice lier-avondmarkt: added" in report.changes
    every = library.catalogue(bot.db, bot.services.library)
    added = next(p for p in every if p.key == "lier-avondmarkt")
    assert added.origin == "import" and added.themes == (2, 10)
    assert added.en == added.nl and not added.translated   # English falls back to Dutch
    again = importer.apply(bot.db, bot.bus, programme, now=bot.now())
    assert not [c for c in again.changes if c.startswith("practice")]
    # the same key as a shipped entry corrects it
    fixed = PROGRAMME.replace("lier-avondmarkt", "amok")
    importer.apply(bot.db, bot.bus, importer.parse(fixed, "programma.toml"), now=bot.now())
    amok = library.find(bot.db, bot.services.library, "amok")
    assert amok.nl.title == "Avondmarkt" and amok.origin == "import"


def test_a_malformed_practice_in_a_programme_file_names_the_file_and_entry():
    broken = PROGRAMME.replace("themes = [2, 10]", "themes = [2, 99]")
    with pytest.raises(importer.ImportProblem, match=r"programma\.toml: practices #1 "
                                                     r"\('lier-avondmarkt'\): key 'themes'"):
        importer.parse(broken, "programma.toml")


def test_a_programme_file_with_only_practices_is_accepted():
    only = PROGRAMME.split("[[practices]]", 1)[1]
    programme = importer.parse("[[practices]]" + only, "bibliotheek.toml")
    assert [p.key for p in programme.practices] == ["lier-avondmarkt"]
