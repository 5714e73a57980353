"""The organisations domain's resources, as route dependencies (``shared.api.resources``)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from services.registry.organisations import service
from services.registry.organisations.models import Organisation
from shared.api.resources import Edit, for_edit
from shared.auth.principal import Principal


def load_organisation(session: Session, organisation_id: uuid.UUID) -> Organisation:
    """The organisation, or NotFoundError."""
    return service.get_organisation(session=session, organisation_id=organisation_id)


OrganisationToChange = Annotated[
    Edit[Organisation],
    Depends(for_edit("organisation_id", load_organisation, before=Principal.require_authenticated)),
]
"""An organisation to change, If-Match kept: the route checks the editor against its districts and the body's."""
