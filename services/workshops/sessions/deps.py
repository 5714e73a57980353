"""Route-level pieces shared by the sessions topics: the If-Match header, the caller's workshop.

Writes load the workshop, then check the caller (its facilitators or its district's editors) before
anything else, so a denied request learns nothing about topics or tables and writes nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from services.workshops.processes.models import Workshop
from services.workshops.sessions import base
from shared.auth.principal import Principal


def authorised_workshop(session: Any, principal: Principal, workshop_id: uuid.UUID) -> Workshop:
    """The workshop, when the caller is one of its facilitators or an editor of its district."""
    workshop = base.get_workshop(session=session, workshop_id=workshop_id)
    principal.require_facilitator_or_editor(workshop.district_id, workshop.facilitator_ids)
    return workshop


def writable_workshop(session: Any, principal: Principal, workshop_id: uuid.UUID) -> Workshop:
    """The workshop as ``authorised_workshop``, refused (409) when it was cancelled."""
    workshop = authorised_workshop(session, principal, workshop_id)
    base.require_not_cancelled(workshop)
    return workshop
