"""OpenID Connect resource server: verify JWT access tokens of the configured issuers (RFC 9068, RFC 6750).

Signatures and claims are checked by PyJWT; this module only picks the issuer, keeps each issuer's discovery
document and JWKS cached, and turns every failure into a 401 ``invalid_token`` with a reason. A token whose
``kid`` is not cached makes the verifier fetch the JWKS again (key rotation), at most once per
``oidc_jwks_min_refetch_seconds`` per issuer, so forged key ids cannot make us hammer the provider. When the
provider cannot be reached the cached keys keep working; with none cached the request is a 503.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from jwt.exceptions import (
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidSignatureError,
    MissingRequiredClaimError,
    PyJWKError,
    PyJWTError,
)

from shared.config import OidcIssuer, Settings
from shared.errors import UnauthorizedError, UpstreamUnavailableError

logger = logging.getLogger("communitylab.oidc")

_UNSAFE_DESCRIPTION = re.compile(r"[^\x20-\x21\x23-\x5b\x5d-\x7e]")


def looks_like_jwt(credentials: str) -> bool:
    """JWS compact serialisation has exactly two dots; API keys (``clk_...``) have none."""
    return credentials.count(".") == 2


class InvalidTokenError(UnauthorizedError):
    """A bearer token that is not acceptable; ``reason`` is a stable code, the header follows RFC 6750."""

    slug, title = "invalid-token", "Invalid access token"

    def __init__(self, reason: str, detail: str):
        super().__init__(detail, reason=reason)
        description = _UNSAFE_DESCRIPTION.sub(" ", detail)[:200]
        self.headers = {
            "WWW-Authenticate": f'Bearer realm="communitylab", error="invalid_token", '
            f'error_description="{description}"'
        }


class IdentityProviderUnavailableError(UpstreamUnavailableError):
    """The issuer's keys could not be fetched and none are cached."""

    slug, title = "identity-provider-unavailable", "The identity provider is unavailable"


@dataclass(frozen=True)
class VerifiedToken:
    """A token whose signature, issuer, audience and validity period were checked."""

    issuer: OidcIssuer
    claims: dict[str, Any]

    @property
    def subject(self) -> str:
        """The token's ``sub`` (RFC 9068 puts the client id there for client-credentials tokens)."""
        return str(self.claims.get("sub", ""))

    @property
    def groups(self) -> frozenset[str]:
        """The groups the issuer says the caller belongs to (a list claim, or a space-separated string)."""
        raw = self.claims.get(self.issuer.groups_claim)
        if isinstance(raw, str):
            return frozenset(raw.split())
        if isinstance(raw, list):
            return frozenset(str(item) for item in raw)
        return frozenset()

    @property
    def in_admin_group(self) -> bool:
        """True when one of the caller's groups makes them a regional administrator."""
        return bool(self.groups & set(self.issuer.admin_groups))


@dataclass
class _IssuerKeys:
    """Cached JWKS of one issuer."""

    keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    fetched_at: float | None = None
    last_attempt: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class TokenVerifier:
    """Verifies access tokens against the configured issuers; thread-safe, one per app."""

    def __init__(self, settings: Settings, *, transport: httpx.BaseTransport | None = None) -> None:
        self._issuers = {issuer.issuer: issuer for issuer in settings.oidc_issuers}
        self._skew = settings.oidc_clock_skew_seconds
        self._cache_seconds = settings.oidc_jwks_cache_seconds
        self._min_refetch = settings.oidc_jwks_min_refetch_seconds
        self._client = httpx.Client(
            timeout=settings.http_timeout_seconds, transport=transport, follow_redirects=False
        )
        self._keys = {name: _IssuerKeys() for name in self._issuers}
        self.fetches = 0

    @property
    def enabled(self) -> bool:
        """True when at least one issuer is configured."""
        return bool(self._issuers)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def verify(self, token: str) -> VerifiedToken:
        """Check a compact JWS access token; InvalidTokenError (401) or IdentityProviderUnavailableError (503)."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except PyJWTError as exc:
            raise InvalidTokenError("malformed", f"the token is not a well-formed JWT: {exc}") from exc
        alg = header.get("alg")
        if not isinstance(alg, str) or alg.lower() == "none":
            raise InvalidTokenError("algorithm_not_allowed", "unsigned tokens (alg none) are refused")
        issuer = self._issuers.get(str(unverified.get("iss", "")))
        if issuer is None:
            raise InvalidTokenError("unknown_issuer", "the token's issuer (iss) is not trusted here")
        if alg not in issuer.algorithms:
            raise InvalidTokenError(
                "algorithm_not_allowed",
                f"algorithm {alg} is not allowed for this issuer (allowed: {', '.join(issuer.algorithms)})",
            )
        kid = header.get("kid")
        jwk = self._find_key(issuer, kid if isinstance(kid, str) else None)
        if "alg" in jwk and jwk["alg"] != alg:
            raise InvalidTokenError("algorithm_not_allowed", f"key {kid} is for {jwk['alg']}, not {alg}")
        try:
            key = jwt.PyJWK(jwk, algorithm=alg)
        except PyJWKError as exc:
            raise InvalidTokenError("key_mismatch", f"key {kid} cannot verify {alg} signatures") from exc
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[alg],
                audience=issuer.audience,
                issuer=issuer.issuer,
                leeway=self._skew,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except ExpiredSignatureError as exc:
            raise InvalidTokenError("expired", "the token has expired") from exc
        except ImmatureSignatureError as exc:
            raise InvalidTokenError("not_yet_valid", "the token is not valid yet (nbf or iat)") from exc
        except InvalidAudienceError as exc:
            raise InvalidTokenError(
                "wrong_audience", f"the token is not meant for this API (aud must include {issuer.audience})"
            ) from exc
        except InvalidIssuerError as exc:
            raise InvalidTokenError("unknown_issuer", "the token's issuer does not match") from exc
        except InvalidSignatureError as exc:
            raise InvalidTokenError("bad_signature", "the token's signature does not verify") from exc
        except MissingRequiredClaimError as exc:
            raise InvalidTokenError("missing_claim", f"the token has no {exc.claim} claim") from exc
        except PyJWTError as exc:
            raise InvalidTokenError("malformed", f"the token was refused: {exc}") from exc
        return VerifiedToken(issuer=issuer, claims=claims)

    def _find_key(self, issuer: OidcIssuer, kid: str | None) -> dict[str, Any]:
        """The issuer's JWK for ``kid``, fetching the JWKS when stale or when the kid is new (rate-limited)."""
        state = self._keys[issuer.issuer]
        with state.lock:
            now = time.monotonic()
            stale = state.fetched_at is None or now - state.fetched_at >= self._cache_seconds
            may_fetch = state.last_attempt is None or now - state.last_attempt >= self._min_refetch
            fetched = False
            fetch_error: Exception | None = None
            if stale and may_fetch:
                fetch_error, fetched = self._refresh(issuer, state, now), True
            jwk = self._select(state, kid)
            if jwk is None and not fetched and may_fetch:
                # An unknown kid while the cache is fresh: the provider may have rotated its keys.
                fetch_error = self._refresh(issuer, state, now)
                jwk = self._select(state, kid)
            if jwk is not None:
                return jwk
            if fetch_error is not None or not state.keys:
                raise IdentityProviderUnavailableError(
                    f"the keys of issuer {issuer.issuer} could not be fetched"
                    + (f": {type(fetch_error).__name__}" if fetch_error else "")
                )
            raise InvalidTokenError(
                "unknown_key", f"the token's key id ({kid}) is not among the issuer's published keys"
            )

    @staticmethod
    def _select(state: _IssuerKeys, kid: str | None) -> dict[str, Any] | None:
        if kid is not None:
            return state.keys.get(kid)
        # Without a kid, only an issuer publishing a single key is unambiguous.
        return next(iter(state.keys.values())) if len(state.keys) == 1 else None

    def _refresh(self, issuer: OidcIssuer, state: _IssuerKeys, now: float) -> Exception | None:
        """Fetch discovery and JWKS; on failure keep the cached keys and return the error."""
        state.last_attempt = now
        self.fetches += 1
        try:
            discovery = self._get_json(issuer.discovery)
            if discovery.get("issuer") != issuer.issuer:
                raise ValueError("the discovery document names another issuer")
            jwks = self._get_json(str(discovery["jwks_uri"]))
            keys: dict[str, dict[str, Any]] = {}
            for index, jwk in enumerate(jwks.get("keys", [])):
                if not isinstance(jwk, dict) or jwk.get("use", "sig") != "sig" or "d" in jwk or "k" in jwk:
                    continue  # encryption keys, private or symmetric material are never used to verify
                keys[str(jwk.get("kid", f"#{index}"))] = jwk
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            logger.warning(
                "could not fetch the issuer's keys",
                extra={"issuer": issuer.issuer, "error": type(exc).__name__, "cached_keys": len(state.keys)},
            )
            return exc
        state.keys = keys
        state.fetched_at = now
        return None

    def _get_json(self, url: str) -> dict[str, Any]:
        response = self._client.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        data = response.json()
        if not isinstance(data, dict):
            raise ValueError(f"{url} did not answer a JSON object")
        return data
