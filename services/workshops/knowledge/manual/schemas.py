"""Request and response bodies of the collective manual."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from services.workshops.processes.models import WorkshopMethod
from shared.api.schemas import ApiModel, PublicModel, ShortText
from shared.privacy import Personal

Slug = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Summary = Annotated[str, StringConstraints(max_length=500)]
Note = Annotated[str, StringConstraints(max_length=500)]
CardText = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
CommentText = Annotated[str, StringConstraints(min_length=1, max_length=5_000)]


class ChapterCreate(ApiModel):
    """A chapter of the manual; ``code`` defaults to a slug of the title."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"title": "Metodi per ascoltare il territorio", "position": 5}]},
    )

    title: ShortText
    code: Slug | None = None
    position: int = Field(default=0, ge=0, le=1000)


class ChapterPublic(PublicModel):
    """A chapter of the manual."""

    id: uuid.UUID
    code: str
    title: str
    position: int
    version: int


class MethodCardCreate(ApiModel):
    """A new method card (its revision 1); ``workshop_method`` links it to a workshop method (one card each)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "chapter_id": "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                    "title": "Fishbowl",
                    "summary": "Un cerchio interno che discute e uno esterno che ascolta.",
                    "body": "Quattro o cinque sedie al centro, una sempre libera: chi vuole intervenire entra.",
                    "note": "Prima stesura",
                }
            ]
        },
    )

    chapter_id: uuid.UUID
    title: ShortText
    body: CardText
    summary: Summary = ""
    code: Slug | None = None
    workshop_method: WorkshopMethod | None = None
    position: int = Field(default=0, ge=0, le=1000)
    note: Note = ""


class RevisionCreate(ApiModel):
    """A new revision of a card: its whole text as it should now read, and a note on what changed and why."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "body": "I partecipanti costruiscono l'agenda nella prima mezz'ora; chi propone un tema "
                    "convoca il gruppo.",
                    "note": "Aggiunta la regola dei due piedi",
                }
            ]
        },
    )

    body: CardText
    title: ShortText | None = None
    summary: Summary | None = None
    note: Note = ""


class MethodCardPublic(PublicModel):
    """A method card as the caller may read it.

    Facilitators and administrators read the current revision (``view`` = ``current``); everybody else reads the
    latest published one (``view`` = ``published``), and a card never published is not found for them.
    """

    id: uuid.UUID
    code: str
    chapter_id: uuid.UUID
    workshop_method: WorkshopMethod | None = None
    position: int
    revision: int = Field(description="The number of the revision shown.")
    current_revision: int | None = Field(
        default=None, description="The latest revision (facilitators and administrators only)."
    )
    view: str = Field(description="`current` or `published`.")
    title: str
    summary: str
    body: str
    url: str = Field(description="The card's path.")
    version: int
    updated_at: datetime | None = None


class RevisionPublic(PublicModel):
    """One kept revision of a card: who wrote it (registry person id), when, the text and what changed."""

    card_id: uuid.UUID
    number: int
    title: str
    summary: str
    body: str
    note: str
    author_id: Annotated[str | None, Personal] = None
    created_at: datetime
    previous_revision: int | None = None
    diff: str = Field(description="Unified diff of title, summary and body against the previous revision.")


class CommentCreate(ApiModel):
    """A facilitator's comment on a card (on its current revision unless ``revision`` says otherwise)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"body": "Nel nostro distretto l'harvest finale è durato un'ora: va detto."}]
        },
    )

    body: CommentText
    revision: int | None = Field(default=None, ge=1, le=100_000)


class CommentPublic(PublicModel):
    """A comment on a card."""

    id: uuid.UUID
    card_id: uuid.UUID
    revision: int
    author_id: Annotated[str | None, Personal] = None
    body: str
    created_at: datetime


class PublicationCreate(ApiModel):
    """Publish the manual as it stands for a programme edition (once per edition)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "edition_id": "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                    "title": "Manuale collettivo sulla facilitazione",
                }
            ]
        },
    )

    edition_id: uuid.UUID
    title: ShortText = "Manuale collettivo sulla facilitazione"


class PublishedCard(PublicModel):
    """A card as a publication holds it."""

    card_id: uuid.UUID
    code: str
    workshop_method: WorkshopMethod | None = None
    revision: int
    title: str
    summary: str
    body: str


class PublishedChapter(PublicModel):
    """A chapter of a publication with its cards."""

    id: uuid.UUID
    code: str
    title: str
    cards: list[PublishedCard]


class PublicationPublic(PublicModel):
    """The manual as published for an edition: the revisions it pinned, whatever was written since."""

    id: uuid.UUID
    edition_id: uuid.UUID
    edition_name: str
    title: str
    published_at: datetime
    version: int
    chapters: list[PublishedChapter] = Field(default_factory=list)


class PublicationSummary(PublicModel):
    """A publication in a list."""

    id: uuid.UUID
    edition_id: uuid.UUID
    title: str
    published_at: datetime
    card_count: int
