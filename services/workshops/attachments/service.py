"""Rules of attachments: what a file hangs on, who may attach and remove, storing it with its event.

Keyword-only functions; they flush, never commit (the request's session commits). The file is stored before
its row and ``attachment.added`` event are flushed, and deleted again if they fail; a removal deletes the file
only after the transaction committed (the route schedules it), so a rolled-back removal keeps its file.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, col, select

from services.workshops.attachments import events as ev
from services.workshops.attachments.models import Attachment, ParentKind
from services.workshops.attachments.storage import Storage
from services.workshops.outcomes.models import Invention
from services.workshops.processes.models import Workshop, WorkshopMethod, WorkshopStatus
from shared.auth.principal import Principal
from shared.db import utcnow
from shared.errors import ConflictError, NotFoundError
from shared.eventlog import NewEvent, append_to
from shared.pagination import paginate
from shared.privacy import Scope, may_see

DEFAULT_TITLE = "Allegato"


@dataclass(frozen=True)
class Parent:
    """What an attachment hangs on, with what its rights and reports need."""

    kind: ParentKind
    id: uuid.UUID
    district_id: uuid.UUID
    process_id: uuid.UUID | None
    workshop_id: uuid.UUID | None = None
    invention_id: uuid.UUID | None = None
    facilitator_ids: tuple[str, ...] = field(default=())
    cancelled: bool = False

    @property
    def scope(self) -> Scope:
        """Whose work needs the parent's personal data (its district, a workshop's facilitators)."""
        return Scope.of([self.district_id], self.facilitator_ids)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The parent kinds listed together under this parent (a workshop's own attachments)."""
        if self.kind in (ParentKind.WORKSHOP, ParentKind.RESTITUTION_EVENT):
            return (ParentKind.WORKSHOP.value, ParentKind.RESTITUTION_EVENT.value)
        return (self.kind.value,)


@dataclass(frozen=True)
class ReceivedFile:
    """An upload on disk: where it is, its size and digest as read, the name and type it was sent with."""

    path: Path
    size_bytes: int
    sha256: str
    filename: str | None
    declared_type: str | None


def _workshop(session: Session, workshop_id: uuid.UUID) -> Workshop:
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFoundError(f"workshop {workshop_id} does not exist", workshop_id=str(workshop_id))
    return workshop


def _of_workshop(workshop: Workshop, kind: ParentKind) -> Parent:
    return Parent(
        kind=kind,
        id=workshop.id,
        district_id=workshop.district_id,
        process_id=workshop.process_id,
        workshop_id=workshop.id,
        facilitator_ids=tuple(workshop.facilitator_ids),
        cancelled=str(getattr(workshop.status, "value", workshop.status)) == WorkshopStatus.CANCELLED.value,
    )


def workshop_parent(*, session: Session, workshop_id: uuid.UUID) -> Parent:
    """A workshop; a restitution event (a workshop of that method) is its own kind of parent."""
    workshop = _workshop(session, workshop_id)
    kind = (
        ParentKind.RESTITUTION_EVENT
        if workshop.method == WorkshopMethod.RESTITUTION_EVENT
        else ParentKind.WORKSHOP
    )
    return _of_workshop(workshop, kind)


def minutes_parent(*, session: Session, workshop_id: uuid.UUID) -> Parent:
    """A workshop's minutes (the minutes PDF, a photo of the boards may come before the text is recorded)."""
    return _of_workshop(_workshop(session, workshop_id), ParentKind.MINUTES)


def invention_parent(*, session: Session, invention_id: uuid.UUID) -> Parent:
    """An invention."""
    invention = session.get(Invention, invention_id)
    if invention is None:
        raise NotFoundError(f"invention {invention_id} does not exist", invention_id=str(invention_id))
    return Parent(
        kind=ParentKind.INVENTION,
        id=invention.id,
        district_id=invention.district_id,
        process_id=invention.process_id,
        workshop_id=invention.workshop_id,
        invention_id=invention.id,
    )


def parent_of(*, session: Session, attachment: Attachment) -> Parent:
    """The parent an attachment hangs on."""
    if attachment.parent_kind == ParentKind.INVENTION.value:
        return invention_parent(session=session, invention_id=attachment.parent_id)
    if attachment.parent_kind == ParentKind.MINUTES.value:
        return minutes_parent(session=session, workshop_id=attachment.parent_id)
    return workshop_parent(session=session, workshop_id=attachment.parent_id)


def require_editor(principal: Principal, parent: Parent) -> None:
    """Who may attach to and remove from a parent: whoever may change it.

    A workshop, a restitution event or an invention: editors of its district (as ``PATCH``). Minutes: the
    workshop's facilitators too, and not once the workshop was cancelled (as ``PUT .../minutes``).
    """
    if parent.kind is ParentKind.MINUTES:
        principal.require_facilitator_or_editor(parent.district_id, parent.facilitator_ids)
        if parent.cancelled:
            raise ConflictError(
                f"workshop {parent.id} was cancelled: its minutes can no longer change",
                workshop_status="cancelled",
            )
        return
    principal.require_district_editor(parent.district_id)


def may_download(principal: Principal, *, parent: Parent, attachment: Attachment) -> bool:
    """Everyone may download what its parent shows everyone; a personal file only those who see its people."""
    return not attachment.personal or may_see(principal, parent.scope)


def get_attachment(*, session: Session, attachment_id: uuid.UUID) -> Attachment:
    """The attachment (NotFoundError when there is none, or it was removed)."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.removed_at is not None:
        raise NotFoundError(f"attachment {attachment_id} does not exist", attachment_id=str(attachment_id))
    return attachment


def _ref(attachment: Attachment) -> dict[str, str | None]:
    return {
        "attachment_id": str(attachment.id),
        "district_id": str(attachment.district_id),
        "process_id": str(attachment.process_id) if attachment.process_id else None,
        "parent_kind": attachment.parent_kind,
        "parent_id": str(attachment.parent_id),
        "workshop_id": str(attachment.workshop_id) if attachment.workshop_id else None,
        "invention_id": str(attachment.invention_id) if attachment.invention_id else None,
    }


def add_attachment(
    *,
    session: Session,
    storage: Storage,
    parent: Parent,
    received: ReceivedFile,
    media_type: str,
    title: str | None,
    licence: str | None,
    personal: bool,
) -> Attachment:
    """Store a checked file and record it with ``attachment.added``."""
    attachment_id = uuid.uuid4()
    attachment = Attachment(
        id=attachment_id,
        district_id=parent.district_id,
        process_id=parent.process_id,
        parent_kind=parent.kind.value,
        parent_id=parent.id,
        workshop_id=parent.workshop_id,
        invention_id=parent.invention_id,
        title=title or (received.filename or DEFAULT_TITLE)[:200],
        filename=received.filename,
        media_type=media_type,
        size_bytes=received.size_bytes,
        sha256=received.sha256,
        licence=licence,
        personal=personal,
        storage=storage.name,
        storage_key=attachment_id.hex,
    )
    storage.put(attachment.storage_key, received.path, media_type=media_type)
    try:
        session.add(attachment)
        session.flush()
        payload = ev.AttachmentAdded(
            **_ref(attachment),
            title=attachment.title,
            media_type=attachment.media_type,
            size_bytes=attachment.size_bytes,
            sha256=attachment.sha256,
            licence=attachment.licence,
            personal=attachment.personal,
        )
        append_to(
            session,
            row=attachment,
            stream_type=ev.ATTACHMENT,
            new_events=[NewEvent(ev.ATTACHMENT_ADDED, payload.dump())],
            expected_version=0,
            district_id=attachment.district_id,
        )
        session.add(attachment)
        session.flush()
    except BaseException:
        with contextlib.suppress(Exception):  # the error that matters is the one being raised
            storage.delete(attachment.storage_key)
        raise
    return attachment


def remove_attachment(*, session: Session, attachment: Attachment, expected_version: int) -> Attachment:
    """Mark it removed with ``attachment.removed``; the caller deletes the file once this committed."""
    attachment.removed_at = utcnow()
    append_to(
        session,
        row=attachment,
        stream_type=ev.ATTACHMENT,
        new_events=[NewEvent(ev.ATTACHMENT_REMOVED, ev.AttachmentRemoved(**_ref(attachment)).dump())],
        expected_version=expected_version,
        district_id=attachment.district_id,
    )
    session.add(attachment)
    session.flush()
    return attachment


def list_attachments(
    *, session: Session, parent: Parent, limit: int, cursor: str | None
) -> tuple[list[Attachment], str | None]:
    """One page of a parent's attachments, oldest first (removed ones left out)."""
    statement = select(Attachment).where(
        col(Attachment.parent_kind).in_(parent.kinds),
        Attachment.parent_id == parent.id,
        col(Attachment.removed_at).is_(None),
    )
    return paginate(
        session, statement, sort=Attachment.created_at, tiebreak=Attachment.id, limit=limit, cursor=cursor
    )
