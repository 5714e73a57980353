"""The Italian HTML diary and dashboard show Italian labels, Italian numbers and Rome dates: no raw codes, English
labels, Python reprs or ISO timestamps (the forbidden words come from the label tables, so new codes are covered),
while the JSON variants keep the codes."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from services.reporting import labels as L
from services.reporting.consumer import catch_up
from services.workshops.outcomes.models import InventionKind, PriorityOutcome, Theme
from services.workshops.processes.models import ActorCategory, WorkshopMethod
from tests.reporting.conftest import EventScript, new_id, square

pytestmark = pytest.mark.anyio

# Every table whose codes the pages may show, with the Italian label the reader must see instead.
TABLES: dict[str, dict[str, tuple[str, str]]] = {
    "categories": L.CATEGORIES,
    "methods": L.METHODS,
    "themes": L.THEMES,
    "invention kinds": L.INVENTION_KINDS,
    "priority statuses": L.PRIORITY_STATUSES,
    "priority outcomes": L.PRIORITY_OUTCOMES,
    "priority buckets": L.PRIORITY_BUCKETS,
    "workshop statuses": L.WORKSHOP_STATUSES,
    "process statuses": L.PROCESS_STATUSES,
    "stature": L.STATURE,
    "evaluation questions": L.EVALUATION_QUESTIONS,
    "evaluation choices": L.EVALUATION_CHOICES,
}

# Python reprs, ISO dates and timestamps, English-style decimals and unseparated thousands.
FORBIDDEN_PATTERNS = {
    "dict repr": r"\{'|'\}|\{\}",
    "list repr": r"\['|'\]|\[\]",
    "None/True/False": r"\b(None|True|False)\b",
    "ISO date": r"\b\d{4}-\d{2}-\d{2}\b",
    "ISO time": r"T\d{2}:\d{2}",
    "decimal point": r"\b\d+\.\d{1,2}\b",
    "thousands without separator": r"\b\d{5,}\b",
}


# Codes that are also everyday Italian words ("si prendono cura"): shown raw they would still read as Italian.
ITALIAN_WORDS = {"si"}


def forbidden_words() -> dict[str, str]:
    """Each code (as is and with spaces), its humanised form and its English label, where they differ from Italian."""
    words: dict[str, str] = {}
    for name, table in TABLES.items():
        # A word inside an Italian label ("fronte interno" in "Il fronte interno") is Italian, not a raw code.
        italian_labels = " | ".join(italian.lower() for italian, _ in table.values())
        for code, (_italian, english) in table.items():
            for word in (code, code.replace("_", " "), code.replace("_", " ").capitalize(), english):
                if word not in ITALIAN_WORDS and not re.search(
                    rf"(?<![\w']){re.escape(word.lower())}(?![\w'])", italian_labels
                ):
                    words[word] = f"{name}: {code}"
    return words


def visible_text(page: str) -> str:
    """What a reader sees (text nodes, including the SVG labels and tooltips), not the markup."""
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html_lib.unescape(page))


def problems(text: str) -> list[str]:
    """Every forbidden word or pattern found in ``text``, with a little context."""
    found = []
    for word, origin in forbidden_words().items():
        for match in re.finditer(rf"(?<![\w']){re.escape(word)}(?![\w'])", text):
            found.append(f"{origin} -> {text[max(0, match.start() - 40) : match.end() + 40]!r}")
    for name, pattern in FORBIDDEN_PATTERNS.items():
        for match in re.finditer(pattern, text):
            found.append(f"{name} -> {text[max(0, match.start() - 40) : match.end() + 40]!r}")
    return found


def build_region(script: EventScript) -> dict[str, str]:
    """A district with every category, method, theme, invention kind, priority state and outcome of the producers."""
    ids: dict[str, str] = {}
    district = ids["A"] = script.district(
        "Distretto Pianura Est", code="D01", population=1_234_567, boundary=square(11.0, 44.5)
    )
    ids["B"] = script.district(
        "Distretto Appennino", code="D02", population=50_000, boundary=square(11.2, 44.3)
    )
    people = [script.person(category.value, district) for category in ActorCategory if category != "other"]
    programme = script.programme("Community Lab")
    edition = ids["E"] = script.edition(
        programme, "Community Lab 2018-2019", [district], "2018-10-01", "2019-06-30"
    )
    process = ids["P"] = new_id()
    script.emit(
        "process",
        process,
        "process.created",
        {
            "process_id": process,
            "district_id": district,
            "edition_id": edition,
            "title": "Aggiungi un posto al tavolo",
            "purpose": "Ripensare insieme i servizi per le famiglie fragili",
            "weight": "",
            "transformations": "",
            "methods_and_tools": "Open Space Technology, World Café",
            "distinctive_marks": "",
            "started_on": "2018-10-01",
            "location": "",
            "stature": {
                "core_steering_group_size": 6,
                "extended_steering_group_size": 20,
                "people_involved": {
                    category.value: 10 + index for index, category in enumerate(ActorCategory)
                },
            },
            "contacts": [],
            "status": "active",
        },
    )
    workshops = []
    for index, method in enumerate(WorkshopMethod):
        # 23:30 UTC on the last day of October is 00:30 on 1 November in Rome: the page must say 01/11.
        starts_at = "2018-10-31T23:30:00Z" if index == 0 else f"2019-01-{index + 1:02d}T16:00:00Z"
        workshop = script.workshop(
            process, district, method=method.value, title=f"Incontro {index + 1}", starts_at=starts_at
        )
        script.held(workshop, process, district)
        workshops.append(workshop)
    # Anonymous counts of every category, one large enough to need a thousands separator.
    anonymous = {category.value: 3 for category in ActorCategory} | {"citizen": 1500}
    script.attendance(workshops[0], process, district, people, anonymous)
    script.workshop(
        process,
        district,
        method="world_cafe",
        title="Rinviato",
        starts_at="2019-05-01T16:00:00Z",
        status="postponed",
    )
    for index, (theme, kind) in enumerate(zip(list(Theme), list(InventionKind) * 2, strict=False)):
        invention = new_id()
        script.emit(
            "invention",
            invention,
            "invention.created",
            {
                "invention_id": invention,
                "process_id": process,
                "district_id": district,
                "edition_id": edition,
                "workshop_id": None,
                "origin": None,
                "title": f"Invenzione {index + 1}",
                "kind": kind.value,
                "theme": theme.value,
                "person_ids": [],
                "organisation_ids": [],
                "attachment_count": 0,
            },
        )
        if index == 0:
            script.hand_over(invention, process, district, ids["B"], "2019-05-01")

    def priority(title: str, steps: list[tuple[str, dict[str, Any]]]) -> None:
        priority_id = script.priority(process, district, title, edition)
        for step, extra in steps:
            script.priority_step(priority_id, process, district, step, **extra)

    submitted = ("submitted", {"year": 2019})
    validated = ("validated", {"year": 2019, "sitting_date": "2019-03-12", "motivation": "coerente"})
    assigned = ("assigned", {"project_table_workshop_ids": [workshops[3]]})
    priority("Priorità proposta", [])
    priority("Priorità presentata", [submitted])
    priority("Priorità validata", [submitted, validated])
    priority(
        "Priorità respinta",
        [submitted, ("rejected", {"year": 2019, "sitting_date": "2019-03-12", "motivation": "no"})],
    )
    priority("Priorità assegnata", [submitted, validated, assigned])
    priority("Priorità in corso", [submitted, validated, assigned, ("started", {})])
    for index, outcome in enumerate(PriorityOutcome):
        reported = (
            "reported",
            {"outcome": outcome.value, "restitution_workshop_id": workshops[7], "note": None},
        )
        priority(
            f"Priorità restituita {index + 1}",
            [submitted, validated, assigned, ("started", {}), reported],
        )
    script.evaluation(
        process, district, edition, {"ascolto": 4, "relazioni": 5, "continuita": 3, "influenza": "si"}
    )
    script.evaluation(
        process, district, edition, {"ascolto": 3, "relazioni": 4, "continuita": 4, "influenza": "in_parte"}
    )
    script.evaluation(process, district, edition, {"ascolto": 2, "cambiamento": 2, "influenza": "non_so"})
    return ids


async def pages(session: Session, script: EventScript, client: httpx.AsyncClient) -> dict[str, Any]:
    """The diary and dashboard of the region, in HTML and JSON."""
    ids = build_region(script)
    catch_up(session)
    diary_url, dashboard_url = f"/districts/{ids['A']}/diary", "/dashboard"
    params = {"edition": ids["E"]}
    out: dict[str, Any] = {"ids": ids}
    for name, url in (("diary", diary_url), ("dashboard", dashboard_url)):
        page = await client.get(url, params=params | {"format": "html"})
        assert page.status_code == 200, page.text
        out[name] = page.text
        out[f"{name}_json"] = (await client.get(url, params=params)).json()
    return out


async def test_no_codes_english_reprs_or_iso_dates_on_the_italian_pages(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    result = await pages(session, script, reporting_client)
    for name in ("diary", "dashboard"):
        found = problems(visible_text(result[name]))
        assert found == [], "\n".join([name, *found])


async def test_the_italian_labels_are_shown(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    result = await pages(session, script, reporting_client)
    diary, dashboard = visible_text(result["diary"]), visible_text(result["dashboard"])
    # "Esiti" may add up to more than the priorities: the page says why.
    assert "la somma degli esiti può superare il numero delle priorità" in " ".join(dashboard.split())
    categories = [L.label(L.CATEGORIES, c.value) for c in ActorCategory]
    assert categories[:8] == [
        "Amministratori",
        "Ufficio di piano",
        "Operatori sanitari",
        "Operatori sociali",
        "Educatori",
        "Terzo settore",
        "Imprese",
        "Cittadini",
    ]
    for text in (diary, dashboard):
        for expected in categories + [L.label(L.METHODS, m.value) for m in WorkshopMethod]:
            assert expected in text
        for theme in Theme:
            assert L.label(L.THEMES, theme.value) in text
    for outcome in ("Raggiunto", "Parzialmente raggiunto", "Non raggiunto", "Rinviato all'anno successivo"):
        assert outcome in diary
    for status in ("Proposta", "Presentata", "Validata", "Respinta", "Assegnata", "In corso", "Restituita"):
        assert f"{status} " in diary and status in dashboard
    for kind in InventionKind:
        assert f"({L.label(L.INVENTION_KINDS, kind.value).lower()})" in diary
    # The identity card's Statura as a table: steering groups, people by category and their total.
    assert "Cabina di regia ristretta 6 persone" in diary
    assert "Cabina di regia allargata 20 persone" in diary
    assert (
        "Persone coinvolte per categoria Amministratori 10 Ufficio di piano 11 Operatori sanitari 12" in diary
    )
    assert f"Totale {sum(range(10, 10 + len(ActorCategory)))}" in diary
    assert "Rinviato" in diary and "Svolto" in diary
    # Evaluation: the default card's dimensions and choices by name, means with a decimal comma.
    assert (
        "Influenza sul Piano di Zona" in diary
        and "In parte: 1" in diary
        and "Non so: 1" in diary
        and "Sì: 1" in diary
    )
    assert "Continuità della partecipazione" in diary and "3,5" in diary
    # Rome dates and Italian numbers.
    assert "01/11/2018 00:30" in diary and "consegnata a un altro distretto il 01/05/2019" in diary
    # 1.500 anonymous citizens and the registered one.
    assert "Cittadini: 1.501" in diary and "Cittadini: 1.501" in dashboard
    per_10000 = result["diary_json"]["participation"]["per_10000_residents"]
    assert f"{per_10000:.1f}".replace(".", ",") in diary and "," in f"{per_10000:.1f}".replace(".", ",")


async def test_json_keeps_the_codes(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    result = await pages(session, script, reporting_client)
    diary, dashboard = result["diary_json"], result["dashboard_json"]
    assert set(diary["participation"]["by_category"]) == {c.value for c in ActorCategory}
    assert set(dashboard["people_by_category"]) == {c.value for c in ActorCategory}
    assert set(diary["workshops"]["by_method"]) == {m.value for m in WorkshopMethod}
    assert {p["outcome"] for p in diary["priorities"]["items"] if p["outcome"]} == {
        o.value for o in PriorityOutcome
    }
    assert {p["status"] for p in diary["priorities"]["items"]} >= {
        "proposed",
        "submitted",
        "in_progress",
        "reported",
    }
    stature = diary["processes"][0]["identity_card"]["stature"]
    assert stature["core_steering_group_size"] == 6 and stature["people_involved"]["health_staff"] == 12
    assert {q["question"] for q in diary["evaluation"]["questions"]} >= {"ascolto", "influenza", "continuita"}
    assert isinstance(diary["participation"]["per_10000_residents"], float)


def test_every_producer_code_has_an_italian_label_and_is_forbidden_raw() -> None:
    words = forbidden_words()
    for table, enum in (
        (L.CATEGORIES, ActorCategory),
        (L.METHODS, WorkshopMethod),
        (L.THEMES, Theme),
        (L.INVENTION_KINDS, InventionKind),
        (L.PRIORITY_OUTCOMES, PriorityOutcome),
    ):
        for member in enum:
            assert member.value in table, member
            # Raw it may not be shown, unless the code is the Italian word itself (impollinazione).
            assert member.value in words or member.value == table[member.value][0].lower(), member
    text = "Educator 4.7 {'a': 1} None 2019-03-12T10:00 achieved 12345"
    assert len(problems(text)) >= 7
    assert problems("Educatori 4,7 12/03/2019 11:00 Raggiunto 12.345 sì") == []
