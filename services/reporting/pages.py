"""Server-rendered Italian pages (Jinja2) of the diary and the dashboard, with inline SVG charts."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.reporting import charts
from services.reporting.labels import (
    AGREEMENT_KINDS,
    ANSWER_CATEGORIES,
    BODIES,
    CATEGORIES,
    EVALUATION_CHOICES,
    EVALUATION_QUESTIONS,
    INVENTION_KINDS,
    METHODS,
    PRIORITY_BUCKETS,
    PRIORITY_OUTCOMES,
    PRIORITY_STATUSES,
    PROCESS_STATUSES,
    RELATIONS,
    STATURE,
    THEMES,
    WORKSHOP_STATUSES,
    date_it,
    datetime_it,
    label,
    month_it,
    number_it,
)
from shared.db import utcnow
from shared.numbers import MEAN_PLACES

environment = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters.update(
    {
        "date_it": lambda v: date_it(_as_date(v)),
        "datetime_it": lambda v: datetime_it(_as_datetime(v)),
        "num": number_it,
        "method": lambda v: label(METHODS, v),
        "category": lambda v: label(CATEGORIES, v),
        "invention_kind": lambda v: label(INVENTION_KINDS, v),
        "outcome": lambda v: label(PRIORITY_OUTCOMES, v),
        "question": lambda v: label(EVALUATION_QUESTIONS, v),
        "choice": lambda v: label(EVALUATION_CHOICES, v),
        "theme": lambda v: label(THEMES, v),
        "priority_status": lambda v: label(PRIORITY_STATUSES, v),
        "workshop_status": lambda v: label(WORKSHOP_STATUSES, v),
        "process_status": lambda v: label(PROCESS_STATUSES, v),
        "body_kind": lambda v: label(BODIES, v),
        "relation": lambda v: label(RELATIONS, v),
        "agreement_kind": lambda v: label(AGREEMENT_KINDS, v),
        "answer_category": lambda v: label(ANSWER_CATEGORIES, v),
    }
)


def _as_date(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 10:
        # A timestamp: its day is the day in Rome.
        return _as_datetime(value)
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return value


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        # A naive timestamp from the read models is UTC (they store aware UTC; SQLite may drop the zone).
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def _stature_rows(stature: Any) -> list[dict[str, Any]]:
    """The *Statura* of an identity card as rows: steering-group sizes, then people by category and their total."""
    if not isinstance(stature, dict):
        return []
    rows: list[dict[str, Any]] = []
    for key, value in stature.items():
        if isinstance(value, dict):
            people = _ordered(
                CATEGORIES,
                {k: v for k, v in value.items() if isinstance(v, int | float) and not isinstance(v, bool)},
            )
            if not people:
                continue
            rows.append({"label": label(STATURE, key), "value": None, "group": True})
            rows.extend(
                {"label": label(CATEGORIES, k), "value": number_it(v), "indent": True}
                for k, v in people.items()
            )
            rows.append(
                {"label": "Totale", "value": number_it(sum(people.values())), "indent": True, "total": True}
            )
        elif isinstance(value, int | float) and not isinstance(value, bool):
            rows.append({"label": label(STATURE, key), "value": f"{number_it(value)} persone"})
        elif value not in (None, "", [], {}):
            rows.append({"label": label(STATURE, key), "value": str(value)})
    return rows


def _ordered(table: dict[str, tuple[str, str]], data: dict[str, Any]) -> dict[str, Any]:
    """``data`` in the order of the label table (the order readers know), unknown codes last."""
    rank = {code: index for index, code in enumerate(table)}
    return dict(sorted(data.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0])))


def _labels(table: dict[str, tuple[str, str]], keys: Any) -> dict[str, str]:
    return {key: label(table, key) for key in keys}


def _evaluation_chart(evaluation: dict[str, Any]) -> Any:
    means = {q["question"]: q["mean"] for q in evaluation["questions"] if q["mean"] is not None}
    maxima = {q["question"]: q["scale_max"] for q in evaluation["questions"] if q.get("scale_max")}
    return charts.bar_chart(
        "Valutazione: media per domanda, sulla scala della carta",
        _ordered(EVALUATION_QUESTIONS, means),
        labels=_labels(EVALUATION_QUESTIONS, means),
        maxima=maxima,
        decimals=MEAN_PLACES,
    )


def render_diary(report: dict[str, Any]) -> str:
    """The printable Italian Diario."""
    participation = report["participation"]["by_category"]
    chart_set = {
        "workshops_by_method": charts.bar_chart(
            "Laboratori svolti per metodo",
            _ordered(METHODS, report["workshops"]["by_method"]),
            labels=_labels(METHODS, report["workshops"]["by_method"]),
        ),
        "participation": charts.bar_chart(
            "Persone coinvolte per categoria",
            _ordered(CATEGORIES, participation),
            labels=_labels(CATEGORIES, participation),
        ),
        "inventions": charts.bar_chart(
            "Invenzioni per macro-tema",
            _ordered(THEMES, report["inventions"]["by_theme"]),
            labels=_labels(THEMES, report["inventions"]["by_theme"]),
        ),
        "priorities": charts.bar_chart(
            "Priorità per stato",
            _ordered(PRIORITY_STATUSES, report["priorities"]["by_status"]),
            labels=_labels(PRIORITY_STATUSES, report["priorities"]["by_status"]),
        ),
        "evaluation": _evaluation_chart(report["evaluation"]),
    }
    return environment.get_template("diary.html").render(
        d=report,
        charts=chart_set,
        inventions_by_theme=_ordered(THEMES, report["inventions"]["items_by_theme"]),
        stature={
            str(p["id"]): _stature_rows((p.get("identity_card") or {}).get("stature"))
            for p in report["processes"]
        },
        generated_at=datetime_it(utcnow()),
    )


def render_dashboard(report: dict[str, Any], geometries: dict[uuid.UUID, dict[str, Any]]) -> str:
    """The Italian regional dashboard with the map of districts."""
    rows = report["districts"]
    values = {r["id"]: (r.get("per_10000_residents") or 0.0) if r["participating"] else None for r in rows}
    names = {r["id"]: r["display_name"] for r in rows}
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
                _ordered(CATEGORIES, report["people_by_category"]),
                labels=_labels(CATEGORIES, report["people_by_category"]),
            ),
            "workshops_by_method": charts.bar_chart(
                "Laboratori per metodo",
                _ordered(METHODS, report["workshops_by_method"]),
                labels=_labels(METHODS, report["workshops_by_method"]),
            ),
            "workshops_by_month": charts.bar_chart(
                "Laboratori per mese",
                report["workshops_by_month"],
                labels={k: month_it(k) for k in report["workshops_by_month"]},
            ),
            "inventions_by_theme": charts.bar_chart(
                "Invenzioni per macro-tema",
                _ordered(THEMES, report["inventions_by_theme"]),
                labels=_labels(THEMES, report["inventions_by_theme"]),
            ),
            "priorities_by_status": charts.bar_chart(
                "Priorità per stato",
                _ordered(PRIORITY_STATUSES, report["priorities_by_status"]),
                labels=_labels(PRIORITY_STATUSES, report["priorities_by_status"]),
            ),
            "priorities_by_outcome": charts.bar_chart(
                "Esiti delle priorità",
                _ordered(PRIORITY_BUCKETS, report["priorities_by_outcome"]),
                labels=_labels(PRIORITY_BUCKETS, report["priorities_by_outcome"]),
            ),
            "evaluation": _evaluation_chart(report["evaluation"]),
        }
    return environment.get_template("dashboard.html").render(
        d=report, charts=chart_set, generated_at=datetime_it(utcnow())
    )
