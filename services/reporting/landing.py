"""The open data's landing page (the data package's ``homepage``): every resource, its rows and links."""

from __future__ import annotations

from services.reporting.datapackage import OpenDataSummary
from services.reporting.labels import datetime_it
from services.reporting.pages import environment
from shared.db import utcnow


def render_landing(summary: OpenDataSummary, *, base: str, publisher: str) -> str:
    """The Italian page at /opendata; ``base`` is the path the open data is served under (links start there)."""
    period = (summary.start, summary.end) if summary.start and summary.end else None
    return environment.get_template("opendata.html").render(
        resources=summary.resources,
        period=period,
        base=base,
        publisher=publisher,
        generated_at=datetime_it(utcnow()),
    )
