"""``verify-log --checkpoints URL`` and ``--keys URL``: pages of published checkpoints are followed to the end."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.db import utcnow
from shared.eventlog.checkpoints import CheckpointError, sign_checkpoint
from shared.eventlog.signing import PublishedKey, key_id
from shared.eventlog.sources import load_checkpoints, load_keys

KEY = Ed25519PrivateKey.generate()
SIGNED = [
    sign_checkpoint(KEY, position=n, head_hash=f"{n:064x}", root_hash=f"{n + 1:064x}", timestamp=utcnow())
    for n in (1, 2, 3)
]
ROUTES: dict[tuple[str, str | None], Any] = {
    ("/log/checkpoints", None): {"items": [c.to_json() for c in SIGNED[:2]], "next_cursor": "page2"},
    ("/log/checkpoints", "page2"): {"items": [SIGNED[2].to_json()], "next_cursor": None},
    ("/log/checkpoints/latest", None): SIGNED[2].to_json(),
    ("/log/keys", None): {"keys": [PublishedKey(key_id(KEY.public_key()), KEY.public_key(), True).to_json()]},
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        url = urlparse(self.path)
        cursor = parse_qs(url.query).get("cursor", [None])[0]
        body = ROUTES.get((url.path, cursor))
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(body if body is not None else {"status": 404}).encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_checkpoints_and_keys_are_read_from_the_public_routes(base_url: str) -> None:
    assert load_checkpoints(f"{base_url}/log/checkpoints") == SIGNED
    assert load_checkpoints(f"{base_url}/log/checkpoints/latest") == SIGNED[2:]
    (key,) = load_keys(f"{base_url}/log/keys")
    assert key_id(key) == SIGNED[0].key_id
    with pytest.raises(CheckpointError, match="cannot read"):
        load_checkpoints(f"{base_url}/nowhere")


def test_checkpoints_from_files_in_every_published_shape(tmp_path: Path) -> None:
    shapes = {
        "one.json": SIGNED[0].to_json(),
        "list.json": [c.to_json() for c in SIGNED],
        "page.json": {"items": [c.to_json() for c in SIGNED], "next_cursor": None},
    }
    for name, document in shapes.items():
        (tmp_path / name).write_text(json.dumps(document))
    assert load_checkpoints(str(tmp_path / "one.json")) == SIGNED[:1]
    assert load_checkpoints(str(tmp_path / "list.json")) == SIGNED
    assert load_checkpoints(str(tmp_path / "page.json")) == SIGNED
    tampered = {**SIGNED[0].to_json(), "position": "1"}
    (tmp_path / "bad.json").write_text(json.dumps(tampered))
    with pytest.raises(CheckpointError, match="position"):
        load_checkpoints(str(tmp_path / "bad.json"))
