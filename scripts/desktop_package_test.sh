#!/usr/bin/env bash
# Checks the desktop wallet's Debian package the way a patient's machine meets it, without root
# and without touching this machine: the .deb is unpacked into a scratch root (dpkg -x); its
# control fields, launcher entry and icons are checked, every library the binary needs is on
# the system (its declared Depends), and the installed binary starts under a virtual display on
# a private session bus, with an empty wallet folder, until it has taken its single-instance
# name and opened its window; then it is stopped.
set -euo pipefail

DIR=${1:?usage: $0 DIR_WITH_DEB}
DEB=$(ls -t "$DIR"/Medwallet_*.deb | head -1)
ROOT=$(mktemp -d)
cleanup() {
  [ -n "${APP_PID:-}" ] && kill "$APP_PID" 2>/dev/null || true
  rm -rf "$ROOT"
}
trap cleanup EXIT

echo "package: $DEB"
[ "$(dpkg-deb --field "$DEB" Package)" = medwallet ]
for dep in libwebkit2gtk-4.1-0 libgtk-3-0; do
  dpkg-deb --field "$DEB" Depends | grep -q "$dep" || { echo "Depends lacks $dep" >&2; exit 1; }
done
dpkg -x "$DEB" "$ROOT"
BIN="$ROOT/usr/bin/medwallet-desktop"
DESKTOP="$ROOT/usr/share/applications/Medwallet.desktop"
for f in "$BIN" "$DESKTOP" "$ROOT/usr/share/icons/hicolor/128x128/apps/medwallet-desktop.png"; do
  [ -f "$f" ] || { echo "missing from the package: ${f#"$ROOT"}" >&2; exit 1; }
done
grep -qx "Exec=medwallet-desktop" "$DESKTOP"
grep -qx "Icon=medwallet-desktop" "$DESKTOP"
grep -q "^Categories=.*MedicalSoftware" "$DESKTOP"
if command -v desktop-file-validate > /dev/null; then desktop-file-validate "$DESKTOP"; fi
missing=$(ldd "$BIN" | grep "not found" || true)
[ -z "$missing" ] || { echo "libraries the package does not bring: $missing" >&2; exit 1; }
# A release binary without its debug sections (what a patient downloads).
if readelf -S "$BIN" | grep -q "\.debug_"; then echo "the packaged binary carries debug info" >&2; exit 1; fi

# Start it: its single-instance name on the bus, then its window on the display.
export MEDWALLET_PACKAGE_BIN="$BIN" MEDWALLET_PACKAGE_HOME="$ROOT/wallet"
xvfb-run -a -s "-screen 0 1280x900x24" dbus-run-session -- bash -c '
  "$MEDWALLET_PACKAGE_BIN" --home "$MEDWALLET_PACKAGE_HOME" > "$MEDWALLET_PACKAGE_HOME.log" 2>&1 &
  app=$!
  for _ in $(seq 1 120); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.ListNames | grep -q "org.medwallet.desktop.wallet_" \
      && xwininfo -root -tree | grep -q "\"Medwallet\""; then
      kill -TERM $app; wait $app 2>/dev/null || true
      exit 0
    fi
    kill -0 $app 2>/dev/null || { echo "the packaged app exited:" >&2; cat "$MEDWALLET_PACKAGE_HOME.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "the packaged app did not start within a minute" >&2
  kill -TERM $app
  exit 1
'
echo "desktop package test: ok (control fields, launcher, icons, libraries, started and stopped)"
