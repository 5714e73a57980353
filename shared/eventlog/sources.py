"""Read checkpoints and public keys from a file or a URL, as ``verify-log`` and auditors are given them.

Checkpoints: a JSON checkpoint, a JSON array of them, or a page ``{"items": [...], "next_cursor": ...}``
as the reporting service publishes them (a URL's pages are followed to the end). Public keys: a PEM file of
``PUBLIC KEY`` blocks, or the JSON of ``GET /log/keys``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shared.eventlog.checkpoints import Checkpoint, CheckpointError
from shared.eventlog.signing import KeyFileError, parse_public_keys

MAX_PAGES = 100_000


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def _fetch(url: str, params: dict[str, str] | None = None, *, timeout: float = 30.0) -> Any:
    try:
        response = httpx.get(url, params=params, timeout=timeout, follow_redirects=True)
        response.raise_for_status()
        return response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise CheckpointError(f"cannot read {url}: {exc}") from exc


def _items(document: Any) -> list[Any]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and isinstance(document.get("items"), list):
        return list(document["items"])
    if isinstance(document, dict):
        return [document]
    raise CheckpointError("expected a checkpoint, a list of checkpoints or a page of them")


def load_checkpoints(source: str, *, timeout: float = 30.0) -> list[Checkpoint]:
    """Every checkpoint in a JSON file or behind a URL (pages followed), parsed but not yet verified."""
    if _is_url(source):
        document = _fetch(source, timeout=timeout)
        raw = _items(document)
        pages = 1
        while isinstance(document, dict) and document.get("next_cursor") and pages < MAX_PAGES:
            document = _fetch(source, {"cursor": str(document["next_cursor"])}, timeout=timeout)
            raw += _items(document)
            pages += 1
    else:
        try:
            raw = _items(json.loads(Path(source).read_text(encoding="utf-8")))
        except OSError as exc:
            raise CheckpointError(f"cannot read {source}: {exc.strerror}") from exc
        except ValueError as exc:
            raise CheckpointError(f"{source} is not JSON: {exc}") from exc
    return [Checkpoint.from_json(item) for item in raw]


def load_keys(source: str, *, timeout: float = 30.0) -> list[Ed25519PublicKey]:
    """Public keys from a PEM file, or from a JSON file or URL shaped like ``GET /log/keys``."""
    if _is_url(source):
        document: Any = _fetch(source, timeout=timeout)
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise KeyFileError(f"cannot read {source}: {exc.strerror}") from exc
        try:
            document = json.loads(data)
        except ValueError:
            # Not JSON: a PEM file of PUBLIC KEY blocks.
            keys = parse_public_keys(data, source=source)
            if not keys:
                raise KeyFileError(f"{source} holds neither PEM public keys nor JSON") from None
            return keys
    entries = document.get("keys", []) if isinstance(document, dict) else document
    if not isinstance(entries, list):
        raise KeyFileError(f"{source}: expected a list of keys")
    pem = "".join(str(entry.get("public_key_pem", "")) for entry in entries if isinstance(entry, dict))
    return parse_public_keys(pem.encode(), source=source)
