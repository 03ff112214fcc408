#!/usr/bin/env bash
# Checks the medledger Debian package the way an operator meets it, without root and without
# touching this machine: the .deb is unpacked into a scratch root (dpkg -x), its files, control
# scripts and conffiles are checked, and the binary it installed makes a node key and runs a
# one-validator network until /readyz says ready, then stops on SIGTERM with exit 0.
set -euo pipefail

DIR=${1:?usage: $0 DIR_WITH_DEB}
DEB=$(ls -t "$DIR"/medledger_*.deb | head -1)
ROOT=$(mktemp -d)
NODE_PID=
cleanup() {
  [ -n "$NODE_PID" ] && kill "$NODE_PID" 2>/dev/null || true
  rm -rf "$ROOT"
}
trap cleanup EXIT

echo "package: $DEB"
dpkg-deb --field "$DEB" Package | grep -qx medledger
dpkg-deb --field "$DEB" Depends | grep -q adduser
dpkg -x "$DEB" "$ROOT"
dpkg-deb -e "$DEB" "$ROOT/DEBIAN"
for f in usr/bin/medledger etc/medledger/config.toml usr/lib/systemd/system/medledger.service; do
  [ -f "$ROOT/$f" ] || { echo "missing from the package: /$f" >&2; exit 1; }
done
grep -qx /etc/medledger/config.toml "$ROOT/DEBIAN/conffiles"
grep -q "medledger keygen --home /var/lib/medledger" "$ROOT/DEBIAN/postinst"
grep -q "ExecStart=/usr/bin/medledger --log-format json start --home /var/lib/medledger" \
  "$ROOT/usr/lib/systemd/system/medledger.service"
if command -v systemd-analyze >/dev/null; then
  # The unit's syntax (its binary path is checked against the scratch root's copy).
  sed "s|/usr/bin/medledger|$ROOT/usr/bin/medledger|" "$ROOT/usr/lib/systemd/system/medledger.service" \
    > "$ROOT/medledger.service"
  systemd-analyze verify "$ROOT/medledger.service" 2>&1 | grep -v "^$" | grep -iv "user.*medledger\|Failed to.*group" || true
fi

BIN="$ROOT/usr/bin/medledger"
"$BIN" --version
key=$("$BIN" keygen --home "$ROOT/var/lib/medledger")
[[ "$key" =~ ^[0-9a-f]{64}$ ]] || { echo "keygen printed: $key" >&2; exit 1; }
[ "$(stat -c %a "$ROOT/var/lib/medledger/node.key")" = 600 ]

base=$((30000 + RANDOM % 20000))
"$BIN" testnet --validators 1 --out "$ROOT/net" --base-port "$base" > "$ROOT/summary.json"
"$BIN" start --home "$ROOT/net/node0" 2> "$ROOT/node.log" &
NODE_PID=$!
api="http://127.0.0.1:$((base + 1))"
for _ in $(seq 1 120); do
  curl -sf "$api/readyz" > /dev/null && break
  sleep 0.5
done
curl -sf "$api/readyz" || { echo "the packaged node never got ready:" >&2; tail -20 "$ROOT/node.log" >&2; exit 1; }
echo
kill -TERM "$NODE_PID"
status=0
wait "$NODE_PID" || status=$?
NODE_PID=
[ "$status" = 0 ] || { echo "the packaged node exited $status on SIGTERM" >&2; exit 1; }
echo "package test: ok (installed files, control scripts, keygen, a node ready and stopped cleanly)"
