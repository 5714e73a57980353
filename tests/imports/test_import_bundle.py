"""Import of past work (issue 19, item 3): the sample bundle through ``POST /imports``, on the real apps.

The workshops app runs in-process with the real registry (the 38 seeded districts) and reporting on the test
transaction; the sample bundle is the one shipped in demo/bundles/ and used by the demo.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from services.registry.districts.service import seed_districts, seeded_district_id
from services.reporting.consumer import catch_up
from services.workshops.localtime import ROME
from shared.auth.roles import Role
from shared.eventlog import last_position, read_stream
from shared.eventlog.verify import verify_chain
from tests.conftest import TestKey

pytestmark = pytest.mark.anyio

BUNDLE = Path(__file__).resolve().parents[2] / "demo" / "bundles" / "community-lab-2018-2019"
ZIP = {"Content-Type": "application/zip"}


def bundle_zip(changes: dict[str, str] | None = None) -> bytes:
    """The sample bundle as a ZIP, with some files replaced."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(BUNDLE.iterdir()):
            if path.name == "README.md":
                continue
            text = (changes or {}).get(path.name, path.read_text(encoding="utf-8"))
            archive.writestr(f"community-lab-2018-2019/{path.name}", text)
    return buffer.getvalue()


def rows(name: str) -> list[dict[str, str]]:
    with (BUNDLE / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def seeded(session: Session) -> None:
    seed_districts(session=session)
    session.commit()


async def _import(client: httpx.AsyncClient, headers: dict[str, str], data: bytes) -> httpx.Response:
    return await client.post("/imports", content=data, headers={**headers, **ZIP})


async def test_the_sample_bundle_imports_and_the_diary_shows_its_numbers(
    seeded: None,
    session: Session,
    workshops_client: httpx.AsyncClient,
    reporting_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
) -> None:
    response = await _import(workshops_client, admin_headers, bundle_zip())
    assert response.status_code == 201, response.text
    imported = response.json()
    assert imported["created"] is True
    assert imported["counts"] == {
        "editions": 1,
        "processes": 3,
        "workshops": 7,
        "inventions": 4,
        "priorities": 4,
        "evaluations": 3,
    }
    edition_id = imported["records"]["editions"]["clab-2018-2019"]
    catch_up(session)

    # The bundle's own numbers for Parma (district code 004), counted from its CSV files.
    parma = {w["id"] for w in rows("workshops.csv") if w["process"] == "parma" and w["status"] == "held"}
    by_category: Counter[str] = Counter()
    for line in rows("attendance.csv"):
        if line["workshop"] in parma:
            by_category[line["actor_category"]] += int(line["count"])
    inventions = Counter(i["theme"] for i in rows("inventions.csv") if i["process"] == "parma")
    priorities = [p for p in rows("priorities.csv") if p["district"] == "004"]
    district_id = (
        await workshops_client.get(f"/processes/{imported['records']['processes']['parma']}")
    ).json()["district_id"]
    diary = (
        await reporting_client.get(f"/districts/{district_id}/diary", params={"edition": edition_id})
    ).json()
    assert diary["district"]["name"] == "Parma"
    assert diary["workshops"]["held"] == len(parma) == 4
    assert diary["participation"]["by_category"] == dict(by_category)
    assert diary["participation"]["people_involved"] == sum(by_category.values()) == 91
    assert diary["inventions"]["by_theme"] == dict(inventions)
    assert diary["inventions"]["handovers"] == 1
    assert diary["priorities"]["total"] == len(priorities) == 4
    assert diary["priorities"]["by_outcome"]["validated"] == sum(
        p["decision"] == "validated" for p in priorities
    )
    assert diary["priorities"]["by_outcome"]["rejected"] == 1
    statuses = sorted(item["status"] for item in diary["priorities"]["items"])
    assert statuses == ["proposed", "rejected", "reported", "validated"]

    # Back-dated: each step happened on its business date (a day in Rome), not today.
    priority_id = imported["records"]["priorities"]["parma-casa"]
    history = [
        (e.type, e.occurred_at.astimezone(ROME).date().isoformat())
        for e in read_stream(session, "priority", priority_id)
    ]
    assert [day for _type, day in history] == [
        "2018-10-24",
        "2018-12-10",
        "2019-01-22",
        "2019-02-05",
        "2019-03-20",
        "2019-11-28",
    ]
    # A workshop of the bundle called off is so from its day on, like one held.
    called_off = imported["records"]["workshops"]["forli-secondo"]
    assert {
        (e.type, e.occurred_at.astimezone(ROME).date().isoformat())
        for e in read_stream(session, "workshop", called_off)
    } == {("workshop.scheduled", "2019-05-16"), ("workshop.status_changed", "2019-05-16")}
    process = (await workshops_client.get(f"/processes/{imported['records']['processes']['parma']}")).json()
    assert process["status"] == "closed"
    assert verify_chain(session.connection()).ok


async def test_the_same_bundle_twice_writes_nothing_the_second_time(
    seeded: None, session: Session, workshops_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    first = await _import(workshops_client, admin_headers, bundle_zip())
    assert first.status_code == 201, first.text
    position = last_position(session)
    again = await _import(workshops_client, admin_headers, bundle_zip())
    assert again.status_code == 200, again.text
    assert again.json()["created"] is False and again.json()["records"] == first.json()["records"]
    assert last_position(session) == position
    changed = bundle_zip({"inventions.csv": (BUNDLE / "inventions.csv").read_text().replace("Rete", "Reti")})
    conflict = await _import(workshops_client, admin_headers, changed)
    assert conflict.status_code == 409 and last_position(session) == position


BAD_ROWS: dict[str, Callable[[str], str]] = {
    # line 3 (parma-giovani): an unknown method; line 4: a date that is not one
    "workshops.csv": lambda text: text.replace(
        "parma,thematic_table,Tavolo giovani", "parma,tavolone,Tavolo giovani"
    ).replace("2019-03-20T17:00,2019-03-20T19:00", "2019-03-32T17:00,2019-03-20T19:00"),
    # line 2: an actor category the API does not know
    "attendance.csv": lambda text: text.replace("parma-fragilita,citizen,12", "parma-fragilita,cittadini,12"),
    # line 4: a district the registry does not know
    "processes.csv": lambda text: text.replace("forli,clab-2018-2019,038", "forli,clab-2018-2019,Atlantide"),
    # line 2: the sitting before the submission; line 3: a workshop that is not in the bundle
    "priorities.csv": lambda text: text.replace(
        "2018-12-10,validated,2019-01-22,Coerente", "2018-12-10,validated,2018-12-01,Coerente"
    ).replace("parma,parma-giovani,Orientamento", "parma,nessuno,Orientamento"),
}


async def test_a_bundle_with_bad_rows_is_422_listing_each_and_writes_nothing(
    seeded: None, session: Session, workshops_client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    changes = {name: edit((BUNDLE / name).read_text(encoding="utf-8")) for name, edit in BAD_ROWS.items()}
    position = last_position(session)
    response = await _import(workshops_client, admin_headers, bundle_zip(changes))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    paths = {e["path"] for e in response.json()["errors"]}
    assert {
        "workshops.csv:3:method",
        "workshops.csv:4:starts_at",
        "attendance.csv:2:actor_category",
        "processes.csv:4:district",
        "priorities.csv:2:sitting_date",
        "priorities.csv:3:workshop",
    } <= paths, paths
    assert last_position(session) == position
    assert (await workshops_client.get("/programmes")).json()["items"] == []


async def test_only_regional_admins_import(
    seeded: None,
    session: Session,
    workshops_client: httpx.AsyncClient,
    create_api_key: Callable[..., TestKey],
) -> None:
    # An editor of Parma, one of the bundle's districts, still may not import.
    editor = create_api_key(Role.DISTRICT_EDITOR, districts=[str(seeded_district_id("Parma"))])
    position = last_position(session)
    assert (await _import(workshops_client, editor.headers, bundle_zip())).status_code == 403
    assert (await _import(workshops_client, {}, bundle_zip())).status_code == 401
    assert last_position(session) == position


@pytest.mark.parametrize(
    ("files", "path"),
    [
        ({"manifest.json": "{"}, "manifest.json"),
        (
            {
                "manifest.json": '{"format": "other", "format_version": 1, "bundle_id": "x", "source": "s", "files": []}'
            },
            "manifest.json:format",
        ),
    ],
)
async def test_a_broken_manifest_is_422(
    seeded: None,
    workshops_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    files: dict[str, Any],
    path: str,
) -> None:
    response = await _import(workshops_client, admin_headers, bundle_zip(files))
    assert response.status_code == 422
    assert path in {e["path"] for e in response.json()["errors"]}
