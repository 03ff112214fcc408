"""Schemathesis hooks for the node's API contract test (crates/medledger-node/tests/processes.rs).

Blob requests are signed (`x-medwallet-auth`, medledger_types::blob_request): this signs each
generated request the way a wallet or a clinic does, here written again from the format's
description rather than from our code, as the founding clinic of the test chain
(MEDLEDGER_CLINIC_SEED, its ed25519 seed in hex), so generated uploads get past the signature
check to the node's own rules. A generated upload is also named by its body's SHA-256 when its
name is a well-formed hash, so uploads can succeed rather than all end in `hash_mismatch`.

Transaction status long-polls are capped at 200 ms: the API takes waits up to 30 s, and a run
of hundreds of them would spend minutes waiting for transactions that do not exist.
"""

import hashlib
import os
import re
import secrets
import struct
import time

import requests
import schemathesis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

NAMESPACE = b"medwallet/blob-request/v1"
MESSAGE_VERSION = 2
HEX32 = re.compile(r"^[0-9a-fA-F]{64}$")

API = os.environ["MEDLEDGER_API"]
CLINIC = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(os.environ["MEDLEDGER_CLINIC_SEED"]))
CLINIC_KEY = CLINIC.public_key().public_bytes_raw()


def optional32(value):
    """The canonical encoding of an optional 32-byte id: 0, or 1 and the bytes."""
    if value is None:
        return b"\x00"
    return b"\x01" + bytes.fromhex(value)


def signed_header(chain, node, method, blob, record, grant):
    now_ms = int(time.time() * 1000)
    nonce = secrets.token_bytes(16)
    message = (
        bytes([MESSAGE_VERSION])
        + chain
        + node
        + bytes([1 if method == "GET" else 2])
        + bytes.fromhex(blob)
        + optional32(record)
        + optional32(grant)
        + struct.pack(">Q", now_ms)
        + nonce
    )
    signed = struct.pack(">H", len(NAMESPACE)) + NAMESPACE + message
    signature = CLINIC.sign(signed)
    return f"{CLINIC_KEY.hex()}.{now_ms}.{nonce.hex()}.{signature.hex()}"


def well_formed(value):
    return isinstance(value, str) and HEX32.match(value) is not None


@schemathesis.auth(refresh_interval=None).apply_to(path="/v1/blobs/{hash}")
class SignedBlobRequest:
    """The chain and this node's key come from /v1/status once; each request is signed anew."""

    def __init__(self):
        self.target = None

    def get(self, case, context):
        if self.target is None:
            status = requests.get(f"{API}/v1/status", timeout=10).json()
            self.target = (bytes.fromhex(status["chain_id"]), bytes.fromhex(status["node_key"]))
        return self.target

    def set(self, case, data, context):
        chain, node = data
        path = case.path_parameters or {}
        blob = path.get("hash")
        body = getattr(case.body, "data", case.body)  # schemathesis wraps binary bodies
        if case.method.upper() == "PUT" and well_formed(blob) and isinstance(body, (bytes, bytearray)):
            blob = hashlib.sha256(bytes(body)).hexdigest()
            case.path_parameters = {**path, "hash": blob}
        query = case.query or {}
        record = query.get("record")
        grant = query.get("grant")
        if not well_formed(blob) or (record is not None and not well_formed(record)) or (
            grant is not None and not well_formed(grant)
        ):
            return  # a malformed request is refused before its signature is read
        header = signed_header(chain, node, case.method.upper(), blob, record, grant)
        case.headers = {**(case.headers or {}), "x-medwallet-auth": header}


@schemathesis.hook
def before_call(context, case, **kwargs):
    """Caps transaction-status waits, in every phase (a generated request is sent as it is
    otherwise)."""
    query = case.query or {}
    wait = query.get("wait_ms")
    if isinstance(wait, str) and wait.isdigit():
        wait = int(wait)
    if isinstance(wait, int) and 200 < wait <= 30000:
        case.query = {**query, "wait_ms": 200}

