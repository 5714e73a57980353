"""Response bodies of the event log routes (checkpoints, keys, proofs), with examples."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

CHECKPOINT_EXAMPLE: dict[str, Any] = {
    "format": "communitylab-checkpoint/1",
    "position": 28468,
    "head_hash": "9f2c1e0b5d6a4f3e8b7c2d1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e",
    "root_hash": "4b7e2a91c3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f",
    "timestamp": "2026-12-02T10:00:00Z",
    "key_id": "3f9a1c2b7d4e5f60a1b2c3d4e5f60718",
    "signature": "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq8w==",
}
HEX64 = r"^[0-9a-f]{64}$"


class CheckpointPublic(BaseModel):
    """A signed checkpoint: the signature covers the canonical JSON of every other field."""

    model_config = ConfigDict(json_schema_extra={"examples": [CHECKPOINT_EXAMPLE]})

    format: str = Field(description="Version of the signed statement (`communitylab-checkpoint/1`).")
    position: int = Field(ge=0, description="Number of events the checkpoint covers (positions 1..position).")
    head_hash: str = Field(pattern=HEX64, description="Chain hash of the event at `position` (hex).")
    root_hash: str = Field(
        pattern=HEX64, description="RFC 6962 Merkle root over the events' hashes, leaf i = event i+1 (hex)."
    )
    timestamp: str = Field(description="When it was signed (UTC, whole seconds, `Z`).")
    key_id: str = Field(
        description="Fingerprint of the signing key: first 16 bytes of SHA-256(raw key), hex."
    )
    signature: str = Field(
        description="Base64 Ed25519 signature over the canonical JSON of the other fields."
    )


class PublicKeyPublic(BaseModel):
    """A public key checkpoints are verified with."""

    key_id: str = Field(description="Fingerprint (first 16 bytes of SHA-256 of the raw public key), hex.")
    algorithm: str = Field(description="Always `Ed25519`.")
    public_key: str = Field(description="The 32 raw bytes of the public key, base64.")
    public_key_pem: str = Field(description="The same key as a PEM SubjectPublicKeyInfo block.")
    current: bool = Field(description="Whether new checkpoints are signed with it (false: retired).")


class PublicKeysPublic(BaseModel):
    """Every public key of this deployment, the current signer first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "keys": [
                        {
                            "key_id": CHECKPOINT_EXAMPLE["key_id"],
                            "algorithm": "Ed25519",
                            "public_key": "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
                            "public_key_pem": "-----BEGIN PUBLIC KEY-----\n"
                            "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
                            "-----END PUBLIC KEY-----\n",
                            "current": True,
                        }
                    ]
                }
            ]
        }
    )

    keys: list[PublicKeyPublic]


class InclusionProofPublic(BaseModel):
    """RFC 6962 audit path of one event in the tree a signed checkpoint commits to."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "position": 7,
                    "leaf_index": 6,
                    "event_hash": "5e1d" + "0" * 60,
                    "leaf_hash": "a3c4" + "0" * 60,
                    "tree_size": 28468,
                    "audit_path": ["1b2c" + "0" * 60, "7d8e" + "0" * 60],
                    "checkpoint": CHECKPOINT_EXAMPLE,
                }
            ]
        }
    )

    position: int = Field(description="Log position of the event.")
    leaf_index: int = Field(description="Its leaf index in the tree (position - 1).")
    event_hash: str = Field(description="The event's chain hash (`hash` of the event), hex.")
    leaf_hash: str = Field(description="SHA-256(0x00 || bytes of event_hash), hex.")
    tree_size: int = Field(description="Leaves in the tree: the checkpoint's position.")
    audit_path: list[str] = Field(
        description="Sibling hashes from the leaf up to the root, hex (RFC 6962 PATH)."
    )
    checkpoint: CheckpointPublic


class ConsistencyProofPublic(BaseModel):
    """RFC 6962 consistency proof: the tree of `from` events is a prefix of the signed tree of `to`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "from": 20000,
                    "to": 28468,
                    "proof": ["2c3d" + "0" * 60, "8e9f" + "0" * 60],
                    "checkpoint": CHECKPOINT_EXAMPLE,
                }
            ]
        },
        populate_by_name=True,
    )

    from_size: int = Field(alias="from", description="Size of the older tree (the auditor's checkpoint).")
    to_size: int = Field(alias="to", description="Size of the newer tree (the checkpoint below).")
    proof: list[str] = Field(description="Node hashes, hex (RFC 6962 PROOF(from, D[to])).")
    checkpoint: CheckpointPublic
