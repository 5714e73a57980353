"""The printable manual of a publication, in Italian (the same page style as reporting's Diario)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.workshops.localtime import ROME
from shared.db import utcnow

MONTHS = (
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
)

environment = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def date_it(value: datetime) -> str:
    """``3 dicembre 2026`` in Europe/Rome."""
    local = value.astimezone(ROME)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}"


def datetime_it(value: datetime) -> str:
    """``3 dicembre 2026, 09:15`` in Europe/Rome."""
    local = value.astimezone(ROME)
    return f"{date_it(value)}, {local:%H:%M}"


def render_manual(publication: dict[str, Any]) -> str:
    """The HTML page of a publication (``service.publication_view``): one main, a heading per chapter and card."""
    chapters = [
        {
            **chapter,
            "cards": [
                {**card, "paragraphs": [p.strip() for p in card["body"].split("\n\n") if p.strip()]}
                for card in chapter["cards"]
            ],
        }
        for chapter in publication["chapters"]
    ]
    return environment.get_template("manual.html").render(
        m={**publication, "chapters": chapters},
        published_at=date_it(publication["published_at"]),
        generated_at=datetime_it(utcnow()),
    )
