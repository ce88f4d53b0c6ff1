"""Who may do what: one place, used by every handler.

A role belongs to a membership (a person in a trajectory), not to the person: someone can be a
participant in trajectory 8 and a coach in trajectory 7. Coordinators of the programme are
global (named in `bot.coordinators`, or enrolled with a coordinator invite).

An Actor is the person behind an update with every role they hold. Commands declare the roles
that may use them and `allowed()` decides (any of the actor's roles will do); every question
about data asks for one trajectory: `role_in(trajectory_id)`, `staff_trajectories()`.
A refusal never reveals anything about other people.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from telegram import Update

from core.services import Services
from core.text import clean
from storage import people, trajectories

PARTICIPANT = "participant"
COACH = "coach"
COORDINATOR = "coordinator"
ENROLLED = frozenset({PARTICIPANT, COACH, COORDINATOR})
STAFF = frozenset({COACH, COORDINATOR})
ANYONE = None  # also people who are not enrolled
_RANK = {PARTICIPANT: 0, COACH: 1, COORDINATOR: 2}
_NONE: Mapping[int, str] = MappingProxyType({})


@dataclass(frozen=True)
class Actor:
    telegram_id: int
    language: str
    person: people.Person | None = None
    roles: frozenset[str] = frozenset()
    # trajectory id -> this person's role there (active memberships only)
    memberships: Mapping[int, str] = field(default_factory=lambda: _NONE)

    @classmethod
    def with_role(cls, role: str | None, language: str = "nl") -> Actor:
        """A stand-in with one role (menus and /help per role)."""
        return cls(0, language, None, frozenset({role}) if role else frozenset())

    @property
    def enrolled(self) -> bool:
        return bool(self.roles)

    @property
    def coordinator(self) -> bool:
        return COORDINATOR in self.roles

    @property
    def role(self) -> str | None:
        """The widest role held (greetings): coordinator, else coach, else participant."""
        return max(self.roles, key=_RANK.__getitem__) if self.roles else None

    @property
    def person_id(self) -> int | None:
        return self.person.id if self.person else None

    def role_in(self, trajectory_id: int | None) -> str | None:
        """The role this actor has for trajectory `trajectory_id` (coordinators: everywhere)."""
        if self.coordinator:
            return COORDINATOR
        return self.memberships.get(trajectory_id) if trajectory_id is not None else None

    def trajectories_as(self, *roles: str) -> set[int]:
        """The trajectories in which this actor holds one of `roles` (memberships only)."""
        return {t for t, role in self.memberships.items() if role in roles}

    def staff_trajectories(self) -> set[int] | None:
        """The trajectories whose data this actor may see as staff; None means all."""
        if self.coordinator:
            return None
        return self.trajectories_as(COACH)

    def is_staff_of(self, trajectory_id: int | None) -> bool:
        return self.role_in(trajectory_id) in STAFF


def language_for(services: Services, person: people.Person | None,
                 telegram_language: str | None) -> str:
    if person is not None:
        return person.language
    if telegram_language and telegram_language.lower().startswith("en"):
        return "en"
    return services.config.default_language


def display_name(update: Update) -> str:
    user = update.effective_user
    if user is None:
        return "?"
    return clean(" ".join(p for p in (user.first_name, user.last_name) if p)).strip() or "?"


def actor_of(update: Update, services: Services) -> Actor:
    user = update.effective_user
    if user is None:
        return Actor(0, services.config.default_language)
    db = services.db
    person, held = people.with_roles(db, user.id)
    configured = user.id in services.config.coordinator_ids
    if person is None and configured:
        # A coordinator named in the configuration is known from the first update on.
        language = language_for(services, None, user.language_code)
        person = people.create(db, telegram_id=user.id, name=display_name(update),
                               role=COORDINATOR, language=language, now=services.clock.now())
    language = language_for(services, person, user.language_code)
    active = person is not None and person.status in ("active", "unreachable")
    if not active:   # a removed or erased person holds no role, whatever memberships remain
        held = {}
    roles = set(held.values())
    if active and person.role == COORDINATOR:
        roles.add(COORDINATOR)
    if configured:
        roles.add(COORDINATOR)
    return Actor(user.id, language, person, frozenset(roles),
                 MappingProxyType(held) if held else _NONE)


def refusal_key(actor: Actor) -> str:
    """The polite refusal: enrol first, or "your role does not allow that" (never more)."""
    return "common/not_enrolled" if not actor.enrolled else "common/not_allowed"


def allowed(actor: Actor, roles: frozenset[str] | None) -> bool:
    """May this actor use a command or button for `roles`? (Any role they hold will do; the
    handler then checks the trajectory the data belongs to.)"""
    if roles is ANYONE:
        return True
    return bool(actor.roles & roles)


def trajectory_ids(services: Services, actor: Actor) -> set[int] | None:
    """The trajectories whose data this actor may see as staff; None means all."""
    return actor.staff_trajectories()


def visible_trajectories(services: Services, actor: Actor) -> list[trajectories.Trajectory]:
    """The trajectories whose data this actor may see as staff, in programme order."""
    allowed_ids = actor.staff_trajectories()
    return [t for t in trajectories.all_trajectories(services.db)
            if allowed_ids is None or t.id in allowed_ids]
