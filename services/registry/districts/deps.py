"""The districts domain's resources, as route dependencies (``shared.api.resources``)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from services.registry.districts import service
from services.registry.districts.models import District
from shared.api.resources import Edit, for_edit
from shared.auth.principal import Principal


def load_district(session: Session, district_id: uuid.UUID) -> District:
    """The district, or NotFoundError."""
    return service.get_district(session=session, district_id=district_id)


DistrictForEdit = Annotated[
    Edit[District], Depends(for_edit("district_id", load_district, before=Principal.require_admin))
]
"""A district a regional administrator changes: 403 for anyone else before the district is looked up."""
