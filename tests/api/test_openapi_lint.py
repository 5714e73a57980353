"""OpenAPI quality gate for the three services: what front-end teams and generated clients rely on.

Every operation (the operational /healthz, /readyz and /metrics included) must have a unique operationId, a
summary, tags, a typed 2xx response and its error responses documented as problem+json (401/403 on
authenticated writes, 404 where the path names a resource, 412 where If-Match is accepted, 422 where
there is a body or parameters); request bodies must carry an example and bound every string and list;
creating POSTs accept Idempotency-Key; paginated lists take ``limit`` and ``cursor``. The failure message
lists every offender, so one run shows all that is left to fix.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from shared.errors import PROBLEM_MEDIA_TYPE
from tests.api.openapi_walk import SERVICES, Operation, openapi_documents, operations, resolve

# Formats and types whose size is bounded by their syntax.
BOUNDED_STRING_FORMATS = {"uuid", "date", "date-time", "time", "duration", "email", "uri", "ipv4", "ipv6"}


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return openapi_documents(Path(tmp_path_factory.mktemp("openapi")))


def _is_typed(document: dict[str, Any], response: dict[str, Any]) -> bool:
    content = response.get("content", {})
    if not content:
        return False
    for media_type, media in content.items():
        schema = resolve(document, media.get("schema", {}))
        if media_type.endswith("json"):
            if (
                schema
                and schema != {}
                and (schema.get("type") or schema.get("properties") or _combined(schema))
            ):
                return True
        elif schema or media.get("example") is not None or media.get("examples"):
            return True
    return False


def _combined(schema: dict[str, Any]) -> bool:
    return any(key in schema for key in ("anyOf", "oneOf", "allOf", "items", "additionalProperties"))


def _is_problem(document: dict[str, Any], response: dict[str, Any]) -> bool:
    media = response.get("content", {}).get(PROBLEM_MEDIA_TYPE)
    if not media:
        return False
    schema = resolve(document, media.get("schema", {}))
    return {"type", "title", "status"} <= set(schema.get("properties", {}))


def _unbounded(document: dict[str, Any], schema: dict[str, Any], path: str, seen: set[str]) -> list[str]:
    """Paths of strings without maxLength and arrays without maxItems inside a request schema."""
    if "$ref" in schema:
        if schema["$ref"] in seen:
            return []
        seen = seen | {schema["$ref"]}
        schema = resolve(document, schema)
    found: list[str] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            found += _unbounded(document, option, path, seen)
    kind = schema.get("type")
    if kind == "string":
        bounded = (
            "maxLength" in schema
            or "enum" in schema
            or "const" in schema
            or schema.get("format") in BOUNDED_STRING_FORMATS
        )
        if not bounded:
            found.append(f"{path} (string without maxLength)")
    elif kind == "array":
        if "maxItems" not in schema:
            found.append(f"{path} (array without maxItems)")
        if isinstance(schema.get("items"), dict):
            found += _unbounded(document, schema["items"], f"{path}[]", seen)
    elif kind == "object" or "properties" in schema:
        for name, child in schema.get("properties", {}).items():
            found += _unbounded(document, child, f"{path}.{name}", seen)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            if "maxProperties" not in schema:
                found.append(f"{path} (map without maxProperties)")
            found += _unbounded(document, extra, f"{path}.*", seen)
    return found


def _has_example(document: dict[str, Any], operation: Operation) -> bool:
    body = operation.spec["requestBody"]
    for media in body.get("content", {}).values():
        if media.get("example") is not None or media.get("examples"):
            return True
        schema = resolve(document, media.get("schema", {}))
        if schema.get("examples") or schema.get("example") is not None:
            return True
    return False


def lint_operation(document: dict[str, Any], op: Operation) -> list[str]:
    """Every convention the operation breaks, as short sentences."""
    problems: list[str] = []
    spec = op.spec
    if not spec.get("summary", "").strip():
        problems.append("no summary")
    if not spec.get("tags"):
        problems.append("no tags")
    responses: dict[str, Any] = spec.get("responses", {})
    success = {code: r for code, r in responses.items() if code.startswith("2")}
    if not success:
        problems.append("no 2xx response")
    for code, response in success.items():
        if code != "204" and not _is_typed(document, response):
            problems.append(f"{code} response is untyped (no schema/example)")
    for code, response in responses.items():
        if code[0] in "45" and not _is_problem(document, response):
            problems.append(f"{code} response is not documented as {PROBLEM_MEDIA_TYPE} Problem")

    parameters = op.parameters
    names = {(p["in"], p["name"].lower()) for p in parameters}
    has_path_ids = any(p["in"] == "path" for p in parameters)
    required: set[str] = set()
    if op.is_write:
        required |= {"401", "403"}
        if not spec.get("security"):
            problems.append("write operation without security (no PrincipalDep / bearer key)")
    if has_path_ids:
        required.add("404")
    if parameters or spec.get("requestBody"):
        required.add("422")
    if ("header", "if-match") in names:
        required.add("412")
    missing = sorted(required - set(responses))
    if missing:
        problems.append(f"error responses not documented: {', '.join(missing)}")

    if spec.get("requestBody"):
        if not _has_example(document, op):
            problems.append("request body has no example")
        for media in spec["requestBody"].get("content", {}).values():
            unbounded = _unbounded(document, media.get("schema", {}), "body", set())
            if unbounded:
                problems.append("unbounded request fields: " + ", ".join(unbounded))
    if op.method == "post" and "201" in responses and ("header", "idempotency-key") not in names:
        problems.append("creating POST (201) without Idempotency-Key header")
    if op.method in ("put", "patch") and ("header", "if-match") not in names:
        problems.append("update without If-Match header")

    for code, response in success.items():
        for media in response.get("content", {}).values():
            schema = resolve(document, media.get("schema", {}))
            properties = schema.get("properties", {})
            if "items" in properties and "next_cursor" in properties:
                for param in ("limit", "cursor"):
                    if ("query", param) not in names:
                        problems.append(f"paginated {code} response without `{param}` query parameter")
    return problems


def test_every_operation_follows_the_api_conventions(documents: dict[str, dict[str, Any]]) -> None:
    offenders: list[str] = []
    for op in operations(documents):
        offenders += [f"{op.label}: {problem}" for problem in lint_operation(documents[op.service], op)]
    assert not offenders, f"{len(offenders)} OpenAPI convention violations:\n" + "\n".join(offenders)


def test_operation_ids_are_present_and_unique_per_service(documents: dict[str, dict[str, Any]]) -> None:
    offenders: list[str] = []
    for service in SERVICES:
        ops = [op for op in operations(documents) if op.service == service]
        ids = Counter(op.spec.get("operationId") for op in ops)
        offenders += [f"{op.label}: no operationId" for op in ops if not op.spec.get("operationId")]
        offenders += [
            f"{op.label}: operationId {op.spec['operationId']!r} used {ids[op.spec['operationId']]} times"
            for op in ops
            if op.spec.get("operationId") and ids[op.spec["operationId"]] > 1
        ]
    assert not offenders, "\n".join(offenders)


def test_operational_routes_are_in_every_document(documents: dict[str, dict[str, Any]]) -> None:
    for service in SERVICES:
        paths = documents[service]["paths"]
        assert {"/healthz", "/readyz", "/metrics"} <= set(paths), service


def test_tags_used_by_operations_are_declared(documents: dict[str, dict[str, Any]]) -> None:
    offenders: list[str] = []
    for op in operations(documents):
        declared = {tag["name"] for tag in documents[op.service].get("tags", [])}
        offenders += [
            f"{op.label}: tag {tag!r} not declared" for tag in op.spec.get("tags", []) if tag not in declared
        ]
    assert not offenders, "\n".join(offenders)


def test_the_lint_catches_what_it_claims_to() -> None:
    """The lint rules flag a deliberately bad operation (so a passing lint means something)."""
    document: dict[str, Any] = {"components": {"schemas": {}}}
    bad = Operation(
        "probe",
        "post",
        "/things/{thing_id}",
        {
            "responses": {
                "201": {"content": {"application/json": {"schema": {}}}},
                "422": {"content": {"application/json": {"schema": {"type": "object"}}}},
            },
            "parameters": [{"name": "thing_id", "in": "path", "schema": {"type": "string"}}],
            "requestBody": {
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {"name": {"type": "string"}, "tags": {"type": "array"}},
                        }
                    }
                }
            },
        },
    )
    problems = "\n".join(lint_operation(document, bad))
    for expected in (
        "no summary",
        "no tags",
        "201 response is untyped",
        "422 response is not documented",
        "without security",
        "401, 403, 404",
        "no example",
        "body.name (string without maxLength)",
        "body.tags (array without maxItems)",
        "without Idempotency-Key",
    ):
        assert expected in problems, (expected, problems)
