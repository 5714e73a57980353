"""Small helpers for migration files: schemas that exist only on PostgreSQL."""

from __future__ import annotations

from alembic import op


def create_schema(name: str) -> None:
    """Create a PostgreSQL schema (SQLite maps every schema to the main database)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'CREATE SCHEMA IF NOT EXISTS "{name}"')


def drop_schema(name: str) -> None:
    """Drop a PostgreSQL schema if it is empty."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'DROP SCHEMA IF EXISTS "{name}"')
