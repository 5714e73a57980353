"""Public reports rendered once per read-model state: served from memory, 304 without reading the read models,
and rendered anew as soon as the consumer moves on."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import Session

from services.reporting import consumer, dashboard, diary, opendata, pagecache
from services.reporting.consumer import catch_up
from tests.reporting.conftest import EventScript
from tests.reporting.scripted import build

pytestmark = pytest.mark.anyio


def _table(session: Session, name: str) -> str:
    return name if session.get_bind().dialect.name == "sqlite" else f"reporting.{name}"


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often each report was computed from the read models (the real functions still run)."""
    counts = {"dashboard": 0, "diary": 0, "open_data_rows": 0}
    homes = {"dashboard": dashboard, "diary": diary, "open_data_rows": opendata}
    for name in counts:
        real = getattr(homes[name], name)

        def counting(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            counts[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(homes[name], name, counting)
    return counts


async def test_dashboard_is_rendered_once_per_read_model_state(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient, renders: dict[str, int]
) -> None:
    edition = build(script)
    catch_up(session)
    first = await reporting_client.get("/dashboard")
    assert first.status_code == 200
    assert first.headers["cache-control"] == "public, no-cache"
    for _ in range(3):
        again = await reporting_client.get("/dashboard")
        assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert renders["dashboard"] == 1
    # The HTML page is another representation: rendered once too, with its own tag.
    html = await reporting_client.get("/dashboard", params={"format": "html"})
    await reporting_client.get("/dashboard", params={"format": "html"})
    assert html.headers["etag"] != first.headers["etag"] and renders["dashboard"] == 2

    # A read-model row changed behind the consumer's back is not seen: the answer comes from memory...
    session.connection().execute(
        text(f"UPDATE {_table(session, 'report_districts')} SET name = 'Rinominato'")
    )
    assert (await reporting_client.get("/dashboard")).content == first.content
    # ...until the consumer moves on, which renders the report again under a new tag.
    script.person("citizen", edition["A"])
    catch_up(session)
    moved = await reporting_client.get("/dashboard")
    assert moved.status_code == 200 and moved.headers["etag"] != first.headers["etag"]
    assert b"Rinominato" in moved.content and renders["dashboard"] == 3


async def test_conditional_requests_are_answered_304_without_reading_the_read_models(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient, renders: dict[str, int]
) -> None:
    edition = build(script)
    catch_up(session)
    url = f"/districts/{edition['A']}/diary"
    params = {"edition": edition["E1"]}
    first = await reporting_client.get(url, params=params)
    tag = first.headers["etag"]
    assert renders["diary"] == 1
    for _ in range(3):
        again = await reporting_client.get(url, params=params, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == tag and again.headers["cache-control"] == "public, no-cache"
    assert renders["diary"] == 1
    # Another district's diary is its own entry.
    other = await reporting_client.get(f"/districts/{edition['B']}/diary", params=params)
    assert other.status_code == 200 and other.content != first.content and renders["diary"] == 2

    script.person("citizen", edition["A"])
    catch_up(session)
    fresh = await reporting_client.get(url, params=params, headers={"If-None-Match": tag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != tag and renders["diary"] == 3


async def test_open_data_files_are_cached_and_conditional_but_log_checkpoints_are_read_each_time(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient, renders: dict[str, int]
) -> None:
    edition = build(script)
    catch_up(session)
    csv_file = await reporting_client.get("/opendata/districts.csv")
    assert csv_file.status_code == 200 and csv_file.headers["content-type"].startswith("text/csv")
    assert csv_file.headers["access-control-allow-origin"] == "*"
    tag = csv_file.headers["etag"]
    assert (
        await reporting_client.get("/opendata/districts.csv", headers={"If-None-Match": tag})
    ).status_code == 304
    as_json = await reporting_client.get("/opendata/districts.json")
    assert as_json.headers["etag"] != tag and as_json.headers["content-type"] == "application/json"
    assert (await reporting_client.get("/opendata/districts.json")).json() == as_json.json()
    assert renders["open_data_rows"] == 2  # once for the CSV, once for the JSON

    await reporting_client.get("/opendata/log_checkpoints.json")
    checkpoints = await reporting_client.get("/opendata/log_checkpoints.json")
    assert checkpoints.status_code == 200 and "etag" not in checkpoints.headers
    assert renders["open_data_rows"] == 4

    script.district("Distretto Nuovo", code="D99", population=1000)
    catch_up(session)
    moved = await reporting_client.get("/opendata/districts.csv", headers={"If-None-Match": tag})
    assert moved.status_code == 200 and "Distretto Nuovo" in moved.text
    assert edition["A"] in moved.text


async def test_the_checkpoints_are_read_once_per_ttl_and_at_once_after_this_process_moved(
    session: Session,
    script: EventScript,
    reporting_client: httpx.AsyncClient,
    renders: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    edition = build(script)
    catch_up(session)
    reads = {"state": 0}
    real_read_state = pagecache._read_state

    def counting(database: Any) -> Any:
        reads["state"] += 1
        return real_read_state(database)

    monkeypatch.setattr(pagecache, "_read_state", counting)
    monkeypatch.setattr(pagecache, "STATE_TTL", 3600.0)
    first = await reporting_client.get("/dashboard")
    tag = first.headers["etag"]
    for _ in range(5):
        assert (await reporting_client.get("/dashboard", headers={"If-None-Match": tag})).status_code == 304
    assert reads["state"] == 1 and renders["dashboard"] == 1

    # Another process's consumer moved the read models (its moves are not counted in this process):
    # not seen within the TTL...
    session.connection().execute(
        text(f"UPDATE {_table(session, 'report_districts')} SET name = 'Rinominato'")
    )
    script.person("citizen", edition["A"])
    with monkeypatch.context() as elsewhere:
        elsewhere.setattr(consumer, "_moved", lambda: None)
        assert catch_up(session).applied == 1
    assert (await reporting_client.get("/dashboard")).headers["etag"] == tag
    # ...and seen once it has passed.
    monkeypatch.setattr(pagecache, "STATE_TTL", 0.0)
    moved = await reporting_client.get("/dashboard")
    assert moved.headers["etag"] != tag and b"Rinominato" in moved.content
    assert renders["dashboard"] == 2

    # This process's consumer moving on is seen at once, whatever the TTL.
    monkeypatch.setattr(pagecache, "STATE_TTL", 3600.0)
    await reporting_client.get("/dashboard")
    script.person("citizen", edition["A"])
    catch_up(session)
    fresh = await reporting_client.get("/dashboard", headers={"If-None-Match": moved.headers["etag"]})
    assert fresh.status_code == 200 and fresh.headers["etag"] != moved.headers["etag"]
    assert renders["dashboard"] == 3
