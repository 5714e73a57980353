"""RFC 6962 Merkle hashing: tree heads, audit paths and consistency proofs for every size up to 40."""

from __future__ import annotations

import hashlib

import pytest

from shared.eventlog.merkle import (
    EMPTY_ROOT,
    TreeBuilder,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_of,
    split_point,
    subtree_from_list,
    verify_consistency,
    verify_inclusion,
)

MAX = 40
LEAVES = [leaf_hash(f"event {i}".encode()) for i in range(MAX)]


def _mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 section 2.1 MTH, written recursively exactly as the RFC states it."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + _mth(leaves[:k]) + _mth(leaves[k:])).digest()


def _path(m: int, leaves: list[bytes]) -> list[bytes]:
    """RFC 6962 section 2.1.1 PATH(m, D[n]), recursively."""
    n = len(leaves)
    if n == 1:
        return []
    k = split_point(n)
    if m < k:
        return [*_path(m, leaves[:k]), _mth(leaves[k:])]
    return [*_path(m - k, leaves[k:]), _mth(leaves[:k])]


def _subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    """RFC 6962 section 2.1.2 SUBPROOF(m, D[n], b), recursively."""
    n = len(leaves)
    if m == n:
        return [] if whole else [_mth(leaves)]
    k = split_point(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], whole), _mth(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), _mth(leaves[:k])]


def test_leaf_and_node_hashes_use_the_rfc_prefixes() -> None:
    assert leaf_hash(b"") == bytes.fromhex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
    assert node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    assert bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == EMPTY_ROOT
    assert root_of([]) == EMPTY_ROOT


def test_split_point_is_the_largest_power_of_two_below_n() -> None:
    assert [split_point(n) for n in range(2, 10)] == [1, 2, 2, 4, 4, 4, 4, 8]
    with pytest.raises(ValueError):
        split_point(1)


def test_streaming_root_matches_the_recursive_definition_at_every_size() -> None:
    builder = TreeBuilder()
    assert builder.root() == _mth([])
    for n in range(1, MAX + 1):
        builder.add(LEAVES[n - 1])
        assert builder.size == n
        assert builder.root() == _mth(LEAVES[:n]) == root_of(LEAVES[:n]), n


def test_inclusion_proofs_match_the_rfc_and_verify_for_every_leaf_and_size() -> None:
    for n in range(1, MAX + 1):
        leaves = LEAVES[:n]
        root = _mth(leaves)
        subtree = subtree_from_list(leaves)
        for m in range(n):
            proof = inclusion_proof(m, n, subtree)
            assert proof == _path(m, leaves), (m, n)
            assert verify_inclusion(m, n, leaves[m], proof, root), (m, n)


def test_altered_inclusion_proofs_fail() -> None:
    for n in range(1, MAX + 1):
        leaves = LEAVES[:n]
        root = _mth(leaves)
        for m in range(n):
            proof = inclusion_proof(m, n, subtree_from_list(leaves))
            other_leaf = leaf_hash(b"forged")
            assert not verify_inclusion(m, n, other_leaf, proof, root)
            assert not verify_inclusion(m, n, leaves[m], proof, leaf_hash(b"other root"))
            assert not verify_inclusion(m, n, leaves[m], [*proof, LEAVES[0]], root)
            if n > 1:
                assert not verify_inclusion((m + 1) % n, n, leaves[m], proof, root), (m, n)
            for i in range(len(proof)):
                flipped = bytearray(proof[i])
                flipped[0] ^= 1
                assert not verify_inclusion(
                    m, n, leaves[m], [*proof[:i], bytes(flipped), *proof[i + 1 :]], root
                )
                assert not verify_inclusion(m, n, leaves[m], proof[:i] + proof[i + 1 :], root)
    assert not verify_inclusion(0, 0, LEAVES[0], [], EMPTY_ROOT)
    assert not verify_inclusion(5, 5, LEAVES[0], [], EMPTY_ROOT)


def test_consistency_proofs_match_the_rfc_and_verify_for_every_pair_up_to_40() -> None:
    for n in range(0, MAX + 1):
        new_root = _mth(LEAVES[:n])
        subtree = subtree_from_list(LEAVES[:n])
        for m in range(0, n + 1):
            old_root = _mth(LEAVES[:m])
            proof = consistency_proof(m, n, subtree)
            expected = [] if m in (0, n) else _subproof(m, LEAVES[:n], True)
            assert proof == expected, (m, n)
            assert verify_consistency(m, n, old_root, new_root, proof), (m, n)


def test_altered_consistency_proofs_fail() -> None:
    forged = leaf_hash(b"forged")
    for n in range(1, MAX + 1):
        new_root = _mth(LEAVES[:n])
        for m in range(1, n):
            old_root = _mth(LEAVES[:m])
            proof = consistency_proof(m, n, subtree_from_list(LEAVES[:n]))
            assert not verify_consistency(m, n, forged, new_root, proof), (m, n)
            assert not verify_consistency(m, n, old_root, forged, proof), (m, n)
            assert not verify_consistency(m, n, old_root, new_root, []), (m, n)
            assert not verify_consistency(m, n, old_root, new_root, [*proof, forged]), (m, n)
            for i in range(len(proof)):
                flipped = bytearray(proof[i])
                flipped[-1] ^= 0x80
                altered = [*proof[:i], bytes(flipped), *proof[i + 1 :]]
                assert not verify_consistency(m, n, old_root, new_root, altered), (m, n, i)
            # A log whose first m leaves were rewritten is not an extension of the old tree.
            rewritten = [*LEAVES[: m - 1], forged, *LEAVES[m:n]]
            other_proof = consistency_proof(m, n, subtree_from_list(rewritten))
            assert not verify_consistency(m, n, old_root, _mth(rewritten), other_proof), (m, n)
    assert verify_consistency(3, 3, _mth(LEAVES[:3]), _mth(LEAVES[:3]), [])
    assert not verify_consistency(3, 3, _mth(LEAVES[:3]), _mth(LEAVES[:4]), [])
    assert not verify_consistency(4, 3, _mth(LEAVES[:4]), _mth(LEAVES[:3]), [])


def test_proof_arguments_out_of_range_are_refused() -> None:
    subtree = subtree_from_list(LEAVES[:4])
    with pytest.raises(ValueError):
        inclusion_proof(4, 4, subtree)
    with pytest.raises(ValueError):
        consistency_proof(5, 4, subtree)
