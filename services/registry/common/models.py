"""Column helpers of the registry's tables: the PostgreSQL schema, search text and enum columns."""

from __future__ import annotations

import unicodedata
from enum import StrEnum

import sqlalchemy as sa

SCHEMA = "registry"


def normalise_search(*parts: str | None) -> str:
    """Lowercase, unaccented text used for accent-insensitive search ("Forlì" -> "forli")."""
    text = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())[:1000]


def enum_column(enum: type[StrEnum], name: str) -> sa.Enum:
    """The column type of an enum, stored as a plain string."""
    # Stored as plain strings (no native PG enum) so adding a value needs no type migration.
    return sa.Enum(
        enum, name=name, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e]
    )
