"""Personal data scoped to need, one test per role, over every GET route whose response has personal fields.

The routes are found in the OpenAPI documents: an operation returns people when its 200 response schema
reaches a property marked ``x-personal`` (``shared.privacy.Personal``). Each is called with the ids of world A
and of world B (and, where it searches, with the sentinel name). Then:

- anonymous and integration callers get no personal value anywhere;
- a district editor of A gets exactly what an admin gets about A, and no personal value about B;
- a facilitator of one of A's workshops sees the person registered to it, and no personal value about B;
- a regional admin sees personal values of both worlds (the control that the scan can find them).

New routes are covered automatically. The world is the one of test_district_isolation (built once here).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlmodel import Session

from shared.auth.keys import create_key
from shared.auth.principal import Role
from tests.api.openapi_walk import Operation, resolve
from tests.api.test_district_isolation import DOCUMENTS, KNOWN, READ_OPERATIONS, _every_path, _key
from tests.api.world import SENTINEL_FAMILY, SENTINEL_GIVEN, World, kind_of_field
from tests.conftest import TEST_SECRET, TestDatabase

pytestmark = pytest.mark.anyio


def _personal_names(document: dict[str, Any], schema: dict[str, Any], seen: set[str]) -> set[str]:
    """Names of the properties marked personal anywhere under ``schema``."""
    if "$ref" in schema:
        if schema["$ref"] in seen:
            return set()
        seen.add(schema["$ref"])
        schema = resolve(document, schema)
    names: set[str] = set()
    for name, prop in schema.get("properties", {}).items():
        if prop.get("x-personal") or resolve(document, prop).get("x-personal"):
            names.add(name)
        names |= _personal_names(document, prop, seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            names |= _personal_names(document, schema[key], seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            names |= _personal_names(document, option, seen)
    return names


def _response_personal_names(op: Operation) -> set[str]:
    content = op.spec.get("responses", {}).get("200", {}).get("content", {})
    schema = (content.get("application/json") or {}).get("schema", {})
    return _personal_names(DOCUMENTS[op.service], schema, set())


PERSONAL_READS = {op: names for op in READ_OPERATIONS if (names := _response_personal_names(op))}


def _personal_values(value: Any, names: set[str]) -> list[str]:
    """Every non-empty value under a personal key of a JSON document."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, child in value.items():
            if key in names and child not in (None, [], {}, ""):
                found.append(f"{key}={child!r}"[:200])
            else:
                found += _personal_values(child, names)
    elif isinstance(value, list):
        for child in value:
            found += _personal_values(child, names)
    return found


Answers = dict[
    tuple[str, str, str], tuple[int, list[str], str]
]  # (op, world, request) -> status, values, text


async def _read_all(
    clients: dict[str, httpx.AsyncClient], worlds: dict[str, World], headers: dict[str, str]
) -> Answers:
    """Call every personal read with each world's ids (and a search by the sentinel name)."""
    answers: Answers = {}
    for op, names in PERSONAL_READS.items():
        for label, world in worlds.items():
            ids = world.ids_for(op, KNOWN)
            params = {
                p["name"]: ids[kind]
                for p in op.parameters
                if p["in"] == "query" and (kind := kind_of_field(p["name"], KNOWN)) in ids
            }
            requests = [(label, path, params) for path in _every_path(op, ids)]
            if label == "A" and any(p["in"] == "query" and p["name"] == "q" for p in op.parameters):
                # A search is about no world: whoever it finds must be in the caller's scope.
                requests += [("search", path, {"q": SENTINEL_GIVEN}) for path in _every_path(op, ids)]
            for about, path, query in requests:
                response = await clients[op.service].get(path, params=query, headers=headers)
                body = response.json() if response.status_code == 200 else None
                key = (op.label, about, f"{path}?{sorted(query.items())}")
                answers[key] = (response.status_code, _personal_values(body, names), response.text.lower())
    assert answers, "no GET route returns personal fields: is Personal still marked on the schemas?"
    return answers


def _about(answers: Answers, world: str) -> dict[tuple[str, str, str], tuple[int, list[str], str]]:
    return {key: value for key, value in answers.items() if key[1] == world}


def _no_b_people(answers: Answers) -> list[str]:
    """Requests about B that showed personal values, and any answer naming one of B's people."""
    leaks = [f"{k[0]} [{k[2]}] -> {v[1][:3]}" for k, v in _about(answers, "B").items() if v[1]]
    marker = f"{SENTINEL_FAMILY}B".lower()
    leaks += [f"{k[0]} [{k[2]}] names a person of B" for k, v in answers.items() if marker in v[2]]
    return leaks


@pytest.fixture(scope="module")
async def admin_answers(
    clients: dict[str, httpx.AsyncClient], worlds: dict[str, World], world_db: TestDatabase
) -> Answers:
    return await _read_all(clients, worlds, _key(world_db, Role.REGIONAL_ADMIN))


async def test_regional_admin_sees_the_people_of_every_district(admin_answers: Answers) -> None:
    for world in ("A", "B"):
        seen = [key for key, (_, values, _) in _about(admin_answers, world).items() if values]
        assert seen, f"an admin saw no personal value about world {world}: the scan cannot find any"
    people = [key for key, (status, values, _) in admin_answers.items() if "/people/{" in key[0] and values]
    assert people, "an admin reading a person by id saw no name"


@pytest.mark.parametrize("role", [Role.INTEGRATION, None], ids=["integration", "anonymous"])
async def test_anonymous_and_integration_callers_see_no_personal_value(
    role: Role | None, clients: dict[str, httpx.AsyncClient], worlds: dict[str, World], world_db: TestDatabase
) -> None:
    answers = await _read_all(clients, worlds, _key(world_db, role) if role else {})
    leaks = [f"{k[0]} [{k[2]}] -> {v[1][:3]}" for k, v in answers.items() if v[1]]
    assert not leaks, "personal values shown:\n" + "\n".join(leaks)


async def test_district_editor_sees_the_people_of_its_districts_only(
    clients: dict[str, httpx.AsyncClient],
    worlds: dict[str, World],
    world_db: TestDatabase,
    admin_answers: Answers,
) -> None:
    answers = await _read_all(
        clients, worlds, _key(world_db, Role.DISTRICT_EDITOR, [worlds["A"].district_id])
    )
    leaks = _no_b_people(answers)
    assert not leaks, "an editor of A saw people of B:\n" + "\n".join(leaks)
    missing = [
        f"{k[0]} [{k[2]}]: admin {admin[1][:3]}, editor {answers[k][1][:3]}"
        for k, admin in _about(admin_answers, "A").items()
        if sorted(admin[1]) != sorted(answers[k][1])
    ]
    assert not missing, "an editor of A did not see what its work needs in A:\n" + "\n".join(missing)
    person_reads_b = [v[0] for k, v in _about(answers, "B").items() if k[0].endswith("/people/{person_id}")]
    assert person_reads_b and set(person_reads_b) == {404}, person_reads_b


async def _facilitated(
    clients: dict[str, httpx.AsyncClient], world: World, admin: dict[str, str]
) -> tuple[str, str]:
    """A new facilitator put on one of the world's workshops, and a person registered to that workshop."""
    created = await clients["registry"].post(
        "/people",
        json={
            "given_name": "Ada",
            "family_name": "Facilitatrice",
            "actor_category": "social_worker",
            "district_ids": [world.district_id],
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    facilitator_id = created.json()["id"]
    for workshop_id in world.all_ids.get("workshop", []):
        registrations = await clients["workshops"].get(
            f"/workshops/{workshop_id}/registrations", headers=admin
        )
        people = [r["person_id"] for r in registrations.json()["items"] if r["person_id"]]
        if people:
            patched = await clients["workshops"].patch(
                f"/workshops/{workshop_id}",
                json={"facilitator_ids": [facilitator_id]},
                headers={**admin, "If-Match": "*"},
            )
            assert patched.status_code == 200, patched.text
            return facilitator_id, people[0]
    raise AssertionError(f"world {world.label} has no workshop with a registered person")


async def test_facilitator_sees_the_people_of_its_workshops_only(
    clients: dict[str, httpx.AsyncClient],
    worlds: dict[str, World],
    world_db: TestDatabase,
    savepoint: Session,
) -> None:
    admin = _key(world_db, Role.REGIONAL_ADMIN)
    facilitator_id, person_id = await _facilitated(clients, worlds["A"], admin)
    with world_db.session() as session:
        issued = create_key(
            session.connection(),
            secret=TEST_SECRET,
            role=Role.FACILITATOR,
            person_id=facilitator_id,
            label="scope",
        )
        session.commit()
    headers = {"Authorization": f"Bearer {issued.key}"}
    answers = await _read_all(clients, worlds, headers)
    leaks = _no_b_people(answers)
    assert not leaks, "a facilitator of A's workshop saw people of B:\n" + "\n".join(leaks)
    own = await clients["registry"].get(f"/people/{person_id}", headers=headers)
    assert own.status_code == 200 and own.json()["family_name"], own.text
    search = await clients["registry"].get("/people", params={"q": SENTINEL_GIVEN}, headers=headers)
    assert search.status_code == 200
    assert {p["id"] for p in search.json()["items"]} == {person_id}, search.text
    # Outside the workshops it facilitates, a person of its own world is not found either.
    others = [p for p in worlds["A"].all_ids["person"] if p not in (person_id, facilitator_id)]
    for other in others:
        assert (await clients["registry"].get(f"/people/{other}", headers=headers)).status_code == 404
