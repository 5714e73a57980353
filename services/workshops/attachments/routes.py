"""HTTP routes of attachments: upload to a workshop, minutes or invention; list, read, remove, download.

Uploads are ``async`` so the body can be streamed onto disk as it arrives (``receive.py``); everything that
touches the database or the storage runs in a worker thread, as the other (sync) routes do.
"""

from __future__ import annotations

import base64
import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from services.workshops.attachments import content, links, service
from services.workshops.attachments.deps import ScannerDep, StorageDep
from services.workshops.attachments.receive import Upload, receive_upload
from services.workshops.attachments.scan import require_clean
from services.workshops.attachments.schemas import AttachmentFields, AttachmentPublic, DownloadLink, public
from services.workshops.attachments.service import Parent
from services.workshops.attachments.storage import content_disposition
from shared.api.etag import IfMatch, etag_for, expected_version_from_if_match, set_etag
from shared.api.idempotency import Idempotency, IdempotencyDep
from shared.api.pagination import Page, PageRequest, Paging
from shared.auth.principal import Principal
from shared.config import Settings
from shared.deps import PrincipalDep, SessionDep, SettingsDep
from shared.errors import (
    FieldError,
    ForbiddenError,
    NotFoundError,
    ValidationFailed,
    problem_responses,
    validation_errors,
)

TAG = "attachments"
OPENAPI_TAGS: list[dict[str, str]] = [
    {
        "name": TAG,
        "description": "Files attached to workshops, restitution events, minutes and inventions: PDF, PNG, "
        "JPEG, ODT, DOCX, plain text and CSV, checked by content, scanned, with their SHA-256; downloads by "
        "expiring links.",
    }
]
router = APIRouter()
ROUTERS: list[APIRouter] = [router]

UPLOAD_PATHS = (
    r"/workshops/[^/]+/attachments",
    r"/workshops/[^/]+/minutes/attachments",
    r"/inventions/[^/]+/attachments",
)
"""The upload routes, whose body may be as large as an attachment (the app raises its body limit there)."""

DOCUMENTED_MAX_BYTES = 26_214_400
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The file, as a `multipart/form-data` part named `file` (with the fields `title`, "
        "`licence`, `personal` beside it), or as the raw body with the fields as query parameters. Its type is "
        "found from its content (PDF, PNG, JPEG, ODT, DOCX, plain text, CSV): a name or `Content-Type` that "
        "says otherwise is a 422, another type a 415. At most `COMMUNITYLAB_ATTACHMENT_MAX_BYTES` (25 MiB by "
        "default), 413 above.",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "maxLength": DOCUMENTED_MAX_BYTES},
                        "title": {"type": "string", "maxLength": 200},
                        "licence": {"type": "string", "maxLength": 64},
                        "personal": {"type": "boolean"},
                    },
                },
                "example": {
                    "file": "(the bytes of cartelloni.jpg)",
                    "title": "Foto dei cartelloni",
                    "licence": "CC-BY-4.0",
                    "personal": False,
                },
            },
            "application/octet-stream": {
                "schema": {"type": "string", "format": "binary", "maxLength": DOCUMENTED_MAX_BYTES},
                "example": "(the bytes of verbale.pdf)",
            },
        },
    }
}
UPLOAD_ERRORS = problem_responses(401, 403, 404, 409, 413, 415, 422, 503)

TitleQuery = Annotated[
    str | None, Query(max_length=200, description="Raw-body uploads: what the file is (default: its name).")
]
LicenceQuery = Annotated[
    str | None, Query(max_length=64, description="Raw-body uploads: SPDX licence id, e.g. `CC-BY-4.0`.")
]
PersonalQuery = Annotated[bool | None, Query(description="Raw-body uploads: the file holds personal data.")]
FilenameQuery = Annotated[
    str | None,
    Query(max_length=255, description="Raw-body uploads: the file's name (its extension is checked)."),
]

T = TypeVar("T")


async def _run(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    return await anyio.to_thread.run_sync(functools.partial(function, *args, **kwargs))


def _fields(upload: Upload, query: dict[str, Any]) -> AttachmentFields:
    """The fields of the form (multipart) or of the query (raw body), validated with their paths."""
    raw: dict[str, Any] = (
        dict(upload.fields) if upload.multipart else {k: v for k, v in query.items() if v is not None}
    )
    try:
        return AttachmentFields.model_validate(raw)
    except ValidationError as exc:
        where = "body" if upload.multipart else "query"
        errors = [
            FieldError(path=f"{where}.{e.path.removeprefix('body.')}", message=e.message, type=e.type)
            for e in validation_errors([{**err, "loc": ("body", *err["loc"])} for err in exc.errors()])
        ]
        raise ValidationFailed("the attachment's fields are invalid; see errors", errors=errors) from exc


@dataclass(frozen=True)
class Attach:
    """An upload's request, its fields given as query parameters (raw body), and what storing it needs."""

    request: Request
    response: Response
    session: Any
    principal: Principal
    settings: Settings
    storage: Any
    scanner: Any
    idempotency: Idempotency
    query: dict[str, Any]

    async def to(self, load_parent: Callable[..., Parent]) -> Any:
        """Check the caller's right on the parent, receive the body, check, scan and store it (201)."""
        parent = await _run(load_parent, session=self.session)
        # Rights before the body is read: a refused caller uploads nothing and learns nothing more.
        service.require_editor(self.principal, parent)
        query = dict(self.query)
        upload = await receive_upload(
            self.request, max_bytes=self.settings.attachment_max_bytes, filename=query.pop("filename", None)
        )
        try:
            fields = _fields(upload, query)
            return await _run(self.store, parent, upload, fields)
        finally:
            upload.discard()

    def store(self, parent: Parent, upload: Upload, fields: AttachmentFields) -> Any:
        """Check the received file's type, scan it and add it (or replay the first answer to this key)."""
        name_path = "body.file" if upload.multipart else "query.filename"
        type_path = "body.file" if upload.multipart else "header.Content-Type"
        media_type = content.checked_type(
            upload.file.path,
            filename=upload.file.filename,
            declared_type=upload.file.declared_type,
            name_path=name_path,
            type_path=type_path,
        )
        require_clean(self.scanner, upload.file.path, field="body.file" if upload.multipart else "body")
        fingerprint = {
            "sha256": upload.file.sha256,
            "size_bytes": upload.file.size_bytes,
            "filename": upload.file.filename,
            **fields.model_dump(mode="json"),
        }
        if (replay := self.idempotency.replay(fingerprint)) is not None:
            return replay
        attachment = service.add_attachment(
            session=self.session,
            storage=self.storage,
            parent=parent,
            received=upload.file,
            media_type=media_type,
            title=fields.title,
            licence=fields.licence,
            personal=fields.personal,
        )
        return self.idempotency.created(
            self.response,
            public(attachment),
            location=f"/attachments/{attachment.id}",
            etag=etag_for(attachment.version),
        )


async def _upload(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    storage: StorageDep,
    scanner: ScannerDep,
    idempotency: IdempotencyDep,
    title: TitleQuery = None,
    licence: LicenceQuery = None,
    personal: PersonalQuery = None,
    filename: FilenameQuery = None,
) -> Attach:
    query = {"title": title, "licence": licence, "personal": personal, "filename": filename}
    return Attach(request, response, session, principal, settings, storage, scanner, idempotency, query)


UploadDep = Annotated[Attach, Depends(_upload)]
"""An upload route's request and fields; ``await upload.to(load_parent)`` stores the file under the parent."""


def _listed(session: Any, parent: Parent, paging: PageRequest) -> Page[AttachmentPublic]:
    rows, next_cursor = service.list_attachments(
        session=session, parent=parent, limit=paging.limit, cursor=paging.cursor
    )
    return paging.page([public(row) for row in rows], next_cursor)


@router.post(
    "/workshops/{workshop_id}/attachments",
    status_code=201,
    response_model=AttachmentPublic,
    summary="Attach a file to a workshop or restitution event",
    tags=[TAG],
    responses=UPLOAD_ERRORS,
    openapi_extra=UPLOAD_BODY,
)
async def attach_to_workshop(workshop_id: uuid.UUID, upload: UploadDep) -> Any:
    """Editors of the workshop's district attach photos of the boards, a restitution's slides, a handout.

    On a restitution event (a workshop of method `restitution_event`) the attachment's `parent_kind` is
    `restitution_event`. Answers 201 with the metadata, the SHA-256 and the type found from the content.
    """
    return await upload.to(functools.partial(service.workshop_parent, workshop_id=workshop_id))


@router.post(
    "/workshops/{workshop_id}/minutes/attachments",
    status_code=201,
    response_model=AttachmentPublic,
    summary="Attach a file to a workshop's minutes",
    tags=[TAG],
    responses=UPLOAD_ERRORS,
    openapi_extra=UPLOAD_BODY,
)
async def attach_to_minutes(workshop_id: uuid.UUID, upload: UploadDep) -> Any:
    """The workshop's facilitators or its district's editors attach the minutes PDF, a signed sheet...

    Refused (409) once the workshop was cancelled, as the minutes themselves are.
    """
    return await upload.to(functools.partial(service.minutes_parent, workshop_id=workshop_id))


@router.post(
    "/inventions/{invention_id}/attachments",
    status_code=201,
    response_model=AttachmentPublic,
    summary="Attach a file to an invention",
    tags=[TAG],
    responses=UPLOAD_ERRORS,
    openapi_extra=UPLOAD_BODY,
)
async def attach_to_invention(invention_id: uuid.UUID, upload: UploadDep) -> Any:
    """Editors of the invention's district attach its presentation, a leaflet, a photo.

    The invention's own `attachments` field keeps links to files elsewhere; uploaded files are listed here.
    """
    return await upload.to(functools.partial(service.invention_parent, invention_id=invention_id))


@router.get(
    "/workshops/{workshop_id}/attachments",
    response_model=Page[AttachmentPublic],
    summary="List a workshop's or restitution event's attachments",
    tags=[TAG],
    responses=problem_responses(404, 422),
)
def list_workshop_attachments(workshop_id: uuid.UUID, session: SessionDep, paging: Paging) -> Any:
    """Metadata of the files attached to the workshop itself (its minutes' files are listed apart), oldest first."""
    return _listed(session, service.workshop_parent(session=session, workshop_id=workshop_id), paging)


@router.get(
    "/workshops/{workshop_id}/minutes/attachments",
    response_model=Page[AttachmentPublic],
    summary="List the attachments of a workshop's minutes",
    tags=[TAG],
    responses=problem_responses(404, 422),
)
def list_minutes_attachments(workshop_id: uuid.UUID, session: SessionDep, paging: Paging) -> Any:
    """Metadata of the files attached to the minutes, oldest first."""
    return _listed(session, service.minutes_parent(session=session, workshop_id=workshop_id), paging)


@router.get(
    "/inventions/{invention_id}/attachments",
    response_model=Page[AttachmentPublic],
    summary="List an invention's attachments",
    tags=[TAG],
    responses=problem_responses(404, 422),
)
def list_invention_attachments(invention_id: uuid.UUID, session: SessionDep, paging: Paging) -> Any:
    """Metadata of the files attached to the invention, oldest first."""
    return _listed(session, service.invention_parent(session=session, invention_id=invention_id), paging)


@router.get(
    "/attachments/{attachment_id}",
    response_model=AttachmentPublic,
    summary="Get an attachment's metadata",
    tags=[TAG],
    responses=problem_responses(404, 422),
)
def get_attachment(attachment_id: uuid.UUID, response: Response, session: SessionDep) -> Any:
    """Title, type, size, SHA-256, licence and personal flag; the file itself through its download link."""
    attachment = service.get_attachment(session=session, attachment_id=attachment_id)
    set_etag(response, attachment.version)
    return public(attachment)


@router.delete(
    "/attachments/{attachment_id}",
    status_code=204,
    summary="Remove an attachment",
    tags=[TAG],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def remove_attachment(
    attachment_id: uuid.UUID,
    background: BackgroundTasks,
    session: SessionDep,
    principal: PrincipalDep,
    storage: StorageDep,
    if_match: IfMatch = None,
) -> Response:
    """Whoever may attach to the parent removes the file (If-Match honoured); links to it stop working."""
    attachment = service.get_attachment(session=session, attachment_id=attachment_id)
    service.require_editor(principal, service.parent_of(session=session, attachment=attachment))
    expected = expected_version_from_if_match(if_match, attachment.version)
    service.remove_attachment(session=session, attachment=attachment, expected_version=expected)
    # After the response: the removal has committed by then (a rolled-back removal keeps its file).
    background.add_task(storage.delete, attachment.storage_key)
    return Response(status_code=204)


@router.get(
    "/attachments/{attachment_id}/link",
    response_model=DownloadLink,
    summary="Get a download link of an attachment",
    tags=[TAG],
    responses=problem_responses(403, 404, 422),
)
def get_attachment_link(
    attachment_id: uuid.UUID,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    storage: StorageDep,
) -> Any:
    """A URL valid `COMMUNITYLAB_ATTACHMENT_LINK_SECONDS` (15 minutes by default): a signed link of this API
    with local storage, a presigned URL of the bucket with S3. Files flagged personal: only for callers who
    may see the parent's personal data (403 otherwise)."""
    attachment = service.get_attachment(session=session, attachment_id=attachment_id)
    parent = service.parent_of(session=session, attachment=attachment)
    if not service.may_download(principal, parent=parent, attachment=attachment):
        raise ForbiddenError(
            "this file holds personal data: only the parent's district editors and facilitators may download it"
        )
    path, expires_at = links.signed_path(settings, attachment.id)
    url = (
        storage.presigned_url(
            attachment.storage_key,
            expires_in=settings.attachment_link_seconds,
            filename=attachment.filename or f"{attachment.id}",
            media_type=attachment.media_type,
        )
        or settings.workshops_url.rstrip("/") + path
    )
    response.headers["Cache-Control"] = "no-store"
    return DownloadLink(url=url, expires_at=expires_at, storage=storage.name, sha256=attachment.sha256)


@router.get(
    "/attachments/{attachment_id}/content",
    response_class=StreamingResponse,
    summary="Download an attachment by a signed link",
    tags=[TAG],
    responses={
        200: {
            "description": "The file, with its media type, `Content-Disposition: attachment` and its digest.",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}} for media in content.ALLOWED
            },
        },
        **problem_responses(403, 404, 422),
    },
)
def download_attachment(
    attachment_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
    expires: Annotated[int, Query(ge=0, le=2**40, description="From the link: when it expires (Unix time).")],
    signature: Annotated[str, Query(max_length=200, description="From the link: its HMAC signature.")],
) -> Any:
    """The bytes, streamed; the link's signature and expiry are checked first (403 when altered or past)."""
    links.check_link(settings, attachment_id, expires=expires, sig=signature)
    attachment = service.get_attachment(session=session, attachment_id=attachment_id)
    try:
        chunks = storage.open(attachment.storage_key)
    except FileNotFoundError as exc:
        raise NotFoundError(f"the file of attachment {attachment.id} is missing from the storage") from exc
    digest = base64.b64encode(bytes.fromhex(attachment.sha256)).decode()
    return StreamingResponse(
        chunks,
        media_type=attachment.media_type,
        headers={
            "Content-Length": str(attachment.size_bytes),
            "Content-Disposition": content_disposition(attachment.filename or f"{attachment.id}"),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "Cache-Control": "private, no-store",
            "Repr-Digest": f"sha-256=:{digest}:",
            "ETag": etag_for(attachment.version),
        },
    )
