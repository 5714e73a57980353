"""Response body of the district overview: who acts in a district."""

from __future__ import annotations

import uuid

from pydantic import BaseModel

from services.registry.bodies.models import BodyKind
from services.registry.organisations.models import OrganisationKind


class BodySummary(BaseModel):
    """A body in the district overview."""

    id: uuid.UUID
    kind: BodyKind
    name: str
    process_id: uuid.UUID | None
    current_members: int


class OrganisationSummary(BaseModel):
    """An organisation in the district overview."""

    id: uuid.UUID
    name: str
    kind: OrganisationKind


class DistrictActors(BaseModel):
    """Who acts in a district: organisations, people by category, governance bodies, facilitators."""

    district_id: uuid.UUID
    organisations: list[OrganisationSummary]
    organisations_by_kind: dict[str, int]
    people_by_category: dict[str, int]
    bodies: list[BodySummary]
    facilitators: int
