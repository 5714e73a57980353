"""Load the demo region through the services' own HTTP APIs (httpx only: no service package is imported).

The loader needs a regional_admin key and a way to issue keys linked to registry people, because submitting
a priority takes a member of the district's Ufficio di Piano and validating one a member of its Comitato di
Distretto. It refuses to load twice: a registry that already holds the demo's programmes is left untouched.
"""

from __future__ import annotations

import csv
import io
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx

from demo import dataset as ds

ROME = ZoneInfo("Europe/Rome")
DEFAULT_TEMPLATE_ID = "e7869feb-8e08-5124-b619-27931bc0d591"
BUNDLE = Path(__file__).resolve().parent / "bundles" / "community-lab-2018-2019"
"""The sample bundle of past work the demo imports (docs/imports.md)."""

# (role, district ids, person id, label) -> a bearer key; the CLI creates it on the configured database.
KeyIssuer = Callable[[str, list[str], str | None, str], str]


class DemoError(RuntimeError):
    """The demo could not be loaded (a service refused a request, or is not reachable)."""


class DemoAlreadyLoaded(DemoError):
    """The demo's programmes are already there: loading again would duplicate the region."""


@dataclass(frozen=True)
class ServiceUrls:
    """Where the three services answer."""

    registry: str
    workshops: str
    reporting: str


@dataclass
class DemoResult:
    """What was loaded and where to look at it."""

    edition_ids: dict[str, str] = field(default_factory=dict)
    district_ids: dict[str, str] = field(default_factory=dict)
    process_ids: dict[str, str] = field(default_factory=dict)
    workshop_ids: dict[str, str] = field(default_factory=dict)
    person_ids: dict[str, str] = field(default_factory=dict)
    priority_ids: list[str] = field(default_factory=list)
    dashboard_urls: dict[str, str] = field(default_factory=dict)
    diary_urls: dict[str, dict[str, str]] = field(default_factory=dict)
    timeline_urls: dict[str, str] = field(default_factory=dict)
    body_ids: dict[str, str] = field(default_factory=dict)
    course_edition_id: str = ""
    manual_url: str = ""
    case_id: str = ""
    supervision_id: str = ""
    first_lab_edition_id: str = ""
    declared_counts: dict[str, dict[str, Any]] = field(default_factory=lambda: ds.DECLARED_COUNTS)
    imported: dict[str, Any] = field(default_factory=dict)
    """The answer of ``POST /imports`` for the sample bundle (counts, ids by the bundle's keys)."""


def _local(value: str) -> datetime:
    """A naive local time of the data set ("2016-11-03T10:00") as an aware Europe/Rome datetime."""
    return datetime.fromisoformat(value).replace(tzinfo=ROME)


class DemoLoader:
    """Talks to the three services over HTTP and loads the data set of ``demo.dataset``."""

    def __init__(
        self,
        urls: ServiceUrls,
        *,
        admin_key: str,
        issue_key: KeyIssuer,
        timeout: float = 30.0,
        log: Callable[[str], None] = print,
    ) -> None:
        self.urls = urls
        self.admin_key = admin_key
        self.issue_key = issue_key
        self.log = log
        self.registry = httpx.Client(base_url=urls.registry, timeout=timeout)
        self.workshops = httpx.Client(base_url=urls.workshops, timeout=timeout)
        self.reporting = httpx.Client(base_url=urls.reporting, timeout=timeout)
        self.result = DemoResult()

    def close(self) -> None:
        """Close the HTTP clients."""
        for client in (self.registry, self.workshops, self.reporting):
            client.close()

    # ------------------------------------------------------------------ HTTP

    def _call(
        self,
        client: httpx.Client,
        method: str,
        path: str,
        *,
        json: Any = None,
        key: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        headers = {"Authorization": f"Bearer {key or self.admin_key}"}
        try:
            response = client.request(method, path, json=json, params=params, headers=headers)
        except httpx.TransportError as exc:
            raise DemoError(f"{method} {client.base_url}{path}: {exc!r} (are the services running?)") from exc
        if response.status_code >= 400:
            raise DemoError(
                f"{method} {client.base_url}{path} -> {response.status_code}: {response.text[:800]}"
            )
        return response.json() if response.content else None

    def _all(self, client: httpx.Client, path: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Every item of a paginated list."""
        items: list[Any] = []
        query = {"limit": 200, **(params or {})}
        while True:
            page = self._call(client, "GET", path, params=query)
            items.extend(page["items"])
            if not page.get("next_cursor"):
                return items
            query["cursor"] = page["next_cursor"]

    # ------------------------------------------------------------------ steps

    def check_services(self) -> None:
        """Each service answers /healthz."""
        for client in (self.registry, self.workshops, self.reporting):
            try:
                client.get("/healthz").raise_for_status()
            except httpx.HTTPError as exc:
                raise DemoError(
                    f"{client.base_url} does not answer /healthz ({exc!r}): start the services (`make run`)"
                ) from exc

    def districts(self) -> dict[str, str]:
        """District ids by name, as the registry knows them."""
        return {d["name"]: d["id"] for d in self._all(self.registry, "/districts")}

    def refuse_if_loaded(self) -> None:
        """DemoAlreadyLoaded when the demo's programmes exist."""
        names = {p["name"] for p in self._all(self.workshops, "/programmes")}
        clash = sorted(names & {p["name"] for p in ds.PROGRAMMES.values()})
        if clash:
            raise DemoAlreadyLoaded(
                f"the demo is already loaded (programme {', '.join(clash)} exists); nothing was written. "
                "To load it again (or after a run that stopped half-way), use a fresh database"
            )

    def load(self) -> DemoResult:
        """Load the whole data set; returns the ids and the URLs of the pages that show it."""
        self.check_services()
        districts = self.districts()
        missing = sorted(
            ({stop[0] for stop in ds.EXPRESS_STOPS} | set(ds.COMMUNITY_LAB_DISTRICTS)) - set(districts)
        )
        if len(districts) < 38 or missing:
            raise DemoError(
                f"the registry knows {len(districts)} districts (missing: {', '.join(missing) or 'none'}); "
                "run `communitylab seed` first"
            )
        self.result.district_ids = districts
        self.refuse_if_loaded()
        self.log("loading the demo region...")
        self._people()
        self._programmes()
        self._processes()
        self._steering_groups()
        self._governance()
        self._workshops()
        self._inventions()
        self._priorities()
        self._evaluations()
        self._close_express_processes()
        self._architecture()
        self._course()
        self._manual()
        self._case()
        self._supervision()
        self._first_lab()
        self._urls()
        self._import_bundle()
        return self.result

    def _register(self, person: dict[str, str]) -> str:
        district_id = self.result.district_ids[person["district"]]
        body = {k: person[k] for k in ("given_name", "family_name", "email", "actor_category")}
        created = self._call(self.registry, "POST", "/people", json={**body, "district_ids": [district_id]})
        self.result.person_ids[person["key"]] = created["id"]
        return str(created["id"])

    def _people(self) -> None:
        for facilitator in ds.FACILITATORS:
            person_id = self._register(facilitator)
            served = [self.result.district_ids[facilitator["district"]]]
            self._call(
                self.registry,
                "POST",
                "/facilitators",
                json={"person_id": person_id, "kind": facilitator["kind"], "district_ids": served},
            )
            training = {**ds.FACILITATOR_TRAINING, "provider": "Regione Emilia-Romagna"}
            self._call(self.registry, "POST", f"/facilitators/{person_id}/trainings", json=training)
        for person in ds.BASSA_ROMAGNA_PEOPLE + ds.REGGIO_PEOPLE:
            self._register(person)
        self.log(f"  people: {len(self.result.person_ids)} (fictional, example.org)")

    def _programmes(self) -> None:
        programme_ids = {
            key: self._call(self.workshops, "POST", "/programmes", json=body)["id"]
            for key, body in ds.PROGRAMMES.items()
        }
        for edition in ds.EDITIONS:
            body = {
                "name": edition["name"],
                "starts_on": edition["starts_on"],
                "ends_on": edition["ends_on"],
                "district_ids": [self.result.district_ids[name] for name in edition["districts"]],
            }
            created = self._call(
                self.workshops,
                "POST",
                f"/programmes/{programme_ids[edition['programme']]}/editions",
                json=body,
            )
            self.result.edition_ids[edition["key"]] = created["id"]
            self.log(f"  edition {edition['name']}: {len(edition['districts'])} districts")

    def _create_process(self, key: str, spec: dict[str, Any]) -> None:
        fields = ("title", "purpose", "weight", "transformations", "methods_and_tools", "distinctive_marks")
        body: dict[str, Any] = {name: spec[name] for name in fields if name in spec}
        body |= {
            "district_id": self.result.district_ids[spec["district"]],
            "edition_id": self.result.edition_ids[spec["edition"]],
            "started_on": spec["started_on"],
            "status": "active",
        }
        for optional in ("location", "stature", "phases"):
            if optional in spec:
                body[optional] = spec[optional]
        self.result.process_ids[key] = self._call(self.workshops, "POST", "/processes", json=body)["id"]

    def _processes(self) -> None:
        self._create_process("bassa_romagna", ds.BASSA_ROMAGNA_PROCESS)
        for district, town, day in ds.EXPRESS_STOPS:
            if ds.stop_process_key(district) != "bassa_romagna":
                spec = {
                    "district": district,
                    "edition": "express",
                    "title": f"Community Express: tappa di {town}",
                    "purpose": "Raccogliere le invenzioni del lavoro di comunità del territorio.",
                    "methods_and_tools": "Laboratorio itinerante, carte per la valutazione partecipata.",
                    "started_on": day,
                    "location": town,
                }
                self._create_process(f"stop:{district}", spec)
        self._create_process("reggio", ds.REGGIO_PROCESS)
        for lab in ds.LAB_PROCESSES:
            spec = {
                "district": lab["district"],
                "edition": "lab",
                "title": lab["title"],
                "purpose": "Definire in modo partecipato le priorità del Piano di Zona.",
                "started_on": lab["starts"][:10],
                "location": lab["district"],
            }
            self._create_process(f"lab:{lab['district']}", spec)
        self.log(f"  processes: {len(self.result.process_ids)}")

    def _body_with_members(
        self,
        *,
        district: str,
        kind: str,
        name: str,
        members: list[tuple[str, str]],
        valid_from: str,
        process: str | None,
    ) -> None:
        body: dict[str, Any] = {"district_id": self.result.district_ids[district], "kind": kind, "name": name}
        if process:
            body["process_id"] = self.result.process_ids[process]
        created = self._call(self.registry, "POST", "/bodies", json=body)
        for person_key, role in members:
            membership = {
                "person_id": self.result.person_ids[person_key],
                "role": role,
                "valid_from": valid_from,
            }
            self._call(self.registry, "POST", f"/bodies/{created['id']}/members", json=membership)

    def _steering_groups(self) -> None:
        process = ds.BASSA_ROMAGNA_PROCESS
        for kind, name, people in (
            ("steering_group_core", "Cabina di regia ristretta", ds.BR_CORE),
            ("steering_group_extended", "Cabina di regia allargata", ds.BR_ALL),
        ):
            self._body_with_members(
                district=process["district"],
                kind=kind,
                name=f"{name} - {process['title']}",
                members=[(p, "coordinator" if i == 0 else "member") for i, p in enumerate(people)],
                valid_from=process["started_on"],
                process="bassa_romagna",
            )

    def _governance(self) -> None:
        district = ds.REGGIO_PROCESS["district"]
        for body in ds.REGGIO_BODIES:
            self._body_with_members(
                district=district,
                kind=body["kind"],
                name=body["name"],
                members=body["members"],
                valid_from=ds.GOVERNANCE_FROM,
                process=None,
            )
        district_id = self.result.district_ids[district]
        self.udp_key = self.issue_key(
            "district_editor", [district_id], self.result.person_ids["re_udp_head"], "demo: Ufficio di Piano"
        )
        self.comitato_key = self.issue_key(
            "district_editor",
            [district_id],
            self.result.person_ids["re_mayor"],
            "demo: Comitato di Distretto",
        )

    def _hold_workshop(self, process: str, spec: dict[str, Any]) -> str:
        """Schedule a past workshop, register its participants, take attendance and mark it held."""
        starts = _local(spec["starts"])
        people = [*spec.get("present", []), *spec.get("absent", [])]
        anonymous: dict[str, int] = spec["anonymous"]
        body: dict[str, Any] = {
            "method": spec["method"],
            "title": spec["title"],
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=spec.get("hours", 3))).isoformat(),
            "venue": spec["venue"],
            "capacity": len(people) + sum(anonymous.values()) + 10,
            "facilitator_ids": [self.result.person_ids[f] for f in spec["facilitators"]],
        }
        if "description" in spec:
            body["description"] = spec["description"]
        process_id = self.result.process_ids[process]
        workshop = self._call(self.workshops, "POST", f"/processes/{process_id}/workshops", json=body)
        workshop_id = str(workshop["id"])
        path = f"/workshops/{workshop_id}"
        registrations: list[dict[str, Any]] = [{"person_id": self.result.person_ids[p]} for p in people]
        registrations += [{"actor_category": c, "count": n} for c, n in anonymous.items()]
        for registration in registrations:
            self._call(self.workshops, "POST", f"{path}/registrations", json=registration)
        attendance = {
            "present": [self.result.person_ids[p] for p in spec.get("present", [])],
            "absent": [self.result.person_ids[p] for p in spec.get("absent", [])],
            "anonymous_counts": anonymous,
        }
        self._call(self.workshops, "PUT", f"{path}/attendance", json=attendance)
        self._call(self.workshops, "POST", f"{path}/status", json={"status": "held"})
        return workshop_id

    def _workshops(self) -> None:
        ids = self.result.workshop_ids
        for spec in ds.BASSA_ROMAGNA_PROCESS["workshops"]:
            ids[f"bassa_romagna/{spec['key']}"] = self._hold_workshop("bassa_romagna", spec)
        for index, (district, town, day) in enumerate(ds.EXPRESS_STOPS):
            process = ds.stop_process_key(district)
            spec = {
                "method": ds.EXPRESS_METHODS[index % len(ds.EXPRESS_METHODS)],
                "title": f"Community Express a {town}: le invenzioni del territorio",
                "starts": f"{day}T10:00",
                "venue": f"{town}, sala civica",
                "facilitators": ["fac1" if index % 2 else "fac2", "tutor1"],
                "anonymous": ds.EXPRESS_HEADCOUNTS[index],
            }
            ids[f"{process}/stop"] = self._hold_workshop(process, spec)
        for spec in ds.REGGIO_PROCESS["workshops"]:
            ids[f"reggio/{spec['key']}"] = self._hold_workshop("reggio", spec)
        for lab in ds.LAB_PROCESSES:
            spec = {
                "method": lab["method"],
                "title": lab["workshop_title"],
                "starts": lab["starts"],
                "venue": f"{lab['district']}, sede del distretto",
                "facilitators": lab["facilitators"],
                "anonymous": lab["anonymous"],
            }
            ids[f"lab:{lab['district']}/lab"] = self._hold_workshop(f"lab:{lab['district']}", spec)
        self.log(f"  workshops held: {len(ids)} (with registrations and attendance)")

    def _inventions(self) -> None:
        for process, workshop, title, kind, theme in ds.INVENTIONS:
            workshop_id = self.result.workshop_ids[f"{process}/{workshop}"]
            body = {
                "process_id": self.result.process_ids[process],
                "workshop_id": workshop_id,
                "origin": {"kind": "workshop", "id": workshop_id},
                "title": title,
                "kind": kind,
                "theme": theme,
            }
            created = self._call(self.workshops, "POST", "/inventions", json=body)
            if title in ds.HANDOVERS:
                district, day = ds.HANDOVERS[title]
                handover = {
                    "to_district_id": self.result.district_ids[district],
                    "on": day,
                    "note": "Presentata all'evento finale del Community Express (Bologna, 30 marzo 2017)",
                }
                self._call(self.workshops, "POST", f"/inventions/{created['id']}/handover", json=handover)
        self.log(f"  inventions: {len(ds.INVENTIONS)} in six macro-themes, {len(ds.HANDOVERS)} handed over")

    def _priorities(self) -> None:
        district_id = self.result.district_ids[ds.REGGIO_PROCESS["district"]]
        process_id = self.result.process_ids["reggio"]
        restitution = self.result.workshop_ids["reggio/re_restitution"]
        for spec in ds.REGGIO_PRIORITIES:
            body: dict[str, Any] = {
                "district_id": district_id,
                "process_id": process_id,
                "title": spec["title"],
                "description": spec["description"],
                "source": spec["source"],
            }
            if spec.get("workshop"):
                workshop_id = self.result.workshop_ids[f"reggio/{spec['workshop']}"]
                body |= {"workshop_id": workshop_id, "origin": {"kind": "workshop", "id": workshop_id}}
            priority_id = self._call(self.workshops, "POST", "/priorities", json=body)["id"]
            self.result.priority_ids.append(priority_id)
            if spec["decision"] is None:
                continue
            path = f"/priorities/{priority_id}"
            # The Ufficio di Piano submits, the Comitato di Distretto decides: each with its own member's key.
            self._call(
                self.workshops, "POST", f"{path}/submit", json={"year": ds.PRIORITY_YEAR}, key=self.udp_key
            )
            decision = {"sitting_date": ds.SITTING_DATE, "motivation": spec["motivation"]}
            step = "validate" if spec["decision"] == "validated" else "reject"
            self._call(self.workshops, "POST", f"{path}/{step}", json=decision, key=self.comitato_key)
            if step == "reject":
                continue
            tables = [self.result.workshop_ids[f"reggio/{w}"] for w in spec["project_tables"]]
            self._call(self.workshops, "POST", f"{path}/assign", json={"project_table_workshop_ids": tables})
            self._call(self.workshops, "POST", f"{path}/start")
            report = {
                "outcome": spec["outcome"],
                "restitution_workshop_id": restitution,
                "note": spec["note"],
            }
            self._call(self.workshops, "POST", f"{path}/report", json=report)
            if spec.get("plan_action"):
                self._call(
                    self.workshops,
                    "POST",
                    f"{path}/link-plan-action",
                    json={"plan_action": spec["plan_action"]},
                )
        self.log(
            f"  priorities {ds.PRIORITY_YEAR}: {len(ds.REGGIO_PRIORITIES)} (Ufficio di Piano -> Comitato)"
        )

    def _evaluations(self) -> None:
        for process, workshop, answers in ds.EVALUATIONS:
            body = {
                "template_id": DEFAULT_TEMPLATE_ID,
                "process_id": self.result.process_ids[process],
                "workshop_id": self.result.workshop_ids[f"{process}/{workshop}"],
                "answers": answers,
            }
            self._call(self.workshops, "POST", "/evaluation-responses", json=body)
        self.log(f"  evaluation cards: {len(ds.EVALUATIONS)}")

    def _close_express_processes(self) -> None:
        closed_on = next(e["ends_on"] for e in ds.EDITIONS if e["key"] == "express")
        for key, process_id in self.result.process_ids.items():
            if key.startswith("stop:"):
                body = {"status": "closed", "closed_on": closed_on}
                self._call(self.workshops, "POST", f"/processes/{process_id}/status", json=body)

    # ------------------------------------------------------------------ the learning community (issue 22)

    def _architecture(self) -> None:
        """Reggio Emilia's thematic table, GRI and CTSS beside its two governance bodies, and the arrows."""
        district_id = self.result.district_ids[ds.REGGIO_PROCESS["district"]]
        by_name = {
            b["name"]: b["id"] for b in self._all(self.registry, "/bodies", {"district_id": district_id})
        }
        bodies = {b["key"]: by_name[b["name"]] for b in ds.REGGIO_BODIES}
        for spec in ds.REGGIO_MORE_BODIES:
            body = {"district_id": district_id, "kind": spec["kind"], "name": spec["name"]}
            bodies[spec["key"]] = self._call(self.registry, "POST", "/bodies", json=body)["id"]
        for source, kind, target, note in ds.REGGIO_RELATIONS:
            relation = {
                "to_body_id": bodies[target],
                "kind": kind,
                "note": note,
                "valid_from": ds.GOVERNANCE_FROM,
            }
            self._call(self.registry, "POST", f"/bodies/{bodies[source]}/relations", json=relation)
        self.result.body_ids = bodies
        self.log(f"  Reggio Emilia's design: {len(bodies)} bodies, {len(ds.REGGIO_RELATIONS)} relations")

    def _course(self) -> None:
        """The regional facilitation training: an edition, its sessions, the cohort, attendance, completions."""
        course = self._call(self.registry, "POST", "/courses", json=ds.COURSE)
        edition = self._call(
            self.registry, "POST", "/course-editions", json={**ds.COURSE_EDITION, "course_id": course["id"]}
        )
        path = f"/course-editions/{edition['id']}"
        people = self.result.person_ids
        cohort = {"person_ids": [people[p] for p in ds.COURSE_COHORT]}
        self._call(self.registry, "PUT", f"{path}/cohort", json=cohort)
        for held_on, place, hours, present in ds.COURSE_SESSIONS:
            day = {"held_on": held_on, "place": place, "hours": hours}
            session_id = self._call(self.registry, "POST", f"{path}/sessions", json=day)["id"]
            attendance = {"person_ids": [people[p] for p in present]}
            self._call(self.registry, "PUT", f"{path}/sessions/{session_id}/attendance", json=attendance)
        for person in ds.COURSE_COMPLETIONS:
            self._call(self.registry, "POST", f"{path}/completions", json={"person_id": people[person]})
        self.result.course_edition_id = str(edition["id"])
        self.log(
            f"  course {ds.COURSE['title']}: cohort of {len(ds.COURSE_COHORT)}, "
            f"{len(ds.COURSE_COMPLETIONS)} completions"
        )

    def _facilitator_key(self, person: str) -> str:
        return self.issue_key("facilitator", [], self.result.person_ids[person], f"demo: {person}")

    def _manual(self) -> None:
        """Two facilitators revise a card each, a third comments, and the manual is published for the lab."""
        keys = {p: self._facilitator_key(p) for p in {r["author"] for r in ds.MANUAL_REVISIONS}}
        for revision in ds.MANUAL_REVISIONS:
            card = self._call(
                self.workshops, "GET", f"/methods/{revision['method']}", key=keys[revision["author"]]
            )
            body = {"body": revision["body"], "note": revision["note"]}
            self._call(
                self.workshops,
                "POST",
                f"/method-cards/{card['id']}/revisions",
                json=body,
                key=keys[revision["author"]],
            )
        method, author, text = ds.MANUAL_COMMENT
        commenter = self._facilitator_key(author)
        card = self._call(self.workshops, "GET", f"/methods/{method}", key=commenter)
        self._call(
            self.workshops,
            "POST",
            f"/method-cards/{card['id']}/card-comments",
            json={"body": text},
            key=commenter,
        )
        edition_id = self.result.edition_ids[ds.MANUAL_EDITION]
        publication = self._call(
            self.workshops, "POST", "/manual/publications", json={"edition_id": edition_id}
        )
        self.result.manual_url = (
            f"{self.urls.workshops.rstrip('/')}/manual/publications/{publication['id']}?format=html"
        )
        self.log(
            f"  collective manual: {len(ds.MANUAL_REVISIONS)} cards revised, published for the lab edition"
        )

    def _case(self) -> None:
        """Reggio Emilia's case, written and published by its Ufficio di Piano."""
        spec = ds.CASE
        fields = ("side", "title", "summary", "story", "lines", "questions", "guidance")
        body: dict[str, Any] = {name: spec[name] for name in fields}
        body |= {
            "district_id": self.result.district_ids[spec["district"]],
            "process_ids": [self.result.process_ids[spec["process"]]],
        }
        case = self._call(self.workshops, "POST", "/cases", json=body, key=self.udp_key)
        self._call(
            self.workshops,
            "POST",
            f"/cases/{case['id']}/status",
            json={"status": "published"},
            key=self.udp_key,
        )
        self.result.case_id = str(case["id"])
        self.log(f"  case library: {spec['title']} ({len(spec['guidance'])} pieces of guidance), published")

    def _supervision(self) -> None:
        """A facilitator brings a case from a Reggio Emilia workshop to a tutor's supervision; both write a note."""
        spec = ds.SUPERVISION
        supervision = self._call(
            self.registry,
            "POST",
            "/supervisions",
            json={
                "held_on": spec["held_on"],
                "place": spec["place"],
                "edition_id": self.result.edition_ids[spec["edition"]],
                "supervisor_person_ids": [self.result.person_ids[p] for p in spec["supervisors"]],
            },
        )
        facilitator = self._facilitator_key(spec["facilitator"])
        case = self._call(
            self.registry,
            "POST",
            "/supervision-cases",
            json={
                "supervision_id": supervision["id"],
                "facilitator_id": self.result.person_ids[spec["facilitator"]],
                "process_id": self.result.process_ids[spec["process"]],
                "workshop_id": self.result.workshop_ids[f"{spec['process']}/{spec['workshop']}"],
                "title": spec["title"],
            },
            key=facilitator,
        )
        supervisor = self._facilitator_key(spec["supervisors"][0])
        self._call(
            self.registry,
            "POST",
            f"/supervision-cases/{case['id']}/notes",
            json={"body": spec["note"]},
            key=supervisor,
        )
        self.result.supervision_id = str(supervision["id"])
        self.log("  supervision: one case from Reggio Emilia's fragility table, one private note")

    def _first_lab(self) -> None:
        """The first Community Lab's edition, its 2 working groups and 5 meetings with their participants."""
        spec = ds.FIRST_LAB_EDITION
        programme_id = next(
            p["id"]
            for p in self._all(self.workshops, "/programmes")
            if p["name"] == ds.PROGRAMMES[spec["programme"]]["name"]
        )
        edition = self._call(
            self.workshops,
            "POST",
            f"/programmes/{programme_id}/editions",
            json={"name": spec["name"], "starts_on": spec["starts_on"], "ends_on": spec["ends_on"]},
        )
        self.result.first_lab_edition_id = edition_id = str(edition["id"])
        recipients = {}
        for person in ds.FIRST_LAB_PEOPLE:
            recipients[person["key"]] = {
                "person_id": self._register(person),
                "recipient": person["recipient"],
            }
        groups = {}
        for group in ds.FIRST_LAB_GROUPS:
            body = {
                "name": group["name"],
                "topic": group["topic"],
                "members": [recipients[m] for m in group["members"]],
            }
            groups[group["key"]] = self._call(
                self.workshops, "POST", f"/editions/{edition_id}/lab-groups", json=body
            )["id"]
        for meeting in ds.FIRST_LAB_MEETINGS:
            body = {
                "held_on": meeting["held_on"],
                "place": ds.FIRST_LAB_PLACE,
                "topic": meeting["topic"],
                "lab_group_ids": [groups[g] for g in meeting["groups"]],
                "participants": [r for key, r in recipients.items() if key not in meeting["absent"]],
            }
            self._call(self.workshops, "POST", f"/editions/{edition_id}/lab-meetings", json=body)
        self.log(
            f"  {spec['name']}: {len(ds.FIRST_LAB_MEETINGS)} lab meetings, {len(ds.FIRST_LAB_GROUPS)} working groups, "
            f"{len(ds.FIRST_LAB_PEOPLE)} participants"
        )

    def _urls(self) -> None:
        base = self.urls.reporting.rstrip("/")
        editions = {e["key"]: e for e in ds.EDITIONS}
        for key, edition_id in self.result.edition_ids.items():
            name = editions[key]["name"]
            self.result.dashboard_urls[name] = f"{base}/dashboard?edition={edition_id}&format=html"
        shown = {
            "express": [ds.BASSA_ROMAGNA_PROCESS["district"], ds.EXPRESS_STOPS[0][0]],
            "lab": [ds.REGGIO_PROCESS["district"], *[p["district"] for p in ds.LAB_PROCESSES]],
        }
        for key, names in shown.items():
            edition_id = self.result.edition_ids[key]
            self.result.diary_urls[editions[key]["name"]] = {
                name: diary_url(base, self.result.district_ids[name], edition_id) for name in names
            }
        for key in ("bassa_romagna", "reggio"):
            self.result.timeline_urls[key] = f"{base}/processes/{self.result.process_ids[key]}/timeline"

    def _import_bundle(self, bundle: Path = BUNDLE) -> None:
        """Import the sample bundle of past work (Community Lab 2018-2019) through ``POST /imports``, as
        `communitylab import` does, and point at its dashboard and diaries."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(bundle.iterdir()):
                if path.is_file():
                    archive.write(path, f"{bundle.name}/{path.name}")
        headers = {"Authorization": f"Bearer {self.admin_key}", "Content-Type": "application/zip"}
        try:
            response = self.workshops.post(
                "/imports", content=buffer.getvalue(), headers=headers, timeout=300
            )
        except httpx.TransportError as exc:
            raise DemoError(f"POST {self.workshops.base_url}/imports: {exc!r}") from exc
        if response.status_code not in (200, 201):
            raise DemoError(
                f"POST {self.workshops.base_url}/imports -> {response.status_code}: {response.text[:800]}"
            )
        imported = self.result.imported = response.json()
        counts = ", ".join(f"{n} {kind}" for kind, n in imported["counts"].items())
        self.log(f"  imported bundle {imported['bundle_id']}: {counts}")
        with (bundle / "editions.csv").open(encoding="utf-8") as handle:
            names = {row["id"]: row["name"] for row in csv.DictReader(handle)}
        by_id = {district_id: name for name, district_id in self.result.district_ids.items()}
        base = self.urls.reporting.rstrip("/")
        for key, edition_id in imported["records"]["editions"].items():
            self.result.dashboard_urls[names[key]] = f"{base}/dashboard?edition={edition_id}&format=html"
            diaries = self.result.diary_urls.setdefault(names[key], {})
            for process_id in imported["records"]["processes"].values():
                process = self._call(self.workshops, "GET", f"/processes/{process_id}")
                if process["edition_id"] == edition_id:
                    diaries[by_id.get(process["district_id"], process["district_id"])] = diary_url(
                        base, process["district_id"], edition_id
                    )

    # ------------------------------------------------------------------ reporting

    def wait_for_reporting(self, timeout: float = 120.0) -> int:
        """Poll reporting's /readyz until every projection has caught up with the log; return the position."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            response = self.reporting.get("/readyz")
            if response.status_code == 200:
                projections = response.json().get("checks", {}).get("projections", {})
                last = projections
                lags = [v for k, v in projections.items() if k != "last_position"]
                if lags and all(lag == 0 for lag in lags):
                    return int(projections["last_position"])
            time.sleep(0.3)
        raise DemoError(f"reporting did not catch up within {timeout:.0f} s (last state: {last})")


def diary_url(reporting_url: str, district_id: str, edition_id: str) -> str:
    """The printable HTML Diario of a district for an edition."""
    return f"{reporting_url.rstrip('/')}/districts/{quote(district_id)}/diary?edition={quote(edition_id)}&format=html"
