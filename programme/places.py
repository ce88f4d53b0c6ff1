"""Which Flemish municipality a participant means (enrolment): the shipped list of municipalities
with their deelgemeenten (programme/data/gemeenten.txt), matched regardless of case, accents,
hyphens and "St." for "Sint", with the closest names suggested on a typo."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "gemeenten.txt"


@dataclass(frozen=True)
class Place:
    municipality: str   # what is stored: the municipality ("" when not recorded)
    name: str           # the place as it is spelled in the list (a municipality or deelgemeente)

    @property
    def is_municipality(self) -> bool:
        return self.name == self.municipality


def key(text: str) -> str:
    """The form names are compared in: no accents, lower case, hyphens and spaces alike,
    "st" and "st." as "sint"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"[\s\-‐–'’.]+", " ", text).strip()
    return re.sub(r"\bst\b", "sint", text)


@lru_cache(maxsize=1)
def _places() -> dict[str, list[Place]]:
    found: dict[str, list[Place]] = {}

    def add(place: Place) -> None:
        entries = found.setdefault(key(place.name), [])
        if place not in entries:
            entries.append(place)

    for raw in DATA.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("?"):
            for name in line[1:].split(","):
                if name.strip():
                    add(Place("", name.strip()))
            continue
        merged = line.startswith("=")
        head, _, rest = line.lstrip("= ").partition(":")
        municipality = head.strip()
        add(Place(municipality, municipality))
        if not merged:
            for name in rest.split(","):
                if name.strip():
                    add(Place(municipality, name.strip()))
    return found


def match(text: str) -> list[Place]:
    """The places with this name: one for most, several for a name used twice (Berchem),
    none when it is not a Flemish place in the list. A municipality comes first."""
    places = _places().get(key(text), [])
    return sorted(places, key=lambda p: not p.is_municipality)


def closest(text: str, count: int = 3) -> list[Place]:
    """The places whose names are nearest to a name that is not in the list (a typo)."""
    names = difflib.get_close_matches(key(text), list(_places()), n=count, cutoff=0.7)
    out: list[Place] = []
    for name in names:
        for place in match(_places()[name][0].name):
            if place not in out:
                out.append(place)
    return out[:count]


def municipalities() -> list[str]:
    return sorted({p.municipality for places in _places().values() for p in places
                   if p.is_municipality})
