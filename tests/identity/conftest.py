"""Apps configured to trust a loopback issuer, on the test transaction."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from shared.clients.asgi_bridge import ASGIBridgeTransport
from shared.clients.registry import RegistryClient
from shared.config import OidcIssuer, Settings
from tests.conftest import TestDatabase
from tests.identity.jwks_server import JwksServer, SigningKey

AUDIENCE = "communitylab"
ADMIN_GROUP = "communitylab-admins"


@pytest.fixture
def idp() -> Iterator[JwksServer]:
    server = JwksServer(keys=[SigningKey.rsa(), SigningKey.ec()])
    try:
        yield server
    finally:
        server.close()


def issuer_settings(settings: Settings, *issuers: OidcIssuer, **extra: Any) -> Settings:
    """The suite's settings trusting ``issuers`` (re-fetching keys at once on an unknown kid)."""
    return settings.model_copy(
        update={"oidc_issuers": list(issuers), "oidc_jwks_min_refetch_seconds": 0.0} | extra
    )


def spid_issuer(issuer: str, **extra: Any) -> OidcIssuer:
    """An issuer in the SPID/CIE profile: linked by fiscal code, citizens registered at first sign-in."""
    return OidcIssuer(
        issuer=issuer,
        audience=AUDIENCE,
        link_claim="fiscal_number",
        create_participants=True,
        admin_groups=[ADMIN_GROUP],
        **extra,
    )


@pytest.fixture
def oidc_apps(
    settings: Settings, db: TestDatabase
) -> Iterator[Callable[[Settings], dict[str, httpx.AsyncClient]]]:
    """Registry and workshops clients built with the given settings; workshops asks the registry over HTTP."""
    clients: list[httpx.AsyncClient] = []

    def build(custom: Settings) -> dict[str, httpx.AsyncClient]:
        registry_app = importlib.import_module("services.registry.app").create_app(
            settings=custom, database=db
        )
        bridge = RegistryClient(
            "http://registry.test", transport=ASGIBridgeTransport(registry_app), cache_seconds=0
        )
        workshops_app = importlib.import_module("services.workshops.app").create_app(
            settings=custom, database=db, registry=bridge
        )
        built = {}
        for name, app in (("registry", registry_app), ("workshops", workshops_app)):
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}.test")
            client.app = app  # type: ignore[attr-defined]
            clients.append(client)
            built[name] = client
        return built

    yield build


@pytest.fixture
async def apps(
    oidc_apps: Callable[[Settings], dict[str, httpx.AsyncClient]], settings: Settings, idp: JwksServer
) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    built = oidc_apps(issuer_settings(settings, spid_issuer(idp.issuer)))
    yield built
    for client in built.values():
        await client.aclose()


def bearer(token: str) -> dict[str, str]:
    """Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}
