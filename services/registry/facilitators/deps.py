"""The facilitators domain's resources, as route dependencies (``shared.api.resources``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from services.registry.facilitators import service
from services.registry.facilitators.models import FacilitatorProfile
from services.registry.people.deps import require_person_editor
from services.registry.people.models import Person
from services.registry.people.service import get_person
from shared.api.resources import Edit, for_edit, resource
from shared.auth.principal import Principal


@dataclass(frozen=True)
class Facilitator:
    """A facilitator: the registry person and their profile; the ETag is the person's."""

    person: Person
    profile: FacilitatorProfile

    @property
    def version(self) -> int:
        return self.person.version


def load_facilitator(session: Session, person_id: uuid.UUID) -> Facilitator:
    """The person (NotFoundError) and their facilitator profile (NotFoundError when they have none)."""
    person = get_person(session=session, person_id=person_id)
    return Facilitator(person=person, profile=service.get_facilitator(session=session, person_id=person_id))


def require_facilitator_editor(
    session: Session, principal: Principal, person: Person, district_ids: Sequence[object] = ()
) -> None:
    """Editors of every district the facilitator serves (and will serve) and the person is in."""
    current = service.facilitator_district_ids(session=session, person_ids=[person.id])[person.id]
    require_person_editor(session, principal, person, [*current, *district_ids])


def _facilitator_editor(session: Session, principal: Principal, facilitator: Facilitator) -> None:
    require_facilitator_editor(session, principal, facilitator.person)


FacilitatorForEditor = Annotated[
    Facilitator,
    Depends(
        resource(
            "person_id",
            load_facilitator,
            before=Principal.require_authenticated,
            authorise=_facilitator_editor,
        )
    ),
]
"""A facilitator their districts' editors act on (trainings; no If-Match)."""
FacilitatorToChange = Annotated[
    Edit[Facilitator],
    Depends(for_edit("person_id", load_facilitator, before=Principal.require_authenticated)),
]
"""A facilitator profile to change, If-Match on the person: the route checks the editor with the body's districts."""
