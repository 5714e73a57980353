"""The three services as real uvicorn processes over one throw-away migrated database, for schemathesis.

Schemathesis drives thousands of requests that commit, so it gets its own database (SQLite file, or a fresh
PostgreSQL database when the suite runs on PostgreSQL), never the per-test rollback fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.faults.servers import FaultDatabase, Services, create_district, create_process, throwaway_database


@dataclass
class FuzzStack:
    """The running services, the database and a regional_admin key for the fuzzer."""

    database: FaultDatabase
    services: Services
    admin: dict[str, str]
    tmp: Path


@pytest.fixture(scope="module")
def fuzz_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzStack]:
    """Registry, workshops and reporting on loopback with a district and a process to find."""
    tmp = tmp_path_factory.mktemp("fuzz")
    with throwaway_database(tmp) as database:
        services = Services(database, tmp)
        try:
            registry = services.start("registry")
            workshops = services.start("workshops")
            services.start("reporting")
            admin = database.admin_key()
            district_id = create_district(registry.url, admin)
            create_process(workshops.url, admin, district_id)
            yield FuzzStack(database, services, admin, tmp)
        finally:
            services.close()
