"""Fixtures of the fault suite: a throw-away migrated database and real service processes (see servers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.servers import FaultDatabase, Services, throwaway_database


@pytest.fixture
def fault_db(tmp_path: Path) -> Iterator[FaultDatabase]:
    """A fresh, migrated database (PostgreSQL when the suite runs on PostgreSQL, else SQLite)."""
    with throwaway_database(tmp_path) as database:
        yield database


@pytest.fixture
def services(fault_db: FaultDatabase, tmp_path: Path) -> Iterator[Services]:
    """The process manager of one test (kills leftovers even when the test fails)."""
    manager = Services(fault_db, tmp_path)
    try:
        yield manager
    finally:
        manager.close()
