"""HTTP route of imports: ``POST /imports`` takes a bundle as a ZIP (regional administrators only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from services.workshops.deps import RegistryDep
from services.workshops.imports import service
from services.workshops.imports.bundle import read_zip
from services.workshops.imports.schemas import ImportPublic
from services.workshops.localtime import ROME
from shared.api.idempotency import IdempotencyDep
from shared.deps import PrincipalDep, SessionDep
from shared.errors import problem_responses

TAG = "imports"
OPENAPI_TAGS: list[dict[str, str]] = [
    {
        "name": TAG,
        "description": "Import of past work (editions, processes, workshops with attendance, inventions, "
        "priorities with their steps, evaluation cards) from a bundle of CSV files: docs/imports.md.",
    }
]
router = APIRouter()
UPLOAD_PATHS = (r"/imports",)
"""The route whose body may be as large as a bundle (the app raises its body limit there)."""

DOCUMENTED_MAX_BYTES = 26_214_400
IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The bundle as a ZIP (`Content-Type: application/zip`): `manifest.json` and the CSV "
        "files it lists, at the root or in one folder. At most `COMMUNITYLAB_ATTACHMENT_MAX_BYTES`.",
        "content": {
            "application/zip": {
                "schema": {"type": "string", "format": "binary", "maxLength": DOCUMENTED_MAX_BYTES},
                "example": "(the bytes of community-lab-2018-2019.zip)",
            }
        },
    }
}


async def _body(request: Request) -> bytes:
    return await request.body()


BundleBytes = Annotated[bytes, Depends(_body)]


@router.post(
    "/imports",
    status_code=201,
    response_model=ImportPublic,
    summary="Import a bundle of past work",
    tags=[TAG],
    responses={
        200: {"model": ImportPublic, "description": "Imported before: nothing was written."},
        **problem_responses(401, 403, 409, 413, 422, 503),
    },
    openapi_extra=IMPORT_BODY,
)
def import_bundle(
    data: BundleBytes,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    registry: RegistryDep,
    idempotency: IdempotencyDep,
) -> Any:
    """Regional administrators import a past edition's records, written through the services' own rules.

    Every file and row is checked first; the answer to a bundle with errors is a 422 listing each of them with
    its path `file:line:column` (e.g. `workshops.csv:12:starts_at`), and nothing is written. Each record is
    dated with its business date (the day a workshop was held, a sitting, a step). The same bundle again
    answers 200 with the first import and writes nothing; a changed bundle under the same `bundle_id` is 409.
    """
    principal.require_admin()
    bundle = read_zip(data)
    if (replay := idempotency.replay({"digest": bundle.digest})) is not None:
        return replay
    outcome = service.import_bundle(
        session=session,
        registry=registry,
        bundle=bundle,
        imported_by=principal.actor_id,
        today=datetime.now(ROME).date(),
    )
    imported = outcome.bundle
    body = ImportPublic(
        bundle_id=imported.bundle_id,
        title=imported.title,
        source=imported.source,
        digest=imported.digest,
        created=outcome.created,
        counts=imported.counts,
        records=outcome.records,
        imported_at=imported.imported_at,
    )
    if not outcome.created:
        response.status_code = 200
        return body
    return idempotency.created(response, body, location=f"/imports/{imported.bundle_id}")
