"""Rules of organisations: every change appends its event in the caller's session (flush only)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from services.registry import events as ev
from services.registry.common.models import normalise_search
from services.registry.common.service import first, links, require_existing, set_links, unique
from services.registry.districts.service import require_districts
from services.registry.organisations.models import Organisation, OrganisationDistrict
from services.registry.organisations.schemas import OrganisationCreate, OrganisationUpdate
from shared.errors import NotFoundError
from shared.eventlog import NewEvent, append_to


def get_organisation(*, session: Session, organisation_id: uuid.UUID) -> Organisation:
    """The organisation, or NotFoundError."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFoundError(
            f"organisation {organisation_id} does not exist", organisation_id=str(organisation_id)
        )
    return organisation


def organisation_district_ids(
    *, session: Session, organisation_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """District ids served by each organisation."""
    return links(
        session, OrganisationDistrict.district_id, OrganisationDistrict.organisation_id, organisation_ids
    )


def require_organisations(*, session: Session, organisation_ids: Sequence[uuid.UUID], path: str) -> None:
    """422 naming each organisation id that does not exist."""
    require_existing(session, id_column=Organisation.id, ids=organisation_ids, path=path, noun="organisation")


def create_organisation(*, session: Session, data: OrganisationCreate) -> Organisation:
    """Create an organisation (organisation.created)."""
    district_ids = unique(data.district_ids)
    require_districts(session=session, district_ids=district_ids, path="body.district_ids")
    organisation = Organisation(
        name=data.name,
        search_name=normalise_search(data.name),
        kind=data.kind,
        contacts=[c.model_dump(mode="json", exclude_none=True) for c in data.contacts],
    )
    session.add(organisation)
    session.flush()
    set_links(session, OrganisationDistrict, "organisation_id", organisation.id, "district_id", district_ids)
    append_to(
        session,
        row=organisation,
        stream_type=ev.ORGANISATION,
        new_events=[
            NewEvent(
                ev.ORGANISATION_CREATED,
                ev.OrganisationCreated(
                    organisation_id=str(organisation.id),
                    name=organisation.name,
                    kind=organisation.kind.value,
                    district_ids=[str(d) for d in district_ids],
                ).dump(),
            )
        ],
        expected_version=0,
        district_id=first(district_ids),
    )
    return organisation


def update_organisation(
    *, session: Session, organisation: Organisation, data: OrganisationUpdate, expected_version: int
) -> Organisation:
    """Change an organisation (organisation.updated); contacts are named as changed, never copied."""
    current_districts = organisation_district_ids(session=session, organisation_ids=[organisation.id])[
        organisation.id
    ]
    changes: dict[str, Any] = {}
    changed: list[str] = []
    fields = data.model_dump(exclude_unset=True, mode="json")
    if "name" in fields and fields["name"] != organisation.name:
        organisation.name = fields["name"]
        organisation.search_name = normalise_search(organisation.name)
        changes["name"] = organisation.name
        changed.append("name")
    if "kind" in fields and fields["kind"] != organisation.kind.value:
        organisation.kind = data.kind  # type: ignore[assignment]
        changes["kind"] = fields["kind"]
        changed.append("kind")
    if "contacts" in fields:
        contacts = [c.model_dump(mode="json", exclude_none=True) for c in data.contacts or []]
        if contacts != organisation.contacts:
            organisation.contacts = contacts
            changed.append("contacts")
    district_ids = current_districts
    if data.district_ids is not None and set(data.district_ids) != set(current_districts):
        district_ids = unique(data.district_ids)
        require_districts(session=session, district_ids=district_ids, path="body.district_ids")
        set_links(
            session, OrganisationDistrict, "organisation_id", organisation.id, "district_id", district_ids
        )
        changes["district_ids"] = [str(d) for d in district_ids]
        changed.append("district_ids")
    if not changed:
        return organisation
    append_to(
        session,
        row=organisation,
        stream_type=ev.ORGANISATION,
        new_events=[
            NewEvent(
                ev.ORGANISATION_UPDATED,
                ev.OrganisationUpdated(
                    organisation_id=str(organisation.id),
                    district_ids=[str(d) for d in district_ids],
                    changes=changes,
                    changed_fields=changed,
                ).dump(),
            )
        ],
        expected_version=expected_version,
        district_id=first(district_ids),
    )
    return organisation
