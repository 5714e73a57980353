"""Response bodies of a process's history."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel


class HistoryEvent(BaseModel):
    """One event of a process's history."""

    position: int
    event_id: uuid.UUID
    stream_type: str
    stream_id: str
    version: int
    type: str
    occurred_at: datetime
    recorded_at: datetime
    actor_id: str | None
    district_id: str | None
    payload: dict[str, Any]
