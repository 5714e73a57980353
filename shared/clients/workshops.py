"""Client of the workshops HTTP API used by the registry to scope a facilitator's view of personal data.

Why HTTP and not the event log: who facilitates a workshop and who is registered to or attended it is the
workshops service's own state (registrations are cancelled, waiting lists move, facilitators change); folding
those events again inside the registry would duplicate its rules. The registry asks with the caller's own key,
so the workshops service authorises the question itself (a facilitator may ask only about themself).

Timeouts come from settings; the caller's ``X-Request-ID`` is propagated; when workshops cannot be reached
the client raises ``UpstreamUnavailableError`` (503 problem+json, never a 500). Nothing is cached: the
answer changes with every registration and is asked only for facilitator keys.
"""

from __future__ import annotations

import httpx
from pydantic import BaseModel, ConfigDict

from shared.context import current_request_id
from shared.errors import UpstreamUnavailableError


class FacilitatorPeopleRef(BaseModel):
    """The people a facilitator's work needs (registry person ids)."""

    model_config = ConfigDict(extra="ignore")

    facilitator_id: str
    person_ids: list[str] = []


class WorkshopsClient:
    """Synchronous client (service code runs in worker threads)."""

    def __init__(
        self, base_url: str, *, timeout: float = 5.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        self._client = httpx.Client(base_url=base_url, timeout=timeout, transport=transport)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

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
