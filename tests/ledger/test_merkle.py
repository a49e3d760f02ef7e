"""The tree code against RFC 6962's well-known test vectors.

The numbers are those of the Certificate Transparency implementations' tests (the same eight leaves in the
C++ log and in google/trillian's merkle/log_verifier_test.go): the roots of every prefix of the 8-leaf tree,
audit paths, consistency proofs. Only the numbers are taken; the code is ours.
"""

import random

import pytest

from ledger import merkle

LEAVES = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43", bytes(range(0x50, 0x58)),
          bytes(range(0x60, 0x70))]
ROOTS = [  # MTH(D[1]) … MTH(D[8])
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
PATHS = {  # (leaf index, tree size) → audit path
    (0, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (5, 8): ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 3): ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    (1, 5): ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
}
CONSISTENCY = {  # (old size, new size) → proof
    (1, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (6, 8): ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 5): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
}


def build(leaf_hashes):
    """Every node of the tree, as the checkpoint job stores them, appending one leaf at a time."""
    nodes = {}
    appender = merkle.Appender(0, [])
    roots = []
    for index, leaf in enumerate(leaf_hashes):
        nodes[(0, index)] = leaf
        nodes.update({(level, at): digest for level, at, digest in appender.add(leaf)})
        roots.append(appender.root())
    return nodes, roots


@pytest.fixture(scope="module")
def tree():
    nodes, roots = build([merkle.leaf_hash(leaf) for leaf in LEAVES])
    return (lambda level, index: nodes[(level, index)]), roots


def test_the_roots_of_every_prefix_are_the_published_ones(tree):
    node, appended_roots = tree
    assert merkle.EMPTY_ROOT.hex() == EMPTY
    assert [root.hex() for root in appended_roots] == ROOTS
    assert [merkle.subtree_root(0, size, node).hex() for size in range(1, 9)] == ROOTS


@pytest.mark.parametrize("index, size", sorted(PATHS))
def test_audit_paths_are_the_published_ones_and_verify(tree, index, size):
    node, _roots = tree
    path = merkle.inclusion_path(index, size, node)
    assert [step.hex() for step in path] == PATHS[(index, size)]
    leaf, root = merkle.leaf_hash(LEAVES[index]), bytes.fromhex(ROOTS[size - 1])
    assert merkle.verify_inclusion(index, size, leaf, path, root)
    assert not merkle.verify_inclusion(index ^ 1, size, leaf, path, root)  # another place
    assert not merkle.verify_inclusion(index, size, merkle.leaf_hash(b"x"), path, root)  # another leaf
    assert not merkle.verify_inclusion(index, size, leaf, path[:-1], root)  # a step missing


@pytest.mark.parametrize("old, new", sorted(CONSISTENCY))
def test_consistency_proofs_are_the_published_ones_and_verify(tree, old, new):
    node, _roots = tree
    proof = merkle.consistency_proof(old, new, node)
    assert [step.hex() for step in proof] == CONSISTENCY[(old, new)]
    old_root, new_root = bytes.fromhex(ROOTS[old - 1]), bytes.fromhex(ROOTS[new - 1])
    assert merkle.verify_consistency(old, new, old_root, new_root, proof)
    assert not merkle.verify_consistency(old, new, new_root, old_root, proof)  # roots swapped
    assert not merkle.verify_consistency(old, new, old_root, new_root, proof[1:])  # a step missing
    assert not merkle.verify_consistency(old, new, old_root, new_root, [])


def test_every_proof_of_a_larger_tree_verifies_and_any_changed_hash_is_refused():
    rng = random.Random(6962)
    leaves = [merkle.leaf_hash(rng.randbytes(rng.randrange(40))) for _ in range(37)]
    nodes, roots = build(leaves)
    node = lambda level, index: nodes[(level, index)]  # noqa: E731
    for size in range(1, 38):
        for index in range(size):
            path = merkle.inclusion_path(index, size, node)
            assert merkle.verify_inclusion(index, size, leaves[index], path, roots[size - 1])
        for old in range(0, size + 1):
            proof = merkle.consistency_proof(old, size, node)
            old_root = roots[old - 1] if old else merkle.EMPTY_ROOT
            assert merkle.verify_consistency(old, size, old_root, roots[size - 1], proof)
            for at in range(len(proof)):
                bent = proof[:at] + [merkle.EMPTY_ROOT] + proof[at + 1:]
                assert not merkle.verify_consistency(old, size, old_root, roots[size - 1], bent)
    # Leaves taken in over several checkpoints: the nodes stored are the same as in one go.
    nodes_in_steps = {}
    size = 0
    for step in (5, 1, 12, 19):
        frontier = [(level, index, nodes_in_steps[(level, index)])
                    for level, index in merkle.perfect_subtrees(0, size)]
        appender = merkle.Appender(size, frontier)
        for leaf in leaves[size:size + step]:
            nodes_in_steps[(0, appender.size)] = leaf
            nodes_in_steps.update({(level, at): digest for level, at, digest in appender.add(leaf)})
        size += step
        assert appender.root() == roots[size - 1]
    assert nodes_in_steps == nodes
