"""A tiny real OpenID discovery + JWKS server on loopback, with keys made in-process (PyJWT + cryptography).

It lets the bad-token tests sign whatever a broken or hostile provider could send, and switch the provider
off to see what cached keys still do.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm


@dataclass
class SigningKey:
    """A private key with its kid and algorithm."""

    kid: str
    alg: str
    private: Any

    @classmethod
    def rsa(cls, kid: str | None = None) -> SigningKey:
        """A fresh RS256 key."""
        return cls(
            kid or uuid.uuid4().hex[:12],
            "RS256",
            rsa.generate_private_key(public_exponent=65537, key_size=2048),
        )

    @classmethod
    def ec(cls, kid: str | None = None) -> SigningKey:
        """A fresh ES256 key."""
        return cls(kid or uuid.uuid4().hex[:12], "ES256", ec.generate_private_key(ec.SECP256R1()))

    def public_jwk(self) -> dict[str, Any]:
        """The public half as a JWK."""
        algorithm = RSAAlgorithm if self.alg.startswith("RS") else ECAlgorithm
        jwk: dict[str, Any] = json.loads(algorithm.to_jwk(self.private.public_key()))
        return jwk | {"kid": self.kid, "alg": self.alg, "use": "sig"}


@dataclass
class JwksServer:
    """Serves ``/.well-known/openid-configuration`` and ``/jwks`` for an issuer; counts JWKS fetches."""

    keys: list[SigningKey] = field(default_factory=list)
    up: bool = True
    jwks_fetches: int = 0

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if not server.up:
                    self.send_response(503)
                    self.end_headers()
                    return
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": server.issuer, "jwks_uri": server.issuer + "/jwks"}
                elif self.path == "/jwks":
                    server.jwks_fetches += 1
                    body = {"keys": [key.public_jwk() for key in server.keys]}
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def issuer(self) -> str:
        """The issuer URL (its own base URL)."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def close(self) -> None:
        """Stop serving."""
        self._httpd.shutdown()
        self._httpd.server_close()

    def token(
        self,
        claims: dict[str, Any] | None = None,
        *,
        key: SigningKey | None = None,
        audience: str = "communitylab",
        lifetime: int = 300,
        headers: dict[str, Any] | None = None,
    ) -> str:
        """A signed access token with sensible defaults; ``claims`` override them."""
        key = key or self.keys[0]
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": audience,
            "sub": uuid.uuid4().hex,
            "iat": now,
            "exp": now + lifetime,
            "jti": uuid.uuid4().hex,
        } | (claims or {})
        return jwt.encode(
            payload,
            key.private,
            algorithm=key.alg,
            headers={"kid": key.kid, "typ": "at+jwt"} | (headers or {}),
        )
