#!/usr/bin/env bash
# The desktop wallet on an embedded local devnet (`make run`), or its end-to-end tests in the
# real webview (`make e2e`). Starts 4 medledger validators, a demo clinic that issues a Synthea
# history (one record per visit and category) to every patient who registers, and a demo doctor registered
# with that clinic; then opens the wallet (or runs the WebDriver scenarios against it, with
# a lying node from scripts/lying_node.py for the patient to catch).
#   scripts/desktop_devnet.sh run  BIN_DIR
#   scripts/desktop_devnet.sh e2e  BIN_DIR
set -euo pipefail
MODE=$1
BIN=$2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FHIR="$ROOT/tests/fixtures/fhir/Ned_Hintz_e4b9259d-0f54-48d1-a35d-b526729a4dfe.json"
ALLERGIES="$ROOT/tests/fixtures/fhir/allergies_and_medications.json"
WORK="$ROOT/target/devnet"
rm -rf "$WORK" && mkdir -p "$WORK"
DRIVER_PID=""
cleanup() {
  # tauri-driver takes SIGTERM (SIGKILL would leave WebKitWebDriver and the app running).
  [ -n "$DRIVER_PID" ] && kill -TERM "$DRIVER_PID" 2>/dev/null || true
  devnet_stop
}
trap cleanup EXIT
# shellcheck source=devnet.sh
. "$ROOT/scripts/devnet.sh"
devnet_start

"$BIN/medclinic" demo "${CLINIC[@]}" --fhir "$FHIR" --fhir "$ALLERGIES" > "$WORK/clinic.log" 2>&1 & PIDS+=($!)

# The demo doctor: a wallet made with the CLI, registered by the demo clinic.
printf 'doctor password 1\n' > "$WORK/doctor.pw"
"$BIN/medwallet" --wallet "$WORK/doctor" --password-file "$WORK/doctor.pw" init --json > "$WORK/doctor.json"
DOCTOR_CODE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["share_code"])' "$WORK/doctor.json")
python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["mnemonic"].split()))' "$WORK/doctor.json" > "$WORK/doctor.words"
# The doctor consents in their wallet to the clinic registering them; the clinic cannot without.
CLINIC_ADDRESS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["address"])' "$WORK/clinic.json")
CONSENT=$("$BIN/medwallet" --wallet "$WORK/doctor" --password-file "$WORK/doctor.pw" --genesis "$GENESIS" \
  doctor-consent --json --clinic "$CLINIC_ADDRESS" --name "Meredith Grey" --licence "MD-0042" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["consent"])')
"$BIN/medclinic" add-doctor "${CLINIC[@]}" \
  --doctor "$DOCTOR_CODE" --name "Meredith Grey" --licence "MD-0042" --consent "$CONSENT" > /dev/null
echo "$DOCTOR_CODE" > "$WORK/doctor.code"

export MEDWALLET_GENESIS="$GENESIS"
export MEDWALLET_DEVNET=1
APP="$BIN/medwallet-desktop"

case "$MODE" in
run)
  cat <<TXT

Medwallet desktop on the local devnet ($MEDWALLET_NODES).
  Create a wallet: the demo clinic issues Ned Hintz's visits to it within a minute; press Sync.
  To share, paste the demo doctor's share code (Dr. Meredith Grey):
    $DOCTOR_CODE
  Doctor mode: run the app with MEDWALLET_HOME=$WORK/doctor-app and restore from the words in
    $WORK/doctor.words
TXT
  export MEDWALLET_HOME="$WORK/patient-app"
  if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    "$APP"
  else
    echo "(no display: running under Xvfb; screenshots: xwd -root -display \$DISPLAY)"
    xvfb-run -a -s "-screen 0 1280x900x24" "$APP"
  fi
  ;;
e2e)
  # A node that forges certificates, for the red banner: the patient adds it in Settings.
  python3 "$ROOT/scripts/lying_node.py" "$NODE" "$WORK/liar.port" > "$WORK/liar.log" 2>&1 & PIDS+=($!)
  for _ in $(seq 1 50); do [ -s "$WORK/liar.port" ] && break; sleep 0.1; done
  export MEDWALLET_E2E_LIAR="http://127.0.0.1:$(cat "$WORK/liar.port")"
  export MEDWALLET_E2E_APP="$(cd "$(dirname "$APP")" && pwd)/$(basename "$APP")"
  export MEDWALLET_E2E_WORK="$WORK"
  export MEDWALLET_E2E_DOCTOR_CODE="$DOCTOR_CODE"
  export MEDWALLET_E2E_DOCTOR_WORDS="$WORK/doctor.words"
  export MEDWALLET_E2E_SCREENSHOTS="$ROOT/target/screenshots"
  export MEDWALLET_E2E_CHROMEDRIVER="http://127.0.0.1:9515"
  mkdir -p "$MEDWALLET_E2E_SCREENSHOTS"
  export MEDWALLET_E2E_NOTIFICATIONS="$WORK/notifications.jsonl"
  export MEDWALLET_E2E_PYTHON="${MEDWALLET_E2E_PYTHON:-python3}"
  export MEDWALLET_E2E_RECORDER="$ROOT/scripts/notification_recorder.py"
  # A session bus of its own (the app's single-instance names and notifications go there), with
  # a notification service that writes down what the desktop would show.
  xvfb-run -a -s "-screen 0 1280x900x24" dbus-run-session -- bash -c '
    "$MEDWALLET_E2E_PYTHON" "$MEDWALLET_E2E_RECORDER" \
      "$MEDWALLET_E2E_NOTIFICATIONS" "$MEDWALLET_E2E_WORK/notifications.ready" > "$MEDWALLET_E2E_WORK/notifications.log" 2>&1 &
    echo $! > "$MEDWALLET_E2E_WORK/recorder.pid"
    for _ in $(seq 1 50); do [ -s "$MEDWALLET_E2E_WORK/notifications.ready" ] && break; sleep 0.1; done
    tauri-driver --port 4444 > "$MEDWALLET_E2E_WORK/tauri-driver.log" 2>&1 &
    echo $! > "$MEDWALLET_E2E_WORK/driver.pid"
    for _ in $(seq 1 50); do curl -s localhost:4444/status > /dev/null && break; sleep 0.2; done
    # Headless Chromium for the SMART Health Link viewer (the receiver of a link).
    chromedriver --port=9515 > "$MEDWALLET_E2E_WORK/chromedriver.log" 2>&1 &
    echo $! > "$MEDWALLET_E2E_WORK/chromedriver.pid"
    for _ in $(seq 1 50); do curl -s localhost:9515/status > /dev/null && break; sleep 0.2; done
    status=0
    "$0" --ignored --test-threads 1 || status=$?
    kill -TERM "$(cat "$MEDWALLET_E2E_WORK/driver.pid")" "$(cat "$MEDWALLET_E2E_WORK/chromedriver.pid")" \
      "$(cat "$MEDWALLET_E2E_WORK/recorder.pid")" 2>/dev/null || true
    wait 2>/dev/null || true
    exit $status
  ' "$E2E_TEST_BINARY"
  ;;
*) echo "usage: $0 run|e2e BIN_DIR" >&2; exit 2 ;;
esac
