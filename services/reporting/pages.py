"""Server-rendered Italian pages (Jinja2) of the diary and the dashboard, with inline SVG charts."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.reporting import charts
from services.reporting.labels import (
    CATEGORIES,
    METHODS,
    PRIORITY_STATUSES,
    PROCESS_STATUSES,
    THEMES,
    WORKSHOP_STATUSES,
    date_it,
    datetime_it,
    label,
    month_it,
)
from shared.db import utcnow

OUTCOMES = {"validated": "Validate", "rejected": "Respinte", "pending": "In attesa", "reported": "Restituite"}

environment = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters.update(
    {
        "date_it": lambda v: date_it(_as_date(v)),
        "datetime_it": lambda v: datetime_it(v) if v else "—",
        "method": lambda v: label(METHODS, v),
        "theme": lambda v: label(THEMES, v),
        "priority_status": lambda v: label(PRIORITY_STATUSES, v),
        "workshop_status": lambda v: label(WORKSHOP_STATUSES, v),
        "process_status": lambda v: label(PROCESS_STATUSES, v),
    }
)


def _as_date(value: Any) -> Any:
    if isinstance(value, str) and value:
        from datetime import date

        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return value


def _labels(table: dict[str, tuple[str, str]], keys: Any) -> dict[str, str]:
    return {key: label(table, key) for key in keys}


def _evaluation_chart(evaluation: dict[str, Any]) -> Any:
    means = {
        q["question"].replace("_", " "): q["mean"] for q in evaluation["questions"] if q["mean"] is not None
    }
    return charts.bar_chart("Valutazione: media per domanda", means)


def render_diary(report: dict[str, Any]) -> str:
    """The printable Italian Diario."""
    participation = report["participation"]["by_category"]
    chart_set = {
        "workshops_by_method": charts.bar_chart(
            "Laboratori svolti per metodo",
            report["workshops"]["by_method"],
            labels=_labels(METHODS, report["workshops"]["by_method"]),
        ),
        "participation": charts.bar_chart(
            "Persone coinvolte per categoria", participation, labels=_labels(CATEGORIES, participation)
        ),
        "inventions": charts.bar_chart(
            "Invenzioni per macro-tema",
            report["inventions"]["by_theme"],
            labels=_labels(THEMES, report["inventions"]["by_theme"]),
        ),
        "priorities": charts.bar_chart(
            "Priorità per stato",
            report["priorities"]["by_status"],
            labels=_labels(PRIORITY_STATUSES, report["priorities"]["by_status"]),
        ),
        "evaluation": _evaluation_chart(report["evaluation"]),
    }
    return environment.get_template("diary.html").render(
        d=report, charts=chart_set, generated_at=datetime_it(utcnow())
    )


def render_dashboard(report: dict[str, Any], geometries: dict[uuid.UUID, dict[str, Any]]) -> str:
    """The Italian regional dashboard with the map of districts."""
    rows = report["districts"]
    values = {r["id"]: (r.get("per_10000_residents") or 0.0) if r["participating"] else None for r in rows}
    names = {r["id"]: r["name"] for r in rows}
    chart_set: dict[str, Any] = {
        "map": charts.choropleth(
            geometries, values, names, title="Persone coinvolte ogni 10.000 residenti, per distretto"
        ),
        "comparison": charts.bar_chart(
            "Persone coinvolte per edizione", {c["name"]: c["people_involved"] for c in report["comparison"]}
        ),
    }
    if report.get("edition"):
        chart_set |= {
            "people_by_category": charts.bar_chart(
                "Persone per categoria",
                report["people_by_category"],
                labels=_labels(CATEGORIES, report["people_by_category"]),
            ),
            "workshops_by_method": charts.bar_chart(
                "Laboratori per metodo",
                report["workshops_by_method"],
                labels=_labels(METHODS, report["workshops_by_method"]),
            ),
            "workshops_by_month": charts.bar_chart(
                "Laboratori per mese",
                report["workshops_by_month"],
                labels={k: month_it(k) for k in report["workshops_by_month"]},
            ),
            "inventions_by_theme": charts.bar_chart(
                "Invenzioni per macro-tema",
                report["inventions_by_theme"],
                labels=_labels(THEMES, report["inventions_by_theme"]),
            ),
            "priorities_by_status": charts.bar_chart(
                "Priorità per stato",
                report["priorities_by_status"],
                labels=_labels(PRIORITY_STATUSES, report["priorities_by_status"]),
            ),
            "priorities_by_outcome": charts.bar_chart(
                "Esiti delle priorità", report["priorities_by_outcome"], labels=OUTCOMES
            ),
            "evaluation": _evaluation_chart(report["evaluation"]),
        }
    return environment.get_template("dashboard.html").render(
        d=report, charts=chart_set, generated_at=datetime_it(utcnow())
    )
