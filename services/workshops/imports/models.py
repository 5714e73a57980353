"""Tables of the imports: each bundle imported, and the record each of its rows became.

The row map makes an import idempotent: a bundle whose id is already there is not written again, and its rows
keep pointing at the records they created (``GET``-able by their ids).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.db import JSONType, UTCDateTime, utcnow

SCHEMA = "workshops"


class ImportedBundle(SQLModel, table=True):
    """A bundle imported once, with the digest of its files and what it wrote."""

    __tablename__ = "imported_bundles"
    __table_args__ = {"schema": SCHEMA}

    bundle_id: str = Field(primary_key=True, max_length=200)
    digest: str = Field(max_length=64)
    source: str = Field(max_length=200)
    title: str = Field(max_length=200)
    counts: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    imported_by: str | None = Field(default=None, max_length=200)
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ImportedRow(SQLModel, table=True):
    """One row of an imported bundle and the record it created."""

    __tablename__ = "imported_rows"
    __table_args__ = (
        sa.Index("ix_workshops_imported_rows_record", "record_id"),
        {"schema": SCHEMA},
    )

    bundle_id: str = Field(primary_key=True, max_length=200)
    kind: str = Field(primary_key=True, max_length=40)
    row_id: str = Field(primary_key=True, max_length=100)
    record_id: uuid.UUID
