"""Ed25519 keys that sign event log checkpoints: loading them from files outside the database, key ids.

The private key is a PEM (PKCS#8) file, typically a mounted Kubernetes Secret, read only by the process
that signs. Verifiers need only public keys: the signing key's own and those of retired keys, kept in a PEM
file of one or more ``PUBLIC KEY`` blocks. A key id is the first 16 bytes of SHA-256 over the raw 32-byte
public key, in hex, so a checkpoint names the key that signed it and keys can be rotated.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "Ed25519"
logger = logging.getLogger("communitylab.eventlog.signing")
_PUBLIC_PEM = re.compile(rb"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.S)


class KeyFileError(ValueError):
    """A key file is missing, unreadable or not an Ed25519 key."""


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    """The key's fingerprint: hex of the first 16 bytes of SHA-256 over the raw public key."""
    return hashlib.sha256(raw_public_key(public_key)).digest()[:16].hex()


def public_pem(public_key: Ed25519PublicKey) -> str:
    """The public key as a PEM ``PUBLIC KEY`` block (SubjectPublicKeyInfo)."""
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def generate_private_pem() -> bytes:
    """A new Ed25519 private key as unencrypted PKCS#8 PEM (what ``COMMUNITYLAB_LOG_SIGNING_KEY_FILE`` holds)."""
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_signing_key(path: str | Path) -> Ed25519PrivateKey:
    """Read the private signing key from a PEM file."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read the log signing key {path}: {exc.strerror}") from exc
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise KeyFileError(f"{path} is not an unencrypted PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return key


def parse_public_keys(data: bytes, *, source: str = "public keys") -> list[Ed25519PublicKey]:
    """Every ``PUBLIC KEY`` PEM block in ``data`` (other text around them is ignored)."""
    keys: list[Ed25519PublicKey] = []
    for block in _PUBLIC_PEM.findall(data):
        try:
            key = serialization.load_pem_public_key(block)
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise KeyFileError(f"{source}: a PUBLIC KEY block does not parse") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise KeyFileError(f"{source}: a {type(key).__name__} is not an Ed25519 key")
        keys.append(key)
    return keys


def load_public_keys(path: str | Path) -> list[Ed25519PublicKey]:
    """The Ed25519 public keys of a PEM file (one or more blocks, e.g. current and retired keys)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read the log public keys {path}: {exc.strerror}") from exc
    return parse_public_keys(data, source=str(path))


@dataclass(frozen=True)
class PublishedKey:
    """A public key as published: its id, raw bytes in base64 and PEM, and whether it signs now."""

    key_id: str
    public_key: Ed25519PublicKey
    current: bool

    def to_json(self) -> dict[str, str | bool]:
        """The JSON form served at ``/log/keys``."""
        return {
            "key_id": self.key_id,
            "algorithm": ALGORITHM,
            "public_key": base64.b64encode(raw_public_key(self.public_key)).decode(),
            "public_key_pem": public_pem(self.public_key),
            "current": self.current,
        }


class Keyring:
    """The public keys checkpoints are verified with, by key id (and which one signs today)."""

    def __init__(self, keys: Iterable[Ed25519PublicKey] = (), *, current: Ed25519PublicKey | None = None):
        self._keys: dict[str, Ed25519PublicKey] = {}
        self.current_key_id = key_id(current) if current is not None else None
        for key in [*([current] if current is not None else []), *keys]:
            self._keys.setdefault(key_id(key), key)

    @classmethod
    def from_files(cls, *, signing_key_file: str | None, public_keys_file: str | None) -> Keyring:
        """The keyring of a deployment: the signing key's public half and the public keys file.

        A public keys file that does not exist counts as empty (its ConfigMap is optional until a key is
        rotated); an unreadable or malformed one is an error.
        """
        current = load_signing_key(signing_key_file).public_key() if signing_key_file else None
        keys: list[Ed25519PublicKey] = []
        if public_keys_file and Path(public_keys_file).exists():
            keys = load_public_keys(public_keys_file)
        elif public_keys_file:
            logger.warning(
                "log public keys file %s does not exist; publishing no extra keys", public_keys_file
            )
        return cls(keys, current=current)

    def get(self, wanted: str) -> Ed25519PublicKey | None:
        """The public key with this id, if trusted."""
        return self._keys.get(wanted)

    def add(self, keys: Iterable[Ed25519PublicKey]) -> None:
        """Trust more keys (e.g. given with ``verify-log --keys``)."""
        for key in keys:
            self._keys.setdefault(key_id(key), key)

    def published(self) -> list[PublishedKey]:
        """Every key, the current one first, then by key id."""
        ordered = sorted(self._keys.items(), key=lambda item: (item[0] != self.current_key_id, item[0]))
        return [PublishedKey(kid, key, kid == self.current_key_id) for kid, key in ordered]

    def __len__(self) -> int:
        return len(self._keys)
