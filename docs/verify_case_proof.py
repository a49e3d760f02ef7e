#!/usr/bin/env python3
"""Check a case's history proof with nothing but Python 3, the `cryptography` package and a public key.

The proof is the JSON file "Tải bằng chứng (JSON)" on the case's audit page (`/cases/<code>/audit/`). Run:

    python3 verify_case_proof.py PROOF.json --public-key KEY

KEY is the public key the checkpoints are signed with: raw, in base64, as the operator's
`manage.py audit_checkpoint --public-key` prints it, or a file holding that or a PEM public key. Take it
from the operator by another way than the proof itself: the key written inside the file is not trusted.
(`pip install cryptography` if Python does not have it.)

What is checked:
1. the signature of the checkpoint (its size, root, time and key id) with KEY, and that the key id it names
   is KEY's (the first 16 hex digits of SHA-256 over the raw key);
2. each event's chain hash, recomputed from its content (SHA-256 over canonical JSON: keys sorted, no spaces,
   UTF-8), and that each event names the one before it (`prev`), from the first;
3. each event's leaf (RFC 6962: SHA-256(0x00 || canonical JSON of the event with its hash)) and its audit
   path up to the signed root (RFC 9162, section 2.1.3.2).
Exit status 0 when all of it holds; 1 with the reason otherwise. Events written after the checkpoint are
listed in the file apart ("not_yet_anchored"): a later checkpoint's proof covers them.
"""

import argparse
import base64
import hashlib
import json
import sys
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_path(index: int, size: int, leaf: bytes, path: list) -> bytes | None:
    """RFC 9162 section 2.1.3.2; None when the path cannot belong to that leaf in that tree."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def public_key(value: str) -> Ed25519PublicKey:
    path = Path(value)
    text = path.read_text(encoding="ascii").strip() if path.is_file() else value.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))


def check(proof: dict, key: Ed25519PublicKey) -> str:
    """The summary when the proof holds; raises ValueError with the reason when it does not."""
    if proof.get("format") != "dlxh-case-proof/1":
        raise ValueError("not a case proof (dlxh-case-proof/1)")
    checkpoint = proof["checkpoint"]
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key_id = hashlib.sha256(raw).hexdigest()[:16]
    if checkpoint["key_id"] != key_id:
        raise ValueError(f"the checkpoint names key {checkpoint['key_id']}, the key given is {key_id}")
    size, root = int(checkpoint["tree_size"]), checkpoint["root_hash"]
    body = (f"dlxh-audit-checkpoint/1\ntree_size {size}\nroot_hash {root}\n"
            f"signed_at {checkpoint['signed_at']}\nkey_id {key_id}\n").encode()
    try:
        key.verify(base64.b64decode(checkpoint["signature"], validate=True), body)
    except InvalidSignature:
        raise ValueError("the checkpoint's signature does not match: it was not signed with this key, "
                         "or it was changed") from None
    previous = ""
    for number, entry in enumerate(proof["events"], start=1):
        event = entry["event"]
        where = f"{event['case']} event #{event['seq']}"
        if event["case"] != proof["case"] or event["seq"] != number or event["prev"] != previous:
            raise ValueError(f"{where}: not the next link of the case's chain")
        content = {name: value for name, value in event.items() if name != "hash"}
        if hashlib.sha256(canonical(content)).hexdigest() != event["hash"]:
            raise ValueError(f"{where}: its content does not match its hash")
        leaf = hashlib.sha256(b"\x00" + canonical(event)).digest()
        path = [bytes.fromhex(node) for node in entry["audit_path"]]
        found = root_from_path(int(entry["leaf_index"]), size, leaf, path)
        if found is None or found.hex() != root:
            raise ValueError(f"{where}: its audit path does not lead to the signed root")
        previous = event["hash"]
    later = len(proof.get("not_yet_anchored") or [])
    return (f"{proof['case']}: {len(proof['events'])} events proven in the checkpoint of {size} events signed "
            f"{checkpoint['signed_at']} with key {key_id}" + (f"; {later} written since, not covered" if later else ""))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("proof", help="the proof file downloaded from the case's audit page")
    parser.add_argument("--public-key", required=True, help="the signer's public key (base64) or a file holding it")
    args = parser.parse_args(argv)
    try:
        proof = json.loads(Path(args.proof).read_text(encoding="utf-8"))
        print("OK: " + check(proof, public_key(args.public_key)))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
