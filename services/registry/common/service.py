"""Steps every registry domain's rules share: search filters, link tables."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import delete
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from services.registry.common.models import normalise_search
from shared.errors import FieldError, ValidationFailed

Row = TypeVar("Row")


def search_filter(column: Any, q: str) -> Any:
    """Accent-insensitive "contains" on a normalised search column."""
    return column.contains(normalise_search(q), autoescape=True)


def first(ids: Sequence[uuid.UUID]) -> uuid.UUID | None:
    """The first id, or None: the district an event is filed under."""
    return ids[0] if ids else None


def unique(ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    """The ids without repeats, in their first order."""
    seen: dict[uuid.UUID, None] = {}
    for item in ids:
        seen.setdefault(item, None)
    return list(seen)


def links(
    session: Session, column: Any, key: Any, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Map each id to its linked ids (district_ids of organisations, affiliations of people...)."""
    result: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    if not ids:
        return result
    for owner, linked in session.exec(select(key, column).where(key.in_(ids)).order_by(key, column)).all():
        result[owner].append(linked)
    return result


def set_links(
    session: Session, model: Any, owner_field: str, owner_id: uuid.UUID, field: str, ids: Sequence[uuid.UUID]
) -> None:
    """Replace the links of one owner in a link table."""
    session.exec(delete(model).where(getattr(model, owner_field) == owner_id))  # type: ignore[call-overload]
    for linked in ids:
        session.add(model(**{owner_field: owner_id, field: linked}))


def rows_by(
    session: Session, statement: SelectOfScalar[Row], *, owner: str, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Row]]:
    """Run ``statement`` once and group its rows by their ``owner`` column (nothing runs without ids)."""
    result: dict[uuid.UUID, list[Row]] = defaultdict(list)
    if ids:
        for row in session.exec(statement).all():
            result[getattr(row, owner)].append(row)
    return result


def require_existing(
    session: Session, *, id_column: Any, ids: Sequence[uuid.UUID], path: str, noun: str
) -> None:
    """422 naming each id (by its position in the body) that has no row."""
    if not ids:
        return
    found = set(session.exec(select(id_column).where(id_column.in_(ids))).all())
    missing = [
        FieldError(path=f"{path}[{i}]", message=f"{noun} {item} does not exist")
        for i, item in enumerate(ids)
        if item not in found
    ]
    if missing:
        raise ValidationFailed(f"unknown {noun}", errors=missing)
