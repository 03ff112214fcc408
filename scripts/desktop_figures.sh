#!/usr/bin/env bash
# The desktop wallet's start-up figures (`make bench-desktop`): cold start to an interactive
# timeline with 10,000 cached records, and PSS of the app and its WebKit processes, measured in
# the real webview under Xvfb through tauri-driver. Results go to stdout and
# target/desktop-figures.txt; docs/benchmarks.md quotes them.
#   scripts/desktop_figures.sh APP_BINARY
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
APP=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
WORK="$ROOT/target/figures"
rm -rf "$WORK" && mkdir -p "$WORK"
cd "$ROOT"
# Build first, so the timed part runs nothing but the app.
cargo bench --locked -p medwallet-e2e --bench desktop_figures --no-run
export MEDWALLET_FIGURES_APP="$APP" MEDWALLET_FIGURES_WORK="$WORK"
xvfb-run -a -s "-screen 0 1280x900x24" bash -c '
  tauri-driver --port 4444 > "$MEDWALLET_FIGURES_WORK/tauri-driver.log" 2>&1 &
  driver=$!
  for _ in $(seq 1 50); do curl -s localhost:4444/status > /dev/null && break; sleep 0.2; done
  status=0
  cargo bench --locked -p medwallet-e2e --bench desktop_figures || status=$?
  # SIGTERM: tauri-driver then stops WebKitWebDriver and the app too.
  kill -TERM "$driver" 2>/dev/null || true
  wait 2>/dev/null || true
  exit $status
' 2>&1 | tee "$ROOT/target/desktop-figures.txt"
