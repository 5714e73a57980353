"""Request and response bodies of the programme agreements API (bounded, with examples)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import ConfigDict, Field, model_validator

from services.registry.agreements.models import AgreementKind
from services.registry.common.schemas import EXAMPLE_DISTRICT, check_period
from shared.api.schemas import ApiDate, ApiModel, OptionalText, PublicModel, ShortText

EXAMPLE_ORGANISATIONS = ["1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e"]


class AgreementCreate(ApiModel):
    """A programme agreement signed by organisations of a district on a date."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "district_id": EXAMPLE_DISTRICT,
                    "kind": "accordo_di_programma",
                    "title": "Accordo di Programma per il Piano di Zona 2018-2020",
                    "reference": "delibera 12/2018",
                    "signed_on": "2018-06-28",
                    "valid_from": "2018-07-01",
                    "valid_to": "2020-12-31",
                    "organisation_ids": EXAMPLE_ORGANISATIONS,
                }
            ]
        },
    )

    district_id: uuid.UUID
    kind: AgreementKind = AgreementKind.ACCORDO_DI_PROGRAMMA
    title: ShortText
    reference: OptionalText = ""
    signed_on: ApiDate
    valid_from: ApiDate | None = Field(default=None, description="Defaults to the signing date.")
    valid_to: ApiDate | None = None
    organisation_ids: list[uuid.UUID] = Field(
        min_length=1,
        max_length=100,
        description="The parties the registry knows (the other signatories may not be registered yet).",
    )

    @model_validator(mode="after")
    def _period(self) -> AgreementCreate:
        check_period(self.valid_from or self.signed_on, self.valid_to)
        return self


class AgreementEnd(ApiModel):
    """The last day an agreement is in force."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"valid_to": "2020-12-31"}]})

    valid_to: ApiDate


class AgreementPublic(PublicModel):
    """A programme agreement and its parties."""

    id: uuid.UUID
    district_id: uuid.UUID
    kind: AgreementKind
    title: str
    reference: str
    signed_on: date
    valid_from: date
    valid_to: date | None
    organisation_ids: list[uuid.UUID]
    version: int
    created_at: datetime
