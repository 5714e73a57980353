"""The dashboard's map and tables read right for everyone: a colour-blind-safe sequential palette, districts not
taking part hatched (not one more shade of grey), and districts whose names read alike told apart by province."""

from __future__ import annotations

import itertools
import re

import httpx
import pytest
from sqlmodel import Session

from services.reporting import charts
from services.reporting.consumer import catch_up
from tests.reporting.conftest import EventScript, square

pytestmark = pytest.mark.anyio


def _luminance(hex_colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_the_palette_is_sequential_in_lightness() -> None:
    """Each class darker than the one before, so the order reads without hue (colour-blind readers, greyscale)."""
    lightness = [_luminance(colour) for colour in charts.PALETTE]
    assert lightness == sorted(lightness, reverse=True) and len(set(lightness)) == len(lightness)
    steps = [(a + 0.05) / (b + 0.05) for a, b in itertools.pairwise(lightness)]
    assert min(steps) > 1.25, steps


async def test_alike_names_get_their_province_and_absent_districts_are_hatched(
    session: Session, script: EventScript, reporting_client: httpx.AsyncClient
) -> None:
    parma = script.district(
        "Sud Est", code="007", population=75_927, boundary=square(10.3, 44.6), province="PR"
    )
    ferrara = script.district(
        "Sud-Est", code="032", population=101_079, boundary=square(11.9, 44.7), province="FE"
    )
    levante = script.district(
        "Levante", code="001", population=108_815, boundary=square(9.8, 45.0), province="PC"
    )
    edition = script.edition(script.programme("Community Lab"), "2019", [parma], "2019-01-01", "2019-12-31")
    script.process(parma, edition, "Percorso di Parma")
    catch_up(session)

    dashboard = (await reporting_client.get("/dashboard", params={"edition": edition})).json()
    shown = {row["id"]: row["display_name"] for row in dashboard["districts"]}
    assert shown == {parma: "Sud Est (PR)", ferrara: "Sud-Est (FE)", levante: "Levante"}
    diary = (await reporting_client.get(f"/districts/{parma}/diary", params={"edition": edition})).json()
    assert diary["district"]["display_name"] == "Sud Est (PR)" and diary["district"]["name"] == "Sud Est"

    html = (
        await reporting_client.get("/dashboard", params={"edition": edition}, headers={"Accept": "text/html"})
    ).text
    assert "<td>Sud Est (PR)</td>" in html and "<td>Sud-Est (FE)</td>" in html and "<td>Levante</td>" in html
    fills = dict(re.findall(r'data-district-id="([^"]+)" d="[^"]*" fill="([^"]+)"', html))
    # Parma takes part (its class is a palette colour); Ferrara and Piacenza do not: hatched, as in the legend.
    assert fills[parma] in charts.PALETTE
    assert fills[ferrara] == fills[levante] == "url(#non-partecipa)"
    assert '<pattern id="non-partecipa"' in html
    assert re.search(r'fill="url\(#non-partecipa\)"[^>]*/><text[^>]*>non partecipa</text>', html)
    # The map's tooltips name the district as the table does.
    assert "<title>Sud-Est (FE): non partecipa</title>" in html
