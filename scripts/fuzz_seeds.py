#!/usr/bin/env python3
"""Seeds each libFuzzer corpus with the valid inputs from the golden vectors, so fuzzing starts
past the magic bytes and checksums instead of rediscovering them."""
import json
import pathlib

root = pathlib.Path(__file__).resolve().parent.parent
vectors = root / "tests" / "vectors"
corpus = root / "fuzz" / "corpus"
seeds = {
    "keystore_decode": [("keystore", "file", "hex")],
    "envelope_open": [],
    "wrapped_key": [("envelope", "wrapped_key", "hex")],
    "mnemonic": [("keys", "mnemonic", "text")],
    "bech32_strings": [],
    "signed_tx": [],
    "grant_terms": [],
    "erasure_values": [],
    "recovery_values": [],
    "emergency_values": [],
    "block": [],
    "finalization": [],
    "auth_header": [],
    "state_proof": [],
    "shl_link": [],
    "shl_file": [],
}
for target, sources in seeds.items():
    out = corpus / target
    out.mkdir(parents=True, exist_ok=True)
    for folder, field, encoding in sources:
        for case in sorted((vectors / folder).glob("*.json")):
            value = json.loads(case.read_text())["input"].get(field)
            if value is None:
                continue
            data = bytes.fromhex(value) if encoding == "hex" else value.encode()
            (out / f"vector-{case.stem}").write_bytes(data)
    if target == "envelope_open":
        # wrapped key || envelope, matching the target's input layout.
        for case in sorted((vectors / "envelope").glob("*.json")):
            i = json.loads(case.read_text())["input"]
            (out / f"vector-{case.stem}").write_bytes(bytes.fromhex(i["wrapped_key"]) + bytes.fromhex(i["envelope"]))
    if target == "bech32_strings":
        for case in sorted((vectors / "keys").glob("entropy-*.json")):
            expected = json.loads(case.read_text())["expected"]
            for key in ("address", "share_code"):
                (out / f"vector-{case.stem}-{key}").write_text(expected[key])
# Real Simplex certificates and headers (recorded from the node) seed the ledger decoders.
recorded = json.loads((vectors / "certificates" / "simplex-4-validators.json").read_text())
for i, f in enumerate(recorded["finalizations"]):
    (corpus / "finalization" / f"recorded-{i}").write_bytes(bytes.fromhex(f["certificate"]))
    (corpus / "block" / f"recorded-{i}").write_bytes(bytes.fromhex(f["header"]) + b"\0\0\0\0")
(corpus / "auth_header" / "example").write_text("ab" * 32 + ".1700000000000." + "cd" * 64)
# The SMART Health Links spec's own link and file.
link = json.loads((vectors / "shl" / "spec-example-payload.json").read_text())
(corpus / "shl_link" / "spec-link").write_text(link["link"])
(corpus / "shl_link" / "spec-viewer-link").write_text(link["viewer_link"])
spec_file = json.loads((vectors / "shl" / "spec-example-file.json").read_text())
(corpus / "shl_file" / "spec-file").write_text(spec_file["jwe"])
print(f"seeded {corpus}")
