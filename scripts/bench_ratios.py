#!/usr/bin/env python3
"""Prints envelope-vs-raw ratios from criterion's estimates (target/criterion).

ratio = raw mean time / envelope mean time: 1.00 means no overhead, 0.85 means the envelope
runs at 85 % of raw ChaCha20-Poly1305 speed.
"""
import json
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parent.parent / "target" / "criterion"


def mean_ns(group: str, func: str, label: str) -> float:
    path = root / group / func / label / "new" / "estimates.json"
    return json.loads(path.read_text())["mean"]["point_estimate"]


ok = True
print(f"{'size':>6}  {'variant':>9}  {'raw enc':>10}  {'seal':>10}  {'ratio':>5}  {'raw dec':>10}  {'open':>10}  {'ratio':>5}")
for label, size in (("1MiB", 1 << 20), ("64MiB", 64 << 20)):
    group = f"envelope_{label}"
    for variant, suffix in (("in-memory", ""), ("streaming", "_stream")):
        try:
            raw_e, seal = mean_ns(group, "raw_encrypt", label), mean_ns(group, "seal" + suffix, label)
            raw_d, open_ = mean_ns(group, "raw_decrypt", label), mean_ns(group, "open" + suffix, label)
        except FileNotFoundError as e:
            sys.exit(f"no criterion results ({e.filename}); run `make bench` first")
        gbps = lambda ns: f"{size / ns:.2f} GB/s"
        r_seal, r_open = raw_e / seal, raw_d / open_
        if variant == "in-memory":
            ok &= r_seal >= 0.85 and r_open >= 0.85
        print(f"{label:>6}  {variant:>9}  {gbps(raw_e):>10}  {gbps(seal):>10}  {r_seal:5.2f}  {gbps(raw_d):>10}  {gbps(open_):>10}  {r_open:5.2f}")
print("target (in-memory seal and open >= 0.85x of raw):", "met" if ok else "NOT met")

# Certificate verification vs raw batch verification (medwallet-verify bench), if it ran.
cert_rows = []
for n in (4, 7, 21, 100):
    try:
        raw = mean_ns(f"certificate_{n}", "raw_batch", str(n))
        ours = mean_ns(f"certificate_{n}", "verify_finalization", str(n))
    except FileNotFoundError:
        continue
    cert_rows.append((n, raw, ours))
if cert_rows:
    print()
    print(f"{'validators':>10}  {'raw batch':>10}  {'ours':>10}  {'ratio':>5}")
    cert_ok = True
    for n, raw, ours in cert_rows:
        cert_ok &= ours / raw <= 1.1
        print(f"{n:>10}  {raw / 1000:>8.1f}us  {ours / 1000:>8.1f}us  {ours / raw:5.2f}")
    print("target (certificate verification <= 1.1x of raw batch):", "met" if cert_ok else "NOT met")

# Cold sync of a new wallet (medwallet-net bench): 100 records, three nodes, 1k vs 100k blocks.
def cold_sync_ns(blocks: int):
    path = root / "cold_sync" / f"{blocks}_blocks_100_records" / "new" / "estimates.json"
    return json.loads(path.read_text())["mean"]["point_estimate"] if path.exists() else None


short, long = cold_sync_ns(1_000), cold_sync_ns(100_000)
if short and long:
    print()
    print(f"cold sync, 100 records from 3 nodes: {short / 1e6:.1f} ms at 1k blocks, "
          f"{long / 1e6:.1f} ms at 100k blocks ({long / short:.2f}x)")
    print("target (cold sync at 100k blocks <= 1 s):", "met" if long <= 1e9 else "NOT met")
