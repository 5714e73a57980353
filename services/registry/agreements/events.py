"""Events of programme agreements: ids, dates and titles (documents of organisations, never of people)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

AGREEMENT = "agreement"

AGREEMENT_RECORDED = "agreement.recorded"
AGREEMENT_ENDED = "agreement.ended"


class AgreementChanged(BaseModel):
    """An agreement was recorded or ended: the whole public record, so projections need nothing else."""

    model_config = ConfigDict(extra="forbid")

    agreement_id: str
    district_id: str
    kind: str
    title: str
    reference: str
    signed_on: str
    valid_from: str
    valid_to: str | None
    organisation_ids: list[str]

    def dump(self) -> dict[str, Any]:
        """JSON-native payload."""
        return self.model_dump(mode="json")


PAYLOADS: dict[str, type[BaseModel]] = {
    AGREEMENT_RECORDED: AgreementChanged,
    AGREEMENT_ENDED: AgreementChanged,
}
