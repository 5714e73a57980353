"""The Diario and the dashboard at a point in time (issue 19, item 2): ``as_of`` (valid time) and ``known_at``
(transaction time), built from the log into throw-away read models, never from the page cache.

The sample bundle is imported through ``POST /imports`` (its events back-dated to 2018-2019); then an
attendance count of a Parma workshop held on 24/10/2018 is fixed today: recorded now, valid from the day of
the workshop. ``as_of`` answers carry the fix from that day on; ``known_at`` answers before its recording do
not; the current report shows it and is not changed by the reads at a point.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session

from services.registry.districts.service import seed_districts
from services.reporting.consumer import catch_up
from shared.eventlog.tables import events
from tests.imports.test_import_bundle import bundle_zip, rows
from tests.reporting.conftest import EventScript, at, new_id

pytestmark = pytest.mark.anyio

FIXED_WORKSHOP = "parma-fragilita"  # held 24/10/2018: citizen 12, social_worker 5, third_sector 6
FIXED_COUNTS = {"citizen": 20, "social_worker": 5, "third_sector": 6}
ADDED = 8


def _without_point(body: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(body)
    body.pop("as_of", None)
    body.pop("known_at", None)
    return body


@pytest.fixture
async def imported(
    session: Session, workshops_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> dict[str, Any]:
    seed_districts(session=session)
    session.commit()
    response = await workshops_client.post(
        "/imports", content=bundle_zip(), headers={**admin_headers, "Content-Type": "application/zip"}
    )
    assert response.status_code == 201, response.text
    catch_up(session)
    records: dict[str, Any] = response.json()["records"]
    parma = (await workshops_client.get(f"/processes/{records['processes']['parma']}")).json()
    return {
        "records": records,
        "edition": records["editions"]["clab-2018-2019"],
        "parma": parma["district_id"],
    }


async def test_a_back_dated_attendance_fix_splits_as_of_from_known_at_on_diary_and_dashboard(
    imported: dict[str, Any],
    session: Session,
    workshops_client: httpx.AsyncClient,
    reporting_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
) -> None:
    edition, parma = imported["edition"], imported["parma"]
    diary_url, dashboard_params = f"/districts/{parma}/diary", {"edition": edition}

    async def diary(**point: str) -> dict[str, Any]:
        response = await reporting_client.get(diary_url, params={"edition": edition, **point})
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def dashboard(**point: str) -> dict[str, Any]:
        response = await reporting_client.get("/dashboard", params={**dashboard_params, **point})
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    before_diary, before_dashboard = await diary(), await dashboard()
    assert before_diary["participation"]["people_involved"] == 91
    assert before_diary["as_of"] is None and before_diary["known_at"] is None
    # Nothing was fixed yet: the report at the end of 2019 is the current one.
    end_of_2019 = await diary(as_of="2019-12-31")
    assert end_of_2019["as_of"] == "2019-12-31T22:59:59.999999Z"
    assert _without_point(end_of_2019) == _without_point(before_diary)

    # The moment between the import and the fix: everything recorded so far, nothing after.
    known = session.connection().execute(sa.select(sa.func.max(events.c.recorded_at))).scalar_one()
    known_at = known.astimezone(UTC).isoformat().replace("+00:00", "Z")

    workshop_id = imported["records"]["workshops"][FIXED_WORKSHOP]
    fixed = await workshops_client.put(
        f"/workshops/{workshop_id}/attendance", json={"anonymous_counts": FIXED_COUNTS}, headers=admin_headers
    )
    assert fixed.status_code == 200, fixed.text
    fix = (
        session.connection()
        .execute(
            sa.select(events.c.occurred_at, events.c.recorded_at).order_by(events.c.position.desc()).limit(1)
        )
        .one()
    )
    assert fix.recorded_at > known and fix.occurred_at < datetime(2018, 10, 25, tzinfo=UTC)
    catch_up(session)

    # Now: the fix shows (the current report), and a read at a point did not change it.
    now_diary, now_dashboard = await diary(), await dashboard()
    assert now_diary["participation"]["people_involved"] == 91 + ADDED
    assert now_dashboard["people_involved"] == before_dashboard["people_involved"] + ADDED

    # as_of: how things stood at the end of 2019, the fix included from the day of the workshop.
    as_of_diary = await diary(as_of="2019-12-31")
    assert as_of_diary["participation"]["people_involved"] == 91 + ADDED
    assert as_of_diary["participation"]["by_category"]["citizen"] == (
        before_diary["participation"]["by_category"]["citizen"] + ADDED
    )
    as_of_dashboard = await dashboard(as_of="2019-12-31")
    assert as_of_dashboard["people_involved"] == before_dashboard["people_involved"] + ADDED

    # known_at: what we knew before the fix was recorded, alone or with as_of.
    for point in ({"known_at": known_at}, {"as_of": "2019-12-31", "known_at": known_at}):
        known_diary = await diary(**point)
        assert known_diary["participation"]["people_involved"] == 91, point
        assert _without_point(known_diary) == _without_point(before_diary), point
        known_dashboard = await dashboard(**point)
        assert known_dashboard["people_involved"] == before_dashboard["people_involved"], point

    # as_of before it happened: the workshop of 24/10/2018 had been held, the later ones had not.
    autumn_2018 = await diary(as_of="2018-10-31")
    assert autumn_2018["workshops"]["held"] == 1
    assert autumn_2018["participation"]["people_involved"] == sum(FIXED_COUNTS.values())
    proposed = [
        p for p in rows("priorities.csv") if p["district"] == "004" and p["proposed_on"] <= "2018-10-31"
    ]
    assert (
        [p["status"] for p in autumn_2018["priorities"]["items"]]
        == ["proposed"] * len(proposed)
        == [
            "proposed",
            "proposed",
        ]
    )
    # Before its first imported process began (10/09/2018), Parma was not in the log's story at all.
    before = await reporting_client.get(diary_url, params={"edition": edition, "as_of": "2018-06-30"})
    assert before.status_code == 404 and "as of 2018-06-30" in before.json()["detail"], before.text

    # The current report is untouched by all of this and still served from the page cache (same ETag).
    again = await reporting_client.get(diary_url, params={"edition": edition})
    assert again.json() == now_diary
    cached = await reporting_client.get(
        diary_url, params={"edition": edition}, headers={"If-None-Match": again.headers["etag"]}
    )
    assert cached.status_code == 304
    at_a_point = await reporting_client.get(diary_url, params={"edition": edition, "as_of": "2019-12-31"})
    assert "etag" not in at_a_point.headers and at_a_point.headers["cache-control"] == "no-store"
    assert (await dashboard()) == now_dashboard


async def test_a_report_at_a_point_is_the_current_report_folded_again(
    imported: dict[str, Any], reporting_client: httpx.AsyncClient
) -> None:
    # Built by the projections' own handlers: far in the future (everything inside) it equals the live one.
    edition, parma = imported["edition"], imported["parma"]
    for url, params in (
        (f"/districts/{parma}/diary", {"edition": edition}),
        ("/dashboard", {"edition": edition}),
    ):
        live = (await reporting_client.get(url, params=params)).json()
        later = await reporting_client.get(
            url, params={**params, "as_of": "2199-12-31", "known_at": "2199-12-31"}
        )
        assert later.status_code == 200, later.text
        assert _without_point(later.json()) == _without_point(live), url
        html = await reporting_client.get(url, params={**params, "as_of": "2019-12-31", "format": "html"})
        assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
        assert "Situazione al 31/12/2019 23:59" in html.text
        assert (
            "Situazione al" not in (await reporting_client.get(url, params={**params, "format": "html"})).text
        )
        assert "Parma" in html.text or url == "/dashboard"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("as_of", "yesterday"),
        ("known_at", "2019-02-30"),
        ("as_of", "2019-06-30T18:00:00"),
        ("as_of", "9999-12-31"),
    ],
)
async def test_bad_times_are_422_with_the_field_path(
    imported: dict[str, Any], reporting_client: httpx.AsyncClient, name: str, value: str
) -> None:
    for url, params in (
        (f"/districts/{imported['parma']}/diary", {"edition": imported["edition"]}),
        ("/dashboard", {}),
    ):
        bad = await reporting_client.get(url, params={**params, name: value})
        assert bad.status_code == 422, (url, bad.text)
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert bad.json()["errors"][0]["path"] == f"query.{name}"


async def test_a_district_registered_today_has_its_diary_as_of_its_imported_past(
    imported: dict[str, Any], reporting_client: httpx.AsyncClient
) -> None:
    # The 38 districts were registered today; Parma's imported process began on 10/09/2018, so Parma existed
    # by then in the report at a point, with the population registered with it.
    diary = (
        await reporting_client.get(
            f"/districts/{imported['parma']}/diary",
            params={"edition": imported["edition"], "as_of": "2018-12-31"},
        )
    ).json()
    assert diary["district"]["name"] == "Parma"
    assert diary["participation"]["per_10000_residents"] is not None
    # A time before anything of the bundle happened: the edition (from 15/01/2018) did not exist yet.
    early = await reporting_client.get(
        f"/districts/{imported['parma']}/diary",
        params={"edition": imported["edition"], "as_of": "2017-12-31"},
    )
    assert early.status_code == 404, early.text


async def test_an_edition_entered_today_existed_when_its_back_dated_process_began(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    # District, programme and edition entered today; the process with its start day, its workshop on its day.
    district = script.district("Imola", code="021", population=132000)
    edition = script.edition(
        script.programme("Community Lab"), "Lab 2018-2019", [district], "2018-01-15", "2019-12-31"
    )
    process, workshop = new_id(), new_id()
    script.emit(
        "process",
        process,
        "process.created",
        {
            "process_id": process,
            "district_id": district,
            "edition_id": edition,
            "title": "Imola: tavoli",
            "started_on": "2018-10-01",
            "status": "active",
        },
        at=at("2018-10-01T09:00:00+02:00"),
    )
    scheduled = {
        "workshop_id": workshop,
        "process_id": process,
        "district_id": district,
        "method": "world_cafe",
        "title": "World Café",
        "starts_at": "2018-10-20T15:00:00Z",
        "ends_at": "2018-10-20T18:00:00Z",
        "status": "planned",
    }
    script.emit("workshop", workshop, "workshop.scheduled", scheduled)
    script.emit(
        "workshop",
        workshop,
        "workshop.status_changed",
        {
            "workshop_id": workshop,
            "process_id": process,
            "district_id": district,
            "status": "held",
            "previous_status": "planned",
            "reason": None,
        },
        at=at("2018-10-20T15:00:00Z"),
    )
    # A person registered today who attended that workshop: counted by their category as of 2018.
    person = script.person("citizen", district)
    script.emit(
        "workshop",
        workshop,
        "workshop.attendance_recorded",
        {
            "workshop_id": workshop,
            "process_id": process,
            "district_id": district,
            "present": [person],
            "absent": [],
            "anonymous_counts": {"educator": 2},
        },
        at=at("2018-10-20T15:00:00Z"),
    )
    catch_up(session)
    url = f"/districts/{district}/diary"

    end_of_2018 = await reporting_client.get(url, params={"edition": edition, "as_of": "2018-12-31"})
    assert end_of_2018.status_code == 200, end_of_2018.text
    body = end_of_2018.json()
    assert [p["title"] for p in body["processes"]] == ["Imola: tavoli"]
    assert body["workshops"]["held"] == 1 and body["district"]["name"] == "Imola"
    assert body["participation"]["by_category"] == {"citizen": 1, "educator": 2}
    now = (await reporting_client.get(url, params={"edition": edition})).json()
    assert now["participation"]["by_category"] == body["participation"]["by_category"]
    dashboard = await reporting_client.get("/dashboard", params={"edition": edition, "as_of": "2018-12-31"})
    assert dashboard.status_code == 200 and dashboard.json()["summary"]["processes"] == 1
    # Before the process began nothing of it, nor of its edition, was there; known before today, nothing at all.
    before = await reporting_client.get(url, params={"edition": edition, "as_of": "2018-09-30"})
    assert before.status_code == 404 and "as of 2018-09-30" in before.json()["detail"]
    known = await reporting_client.get(url, params={"edition": edition, "known_at": "2018-12-31"})
    assert known.status_code == 404


async def test_both_times_are_documented_with_examples_in_the_openapi(
    reporting_client: httpx.AsyncClient,
) -> None:
    spec = (await reporting_client.get("/openapi.json")).json()
    for path in ("/districts/{district_id}/diary", "/dashboard"):
        parameters = {p["name"]: p for p in spec["paths"][path]["get"]["parameters"]}
        for name in ("as_of", "known_at"):
            assert parameters[name]["in"] == "query" and parameters[name]["description"], (path, name)
            examples = [e["value"] for e in parameters[name]["examples"].values()]
            assert examples and all(isinstance(v, str) for v in examples), (path, name)
        assert "2019-12-31" in [e["value"] for e in parameters["as_of"]["examples"].values()]
