"""Client of the workshops HTTP API used by the registry to scope a facilitator's view of personal data.

Why HTTP and not the event log: who facilitates a workshop and who is registered to or attended it is the
workshops service's own state (registrations are cancelled, waiting lists move, facilitators change); folding
those events again inside the registry would duplicate its rules. The registry asks with the caller's own key,
so the workshops service authorises the question itself (a facilitator may ask only about themself).

Timeouts come from settings; the caller's ``X-Request-ID`` is propagated; when workshops cannot be reached
the client raises ``UpstreamUnavailableError`` (503 problem+json, never a 500). Nothing is cached: the
answer changes with every registration and is asked only for facilitator keys.

Supervisions (services/registry/supervisions) also check the process, workshop or programme edition a case
or session refers to, through the public reads ``get_process``, ``get_workshop`` and ``get_edition``.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict

from shared.context import current_request_id
from shared.errors import UpstreamUnavailableError


class FacilitatorPeopleRef(BaseModel):
    """The people a facilitator's work needs (registry person ids)."""

    model_config = ConfigDict(extra="ignore")

    facilitator_id: str
    person_ids: list[str] = []


class ProcessRef(BaseModel):
    """What the registry needs to know of a process: its district and programme edition."""

    model_config = ConfigDict(extra="ignore")

    id: str
    district_id: str
    edition_id: str | None = None


class WorkshopRef(BaseModel):
    """What the registry needs to know of a workshop: its process, district and edition."""

    model_config = ConfigDict(extra="ignore")

    id: str
    process_id: str
    district_id: str
    edition_id: str | None = None


class EditionRef(BaseModel):
    """A programme edition."""

    model_config = ConfigDict(extra="ignore")

    id: str
    programme_id: str


class WorkshopsClient:
    """Synchronous client (service code runs in worker threads)."""

    def __init__(
        self, base_url: str, *, timeout: float = 5.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        self._client = httpx.Client(base_url=base_url, timeout=timeout, transport=transport)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def _public(self, path: str) -> Any | None:
        """GET a public JSON document; None on 404; 503 error when workshops is unreachable or failing."""
        headers = {"Accept": "application/json"}
        if (request_id := current_request_id()) is not None:
            headers["X-Request-ID"] = request_id
        try:
            response = self._client.get(path, headers=headers)
        except httpx.HTTPError as exc:
            raise UpstreamUnavailableError(
                f"the workshops service did not answer: {type(exc).__name__}"
            ) from exc
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise UpstreamUnavailableError(f"the workshops service answered {response.status_code}")
        return response.json()

    def get_process(self, process_id: str) -> ProcessRef | None:
        """The process (its district and edition), or None when workshops has no such process."""
        data = self._public(f"/processes/{process_id}")
        return ProcessRef.model_validate(data) if data is not None else None

    def get_workshop(self, workshop_id: str) -> WorkshopRef | None:
        """The workshop (its process, district and edition), or None."""
        data = self._public(f"/workshops/{workshop_id}")
        return WorkshopRef.model_validate(data) if data is not None else None

    def get_edition(self, edition_id: str) -> EditionRef | None:
        """The programme edition, or None."""
        data = self._public(f"/editions/{edition_id}")
        return EditionRef.model_validate(data) if data is not None else None

    def people_of_facilitator(self, facilitator_id: str, *, authorization: str) -> frozenset[str]:
        """Ids of the people registered to or attending the workshops ``facilitator_id`` facilitates."""
        headers = {"Accept": "application/json", "Authorization": authorization}
        if (request_id := current_request_id()) is not None:
            headers["X-Request-ID"] = request_id
        try:
            response = self._client.get(f"/facilitators/{facilitator_id}/people", headers=headers)
        except httpx.HTTPError as exc:
            raise UpstreamUnavailableError(
                f"the workshops service did not answer: {type(exc).__name__}"
            ) from exc
        if response.status_code >= 400:
            raise UpstreamUnavailableError(f"the workshops service answered {response.status_code}")
        return frozenset(FacilitatorPeopleRef.model_validate(response.json()).person_ids)
