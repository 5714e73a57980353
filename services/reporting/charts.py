"""Charts as inline SVG (no JavaScript, prints as vectors): horizontal bars and the map of districts."""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from services.reporting.labels import number_it

# ColorBrewer's YlGnBu in six classes: sequential, safe for the common colour-vision deficiencies and in
# greyscale print (lightness rises steadily from the darkest class to the lightest).
PALETTE = ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")
# "Not taking part" is a hatching, not one more colour: it cannot be mistaken for the palette's lightest class.
NOT_TAKING_PART = "url(#non-partecipa)"
NOT_TAKING_PART_PATTERN = (
    '<defs><pattern id="non-partecipa" patternUnits="userSpaceOnUse" width="6" height="6" '
    'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#5b6770" stroke-width="1.6"/>'
    "</pattern></defs>"
)


def bar_chart(
    title: str,
    data: Mapping[str, int | float],
    *,
    labels: Mapping[str, str] | None = None,
    maxima: Mapping[str, int | float] | None = None,
    decimals: int | None = None,
) -> Markup:
    """A horizontal bar chart; an empty dataset gives a short note instead of an empty frame.

    With ``maxima`` a bar is drawn against its own full scale (a mean of 4 out of 5 fills four fifths of the
    row, whatever the other bars) and its value reads "4,00 su 5"; otherwise bars are relative to the largest.
    """
    items = [(key, value) for key, value in data.items() if value is not None]
    if not items:
        return Markup('<p class="empty">Nessun dato.</p>')
    labels = labels or {}
    row_height, label_width, bar_width = 26, 230, 300
    height = row_height * len(items) + 10
    top = max(value for _, value in items) or 1
    room = label_width + bar_width + (110 if maxima else 70)
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" width="{room}" '
        f'height="{height}" viewBox="0 0 {room} {height}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (key, value) in enumerate(items):
        y = 5 + index * row_height
        full = float(maxima[key]) if maxima and maxima.get(key) else float(top)
        width = min(float(bar_width), max(1.0, bar_width * float(value) / full)) if value else 0.0
        text = escape(labels.get(key, key))
        shown = number_it(value, decimals)
        if maxima and maxima.get(key):
            shown = f"{shown} su {number_it(maxima[key])}"
        parts.append(
            f'<g class="bar"><text x="{label_width - 6}" y="{y + 16}" text-anchor="end">{text}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{width:.1f}" height="{row_height - 8}" fill="#2b8cbe">'
            f"<title>{text}: {shown}</title></rect>"
            f'<text x="{label_width + width + 6:.1f}" y="{y + 16}">{shown}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _rings(geometry: Mapping[str, Any]) -> list[list[list[float]]]:
    coordinates = geometry.get("coordinates") or []
    if geometry.get("type") == "Polygon":
        return [ring for ring in coordinates if ring]
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in coordinates for ring in polygon if ring]
    return []


def choropleth(
    geometries: Mapping[uuid.UUID, Mapping[str, Any]],
    values: Mapping[uuid.UUID, float | None],
    names: Mapping[uuid.UUID, str],
    *,
    title: str,
    width: int = 760,
    height: int = 460,
) -> Markup:
    """The districts drawn from their GeoJSON boundaries (lon/lat, equirectangular scaled at the mean latitude),
    coloured in six classes of ``values``; districts without a value are hatched."""
    shapes = {key: _rings(geometry) for key, geometry in geometries.items()}
    points = [(p[0], p[1]) for rings in shapes.values() for ring in rings for p in ring if len(p) >= 2]
    if not points:
        return Markup('<p class="empty">Confini dei distretti non disponibili.</p>')
    min_x, max_x = min(p[0] for p in points), max(p[0] for p in points)
    min_y, max_y = min(p[1] for p in points), max(p[1] for p in points)
    aspect = math.cos(math.radians((min_y + max_y) / 2))
    span_x = max((max_x - min_x) * aspect, 1e-9)
    span_y = max(max_y - min_y, 1e-9)
    scale = min((width - 20) / span_x, (height - 60) / span_y)
    present = sorted(v for v in values.values() if v is not None)
    top = present[-1] if present else 0

    def colour(value: float | None) -> str:
        if value is None:
            return NOT_TAKING_PART
        if top <= 0:
            return PALETTE[0]
        return PALETTE[min(len(PALETTE) - 1, int(value / top * (len(PALETTE) - 1) + 0.5))]

    def project(point: Sequence[float]) -> str:
        x = 10 + (point[0] - min_x) * aspect * scale
        y = 10 + (max_y - point[1]) * scale
        return f"{x:.1f},{y:.1f}"

    parts = [
        f'<svg class="map" xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
        NOT_TAKING_PART_PATTERN,
    ]
    for key, rings in shapes.items():
        path = " ".join("M" + " L".join(project(p) for p in ring if len(p) >= 2) + " Z" for ring in rings)
        value = values.get(key)
        shown = "non partecipa" if value is None else f"{number_it(value)} ogni 10.000 residenti"
        parts.append(
            f'<path class="district" data-district-id="{key}" d="{path}" fill="{colour(value)}" '
            f'stroke="#555" stroke-width="0.8" fill-rule="evenodd"><title>{escape(names.get(key, ""))}: '
            f"{escape(shown)}</title></path>"
        )
    legend_y = height - 30
    for index, fill in enumerate(PALETTE):
        threshold = top * index / (len(PALETTE) - 1) if top else 0
        parts.append(
            f'<rect x="{10 + index * 70}" y="{legend_y}" width="20" height="14" fill="{fill}" stroke="#555"/>'
            f'<text x="{34 + index * 70}" y="{legend_y + 12}" font-size="11">{number_it(threshold, 1 if top < 10 else 0)}</text>'
        )
    parts.append(
        f'<rect x="{10 + len(PALETTE) * 70}" y="{legend_y}" width="20" height="14" fill="{NOT_TAKING_PART}" '
        f'stroke="#555"/><text x="{34 + len(PALETTE) * 70}" y="{legend_y + 12}" font-size="11">non partecipa</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))
