#!/usr/bin/env python3
"""A SMART Health Link receiving application written from the spec (HL7 SMART Health Cards and
Links IG, STU1), with none of Medwallet's code: the shlink:/ payload decoded by hand, the
manifest request with `requests`, each file decrypted with `jwcrypto` (dir + A256GCM, zip DEF).

    shl_receiver.py LINK --recipient NAME [--passcode P] [--embedded-length-max N]

Prints one JSON object: {"label", "status", "files": [FHIR…]} when the link opens, or
{"error": "passcode" | "not-active" | "http", "status", "remainingAttempts"} when it does not
(exit code 2). Medwallet's tests run it against a real node.
"""
import argparse
import base64
import json
import sys

import requests
from jwcrypto import jwe, jwk


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def decode_link(text):
    start = text.index("shlink:/")
    payload = json.loads(b64url_decode(text[start + len("shlink:/"):]))
    if payload.get("v", 1) != 1:
        raise SystemExit("unsupported SHL version")
    return payload


def decrypt(key, compact):
    token = jwe.JWE()
    token.deserialize(compact, key=key)
    header = token.jose_header
    assert header["alg"] == "dir" and header["enc"] == "A256GCM", header
    return json.loads(token.payload)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("link")
    parser.add_argument("--recipient", required=True)
    parser.add_argument("--passcode")
    parser.add_argument("--embedded-length-max", type=int,
                        help="ask for files longer than this by location")
    args = parser.parse_args()
    link = decode_link(args.link)
    key = jwk.JWK(kty="oct", k=link["key"])
    flags = link.get("flag", "")
    if "U" in flags:
        r = requests.get(link["url"], params={"recipient": args.recipient}, timeout=30)
        if r.status_code != 200:
            print(json.dumps({"error": "http", "status": r.status_code}))
            return 2
        files = [decrypt(key, r.text)]
        print(json.dumps({"label": link.get("label"), "status": None, "files": files}))
        return 0
    body = {"recipient": args.recipient}
    if args.passcode is not None:
        body["passcode"] = args.passcode
    if args.embedded_length_max is not None:
        body["embeddedLengthMax"] = args.embedded_length_max
    r = requests.post(link["url"], json=body, timeout=30)
    if r.status_code == 401:
        print(json.dumps({"error": "passcode", "status": 401,
                          "remainingAttempts": r.json().get("remainingAttempts")}))
        return 2
    if r.status_code == 404:
        print(json.dumps({"error": "not-active", "status": 404}))
        return 2
    if r.status_code != 200:
        print(json.dumps({"error": "http", "status": r.status_code, "body": r.text[:300]}))
        return 2
    manifest = r.json()
    files = []
    for f in manifest["files"]:
        if "embedded" in f:
            compact = f["embedded"]
        else:
            got = requests.get(f["location"], timeout=30)
            got.raise_for_status()
            compact = got.text
        assert f["contentType"] == "application/fhir+json", f
        files.append(decrypt(key, compact))
    print(json.dumps({"label": link.get("label"), "status": manifest.get("status"), "files": files}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
