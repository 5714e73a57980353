"""API keys resolved from a short-lived in-process cache: revocation here at once, elsewhere within the TTL,
never past the key's own expiry, and no cache at all with ``api_key_cache_seconds=0``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import update

from shared.app import create_service_app
from shared.auth import keys
from shared.auth.keys import KEY_CACHE, revoke_key
from shared.auth.principal import Role
from shared.config import Settings
from shared.db import utcnow
from shared.deps import PrincipalDep
from shared.platform.tables import api_keys
from tests.conftest import TestDatabase, TestKey

pytestmark = pytest.mark.anyio

router = APIRouter()


@router.get("/whoami", summary="Who the key resolves to", tags=["probe"])
def whoami(principal: PrincipalDep) -> dict[str, Any]:
    """Probe read returning the caller."""
    return {"actor_id": principal.actor_id, "role": principal.role}


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClock]:
    fake = FakeClock()
    monkeypatch.setattr(KEY_CACHE, "clock", fake)
    KEY_CACHE.clear()
    yield fake
    KEY_CACHE.clear()


def _probe(settings: Settings, db: TestDatabase) -> httpx.AsyncClient:
    app = create_service_app(
        "probe", title="probe", description="probe", routers=[router], settings=settings, database=db
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://probe.test")


@pytest.fixture
async def cached(settings: Settings, db: TestDatabase, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    async with _probe(settings.model_copy(update={"api_key_cache_seconds": 5.0}), db) as client:
        yield client


def _revoke_elsewhere(db: TestDatabase, key: TestKey) -> None:
    """What another process revoking the key does: the row changes, this process's cache is not told."""
    with db.session() as session:
        session.connection().execute(
            update(api_keys).where(api_keys.c.key_id == key.key_id).values(revoked_at=utcnow())
        )
        session.commit()


async def test_a_key_revoked_in_this_process_is_refused_at_once(
    cached: httpx.AsyncClient, db: TestDatabase, create_api_key: Callable[..., TestKey]
) -> None:
    key = create_api_key(Role.INTEGRATION)
    assert (await cached.get("/whoami", headers=key.headers)).status_code == 200
    with db.session() as session:
        revoke_key(session.connection(), key.key_id)
        session.commit()
    refused = await cached.get("/whoami", headers=key.headers)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]


async def test_a_key_revoked_by_another_process_is_refused_once_the_ttl_has_passed(
    cached: httpx.AsyncClient, db: TestDatabase, create_api_key: Callable[..., TestKey], clock: FakeClock
) -> None:
    key = create_api_key(Role.INTEGRATION)
    other = create_api_key(Role.INTEGRATION)
    assert (await cached.get("/whoami", headers=key.headers)).json()["actor_id"] == key.actor_id
    _revoke_elsewhere(db, key)
    clock.now += 4.9
    assert (await cached.get("/whoami", headers=key.headers)).status_code == 200  # within the TTL
    clock.now += 0.2
    refused = await cached.get("/whoami", headers=key.headers)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    # Refusals are never cached, and other keys are unaffected.
    assert (await cached.get("/whoami", headers=key.headers)).status_code == 401
    assert (await cached.get("/whoami", headers=other.headers)).status_code == 200


async def test_a_cached_key_is_never_served_past_its_expiry(
    cached: httpx.AsyncClient, db: TestDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import TEST_SECRET

    with db.session() as session:
        issued = keys.create_key(
            session.connection(),
            secret=TEST_SECRET,
            role=Role.INTEGRATION,
            expires_at=utcnow() + timedelta(seconds=2),
        )
        session.commit()
    headers = {"Authorization": f"Bearer {issued.key}"}
    assert (await cached.get("/whoami", headers=headers)).status_code == 200
    later = utcnow() + timedelta(seconds=3)
    monkeypatch.setattr(keys, "utcnow", lambda: later)
    refused = await cached.get("/whoami", headers=headers)
    assert refused.status_code == 401 and "expired" in refused.json()["detail"]


async def test_with_a_zero_ttl_every_request_looks_the_key_up(
    settings: Settings, db: TestDatabase, create_api_key: Callable[..., TestKey], clock: FakeClock
) -> None:
    key = create_api_key(Role.INTEGRATION)
    async with _probe(settings.model_copy(update={"api_key_cache_seconds": 0.0}), db) as client:
        assert (await client.get("/whoami", headers=key.headers)).status_code == 200
        _revoke_elsewhere(db, key)
        assert (await client.get("/whoami", headers=key.headers)).status_code == 401


def test_the_cache_is_bounded_and_keyed_by_the_keys_hmac() -> None:
    cache = keys.KeyCache(max_entries=2, clock=lambda: 0.0)
    principal = keys.Principal(actor_id="a", role=Role.INTEGRATION, key_id="k1")
    entries = [cache.cache_key("db", f"clk_k{i}_secret", "server-secret") for i in range(3)]
    assert all("secret" not in entry[1] for entry in entries)
    for entry in entries:
        cache.put(entry, principal, None, ttl=5)
    assert cache.get(entries[0]) is None and cache.get(entries[2]) is principal
    cache.forget("k1")
    assert cache.get(entries[2]) is None
