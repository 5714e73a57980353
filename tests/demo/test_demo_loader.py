"""`communitylab demo` against the three real services on an empty database: the dashboard shows what it declares."""

from __future__ import annotations

import csv
import subprocess
import time
from collections import Counter
from typing import Any

import httpx

from demo import dataset as ds
from demo.loader import BUNDLE
from tests.demo.conftest import BIN, REPO, LiveServices


def _bundle(name: str) -> list[dict[str, str]]:
    with (BUNDLE / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


ARCHIVE = _bundle("editions.csv")[0][
    "name"
]  # Community Lab 2018-2019 (archivio), the sample bundle's edition


def _demo(services: LiveServices, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "communitylab"), "demo", *args],
        cwd=REPO,
        env=services.env,
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )


def _editions(services: LiveServices) -> dict[str, str]:
    editions: dict[str, str] = {}
    for programme in httpx.get(f"{services.workshops}/programmes").json()["items"]:
        page = httpx.get(f"{services.workshops}/programmes/{programme['id']}/editions").json()
        editions |= {e["name"]: e["id"] for e in page["items"]}
    return editions


def test_declared_counts_match_the_data_set() -> None:
    """The one place the counts are declared agrees with the data the loader sends."""
    assert ds.counts_from_dataset() == ds.DECLARED_COUNTS
    assert len(ds.EXPRESS_STOPS) == 17 and len(set(ds.COMMUNITY_LAB_DISTRICTS)) == 25
    assert ds.EXPRESS_STOPS[0][1:] == ("Ferrara", "2016-11-03")
    assert ds.EXPRESS_STOPS[-1][1:] == ("Mordano", "2017-01-25")
    people = ds.FACILITATORS + ds.BASSA_ROMAGNA_PEOPLE + ds.REGGIO_PEOPLE
    assert all(p["email"].endswith("@example.org") for p in people)
    assert all("Demo" in p["family_name"] or "Esempio" in p["family_name"] for p in people)


def test_demo_loads_through_the_apis_and_the_dashboard_shows_the_declared_counts(
    live_services: LiveServices,
) -> None:
    loaded = _demo(live_services)
    assert loaded.returncode == 0, f"{loaded.stdout}\n{loaded.stderr}\n{live_services.log()}"

    editions = _editions(live_services)
    assert set(editions) == set(ds.DECLARED_COUNTS) | {ARCHIVE, ds.FIRST_LAB_EDITION["name"]}
    for name, declared in ds.DECLARED_COUNTS.items():
        # The loader waited for reporting to catch up before it printed the URLs.
        assert f"{live_services.reporting}/dashboard?edition={editions[name]}&format=html" in loaded.stdout
        dashboard = httpx.get(
            f"{live_services.reporting}/dashboard", params={"edition": editions[name]}
        ).json()
        summary = dashboard["summary"]
        shown: dict[str, Any] = {
            "districts_participating": dashboard["districts_participating"],
            "processes": summary["processes"],
            "workshops_held": summary["workshops_held"],
            "people_involved": dashboard["people_involved"],
            "inventions_by_theme": dashboard["inventions_by_theme"],
            "handovers": summary["handovers"],
            "priorities_by_status": dashboard["priorities_by_status"],
            "priorities_by_outcome": dashboard["priorities_by_outcome"],
            "evaluation_responses": summary["evaluation_responses"],
        }
        expected = {k: v for k, v in declared.items() if k in shown}
        assert shown == expected, name
        assert dashboard["districts_total"] == 38
        assert summary["inventions"] == sum(declared["inventions_by_theme"].values())
        assert len(declared["inventions_by_theme"]) == 6
        # The reported results of the priorities, as the district's diary lists them.
        if declared["priorities_reported_outcomes"]:
            district = next(d for d in dashboard["districts"] if d["name"] == ds.REGGIO_PROCESS["district"])
            diary = httpx.get(
                f"{live_services.reporting}/districts/{district['id']}/diary",
                params={"edition": editions[name]},
            ).json()
            outcomes = [p["outcome"] for p in diary["priorities"]["items"] if p["outcome"]]
            assert {o: outcomes.count(o) for o in outcomes} == declared["priorities_reported_outcomes"]
            assert [p["plan_action"] for p in diary["priorities"]["items"] if p["plan_action"]] == [
                "scheda-26"
            ]

    # Bassa Romagna 2020: identity card and its event, in the printable diary the loader points to.
    lugo_url = next(line.split(": ", 1)[1] for line in loaded.stdout.splitlines() if ", Lugo: " in line)
    page = httpx.get(lugo_url)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Bassa Romagna 2020" in page.text and "Aggiungi un posto al tavolo" in page.text
    lugo_diary = httpx.get(lugo_url.replace("&format=html", "")).json()
    card = next(p for p in lugo_diary["processes"] if p["title"] == "Bassa Romagna 2020")
    assert card["started_on"] == "2013-01-15"
    assert card["identity_card"]["stature"]["core_steering_group_size"] == 6
    assert card["identity_card"]["stature"]["extended_steering_group_size"] == 20
    assert sum(card["identity_card"]["stature"]["people_involved"].values()) == 110
    event = next(w for w in lugo_diary["workshops"]["items"] if w["title"] == "Aggiungi un posto al tavolo")
    assert event["starts_at_local"] == "2015-12-18T17:30:00+01:00"

    _check_the_imported_bundle(live_services, loaded.stdout, editions[ARCHIVE])
    # The log, the back-dated import included, verifies (both times are in the hash chain).
    verified = subprocess.run(
        [str(BIN / "communitylab"), "verify-log"],
        cwd=REPO,
        env=live_services.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "event log verified:" in verified.stdout
    _learning_community_shows_in_reports(live_services, editions)

    # A second run refuses cleanly and writes nothing.
    position = httpx.get(f"{live_services.reporting}/readyz").json()["checks"]["projections"]["last_position"]
    again = _demo(live_services)
    assert again.returncode == 3, again.stdout + again.stderr
    assert "already loaded" in again.stderr
    after = httpx.get(f"{live_services.reporting}/readyz").json()["checks"]["projections"]["last_position"]
    assert after == position


def _check_the_imported_bundle(services: LiveServices, stdout: str, edition_id: str) -> None:
    """The demo imported the sample bundle through POST /imports: each of its districts' diaries for
    2018-2019 shows the bundle's numbers, now and as it stood at the end of 2019."""
    assert "imported bundle community-lab-2018-2019-sample: 1 editions, 3 processes, 7 workshops" in stdout
    assert f"{services.reporting}/dashboard?edition={edition_id}&format=html" in stdout
    workshops = _bundle("workshops.csv")
    attendance = _bundle("attendance.csv")
    inventions = _bundle("inventions.csv")
    priorities = _bundle("priorities.csv")
    evaluations = _bundle("evaluations.csv")
    dashboard = httpx.get(f"{services.reporting}/dashboard", params={"edition": edition_id}).json()
    assert dashboard["summary"]["processes"] == len(_bundle("processes.csv")) == 3
    for process in _bundle("processes.csv"):
        held = {w["id"] for w in workshops if w["process"] == process["id"] and w["status"] == "held"}
        people: Counter[str] = Counter()
        for line in attendance:
            if line["workshop"] in held:
                people[line["actor_category"]] += int(line["count"])
        name = process["title"].split(":")[0]
        url = next(t.split(": ", 1)[1] for t in stdout.splitlines() if t.startswith(f"  {ARCHIVE}, {name}: "))
        diary = httpx.get(url.replace("&format=html", "")).json()
        assert diary["district"]["name"] == name
        assert [p["title"] for p in diary["processes"]] == [process["title"]]
        assert diary["processes"][0]["status"] == process["status"]
        assert diary["workshops"]["held"] == len(held)
        assert diary["participation"]["by_category"] == dict(people)
        assert diary["participation"]["people_involved"] == sum(people.values())
        assert diary["inventions"]["by_theme"] == dict(
            Counter(i["theme"] for i in inventions if i["process"] == process["id"])
        )
        mine = [p for p in priorities if p["process"] == process["id"]]
        assert diary["priorities"]["total"] == len(mine)
        assert diary["priorities"]["by_outcome"].get("validated", 0) == sum(
            p["decision"] == "validated" for p in mine
        )
        assert diary["summary"]["evaluation_responses"] == sum(e["workshop"] in held for e in evaluations)
        # The same diary as it stood at the end of 2019 (built from the log at that point): the same numbers.
        started = time.monotonic()
        at_the_end = httpx.get(url.replace("&format=html", "&as_of=2019-12-31"), timeout=60)
        print(f"as-of diary of {diary['district']['name']}: {time.monotonic() - started:.2f} s")
        assert at_the_end.status_code == 200, at_the_end.text
        body = at_the_end.json()
        assert body["as_of"] is not None and at_the_end.headers["cache-control"] == "no-store"
        for section in ("workshops", "participation", "inventions", "priorities", "summary"):
            assert body[section] == diary[section], section
    parma = next(
        line.split(": ", 1)[1] for line in stdout.splitlines() if line.startswith(f"  {ARCHIVE}, Parma: ")
    )
    page = httpx.get(parma)
    assert page.status_code == 200 and ARCHIVE in page.text and "Tavolo fragilità" in page.text


def _without_people(*texts: str) -> None:
    """None of the demo's people (names, emails) is in any of ``texts``."""
    people = ds.FACILITATORS + ds.BASSA_ROMAGNA_PEOPLE + ds.REGGIO_PEOPLE + ds.FIRST_LAB_PEOPLE
    for text in texts:
        for person in people:
            assert (
                person["email"] not in text and f"{person['given_name']} {person['family_name']}" not in text
            )


def _learning_community_shows_in_reports(services: LiveServices, editions: dict[str, str]) -> None:
    """Issue 22: the course, the manual, the case and Reggio Emilia's design, in reports and open data."""
    reporting, workshops = services.reporting, services.workshops
    lab = editions["Community Lab 2018-2019"]
    reggio = next(
        d["id"]
        for d in httpx.get(f"{services.registry}/districts", params={"limit": 200}).json()["items"]
        if d["name"] == ds.REGGIO_PROCESS["district"]
    )
    diary_response = httpx.get(f"{reporting}/districts/{reggio}/diary", params={"edition": lab})
    diary = diary_response.json()
    html = httpx.get(f"{reporting}/districts/{reggio}/diary", params={"edition": lab, "format": "html"}).text

    # A course with its cohort and completions: counts per district in the dashboard and the open data.
    dashboard = httpx.get(f"{reporting}/dashboard", params={"edition": lab}).json()
    figures = [r for r in dashboard["courses"] if r["course_title"] == ds.COURSE["title"]]
    assert sum(r["cohort"] for r in figures) == len(ds.COURSE_COHORT)
    assert sum(r["completions"] for r in figures) == len(ds.COURSE_COMPLETIONS)
    in_reggio = next(r for r in figures if r["district_id"] == reggio)
    assert (in_reggio["cohort"], in_reggio["completions"], in_reggio["attended_hours"]) == (3, 2, 18 + 6 + 18)
    course_rows = httpx.get(f"{reporting}/opendata/course_figures.csv").text
    assert ds.COURSE["title"] in course_rows

    # The manual: two cards at their second revision in the published manual, printable and public.
    publications = httpx.get(f"{workshops}/manual/publications").json()["items"]
    assert [p["edition_id"] for p in publications] == [lab]
    manual = httpx.get(f"{workshops}/manual/publications/{publications[0]['id']}").json()
    revisions = {c["workshop_method"]: c["revision"] for ch in manual["chapters"] for c in ch["cards"]}
    assert {m: revisions[m] for m in ("open_space_technology", "world_cafe")} == {
        "open_space_technology": 2,
        "world_cafe": 2,
    }
    assert sum(1 for r in revisions.values() if r > 1) == len(ds.MANUAL_REVISIONS)
    printable = httpx.get(
        f"{workshops}/manual/publications/{publications[0]['id']}", params={"format": "html"}
    )
    assert "legge dei due piedi" in printable.text
    ost = httpx.get(f"{workshops}/methods/open_space_technology").json()  # anonymous: the published text
    assert ost["view"] == "published" and ost["revision"] == 2
    manual_rows = httpx.get(f"{reporting}/opendata/method_cards.json").json()
    revised = {r["workshop_method"]: r for r in manual_rows if r["revisions"] > 1}
    assert set(revised) == {"open_space_technology", "world_cafe"}
    assert all(r["published_revision"] == 2 for r in revised.values())
    assert revised["world_cafe"]["comments"] == 1

    # The case with its guidance: in Reggio Emilia's Diario and the open data.
    assert [c["title"] for c in diary["cases"]["items"]] == [ds.CASE["title"]]
    lines = {g["line"]: g["items"] for g in diary["cases"]["items"][0]["guidance"]}
    assert lines == {g["line"]: [g["text"]] for g in ds.CASE["guidance"]}
    assert "Studi di caso" in html and ds.CASE["title"] in html
    cases = httpx.get(f"{reporting}/opendata/cases.json").json()
    assert [(c["title"], c["district_id"], c["guidance"]) for c in cases] == [(ds.CASE["title"], reggio, 3)]
    guidance_csv = httpx.get(f"{reporting}/opendata/case_guidance.csv").text
    assert all(g["text"][:40] in guidance_csv for g in ds.CASE["guidance"])

    # Reggio Emilia's bodies and the relations between them: in the Diario and the open data.
    architecture = diary["architecture"]
    kinds = sorted(b["kind"] for b in architecture["bodies"])
    assert kinds == sorted(["ufficio_di_piano", "comitato_di_distretto", "thematic_table", "gri", "ctss"])
    assert len(architecture["relations"]) == len(ds.REGGIO_RELATIONS)
    assert "Tavolo tematico Fragilità" in html and "GRI - Gruppo di riferimento integrato" in html
    bodies = httpx.get(f"{reporting}/opendata/bodies.json").json()
    relations = httpx.get(f"{reporting}/opendata/body_relations.json").json()
    reggio_bodies = {b["id"] for b in bodies if b["district_id"] == reggio}
    assert len(reggio_bodies) == 5
    assert sum(1 for r in relations if r["from_body_id"] in reggio_bodies) == len(ds.REGGIO_RELATIONS)

    # A supervision: counted for Reggio Emilia in the lab edition, its note's text in no report.
    supervisions = [r for r in dashboard["supervisions"] if r["district_id"] == reggio]
    assert [(r["sessions"], r["cases"], r["notes"]) for r in supervisions] == [(1, 1, 1)]
    supervision_rows = httpx.get(f"{reporting}/opendata/supervision_figures.csv").text
    assert reggio in supervision_rows
    # The first Community Lab: 5 meetings and 2 working groups, participants by category.
    first = editions[ds.FIRST_LAB_EDITION["name"]]
    (lab_figures,) = httpx.get(f"{reporting}/dashboard", params={"edition": first}).json()["regional_labs"]
    assert (lab_figures["meetings"], lab_figures["groups"]) == (5, 2)
    assert lab_figures["participants"] == len(ds.FIRST_LAB_PEOPLE)
    assert (
        lab_figures["district_director"],
        lab_figures["ufficio_di_piano_head"],
        lab_figures["ctss_office"],
    ) == (
        2,
        2,
        1,
    )
    meetings = httpx.get(f"{workshops}/editions/{first}/lab-meetings").json()["items"]
    assert [m["held_on"] for m in meetings] == [m["held_on"] for m in ds.FIRST_LAB_MEETINGS]
    lab_rows = httpx.get(f"{reporting}/opendata/lab_figures.csv").text
    assert ds.SUPERVISION["note"][:30] not in supervision_rows + str(dashboard) + lab_rows

    _without_people(
        supervision_rows,
        lab_rows,
        str(meetings),
        diary_response.text,
        html,
        str(dashboard["courses"]),
        course_rows,
        printable.text,
        str(manual_rows),
        str(cases),
        guidance_csv,
        str(bodies),
        str(relations),
    )
