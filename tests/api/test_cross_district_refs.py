"""Body ids of another district are refused on every write route (issue 16.4), from the OpenAPI documents.

test_district_isolation points path *and* body at district B. Here the path and the rest of the body are
district A's (a request an editor of A may make), and only the body fields of one kind are swapped for B's
objects: ``district_ids``, ``process_id``, ``person_id``, ``organisation_ids``, ``{"kind": "workshop", "id"}``,
attendance lists... As an editor of A the answer must be 403 (or 404 where B's object is hidden, docs/api.md)
and no event written. The same request with A's ids is the control (run first, undone): it must not be refused
for access (401/403/404), so the refusal is the reference's doing; a control answering 409 or 422 (a
duplicate of the world's own objects, a state the world's priority is not in) still shows that the cross-district
id is refused before anything else is looked at. New routes and new id fields are covered automatically.
"""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection
from sqlmodel import Session

from shared.auth.principal import Role
from shared.errors import PROBLEM_MEDIA_TYPE
from shared.eventlog import last_position
from tests.api.openapi_walk import Operation, body_example, request_body_schema
from tests.api.test_district_isolation import DOCUMENTS, KNOWN, WRITE_OPERATIONS, _key
from tests.api.world import World, _body_kinds, fill_ids, fill_path, kind_of_field
from tests.conftest import TestDatabase

pytestmark = pytest.mark.anyio

# Kinds that belong to no district: regional programmes and editions (and their regional labs' meetings and
# working groups), integration-owned webhook objects.
DISTRICT_FREE = {"programme", "edition", "lab_meeting", "lab_group", "subscription", "delivery", "root"}
# Routes whose purpose is to point at another district: handing an invention over to it.
CROSSING_ROUTES = {
    ("workshops POST /inventions/{invention_id}/handover", k) for k in ("district", "organisation")
}
# Body fields that hold ids without an ``_id``/``_ids`` suffix.
BARE_ID_FIELDS = {"present": "person", "absent": "person"}


def _schema_kinds(op: Operation) -> set[str]:
    """Kinds of the top-level id fields of the request body schema (also those the example leaves out)."""
    schema = request_body_schema(DOCUMENTS[op.service], op) or {}
    kinds = {kind_of_field(name, KNOWN) for name in schema.get("properties", {})}
    kinds |= {BARE_ID_FIELDS[name] for name in schema.get("properties", {}) if name in BARE_ID_FIELDS}
    return {k for k in kinds if k in KNOWN}


def _cases() -> list[tuple[Operation, str]]:
    cases = []
    for op in WRITE_OPERATIONS:
        if not op.spec.get("requestBody"):
            continue
        example = body_example(DOCUMENTS[op.service], op)
        kinds = _body_kinds(example, KNOWN) | _schema_kinds(op)
        if isinstance(example, dict):
            kinds |= {BARE_ID_FIELDS[k] for k in example if k in BARE_ID_FIELDS}
        cases += [
            (op, kind)
            for kind in sorted(kinds - DISTRICT_FREE)
            if kind in KNOWN and (op.label, kind) not in CROSSING_ROUTES
        ]
    return cases


CASES = _cases()


def _body(op: Operation, ids: dict[str, str], world: World) -> Any:
    """The route's example with every id field (top-level ones the example leaves out too) of ``ids``."""
    example = copy.deepcopy(body_example(DOCUMENTS[op.service], op)) or {}
    schema = request_body_schema(DOCUMENTS[op.service], op) or {}
    if isinstance(example, dict):
        for name, prop in schema.get("properties", {}).items():
            kind = kind_of_field(name, KNOWN) or BARE_ID_FIELDS.get(name)
            if name in example or kind not in ids:
                continue
            is_list = prop.get("type") == "array" or any(
                o.get("type") == "array" for o in prop.get("anyOf", [])
            )
            example[name] = [] if is_list else None
    body = fill_ids(example, ids, KNOWN, fill_empty=True, world=world)
    if isinstance(body, dict):
        for name, kind in BARE_ID_FIELDS.items():
            if name in body and kind in ids:
                body[name] = [ids[kind]]
    return body


def _swap(body: Any, kind: str, other: World) -> Any:
    """The body with the fields of one kind pointing at the other world's object."""
    swapped = fill_ids(copy.deepcopy(body), {kind: other.ids[kind]}, KNOWN)
    if isinstance(swapped, dict):
        for name, bare_kind in BARE_ID_FIELDS.items():
            if name in swapped and bare_kind == kind:
                swapped[name] = [other.ids[kind]]
    return swapped


@pytest.mark.parametrize(("op", "kind"), CASES, ids=[f"{op.label} {kind}" for op, kind in CASES])
async def test_body_ids_of_another_district_are_refused(
    op: Operation,
    kind: str,
    worlds: dict[str, World],
    clients: dict[str, httpx.AsyncClient],
    world_db: TestDatabase,
    world_connection: Connection,
    savepoint: Session,
) -> None:
    world_a, world_b = worlds["A"], worlds["B"]
    assert kind in world_b.ids, f"world B has no {kind}"
    ids = world_a.ids_for(op, KNOWN)
    path = fill_path(op, ids, KNOWN, DOCUMENTS[op.service])
    assert path is not None, f"{op.label}: world A lacks a path object"
    headers = {**_key(world_db, Role.DISTRICT_EDITOR, [world_a.district_id]), "If-Match": "*"}
    own = _body(op, ids, world_a)
    crossed = _swap(own, kind, world_b)
    assert crossed != own, f"{op.label}: no {kind} field to point at district B in {own}"
    client = clients[op.service]

    # The control first, undone afterwards: with A's own ids the request must not be refused.
    nested = world_connection.begin_nested()
    try:
        control = await client.request(op.method.upper(), path, json=own, headers=headers)
    finally:
        nested.rollback()
    if control.status_code in (401, 403, 404):
        # The route refuses an editor of A whatever the body says (admin-only, integration-only routes).
        pytest.skip(
            f"an editor of A may not call this route at all ({control.status_code}: {control.text[:160]})"
        )

    before = last_position(savepoint)
    response = await client.request(op.method.upper(), path, json=crossed, headers=headers)
    written = last_position(savepoint) - before
    assert response.status_code in (403, 404) and written == 0, (
        f"{op.label} as editor of A with {kind} of B answered {response.status_code} and wrote {written} "
        f"event(s); expected 403/404 and nothing written.\nbody={crossed}\nresponse: {response.text[:600]}"
    )
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
