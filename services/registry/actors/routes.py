"""HTTP route of the district overview: who acts in a district."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.registry.actors import service
from services.registry.actors.schemas import DistrictActors
from services.registry.deps import today
from services.registry.districts.service import get_district
from shared.api.schemas import ApiDate
from shared.deps import SessionDep
from shared.errors import problem_responses

router = APIRouter()


@router.get(
    "/districts/{district_id}/actors",
    response_model=DistrictActors,
    summary="Who acts in a district: organisations, people by category, governance bodies, facilitators",
    tags=["districts"],
    responses=problem_responses(404, 422),
)
def get_district_actors(
    district_id: uuid.UUID,
    session: SessionDep,
    on: Annotated[
        ApiDate | None, Query(description="Count body members active on this date (default today).")
    ] = None,
) -> Any:
    district = get_district(session=session, district_id=district_id)
    return DistrictActors.model_validate(
        service.district_actors(session=session, district=district, on=on or today())
    )
