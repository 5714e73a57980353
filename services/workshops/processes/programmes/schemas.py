"""Request and response bodies of programmes and editions."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import ConfigDict, Field, model_validator

from shared.api.schemas import ApiModel, LongText, PublicModel, ShortText
from shared.errors import FieldRule


class ProgrammeCreate(ApiModel):
    """A regional programme (e.g. Community Lab)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "Community Lab", "description": "Regional programme for participatory planning."}
            ]
        },
    )

    name: ShortText
    description: LongText = ""


class ProgrammePublic(PublicModel):
    """A programme."""

    id: uuid.UUID
    name: str
    description: str
    version: int
    created_at: datetime


class EditionCreate(ApiModel):
    """An edition of a programme with the districts taking part."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Community Lab 2018-2019",
                    "starts_on": "2018-09-01",
                    "ends_on": "2019-12-31",
                    "district_ids": ["3f2b8c1e-8a44-4a4e-9c61-2a0d6f1d9b10"],
                }
            ]
        },
    )

    name: ShortText
    starts_on: date | None = None
    ends_on: date | None = None
    district_ids: list[uuid.UUID] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _dates_in_order(self) -> EditionCreate:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise FieldRule("ends_on", "ends_on must not be before starts_on")
        return self


class EditionDistrictAdd(ApiModel):
    """A district joining an edition."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"district_id": "3f2b8c1e-8a44-4a4e-9c61-2a0d6f1d9b10"}]},
    )

    district_id: uuid.UUID


class EditionPublic(PublicModel):
    """An edition of a programme."""

    id: uuid.UUID
    programme_id: uuid.UUID
    name: str
    starts_on: date | None
    ends_on: date | None
    district_ids: list[str]
    version: int
    created_at: datetime
