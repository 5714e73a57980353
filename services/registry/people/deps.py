"""The people domain's resources, as route dependencies (``shared.api.resources``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from services.registry.people import service
from services.registry.people.models import Person
from shared.api.resources import Edit, for_edit, resource
from shared.auth.principal import Principal


def load_person(session: Session, person_id: uuid.UUID) -> Person:
    """The person, or NotFoundError."""
    return service.get_person(session=session, person_id=person_id)


def require_person_editor(
    session: Session, principal: Principal, person: Person, extra: Sequence[object] = ()
) -> None:
    """Admins, or editors of every district the person is (or will be) in."""
    principal.require_authenticated()
    current = service.person_district_ids(session=session, person_ids=[person.id])[person.id]
    districts = [*current, *extra]
    if not districts:
        principal.require_admin()
    principal.require_any_district_editor(districts)


PersonForEditor = Annotated[
    Person,
    Depends(
        resource(
            "person_id", load_person, before=Principal.require_authenticated, authorise=require_person_editor
        )
    ),
]
"""A person an editor of every district they are in acts on (erasure, consents; no If-Match)."""
PersonToChange = Annotated[
    Edit[Person], Depends(for_edit("person_id", load_person, before=Principal.require_authenticated))
]
"""A person to change, If-Match kept: the route checks the editor against the districts the body names too."""
