"""The anchored history: every case event a leaf of one append-only Merkle tree (RFC 6962), signed checkpoints."""
