"""RFC 6962 (Certificate Transparency) Merkle trees: tree heads, audit paths and consistency proofs.

Hashes follow RFC 6962 section 2.1: a leaf is ``SHA-256(0x00 || data)``, an inner node
``SHA-256(0x01 || left || right)``, the empty tree ``SHA-256("")``, and a tree of ``n`` leaves splits at the
largest power of two smaller than ``n``. Proofs are produced from a ``subtree(start, end)`` callable that
returns the root of leaves ``[start, end)``, so a caller can compute subtree roots by streaming leaves from
storage instead of holding the tree in memory. Verification follows RFC 9162 sections 2.1.3.2 and 2.1.4.2.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

SubtreeRoot = Callable[[int, int], bytes]

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """The hash of one leaf: SHA-256 of 0x00 followed by the leaf data."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an inner node: SHA-256 of 0x01, the left child and the right child."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(size: int) -> int:
    """The largest power of two strictly smaller than ``size`` (``size`` >= 2), RFC 6962's ``k``."""
    if size < 2:
        raise ValueError("a tree of fewer than two leaves does not split")
    return 1 << ((size - 1).bit_length() - 1)


class TreeBuilder:
    """Streaming tree head: add leaf hashes in order, read the root at any size in O(log n) memory.

    It keeps the roots of the perfect subtrees the leaves so far decompose into (at most one per bit of
    the size); folding them from the right gives exactly RFC 6962's root for that size.
    """

    def __init__(self) -> None:
        # Roots of the perfect subtrees, largest first: one per set bit of ``size``.
        self._stack: list[bytes] = []
        self.size = 0

    def add(self, leaf: bytes) -> None:
        """Append one leaf hash (already ``leaf_hash``-ed)."""
        value, n, stack, sha256 = leaf, self.size, self._stack, hashlib.sha256
        # Each trailing 1 bit of the old size is a perfect subtree of the new leaf's height: merge it.
        while n & 1:
            value = sha256(b"\x01" + stack.pop() + value).digest()
            n >>= 1
        stack.append(value)
        self.size += 1

    def root(self) -> bytes:
        """The tree head of the leaves added so far."""
        if not self._stack:
            return EMPTY_ROOT
        value = self._stack[-1]
        for left in reversed(self._stack[:-1]):
            value = node_hash(left, value)
        return value


def root_of(leaves: Iterable[bytes]) -> bytes:
    """The tree head over leaf hashes given in order (streamed)."""
    builder = TreeBuilder()
    for leaf in leaves:
        builder.add(leaf)
    return builder.root()


def subtree_from_list(leaves: Sequence[bytes]) -> SubtreeRoot:
    """A ``subtree`` callable over leaf hashes held in memory (for tests and small trees)."""
    return lambda start, end: root_of(leaves[start:end])


def inclusion_proof(index: int, size: int, subtree: SubtreeRoot) -> list[bytes]:
    """RFC 6962 ``PATH(m, D[n])``: the audit path of leaf ``index`` in the tree of ``size`` leaves."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    proof: list[bytes] = []
    start, end = 0, size
    # Walk down from the root; each sibling is appended before the deeper ones, then reversed to leaf-first.
    while end - start > 1:
        k = split_point(end - start)
        if index - start < k:
            proof.append(subtree(start + k, end))
            end = start + k
        else:
            proof.append(subtree(start, start + k))
            start += k
    proof.reverse()
    return proof


def consistency_proof(old_size: int, new_size: int, subtree: SubtreeRoot) -> list[bytes]:
    """RFC 6962 ``PROOF(m, D[n])``: proves the tree of ``old_size`` leaves is a prefix of ``new_size``."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    proof: list[bytes] = []
    m, start, end, whole = old_size, 0, new_size, True
    # SUBPROOF(m, D[start:end], whole), unrolled: siblings are collected root-first, then reversed.
    while m != end - start:
        k = split_point(end - start)
        if m <= k:
            proof.append(subtree(start + k, end))
            end = start + k
        else:
            proof.append(subtree(start, start + k))
            start += k
            m -= k
            whole = False
    if not whole:
        proof.append(subtree(start, end))
    proof.reverse()
    return proof


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """True when ``proof`` shows leaf hash ``leaf`` at ``index`` in the tree of ``size`` leaves with ``root``."""
    if not 0 <= index < size:
        return False
    fn, sn, value = index, size - 1, leaf
    for node in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            value = node_hash(node, value)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            value = node_hash(value, node)
        fn >>= 1
        sn >>= 1
    return sn == 0 and value == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """True when ``proof`` shows the tree ``(old_size, old_root)`` is a prefix of ``(new_size, new_root)``."""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if not proof:
        return False
    nodes = list(proof)
    # When the old tree is a perfect subtree on the left edge, its root is the implicit first node.
    if old_size & (old_size - 1) == 0:
        nodes.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = nodes[0]
    for node in nodes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(node, fr)
            sr = node_hash(node, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, node)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
