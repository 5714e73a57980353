"""Start the real OpenID Provider of tests/identity/provider (oidc-provider on Node) and get tokens from it.

Tokens come from its real endpoints: the client-credentials grant, and the authorization-code flow with PKCE
driven through its sign-in and consent pages like a browser would.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import shutil
import subprocess
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlparse

import httpx

PROVIDER_DIR = Path(__file__).parent / "provider"
CONFIG = json.loads((PROVIDER_DIR / "config.json").read_text(encoding="utf-8"))
AUDIENCE: str = CONFIG["audience"]
OTHER_AUDIENCE: str = CONFIG["other_audience"]
ADMIN_GROUP: str = CONFIG["admin_group"]
REDIRECT_URI = "http://127.0.0.1/callback"


def missing_reason() -> str | None:
    """Why the provider cannot run here (no node, or `npm ci` not run), or None."""
    if shutil.which("node") is None:
        return "node is not installed (the real OpenID Provider tests need Node 20+)"
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return (
            "oidc-provider is not installed: run `npm ci --prefix tests/identity/provider` (.ci/setup does)"
        )
    return None


@dataclass
class OpenIdProvider:
    """One running provider process serving the issuers of config.json (``spid`` and ``staff``)."""

    process: subprocess.Popen[str]
    issuers: dict[str, str]
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))

    @classmethod
    def start(cls) -> OpenIdProvider:
        """Start it on loopback and wait until it prints its issuers."""
        process = subprocess.Popen(
            ["node", str(PROVIDER_DIR / "provider.mjs"), str(PROVIDER_DIR / "config.json")],
            cwd=PROVIDER_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            process.kill()
            raise RuntimeError("the OpenID Provider exited before listening")
        return cls(process, json.loads(line))

    def stop(self) -> None:
        """Stop the process."""
        self.http.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def rotate(self, issuer: str) -> list[str]:
        """Make a new signing key current (the previous one stays published); the kids, newest first."""
        response = self.http.post(self.issuers[issuer] + "/__rotate")
        response.raise_for_status()
        return list(response.json()["kids"])

    def _endpoints(self, issuer: str) -> dict[str, Any]:
        response = self.http.get(self.issuers[issuer] + "/.well-known/openid-configuration")
        response.raise_for_status()
        return dict(response.json())

    def client_credentials(
        self, *, client_id: str = "ops-bot", secret: str = "ops-bot-secret", resource: str = AUDIENCE
    ) -> str:
        """An access token of the ``staff`` issuer through the client-credentials grant."""
        response = self.http.post(
            self._endpoints("staff")["token_endpoint"],
            data={"grant_type": "client_credentials", "scope": "api", "resource": resource},
            auth=(client_id, secret),
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def sign_in(self, account: str, *, client_id: str = "partecipa-web") -> str:
        """An access token of the ``spid`` issuer for ``account``: authorization code + PKCE, through the pages."""
        endpoints = self._endpoints("spid")
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        state = secrets.token_urlsafe(16)
        with httpx.Client(timeout=10, follow_redirects=False) as browser:
            response = browser.get(
                endpoints["authorization_endpoint"],
                params={
                    "client_id": client_id,
                    "response_type": "code",
                    "redirect_uri": REDIRECT_URI,
                    "scope": "openid profile email fiscal_number api",
                    "resource": AUDIENCE,
                    "code_challenge": challenge,
                    "code_challenge_method": "S256",
                    "state": state,
                    "prompt": "consent",
                },
            )
            for _ in range(10):
                assert response.status_code in (302, 303), response.text[:500]
                location = urljoin(str(response.url), response.headers["location"])
                if location.startswith(REDIRECT_URI):
                    break
                page = browser.get(location)
                if page.status_code in (302, 303):
                    response = page
                    continue
                action = urljoin(location, unescape(re.search(r'<form[^>]*action="([^"]+)"', page.text)[1]))  # type: ignore[index]
                prompt = re.search(r'name="prompt" value="([^"]+)"', page.text)[1]  # type: ignore[index]
                form = {"prompt": prompt}
                if prompt == "login":
                    form |= {"login": account, "password": "any"}
                response = browser.post(action, data=form)
            else:
                raise AssertionError("the sign-in did not come back to the redirect URI")
        query = parse_qs(urlparse(location).query)
        assert query.get("state") == [state], query
        token = self.http.post(
            endpoints["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": query["code"][0],
                "redirect_uri": REDIRECT_URI,
                "client_id": client_id,
                "code_verifier": verifier,
                "resource": AUDIENCE,
            },
        )
        assert token.status_code == 200, token.text
        return str(token.json()["access_token"])
