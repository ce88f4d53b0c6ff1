"""The inspiration library: practices from the programme's own documents (shipped as data in
`programme/practices.toml`), the ones a coordinator adds through the programme import, and the
shared items a coordinator published with the author's consent.

    shipped = load()                                  # at start-up; LibraryProblem names the
                                                      # file and the entry that is wrong
    every = catalogue(db, shipped)                    # shipped + imported + published
    suggest(every, themes={9}, challenge="leegstand in de Stationsstraat")

`suggest` is the step-2 filter: practices that fit the participant's theme (the trajectory's
theme) and the words of their challenge, best first. Pure: no database, no Telegram.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from programme import flow_progress
from storage import memberships, trajectories
from storage import practices as store

SHIPPED = Path(__file__).with_name("practices.toml")
THEMES = range(1, 13)   # the twelve themes of the call (DOMAIN.md)
LANGUAGES = ("nl", "en")
KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
MAX_TITLE, MAX_PLACE, MAX_WHAT = 120, 80, 1500

# Words that name a theme, to read a theme from free text (a trajectory's theme without its
# number, a challenge). Stems of the theme titles of the call.
THEME_WORDS: dict[int, tuple[str, ...]] = {
    1: ("dna",),
    2: ("dna", "marketing", "citymarketing", "stadsmarketing", "branding", "positionering"),
    3: ("centrummanage", "centrummanager"),
    4: ("samenwerking", "samenwerken", "overleg", "vereniging"),
    5: ("kerninrichting", "kerngeleiding", "wayfinding", "bewegwijzering", "inrichting"),
    6: ("steenweg", "gewestweg", "doortocht"),
    7: ("mobiliteit", "fiets", "voetganger", "parkeer", "toegankelijk"),
    8: ("distributie", "logistiek", "leveringen", "pakjes", "pakket"),
    9: ("leegstand", "leegstaand", "leegstaande", "lege panden"),
    10: ("verweving", "activiteitenmix", "functiemix", "ondernemers", "starters"),
    11: ("vastgoed", "panden", "eigenaars"),
    12: ("ontwikkelaar", "projectontwikkel", "onderhandel"),
}
_STOP = {"zijn", "worden", "wordt", "hebben", "kunnen", "willen", "maken", "welke", "waarin",
         "tussen", "andere", "zoals", "omdat", "alleen", "binnen", "buiten", "gemeente",
         "gemeentes", "stad", "steden", "onze", "deze", "daarom", "hierdoor", "kern", "kernen",
         "about", "which", "their", "there", "these", "would", "could", "other", "where"}


class LibraryProblem(Exception):
    """One line: the file, the entry and the key that is wrong."""


@dataclass(frozen=True)
class Text:
    title: str
    place: str
    what: str


@dataclass(frozen=True)
class Practice:
    key: str
    themes: tuple[int, ...]
    link: str
    nl: Text
    en: Text
    source: str = ""
    origin: str = "shipped"          # shipped | import | promoted
    translated: bool = True          # False: the English text is the Dutch one (not given)

    def text(self, lang: str) -> Text:
        return self.en if lang == "en" else self.nl


# -- reading and checking ---------------------------------------------------------------------
def _fail(source: str, index: int, key: object, field: str | None, problem: str) -> LibraryProblem:
    entry = f"practices #{index + 1}" + (f" ({key!r})" if isinstance(key, str) and key else "")
    where = f": key {field!r}" if field else ""
    return LibraryProblem(f"{source}: {entry}{where}: {problem}")


def check_entry(raw: object, source: str, index: int, *, require_en: bool = True,
                origin: str = "shipped") -> Practice:
    """One `[[practices]]` table as a Practice; LibraryProblem names the file and the entry."""
    if not isinstance(raw, dict):
        raise _fail(source, index, None, None, "expected a table")
    key = raw.get("key")

    def fail(field: str | None, problem: str) -> LibraryProblem:
        return _fail(source, index, key, field, problem)

    allowed = {"key", "themes", "link", "source", "nl", "en"}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise fail(unknown[0], f"unknown key (allowed: {', '.join(sorted(allowed))})")
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise fail("key", "missing, or not lower-case letters, digits and dashes (at most 40)")
    themes = raw.get("themes")
    if not isinstance(themes, list) or not themes or not all(
            isinstance(t, int) and not isinstance(t, bool) and t in THEMES for t in themes):
        raise fail("themes", f"expected a list of theme numbers 1 to 12, got {themes!r}")
    if len(set(themes)) != len(themes):
        raise fail("themes", "a theme appears twice")
    link = raw.get("link", "")
    if not isinstance(link, str) or (link and not re.fullmatch(r"https?://\S+", link)):
        raise fail("link", f"expected a web address or \"\", got {link!r}")
    source_text = raw.get("source", "")
    if not isinstance(source_text, str):
        raise fail("source", "expected text")

    def text_of(lang: str, required: bool) -> Text | None:
        part = raw.get(lang)
        if part is None and not required:
            return None
        if not isinstance(part, dict):
            raise fail(lang, "missing: title, place and what in this language")
        extra = sorted(set(part) - {"title", "place", "what"})
        if extra:
            raise fail(f"{lang}.{extra[0]}", "unknown key (allowed: title, place, what)")
        values = {}
        for field, limit in (("title", MAX_TITLE), ("place", MAX_PLACE), ("what", MAX_WHAT)):
            value = part.get(field)
            if not isinstance(value, str) or not value.strip():
                raise fail(f"{lang}.{field}", "missing or empty")
            if len(value) > limit:
                raise fail(f"{lang}.{field}", f"longer than {limit} characters")
            values[field] = " ".join(value.split())
        return Text(**values)

    nl = text_of("nl", True)
    en = text_of("en", require_en)
    return Practice(key, tuple(themes), link, nl, en or nl, source_text.strip(), origin,
                    translated=en is not None)


def check_all(entries: object, source: str, *, require_en: bool = True,
              origin: str = "shipped") -> tuple[Practice, ...]:
    if not isinstance(entries, list):
        raise LibraryProblem(f"{source}: expected [[practices]] tables")
    result: list[Practice] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(entries):
        practice = check_entry(raw, source, i, require_en=require_en, origin=origin)
        if practice.key in seen:
            raise _fail(source, i, practice.key, "key",
                        f"already used by practices #{seen[practice.key] + 1}")
        seen[practice.key] = i
        result.append(practice)
    return tuple(result)


def load(path: str | Path | None = None) -> tuple[Practice, ...]:
    """The shipped library (or the file at `path`), checked entry by entry (both languages
    required)."""
    path = Path(path or SHIPPED)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LibraryProblem(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LibraryProblem(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"practices"})
    if unknown:
        raise LibraryProblem(f"{path}: top level: unknown key {unknown[0]!r}")
    return check_all(data.get("practices", []), str(path))


# -- the whole library --------------------------------------------------------------------------
def _from_row(row: store.PracticeRow) -> Practice:
    nl = Text(row.title_nl, row.place_nl, row.what_nl)
    en = Text(row.title_en, row.place_en, row.what_en) if row.title_en else nl
    return Practice(row.key, tuple(json.loads(row.themes)), row.link, nl, en, row.source,
                    row.origin, translated=bool(row.title_en))


def catalogue(db: sqlite_utils.Database, shipped: Sequence[Practice]) -> list[Practice]:
    """Shipped practices (an imported entry with the same key replaces one), then the
    imported and the published ones, oldest first."""
    stored = {row.key: _from_row(row) for row in store.all_rows(db)}
    result = [stored.pop(p.key, p) for p in shipped]
    return result + list(stored.values())


def find(db: sqlite_utils.Database, shipped: Sequence[Practice], key: str) -> Practice | None:
    return next((p for p in catalogue(db, shipped) if p.key == key), None)


def save_imported(db: sqlite_utils.Database, practice: Practice, now) -> bool:
    """Store (or update) an entry of a programme file; True when something changed."""
    return store.upsert(db, key=practice.key, origin="import", themes=list(practice.themes),
                        link=practice.link, source=practice.source,
                        nl=(practice.nl.title, practice.nl.place, practice.nl.what),
                        en=(practice.en.title, practice.en.place, practice.en.what)
                        if practice.translated else None, now=now)


# -- step 2: practices that fit a participant -----------------------------------------------------
def theme_numbers(text: str) -> set[int]:
    """The themes a text names: a leading number ("9 Leegstand aanpakken", "9, 11") or the
    words of a theme ("leegstand" is 9)."""
    text = (text or "").strip()
    found: set[int] = set()
    lead = re.match(r"^\s*(\d{1,2}(?:\s*[,/&+]\s*\d{1,2})*)\b", text)
    if lead:
        found = {int(n) for n in re.findall(r"\d{1,2}", lead.group(1)) if int(n) in THEMES}
        if found:
            return found
    lowered = text.casefold()
    for number, words in THEME_WORDS.items():
        if any(word in lowered for word in words):
            found.add(number)
    return found


def _stems(text: str) -> set[str]:
    words = re.findall(r"[^\W\d_]+", (text or "").casefold())
    return {w[:6] for w in words if len(w) >= 5 and w not in _STOP}


def score(practice: Practice, themes: set[int], challenge: str) -> int:
    """How well a practice fits: the participant's theme counts most, then the themes and the
    words of their challenge."""
    fit = 4 * len(themes & set(practice.themes))
    fit += 2 * len(theme_numbers(challenge) & set(practice.themes)) if challenge else 0
    words = " ".join(f"{t.title} {t.what}" for t in (practice.nl, practice.en))
    fit += len(_stems(challenge) & _stems(words))
    return fit


def suggest(practices: Iterable[Practice], themes: Iterable[int], challenge: str = "",
            limit: int = 6) -> list[Practice]:
    """The practices that fit the theme or the challenge, best first (library order on a tie);
    empty when none fits."""
    wanted = set(themes)
    scored = [(score(p, wanted, challenge), i, p) for i, p in enumerate(practices)]
    return [p for s, _i, p in sorted((t for t in scored if t[0] > 0),
                                     key=lambda t: (-t[0], t[1]))][:limit]


# The questions of a flow that offer "laat me voorbeelden zien" (brief step 2's practices).
EXAMPLES_AT = frozenset({("brief", "practices")})


def profile(db: sqlite_utils.Database, person_id: int) -> tuple[set[int], str]:
    """(the themes of the trajectories the person takes part in, the words of their
    challenge: the intake's challenge and the brief's problem statement)."""
    themes: set[int] = set()
    for membership in memberships.of_person(db, person_id):
        trajectory = trajectories.get(db, membership.trajectory_id)
        if membership.role == "participant" and trajectory is not None:
            themes |= theme_numbers(trajectory.theme) or theme_numbers(trajectory.title)
    words = [flow_progress.flow_answers(db, person_id, "intake").get(("challenge", 0)),
             flow_progress.flow_answers(db, person_id, "brief").get(("problem", 0))]
    return themes, " ".join(w for w in words if isinstance(w, str))


def for_person(db: sqlite_utils.Database, shipped: Sequence[Practice], person_id: int | None,
               limit: int = 6) -> list[Practice]:
    """Step 2: the library's practices that fit this participant's theme and challenge."""
    if person_id is None:
        return []
    themes, challenge = profile(db, person_id)
    return suggest(catalogue(db, shipped), themes, challenge, limit)
