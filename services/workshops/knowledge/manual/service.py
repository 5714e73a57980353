"""Rules of the collective manual: facilitators write and revise cards, every revision is kept, publications pin.

Keyword-only functions; they flush, never commit. Every change appends its event (ids, codes and numbers only)
in the same session and keeps the row's ``version`` equal to its stream version.

Who writes: regional administrators and facilitators (a ``facilitator`` key, or a signed-in person the registry
knows as a facilitator). Everybody else reads the published manual only.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
import uuid
from typing import Any

from sqlmodel import Session, col, select

from services.workshops.knowledge.manual import events as ev
from services.workshops.knowledge.manual.models import (
    ManualChapter,
    ManualPublication,
    ManualPublicationCard,
    MethodCard,
    MethodCardComment,
    MethodCardRevision,
)
from services.workshops.knowledge.manual.schemas import (
    ChapterCreate,
    CommentCreate,
    MethodCardCreate,
    PublicationCreate,
    RevisionCreate,
)
from services.workshops.outcomes.base import get_edition, invalid
from shared.auth.principal import Principal, Role
from shared.db import utcnow
from shared.errors import ConflictError, ForbiddenError, NotFoundError
from shared.eventlog import NewEvent, append_to

# --- who ------------------------------------------------------------------------------------------------


def is_writer(principal: Principal) -> bool:
    """True for administrators and facilitators: the people who write the manual."""
    return principal.is_admin or principal.role is Role.FACILITATOR or principal.facilitator


def require_writer(principal: Principal) -> None:
    """401 when anonymous; 403 unless the caller writes the manual."""
    principal.require_authenticated()
    if not is_writer(principal):
        raise ForbiddenError("only facilitators (and regional administrators) write the collective manual")


# --- helpers --------------------------------------------------------------------------------------------


def slugify(text: str) -> str:
    """``"World Café"`` -> ``"world-cafe"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:64] or "voce"


def _record(session: Session, row: Any, stream: str, event_type: str, payload: dict[str, Any]) -> None:
    append_to(
        session,
        row=row,
        stream_type=stream,
        new_events=[NewEvent(event_type, payload)],
        expected_version=row.version,
        district_id=None,
    )


def _card_payload(card: MethodCard) -> dict[str, Any]:
    return {
        "card_id": str(card.id),
        "code": card.code,
        "chapter_id": str(card.chapter_id),
        "method": card.method,
        "revision": card.revision,
    }


# --- chapters -------------------------------------------------------------------------------------------


def get_chapter(*, session: Session, chapter_id: uuid.UUID) -> ManualChapter:
    """The chapter, or NotFoundError."""
    chapter = session.get(ManualChapter, chapter_id)
    if chapter is None:
        raise NotFoundError(f"chapter {chapter_id} does not exist", chapter_id=str(chapter_id))
    return chapter


def create_chapter(*, session: Session, data: ChapterCreate) -> ManualChapter:
    """A new chapter; 409 when its code is taken."""
    code = data.code or slugify(data.title)
    if session.exec(select(ManualChapter).where(ManualChapter.code == code)).first() is not None:
        raise ConflictError(f"a chapter with code {code!r} exists", code=code)
    chapter = ManualChapter(code=code, title=data.title, position=data.position)
    session.add(chapter)
    session.flush()
    _record(
        session,
        chapter,
        ev.CHAPTER_STREAM,
        ev.CHAPTER_CREATED,
        ev.ChapterCreated(chapter_id=str(chapter.id), code=code, position=chapter.position).dump(),
    )
    return chapter


# --- cards ----------------------------------------------------------------------------------------------


def get_card(*, session: Session, card_id: uuid.UUID) -> MethodCard:
    """The card, or NotFoundError."""
    card = session.get(MethodCard, card_id)
    if card is None:
        raise NotFoundError(f"method card {card_id} does not exist", method_card_id=str(card_id))
    return card


def card_of_method(*, session: Session, method: str) -> MethodCard:
    """The card of a workshop method, or NotFoundError."""
    card = session.exec(select(MethodCard).where(MethodCard.method == method)).first()
    if card is None:
        raise NotFoundError(f"no method card for {method} yet", method=method)
    return card


def create_card(*, session: Session, data: MethodCardCreate, author_id: str | None) -> MethodCard:
    """A new card with its revision 1; 409 when the code or the workshop method already has a card."""
    get_chapter_or_invalid(session=session, chapter_id=data.chapter_id)
    code = data.code or slugify(data.title)
    if session.exec(select(MethodCard).where(MethodCard.code == code)).first() is not None:
        raise ConflictError(f"a method card with code {code!r} exists", code=code)
    method = data.workshop_method.value if data.workshop_method else None
    if method and session.exec(select(MethodCard).where(MethodCard.method == method)).first() is not None:
        raise ConflictError(f"the method {method} has its card already: revise it", method=method)
    now = utcnow()
    card = MethodCard(
        code=code,
        chapter_id=data.chapter_id,
        method=method,
        position=data.position,
        revision=1,
        title=data.title,
        summary=data.summary,
        body=data.body,
        created_at=now,
        updated_at=now,
    )
    session.add(card)
    session.flush()
    session.add(
        MethodCardRevision(
            card_id=card.id,
            number=1,
            title=data.title,
            summary=data.summary,
            body=data.body,
            note=data.note,
            author_id=author_id,
            created_at=now,
        )
    )
    _record(
        session,
        card,
        ev.CARD_STREAM,
        ev.CARD_CREATED,
        ev.CardCreated(**_card_payload(card), author_id=author_id).dump(),
    )
    return card


def get_chapter_or_invalid(*, session: Session, chapter_id: uuid.UUID) -> ManualChapter:
    chapter = session.get(ManualChapter, chapter_id)
    if chapter is None:
        raise invalid("body.chapter_id", f"chapter {chapter_id} does not exist")
    return chapter


def revise_card(
    *, session: Session, card: MethodCard, data: RevisionCreate, author_id: str | None, expected_version: int
) -> MethodCardRevision:
    """Write the next revision; the previous ones stay as they were. 409 when nothing would change."""
    title = data.title if data.title is not None else card.title
    summary = data.summary if data.summary is not None else card.summary
    if (title, summary, data.body) == (card.title, card.summary, card.body):
        raise ConflictError("the revision changes nothing", method_card_id=str(card.id))
    previous = card.revision
    now = utcnow()
    revision = MethodCardRevision(
        card_id=card.id,
        number=previous + 1,
        title=title,
        summary=summary,
        body=data.body,
        note=data.note,
        author_id=author_id,
        created_at=now,
    )
    session.add(revision)
    card.revision, card.title, card.summary, card.body, card.updated_at = (
        previous + 1,
        title,
        summary,
        data.body,
        now,
    )
    card.version = expected_version
    _record(
        session,
        card,
        ev.CARD_STREAM,
        ev.CARD_REVISED,
        ev.CardRevised(**_card_payload(card), author_id=author_id, previous_revision=previous).dump(),
    )
    return revision


def revisions_of(*, session: Session, card_id: uuid.UUID) -> list[MethodCardRevision]:
    """Every revision of a card, oldest first."""
    return list(
        session.exec(
            select(MethodCardRevision)
            .where(MethodCardRevision.card_id == card_id)
            .order_by(col(MethodCardRevision.number))
        ).all()
    )


def get_revision(*, session: Session, card_id: uuid.UUID, number: int) -> MethodCardRevision:
    """One revision, or NotFoundError."""
    revision = session.exec(
        select(MethodCardRevision).where(
            MethodCardRevision.card_id == card_id, MethodCardRevision.number == number
        )
    ).first()
    if revision is None:
        raise NotFoundError(f"method card {card_id} has no revision {number}", revision=number)
    return revision


def _lines(revision: MethodCardRevision | None) -> list[str]:
    if revision is None:
        return []
    return [f"# {revision.title}", f"> {revision.summary}", "", *revision.body.splitlines()]


def revision_view(*, session: Session, revision: MethodCardRevision) -> dict[str, Any]:
    """A revision with the unified diff against the one before it."""
    previous = (
        get_revision(session=session, card_id=revision.card_id, number=revision.number - 1)
        if revision.number > 1
        else None
    )
    diff = difflib.unified_diff(
        _lines(previous),
        _lines(revision),
        fromfile=f"revisione {previous.number}" if previous else "vuoto",
        tofile=f"revisione {revision.number}",
        lineterm="",
    )
    return {
        "card_id": revision.card_id,
        "number": revision.number,
        "title": revision.title,
        "summary": revision.summary,
        "body": revision.body,
        "note": revision.note,
        "author_id": revision.author_id,
        "created_at": revision.created_at,
        "previous_revision": previous.number if previous else None,
        "diff": "\n".join(diff),
    }


def latest_published(*, session: Session, card_id: uuid.UUID) -> MethodCardRevision | None:
    """The revision of the card in the latest publication holding it, if any."""
    number = session.exec(
        select(ManualPublicationCard.revision)
        .join(ManualPublication, col(ManualPublication.id) == col(ManualPublicationCard.publication_id))
        .where(ManualPublicationCard.card_id == card_id)
        .order_by(col(ManualPublication.published_at).desc())
    ).first()
    return None if number is None else get_revision(session=session, card_id=card_id, number=number)


def card_view(*, session: Session, card: MethodCard, principal: Principal) -> dict[str, Any]:
    """The card as the caller reads it: current for writers, latest published for others (404 if none)."""
    base = {
        "id": card.id,
        "code": card.code,
        "chapter_id": card.chapter_id,
        "workshop_method": card.method,
        "position": card.position,
        "url": f"/method-cards/{card.id}",
        "version": card.version,
    }
    if is_writer(principal):
        return base | {
            "revision": card.revision,
            "current_revision": card.revision,
            "view": "current",
            "title": card.title,
            "summary": card.summary,
            "body": card.body,
            "updated_at": card.updated_at,
        }
    published = latest_published(session=session, card_id=card.id)
    if published is None:
        raise NotFoundError(f"method card {card.id} is not published yet", method_card_id=str(card.id))
    return base | {
        "revision": published.number,
        "view": "published",
        "title": published.title,
        "summary": published.summary,
        "body": published.body,
        "updated_at": published.created_at,
    }


def published_card_ids(session: Session) -> set[uuid.UUID]:
    """Cards held by at least one publication."""
    return set(session.exec(select(ManualPublicationCard.card_id).distinct()).all())


# --- comments -------------------------------------------------------------------------------------------


def comment_card(
    *, session: Session, card: MethodCard, data: CommentCreate, author_id: str | None
) -> MethodCardComment:
    """A facilitator's comment on a revision of the card (the current one by default)."""
    number = data.revision or card.revision
    if number > card.revision:
        raise invalid("body.revision", f"the card has no revision {number} (latest: {card.revision})")
    comment = MethodCardComment(card_id=card.id, revision=number, author_id=author_id, body=data.body)
    session.add(comment)
    session.flush()
    _record(
        session,
        card,
        ev.CARD_STREAM,
        ev.CARD_COMMENTED,
        ev.CardCommented(
            card_id=str(card.id), comment_id=str(comment.id), revision=number, author_id=author_id
        ).dump(),
    )
    return comment


# --- publications ---------------------------------------------------------------------------------------


def get_publication(*, session: Session, publication_id: uuid.UUID) -> ManualPublication:
    """The publication, or NotFoundError."""
    publication = session.get(ManualPublication, publication_id)
    if publication is None:
        raise NotFoundError(
            f"manual publication {publication_id} does not exist", publication_id=str(publication_id)
        )
    return publication


def publish(*, session: Session, data: PublicationCreate, published_by: str | None) -> ManualPublication:
    """Pin the current revision of every card for the edition; 409 if the edition has its publication."""
    try:
        get_edition(session=session, edition_id=data.edition_id)
    except NotFoundError:
        # An id in the body: a payload error on its field, as for every other reference in a body.
        raise invalid("body.edition_id", f"edition {data.edition_id} does not exist") from None
    taken = session.exec(
        select(ManualPublication).where(ManualPublication.edition_id == data.edition_id)
    ).first()
    if taken is not None:
        raise ConflictError(
            f"the manual is already published for edition {data.edition_id}", publication_id=str(taken.id)
        )
    publication = ManualPublication(edition_id=data.edition_id, title=data.title, published_by=published_by)
    session.add(publication)
    session.flush()
    pinned: dict[str, int] = {}
    for card in session.exec(select(MethodCard)).all():
        session.add(
            ManualPublicationCard(publication_id=publication.id, card_id=card.id, revision=card.revision)
        )
        pinned[str(card.id)] = card.revision
    session.flush()
    _record(
        session,
        publication,
        ev.PUBLICATION_STREAM,
        ev.MANUAL_PUBLISHED,
        ev.ManualPublished(
            publication_id=str(publication.id), edition_id=str(data.edition_id), cards=pinned
        ).dump(),
    )
    return publication


def publication_view(*, session: Session, publication: ManualPublication) -> dict[str, Any]:
    """The publication with its chapters and the pinned revision of each card, in reading order."""
    edition = get_edition(session=session, edition_id=publication.edition_id)
    rows = session.exec(
        select(ManualPublicationCard, MethodCard, MethodCardRevision)
        .join(MethodCard, col(MethodCard.id) == col(ManualPublicationCard.card_id))
        .join(
            MethodCardRevision,
            (col(MethodCardRevision.card_id) == col(ManualPublicationCard.card_id))
            & (col(MethodCardRevision.number) == col(ManualPublicationCard.revision)),
        )
        .where(ManualPublicationCard.publication_id == publication.id)
        .order_by(col(MethodCard.position), col(MethodCard.code))
    ).all()
    by_chapter: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for _pinned, card, revision in rows:
        by_chapter.setdefault(card.chapter_id, []).append(
            {
                "card_id": card.id,
                "code": card.code,
                "workshop_method": card.method,
                "revision": revision.number,
                "title": revision.title,
                "summary": revision.summary,
                "body": revision.body,
            }
        )
    chapters = session.exec(
        select(ManualChapter)
        .where(col(ManualChapter.id).in_(list(by_chapter)))
        .order_by(col(ManualChapter.position), col(ManualChapter.code))
    ).all()
    return {
        "id": publication.id,
        "edition_id": publication.edition_id,
        "edition_name": edition.name,
        "title": publication.title,
        "published_at": publication.published_at,
        "version": publication.version,
        "chapters": [
            {"id": c.id, "code": c.code, "title": c.title, "cards": by_chapter[c.id]} for c in chapters
        ],
    }


def publication_summary(*, session: Session, publication: ManualPublication) -> dict[str, Any]:
    count = len(
        session.exec(
            select(ManualPublicationCard.card_id).where(
                ManualPublicationCard.publication_id == publication.id
            )
        ).all()
    )
    return {
        "id": publication.id,
        "edition_id": publication.edition_id,
        "title": publication.title,
        "published_at": publication.published_at,
        "card_count": count,
    }
