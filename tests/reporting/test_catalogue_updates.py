"""Later events change what reports show: renamed districts, new population years, removed boundaries,
people changing category, phases, and registrations (which never count as attendance)."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session, select

from services.reporting.consumer import catch_up
from services.reporting.models import DistrictView, ProcessView, RegistrationView
from tests.reporting.conftest import EventScript, new_id, square

pytestmark = pytest.mark.anyio


async def test_updates_flow_into_the_reports(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    district = script.district("Distretto Vecchio", code="D10", population=20_000, boundary=square(11, 44))
    person = script.person("citizen", district)
    programme = script.programme("Community Lab")
    edition = script.edition(programme, "CL 2019", [district], "2019-01-01", "2019-12-31")
    process = script.process(district, edition, "Percorso")
    workshop = script.workshop(
        process, district, method="world_cafe", title="Café", starts_at="2019-02-01T10:00:00Z"
    )
    catch_up(session)

    script.emit(
        "district",
        district,
        "district.updated",
        {"district_id": district, "changes": {"name": "Distretto Nuovo"}},
    )
    # An older year recorded later does not replace the latest figure; a newer one does.
    script.emit(
        "district",
        district,
        "district.population_set",
        {"district_id": district, "year": 2010, "population": 1},
    )
    script.emit(
        "district",
        district,
        "district.population_set",
        {"district_id": district, "year": 2020, "population": 40_000},
    )
    script.emit("district", district, "district.boundary_set", {"district_id": district, "boundary": None})
    script.emit(
        "person",
        person,
        "person.updated",
        {
            "person_id": person,
            "changed_fields": ["actor_category"],
            "actor_category": "third_sector",
            "organisation_ids": [],
            "district_ids": [district],
        },
    )
    phase_id = new_id()
    script.emit(
        "process",
        process,
        "process.phase_added",
        {
            "process_id": process,
            "district_id": district,
            "phase_id": phase_id,
            "name": "Ascolto",
            "starts_on": None,
            "ends_on": None,
            "is_current": False,
            "position": 1,
        },
    )
    script.emit(
        "process",
        process,
        "process.phase_changed",
        {
            "process_id": process,
            "district_id": district,
            "phase_id": phase_id,
            "changes": {"is_current": True},
        },
    )
    registration = {
        "workshop_id": workshop,
        "process_id": process,
        "district_id": district,
        "registration_id": new_id(),
        "person_id": None,
        "actor_category": "citizen",
        "count": 4,
        "waitlisted": True,
    }
    script.emit("workshop", workshop, "workshop.registration_added", registration)
    script.emit("workshop", workshop, "workshop.registration_promoted", registration)
    script.attendance(workshop, process, district, [person], {})
    catch_up(session)

    row = session.exec(select(DistrictView).where(DistrictView.code == "D10")).one()
    assert (row.name, row.population, row.population_year, row.geometry) == (
        "Distretto Nuovo",
        40_000,
        2020,
        None,
    )
    phases = session.exec(select(ProcessView).where(ProcessView.title == "Percorso")).one().phases
    assert [(p["name"], p["is_current"]) for p in phases] == [("Ascolto", True)]
    assert session.exec(select(RegistrationView)).one().waitlisted is False

    diary = (await reporting_client.get(f"/districts/{district}/diary", params={"edition": edition})).json()
    assert diary["district"]["name"] == "Distretto Nuovo"
    assert diary["participation"]["by_category"] == {"third_sector": 1}
    # One person in 40,000 residents is 0.25 per 10,000: halves round up, as a reader would (not 0.2).
    assert diary["participation"]["per_10000_residents"] == 0.3
    timeline = (await reporting_client.get(f"/processes/{process}/timeline")).json()
    english = [i["sentence"]["en"] for i in timeline["items"]]
    assert "Phase 'Ascolto' was added to the process" in english
    assert "The process moved to phase 'Ascolto'" in english
    assert "A group of 4 (Citizens) registered for workshop 'Café' (waiting list)" in english
    assert "A waitlisted registration for workshop 'Café' got a place" in english
    dashboard = (await reporting_client.get("/dashboard", params={"edition": edition, "format": "html"})).text
    assert "Confini dei distretti non disponibili." in dashboard
