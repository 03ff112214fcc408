#!/usr/bin/env python3
"""A full node that lies, for the desktop wallet's end-to-end test (`make e2e`).

Forwards every request to an honest medledger node, but forges the certificate of the newest
finalized header it reports (one bit of the signature flipped), the way a compromised node
might claim a block the validators never signed. The wallet must catch it and name it in the
red banner. Listens on a free loopback port and writes that port to PORT_FILE.

    scripts/lying_node.py UPSTREAM_URL PORT_FILE
"""
import json
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UPSTREAM = sys.argv[1].rstrip("/")
PORT_FILE = sys.argv[2]
MAX_BODY = 16 * 1024 * 1024


def forge(body: bytes) -> bytes:
    status = json.loads(body)
    cert = (status.get("latest_finalized") or {}).get("finalization")
    if cert:
        raw = bytearray.fromhex(cert)
        raw[-1] ^= 1
        status["latest_finalized"]["finalization"] = raw.hex()
    return json.dumps(status).encode()


class Liar(BaseHTTPRequestHandler):
    def forward(self):
        length = min(int(self.headers.get("content-length") or 0), MAX_BODY)
        data = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        request = urllib.request.Request(UPSTREAM + self.path, data=data, headers=headers, method=self.command)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, body, ctype = response.status, response.read(), response.headers.get("content-type")
        except urllib.error.HTTPError as e:
            status, body, ctype = e.code, e.read(), e.headers.get("content-type")
        if self.path.startswith("/v1/status") and status == 200:
            body = forge(body)
        self.send_response(status)
        self.send_header("content-type", ctype or "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = forward

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Liar)
with open(PORT_FILE, "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
