"""The demo programme of `make run`: one 2024 trajectory, four sessions, people and invite codes.

Seeding is idempotent: running it on an existing demo database changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlite_utils

from storage import invites, memberships, people, trajectories
from storage.db import transaction

BRUSSELS = ZoneInfo("Europe/Brussels")
# The console's clock starts here, a week before the first session, so reminders can be seen.
DEMO_NOW = datetime(2024, 2, 12, 9, 0, tzinfo=BRUSSELS)


@dataclass(frozen=True)
class DemoPerson:
    key: str          # what you type after `:as`
    telegram_id: int
    name: str
    role: str
    organisation: str = ""
    municipality: str = ""
    department: str = ""


DEMO_PEOPLE = [
    DemoPerson("els", 9001, "Els Van den Broeck", "coordinator", organisation="VLAIO"),
    DemoPerson("an", 9002, "An Peeters", "coach", organisation="IDEA Consult"),
    DemoPerson("koen", 9003, "Koen Claes", "coach", organisation="CityD-WES"),
    DemoPerson("sofie", 9011, "Sofie Janssens", "participant", municipality="Lier",
               department="Lokale economie"),
    DemoPerson("pieter", 9012, "Pieter De Smet", "participant", municipality="Halle",
               department="Centrummanagement"),
    DemoPerson("lotte", 9013, "Lotte Willems", "participant", municipality="Genk",
               department="Ruimtelijke ordening"),
]

# The newcomer who types /start DEMO-DEELNEMER in the console.
NEWCOMER = DemoPerson("jij", 1000, "Jij", "participant")

DEMO_TRAJECTORY = {
    "number": 7,
    "year": 2024,
    "title": "Het DNA van de kern vertalen naar marketing, publiek domein en producten",
    "theme": "2 Het DNA vertalen naar (stads)marketing, publiek domein en producten",
    "entry_condition": "Het bestuur wil het DNA van de kern vertalen naar concrete acties.",
}


def _at(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=BRUSSELS)


DEMO_SESSIONS = [
    dict(number=1, title="Stap 1: de uitdaging helder benoemen", mode="online",
         starts_at=_at(2024, 2, 20, 9, 30), ends_at=_at(2024, 2, 20, 12, 30),
         video_link="https://meet.example.org/kern-7-sessie-1",
         agenda="Kennismaking, je uitdaging scherpstellen, 5x waarom, de actorenkaart."),
    dict(number=2, title="Stap 2: praktijken en oplossingsrichtingen verkennen",
         mode="physical", starts_at=_at(2024, 4, 23, 13, 30), ends_at=_at(2024, 4, 23, 16, 30),
         location="Stadhuis Lier, Grote Markt 57, 2500 Lier",
         agenda="Inzichten van de experts, goede praktijken, wandeling door de kern."),
    dict(number=3, title="Stap 3: inzichten vertalen naar je eigen gemeente", mode="online",
         starts_at=_at(2024, 6, 18, 9, 30), ends_at=_at(2024, 6, 18, 12, 30),
         video_link="https://meet.example.org/kern-7-sessie-3",
         agenda="Van richting naar prototype: de kleinste test die iets leert."),
    dict(number=4, title="Stap 4: stappenplan op maat en verankeren", mode="physical",
         starts_at=_at(2024, 9, 17, 13, 30), ends_at=_at(2024, 9, 17, 16, 30),
         location="Predikherenklooster, Goswin de Stassartstraat 35, 2800 Mechelen",
         agenda="Actiefiches, verankering in beleid en budget, communicatie naar je achterban."),
]

DEMO_INVITES = [
    ("DEMO-DEELNEMER", "participant"),
    ("DEMO-EXPERT", "coach"),
    ("DEMO-COORDINATOR", "coordinator"),
]


def seed_demo(db: sqlite_utils.Database, now: datetime = DEMO_NOW) -> None:
    with transaction(db):
        trajectory = trajectories.by_number(db, DEMO_TRAJECTORY["number"])
        if trajectory is None:
            trajectory = trajectories.upsert(db, now=now, **DEMO_TRAJECTORY)
            for session in DEMO_SESSIONS:
                trajectories.upsert_session(db, trajectory_id=trajectory.id, **session)
        for demo in DEMO_PEOPLE:
            person = people.by_telegram_id(db, demo.telegram_id)
            if person is None:
                person = people.create(
                    db, telegram_id=demo.telegram_id, name=demo.name, role=demo.role,
                    language="nl", municipality=demo.municipality,
                    department=demo.department, organisation=demo.organisation, now=now)
                if demo.role != "coordinator":
                    memberships.add(db, person_id=person.id, trajectory_id=trajectory.id,
                                    role=demo.role, now=now)
        for code, role in DEMO_INVITES:
            invites.ensure(db, code=code, role=role,
                           trajectory_id=None if role == "coordinator" else trajectory.id,
                           max_uses=1000, expires_at=None, now=now)
