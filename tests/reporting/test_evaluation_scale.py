"""Evaluation results read against the card's own scale, and one rounding rule for JSON and pages."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlmodel import Session

from services.reporting.consumer import catch_up, rebuild
from tests.reporting.conftest import EventScript

pytestmark = pytest.mark.anyio


def _bar_widths(html: str) -> dict[str, float]:
    """Question label -> width of its bar in the evaluation chart."""
    section = html[html.index('id="valutazione"') :]
    chart = section[: section.index("</svg>")]
    return {
        label: float(width)
        for label, width in re.findall(r'text-anchor="end">([^<]+)</text><rect [^>]*width="([\d.]+)"', chart)
    }


async def test_bars_and_means_on_the_cards_own_scale(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    district = script.district("Distretto Scale", code="DS1", population=40_000)
    edition = script.edition(
        script.programme("Community Lab"), "2019", [district], "2019-01-01", "2019-12-31"
    )
    process = script.process(district, edition, "Percorso con due carte")
    # "ascolto" on 1-5: 3, 3, 3, 4 -> 3.25. "fiducia" on 0-10: seven 0s and one 1 -> 0.125, which rounds half
    # up to 0.13 (Python's round gives 0.12).
    for value in (3, 3, 3, 4):
        script.evaluation(process, district, edition, {"ascolto": value}, scales={"ascolto": [1, 5]})
    for value in (0, 0, 0, 0, 0, 0, 0, 1):
        script.evaluation(process, district, edition, {"fiducia": value}, scales={"fiducia": [0, 10]})
    catch_up(session)

    for _ in ("live", "rebuilt"):
        diary = (
            await reporting_client.get(f"/districts/{district}/diary", params={"edition": edition})
        ).json()
        questions = {q["question"]: q for q in diary["evaluation"]["questions"]}
        assert (questions["ascolto"]["mean"], questions["ascolto"]["scale_max"]) == (3.25, 5)
        assert (questions["fiducia"]["mean"], questions["fiducia"]["scale_max"]) == (0.13, 10)
        # Every step of the scale is in the distribution, the ones nobody chose as 0.
        assert questions["ascolto"]["distribution"] == {"1": 0, "2": 0, "3": 3, "4": 1, "5": 0}
        assert list(questions["fiducia"]["distribution"]) == [str(step) for step in range(11)]

        html = (
            await reporting_client.get(
                f"/districts/{district}/diary", params={"edition": edition}, headers={"Accept": "text/html"}
            )
        ).text
        widths = _bar_widths(html)
        # 3.25 of 5 fills 65% of the 300-unit row; 0.13 of 10 fills 1.3% (not the whole row as the largest).
        assert widths["Ascolto"] == pytest.approx(300 * 3.25 / 5, abs=0.1)
        assert widths["Fiducia"] == pytest.approx(300 * 0.13 / 10, abs=0.1)
        # The page prints the JSON's value with the same two decimals, in the table and on the bar.
        assert "3,25 su 5" in html and "0,13 su 10" in html
        assert "0,12" not in html
        rebuild(session)


async def test_responses_recorded_before_cards_said_their_scale_still_summarise(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    district = script.district("Distretto Vecchio", code="DS2", population=10_000)
    edition = script.edition(
        script.programme("Community Lab"), "2018", [district], "2018-01-01", "2018-12-31"
    )
    process = script.process(district, edition, "Percorso di prima")
    for value in (2, 5):
        script.evaluation(process, district, edition, {"ascolto": value})
    catch_up(session)
    diary = (await reporting_client.get(f"/districts/{district}/diary", params={"edition": edition})).json()
    ascolto = next(q for q in diary["evaluation"]["questions"] if q["question"] == "ascolto")
    assert (ascolto["mean"], ascolto["scale_max"], ascolto["distribution"]) == (3.5, None, {"2": 1, "5": 1})
