"""A scripted edition: three districts, two editions, processes, workshops, inventions, priorities and
evaluations, with the figures a reader would count by hand from the script (``EXPECTED``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.reporting.conftest import EventScript, square


@dataclass
class Edition:
    """The ids the script created."""

    ids: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> str:
        return self.ids[key]


def build(script: EventScript, consume: Callable[[], None] = lambda: None) -> Edition:
    """Write the scripted edition; ``consume`` is called between stages (live consumption)."""
    e = Edition()
    ids = e.ids
    ids["A"] = script.district(
        "Distretto Pianura Est", code="D01", population=100_000, boundary=square(11.0, 44.5)
    )
    ids["B"] = script.district(
        "Distretto Appennino", code="D02", population=25_000, boundary=square(11.2, 44.3)
    )
    ids["C"] = script.district("Distretto Costa", code="D03", population=80_000, boundary=square(12.2, 44.1))
    A, B = ids["A"], ids["B"]
    p1, p2, p3 = script.person("citizen", A), script.person("third_sector", A), script.person("ausl", A)
    p4, p5 = script.person("citizen", B), script.person("planning_office", B)
    ids.update(p1=p1, p2=p2, p3=p3, p4=p4, p5=p5)
    programme = script.programme("Community Lab")
    ids["E0"] = script.edition(programme, "Community Express 2016-2017", [A], "2016-11-03", "2017-01-25")
    ids["E1"] = script.edition(programme, "Community Lab 2018-2019", [A, B], "2018-10-01", "2019-06-30")
    E0, E1 = ids["E0"], ids["E1"]
    consume()

    PA = ids["PA"] = script.process(A, E1, "Aggiungi un posto al tavolo")
    PB = ids["PB"] = script.process(B, E1, "Comunità in cammino")
    P0 = ids["P0"] = script.process(A, E0, "Express a Pianura Est")
    body = script.steering_group(A, PA)
    script.member_added(body, A, p2, role="coordinatore", on="2018-10-05")
    wA1 = ids["wA1"] = script.workshop(
        PA, A, method="open_space_technology", title="Apertura", starts_at="2018-11-15T17:00:00Z"
    )
    wA2 = ids["wA2"] = script.workshop(
        PA, A, method="world_cafe", title="Café", starts_at="2019-01-20T09:00:00Z"
    )
    ids["wA3"] = script.workshop(
        PA, A, method="thematic_table", title="Tavolo fragilità", starts_at="2019-02-10T09:00:00Z"
    )
    # 23:30 UTC on 30 November is 00:30 on 1 December in Rome: the workshop counts in December.
    wB1 = ids["wB1"] = script.workshop(
        PB, B, method="open_space_technology", title="OST Appennino", starts_at="2018-11-30T23:30:00Z"
    )
    w01 = ids["w01"] = script.workshop(
        P0, A, method="restitution_event", title="Tappa Express", starts_at="2017-01-25T16:00:00Z"
    )
    consume()

    script.held(wA1, PA, A)
    script.attendance(wA1, PA, A, [p1, p2], {"citizen": 5})
    script.held(wA2, PA, A)
    # Recorded twice (a correction): the second record replaces the first.
    script.attendance(wA2, PA, A, [p1], {"third_sector": 9})
    script.attendance(wA2, PA, A, [p1, p3], {"third_sector": 2})
    script.attendance(wB1, PB, B, [p4, p5], {"business": 3})
    script.held(w01, P0, A)
    script.attendance(w01, P0, A, [p1], {"citizen": 10})
    consume()

    i1 = ids["i1"] = script.invention(PA, A, E1, title="Portierato sociale", theme="reti_vive")
    script.hand_over(i1, PA, A, B, "2019-05-01")
    ids["i2"] = script.invention(PA, A, E1, title="Guida ai servizi", theme="i_prodotti_tangibili")
    ids["i3"] = script.invention(PB, B, E1, title="Sportello di comunità", theme="oltre_i_servizi")
    pr1 = ids["pr1"] = script.priority(PA, A, "Casa della salute", E1)
    script.priority_step(pr1, PA, A, "submitted", year=2019)
    script.session.flush()
    consume()
    script.priority_step(pr1, PA, A, "validated", year=2019, sitting_date="2019-03-12", motivation="coerente")
    script.priority_step(pr1, PA, A, "assigned", project_table_workshop_ids=[ids["wA3"]])
    script.priority_step(pr1, PA, A, "started")
    script.priority_step(
        pr1, PA, A, "reported", outcome="Casa della salute aperta", restitution_workshop_id=wA1, note=None
    )
    pr2 = ids["pr2"] = script.priority(PA, A, "Trasporto sociale", E1)
    script.priority_step(pr2, PA, A, "submitted", year=2019)
    script.priority_step(pr2, PA, A, "rejected", year=2019, sitting_date="2019-03-12", motivation="risorse")
    ids["pr3"] = script.priority(PB, B, "Centro giovani", E1)
    pr4 = ids["pr4"] = script.priority(None, A, "Rete caregiver", E1)
    script.priority_step(pr4, None, A, "validated", year=2019, sitting_date="2019-04-02", motivation="ok")
    script.evaluation(PA, A, E1, {"fiducia": 4, "nuove_relazioni": "molto"})
    script.evaluation(PA, A, E1, {"fiducia": 2, "nuove_relazioni": "poco"})
    script.evaluation(PB, B, E1, {"fiducia": 5})
    consume()
    return e


# What the script yields, counted by hand.
DIARY_A = {
    "summary": {
        "processes": 1,
        "workshops_scheduled": 3,
        "workshops_held": 2,
        "people_involved": 10,
        "inventions": 2,
        "handovers": 1,
        "priorities": 3,
        "priorities_validated": 2,
        "evaluation_responses": 2,
    },
    "workshops_by_method": {"open_space_technology": 1, "world_cafe": 1},
    "participation": {
        "people_involved": 10,
        "identified_people": 3,
        "anonymous_participants": 7,
        "attendances": 11,
        "by_category": {"ausl": 1, "citizen": 6, "third_sector": 3},
        "per_10000_residents": 1.0,
    },
    "inventions_by_theme": {"i_prodotti_tangibili": 1, "reti_vive": 1},
    "priorities_by_status": {"rejected": 1, "reported": 1, "validated": 1},
    "priorities_by_outcome": {"validated": 2, "rejected": 1, "pending": 0, "reported": 1},
}

DASHBOARD_E1 = {
    "districts_total": 3,
    "districts_participating": 2,
    "people_involved": 15,
    "per_10000_residents": 1.2,
    "people_by_category": {"ausl": 1, "business": 3, "citizen": 7, "planning_office": 1, "third_sector": 3},
    "workshops_by_method": {"open_space_technology": 2, "world_cafe": 1},
    "workshops_by_month": {"2018-11": 1, "2018-12": 1, "2019-01": 1},
    "inventions_by_theme": {"i_prodotti_tangibili": 1, "oltre_i_servizi": 1, "reti_vive": 1},
    "priorities_by_status": {"proposed": 1, "rejected": 1, "reported": 1, "validated": 1},
    "priorities_by_outcome": {"validated": 2, "rejected": 1, "pending": 1, "reported": 1},
    "per_district": {"A": (10, 1.0, True), "B": (5, 2.0, True), "C": (0, 0.0, False)},
    "comparison": {
        "Community Express 2016-2017": {
            "districts_participating": 1,
            "processes": 1,
            "workshops_held": 1,
            "people_involved": 11,
        },
        "Community Lab 2018-2019": {
            "districts_participating": 2,
            "processes": 2,
            "workshops_held": 3,
            "people_involved": 15,
            "inventions": 3,
            "priorities_validated": 2,
        },
    },
}
