"""Who may do what: one place, used by every handler.

An Actor is the person behind an update with their effective role. Commands declare the roles
that may use them; `allowed()` decides, and a refusal never reveals anything about other people.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update

from core.services import Services
from storage import memberships, people, trajectories

PARTICIPANT = "participant"
COACH = "coach"
COORDINATOR = "coordinator"
ENROLLED = frozenset({PARTICIPANT, COACH, COORDINATOR})
ANYONE = None  # also people who are not enrolled


@dataclass(frozen=True)
class Actor:
    telegram_id: int
    language: str
    person: people.Person | None = None
    role: str | None = None

    @property
    def enrolled(self) -> bool:
        return self.role is not None

    @property
    def person_id(self) -> int | None:
        return self.person.id if self.person else None


def language_for(services: Services, person: people.Person | None,
                 telegram_language: str | None) -> str:
    if person is not None:
        return person.language
    if telegram_language and telegram_language.lower().startswith("en"):
        return "en"
    return services.config.default_language


def actor_of(update: Update, services: Services) -> Actor:
    user = update.effective_user
    if user is None:
        return Actor(0, services.config.default_language)
    person = people.by_telegram_id(services.db, user.id)
    language = language_for(services, person, user.language_code)
    role = None
    if person is not None and person.status in ("active", "unreachable"):
        role = person.role
    if user.id in services.config.coordinator_ids:
        role = COORDINATOR
    return Actor(user.id, language, person, role)


def refusal_key(actor: Actor) -> str:
    """The polite refusal: enrol first, or "your role does not allow that" (never more)."""
    return "common/not_enrolled" if not actor.enrolled else "common/not_allowed"


def allowed(actor: Actor, roles: frozenset[str] | None) -> bool:
    if roles is ANYONE:
        return True
    return actor.role in roles


def trajectory_ids(services: Services, actor: Actor) -> set[int] | None:
    """The trajectories whose data this actor may see; None means all (coordinators)."""
    if actor.role == COORDINATOR:
        return None
    if actor.person is None:
        return set()
    return {m.trajectory_id for m in memberships.of_person(services.db, actor.person.id)}


def visible_trajectories(services: Services, actor: Actor) -> list[trajectories.Trajectory]:
    """The trajectories whose data this actor may see, in programme order."""
    allowed = trajectory_ids(services, actor)
    return [t for t in trajectories.all_trajectories(services.db)
            if allowed is None or t.id in allowed]


def staff_of(services: Services, actor: Actor, trajectory_id: int) -> bool:
    """Is this actor a coordinator, or an active coach of this trajectory? (Granting an
    extension, issue 16.)"""
    if actor.role == COORDINATOR:
        return True
    if actor.person is None:
        return False
    membership = memberships.get(services.db, actor.person.id, trajectory_id)
    return membership is not None and membership.role == COACH and membership.status == "active"
