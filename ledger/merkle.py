"""The Merkle tree of RFC 6962 (section 2.1) and RFC 9162's proof checks, over leaf hashes; no Django.

Node (level, index) is the root of the perfect subtree over leaves [index·2^level, (index+1)·2^level);
level 0 is the leaves. Functions that need stored nodes take `node(level, index) -> bytes`.
"""

from hashlib import sha256

EMPTY_ROOT = sha256(b"").digest()  # MTH of the empty tree


def leaf_hash(data: bytes) -> bytes:
    return sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two smaller than `size` (> 1): where the RFC splits a tree of that size."""
    return 1 << ((size - 1).bit_length() - 1)


def perfect_subtrees(start: int, end: int) -> list[tuple[int, int]]:
    """The perfect subtrees that make up leaves [start, end), left to right, largest first.

    For the ranges the RFC's recursion produces (`start` a multiple of a power of two not below the size),
    folding their roots right to left gives MTH(D[start:end]).
    """
    parts = []
    while start < end:
        level = (end - start).bit_length() - 1
        while start & ((1 << level) - 1):
            level -= 1
        parts.append((level, start >> level))
        start += 1 << level
    return parts


def fold(roots: list[bytes]) -> bytes:
    """Combine perfect-subtree roots (largest first) into the root of their range."""
    if not roots:
        return EMPTY_ROOT
    acc = roots[-1]
    for left in reversed(roots[:-1]):
        acc = node_hash(left, acc)
    return acc


def subtree_root(start: int, end: int, node) -> bytes:
    return fold([node(level, index) for level, index in perfect_subtrees(start, end)])


def inclusion_path(index: int, size: int, node) -> list[bytes]:
    """PATH(m, D[n]) of RFC 6962 section 2.1.1: the audit path of leaf `index` in the tree of `size` leaves."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    siblings = []  # top-down; the RFC lists them bottom-up
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            siblings.append(subtree_root(start + k, end, node))
            end = start + k
        else:
            siblings.append(subtree_root(start, start + k, node))
            start += k
    return siblings[::-1]


def consistency_proof(old_size: int, new_size: int, node) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 6962 section 2.1.2: the tree of `old_size` leaves is a prefix of the newer one."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    proof = []  # top-down, as for the path
    start, end, m, whole = 0, new_size, old_size, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            proof.append(subtree_root(start + k, end, node))
            end = start + k
        else:
            proof.append(subtree_root(start, start + k, node))
            start, m, whole = start + k, m - k, False
    if not whole:
        proof.append(subtree_root(start, end, node))
    return proof[::-1]


def verify_inclusion(index: int, size: int, leaf: bytes, path: list[bytes], root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: list[bytes]) -> bool:
    """RFC 9162 section 2.1.4.2 (the equal and empty trees, which need no proof, checked first)."""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # an exact power of two: the old root is a node of the new tree
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root


class Appender:
    """Adds leaves to a tree of `size` leaves whose right edge (`frontier`: the (level, index, hash) of the
    perfect subtrees of [0, size), largest first) is known; yields each node it completes.

    The work is proportional to the leaves added, not to the tree.
    """

    def __init__(self, size: int, frontier: list[tuple[int, int, bytes]]):
        self.size = size
        self.stack = list(frontier)

    def add(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Append one leaf hash; the nodes of level ≥ 1 it completes."""
        level, index, digest = 0, self.size, leaf
        self.size += 1
        made = []
        while self.stack and self.stack[-1][0] == level:
            _level, _index, left = self.stack.pop()
            level, index, digest = level + 1, index >> 1, node_hash(left, digest)
            made.append((level, index, digest))
        self.stack.append((level, index, digest))
        return made

    def root(self) -> bytes:
        return fold([digest for _level, _index, digest in self.stack])
