"""HTML pages of the diary and dashboard, and the consumer's lag at /readyz and /metrics."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from sqlmodel import Session

from services.reporting.consumer import catch_up
from shared.eventlog import last_position
from tests.reporting.conftest import EventScript
from tests.reporting.scripted import build

pytestmark = pytest.mark.anyio


async def test_lag_at_readyz_and_metrics(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    catch_up(session)
    script.district("Distretto Nuovo", code="D99", population=1000)
    behind = (await reporting_client.get("/readyz")).json()["checks"]["projections"]
    head = last_position(session)
    assert behind["last_position"] == head
    assert behind["catalogue"] == 2 and behind["timeline"] == 2
    metrics = (await reporting_client.get("/metrics")).text
    assert 'communitylab_consumer_lag_events{consumer="reporting.catalogue"} 2.0' in metrics
    catch_up(session)
    caught = (await reporting_client.get("/readyz")).json()["checks"]["projections"]
    assert {k: v for k, v in caught.items() if k != "last_position"} == {
        "catalogue": 0,
        "participation": 0,
        "outcomes": 0,
        "proposals": 0,
        "timeline": 0,
        "architecture": 0,
        "attachments": 0,
        "courses": 0,
        "cases": 0,
        "manual": 0,
        "learning": 0,
    }
    metrics = (await reporting_client.get("/metrics")).text
    assert 'communitylab_consumer_lag_events{consumer="reporting.catalogue"} 0.0' in metrics


async def test_diary_html_in_italian_with_svg_charts(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    edition = build(script)
    catch_up(session)
    url = f"/districts/{edition['A']}/diary"
    page = await reporting_client.get(url, params={"edition": edition["E1"]}, headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="it">' in html and "@media print" in html
    assert "Diario del distretto Distretto Pianura Est" in html
    for section in (
        "carta-identita",
        "laboratori",
        "partecipazione",
        "invenzioni",
        "priorita",
        "valutazione",
    ):
        assert f'<section id="{section}">' in html
    assert html.count("<svg") == 5
    assert "Open Space Technology" in html and "Terzo settore" in html and "Reti vive" in html
    assert "12/03/2019" in html  # sitting date, Italian format
    assert "<strong>10</strong> persone coinvolte" in html
    same = await reporting_client.get(url, params={"edition": edition["E1"], "format": "html"})
    assert same.headers["content-type"].startswith("text/html")
    as_json = await reporting_client.get(url, params={"edition": edition["E1"]})
    assert as_json.headers["content-type"] == "application/json"


async def test_dashboard_html_draws_the_map_from_boundaries(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    edition = build(script)
    catch_up(session)
    page = await reporting_client.get("/dashboard", params={"edition": edition["E1"], "format": "html"})
    assert page.status_code == 200
    html = page.text
    paths = re.findall(r'<path class="district" data-district-id="([^"]+)" d="([^"]+)" fill="([^"]+)"', html)
    assert {p[0] for p in paths} == {edition["A"], edition["B"], edition["C"]}
    fills = {p[0]: p[2] for p in paths}
    assert fills[edition["C"]] == "url(#non-partecipa)"  # not taking part: hatched
    assert fills[edition["B"]] != fills[edition["A"]]  # 2.0 vs 1.0 per 10,000
    assert all(d.startswith("M") and d.endswith("Z") for _, d, _ in paths)
    assert "2 / 3</strong> distretti partecipanti" in html
    assert "dicembre 2018" in html and "novembre 2018" in html


async def test_dashboard_defaults_to_latest_edition_and_404s(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    empty = await reporting_client.get("/dashboard")
    assert empty.status_code == 200 and empty.json()["edition"] is None
    edition = build(script)
    catch_up(session)
    latest = (await reporting_client.get("/dashboard")).json()
    assert latest["edition"]["id"] == edition["E1"]
    assert (
        await reporting_client.get("/dashboard", params={"edition": str(uuid.uuid4())})
    ).status_code == 404
    missing = await reporting_client.get(
        f"/districts/{uuid.uuid4()}/diary", params={"edition": edition["E1"]}
    )
    assert missing.status_code == 404
    no_edition = await reporting_client.get(f"/districts/{edition['A']}/diary")
    assert no_edition.status_code == 422


async def test_reports_answer_304_until_the_consumer_moves_on(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    edition = build(script)
    catch_up(session)
    url = f"/districts/{edition['A']}/diary"
    params = {"edition": edition["E1"]}
    first = await reporting_client.get(url, params=params)
    tag = first.headers["etag"]
    assert tag.startswith('W/"reporting-') and first.headers["vary"] == "Accept"
    again = await reporting_client.get(url, params=params, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    # The HTML page is another representation with its own tag.
    html = await reporting_client.get(
        url, params=params, headers={"Accept": "text/html", "If-None-Match": tag}
    )
    assert html.status_code == 200 and html.headers["etag"] != tag
    dashboard = await reporting_client.get("/dashboard", params=params)
    assert (
        await reporting_client.get(
            "/dashboard", params=params, headers={"If-None-Match": dashboard.headers["etag"]}
        )
    ).status_code == 304
    # A new event, once consumed, changes every report's tag.
    script.person("citizen", edition["A"])
    catch_up(session)
    fresh = await reporting_client.get(url, params=params, headers={"If-None-Match": tag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != tag
    # Unknown ids stay 404 whatever the client sends.
    missing = await reporting_client.get(
        f"/districts/{uuid.uuid4()}/diary", params=params, headers={"If-None-Match": fresh.headers["etag"]}
    )
    assert missing.status_code == 404
