"""Errors that say what to change: the Content-Type to send, where JSON breaks, the field a rule points at."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

pytestmark = pytest.mark.anyio

DISTRICT = str(uuid.uuid4())


async def test_a_form_encoded_body_gets_415_naming_application_json(
    outcomes_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    # What `curl -d 'title=...'` sends by default.
    response = await outcomes_client.post(
        "/priorities", data={"district_id": DISTRICT, "title": "x"}, headers=admin_headers
    )
    assert response.status_code == 415
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert problem["type"].endswith("/unsupported-media-type")
    assert "Content-Type: application/json" in problem["detail"]
    assert "application/x-www-form-urlencoded" in problem["detail"]
    assert problem["errors"][0]["path"] == "header.Content-Type"


async def test_json_sent_as_text_plain_is_refused_the_same_way(
    outcomes_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    response = await outcomes_client.post(
        "/priorities",
        content=b'{"district_id": "%s", "source": "ufficio_di_piano", "title": "x"}' % DISTRICT.encode(),
        headers={**admin_headers, "Content-Type": "text/plain"},
    )
    assert response.status_code == 415 and "application/json" in response.json()["detail"]


async def test_malformed_json_reports_line_column_and_reason_at_body(
    outcomes_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    text = '{\n  "district_id": "' + DISTRICT + '",\n  "title": ,\n}'
    response = await outcomes_client.post(
        "/priorities", content=text.encode(), headers={**admin_headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["path"] == "body"  # never body[35]: [n] is a list index in our paths
    assert error["type"] == "json_invalid"
    with pytest.raises(json.JSONDecodeError) as decoded:
        json.loads(text)
    assert (decoded.value.lineno, decoded.value.colno) == (3, 12)
    assert (
        error["message"]
        == f"malformed JSON, line 3, column 12 (character {decoded.value.pos + 1}): Expecting value"
    )


async def test_json_with_a_charset_parameter_is_json(
    outcomes_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    response = await outcomes_client.post(
        "/priorities",
        content=b'{"district_id": "%s", "source": "workshop", "title": "x"}' % DISTRICT.encode(),
        headers={**admin_headers, "Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 422  # validated as JSON: the rule below, not a 415


async def test_a_workshop_priority_without_workshop_id_points_at_workshop_id(
    outcomes_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    response = await outcomes_client.post(
        "/priorities",
        json={"district_id": DISTRICT, "source": "workshop", "title": "Contrastare la solitudine"},
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "path": "body.workshop_id",
            "message": "a priority proposed by a workshop needs workshop_id",
            "type": "value_error",
        }
    ]


async def test_a_rule_inside_a_list_item_points_at_the_item_field(
    outcomes_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    template = {
        "name": {"it": "Scheda", "en": "Card"},
        "dimensions": [
            {
                "code": "utile",
                "question": {"it": "Utile?", "en": "Useful?"},
                "kind": "scale",
                "scale_min": 1,
                "scale_max": 5,
            },
            {
                "code": "voto",
                "question": {"it": "Voto?", "en": "Mark?"},
                "kind": "scale",
                "scale_min": 5,
                "scale_max": 1,
            },
        ],
    }
    response = await outcomes_client.post("/evaluation-templates", json=template, headers=admin_headers)
    assert response.status_code == 422, response.text
    paths = [e["path"] for e in response.json()["errors"]]
    assert paths == ["body.dimensions[1].scale_max"]
