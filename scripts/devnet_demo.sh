#!/usr/bin/env bash
# The whole story with the command-line tools (`make demo-cli`), on a 4-validator Medwallet
# devnet on this machine. A clinic issues a patient's history (Synthea,
# FHIR R4) one record per visit; the patient syncs (verifying every header and proof), opens a
# record byte-identical, grants a doctor a category; the doctor reads it; the patient sees the
# access log and revokes; the doctor is refused.
set -euo pipefail
BIN=${1:-target/debug}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FHIR="$ROOT/tests/fixtures/fhir/Ned_Hintz_e4b9259d-0f54-48d1-a35d-b526729a4dfe.json"
WORK=$(mktemp -d)
cleanup() { devnet_stop; rm -rf "$WORK"; }
trap cleanup EXIT
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval("d"+sys.argv[1]))' "$1"; }
# shellcheck source=devnet.sh
. "$ROOT/scripts/devnet.sh"
printf 'patient password 1\n' > "$WORK/patient.pw"; printf 'doctor password 1\n' > "$WORK/doctor.pw"
P=("$BIN/medwallet" --wallet "$WORK/patient" --password-file "$WORK/patient.pw")
D=("$BIN/medwallet" --wallet "$WORK/doctor" --password-file "$WORK/doctor.pw")

say "A 4-validator devnet (Commonware Simplex, JMT state in redb)"
devnet_start

say "A patient and a doctor create wallets; the patient registers"
"${P[@]}" init --label Ned | head -3
"${D[@]}" init --json > "$WORK/doctor.json"
"${P[@]}" register --genesis "$GENESIS"

say "The demo clinic registers the doctor and issues the patient's history, one record per visit and category"
CONSENT=$("${D[@]}" --genesis "$GENESIS" doctor-consent --json --clinic "$(field '["address"]' < "$WORK/clinic.json")" \
  --name "Meredith Grey" --licence "MD-0042" | field '["consent"]')
"$BIN/medclinic" add-doctor "${CLINIC[@]}" \
  --doctor "$(field '["share_code"]' < "$WORK/doctor.json")" --name "Meredith Grey" --licence "MD-0042" --consent "$CONSENT"
"$BIN/medclinic" issue "${CLINIC[@]}" \
  --patient "$("${P[@]}" address --json | field '["share_code"]')" --fhir "$FHIR" --per-encounter > "$WORK/issued.json"
echo "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$WORK/issued.json") records issued"

say "The patient syncs: every header is checked against validator certificates, every record by proof"
"${P[@]}" sync
"${P[@]}" records | head -8

say "My summary: an International Patient Summary (HL7 IPS) built in the wallet from verified records"
"${P[@]}" summary --out "$WORK/ips.json" | head -12

say "The patient opens a lab record: byte-identical to what the clinic issued"
FIRST=$(python3 -c 'import json,sys; print([r for r in json.load(open(sys.argv[1])) if r["category"] == "labs"][0]["record_id"])' "$WORK/issued.json")
"${P[@]}" show "$FIRST" --out "$WORK/labs.json"
python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); print([e["resource"]["resourceType"] for e in b["entry"]])' "$WORK/labs.json"

say "The patient grants the doctor the lab results (category: labs): only the lab records, nothing else"
GRANT=$("${P[@]}" grant --json --doctor "$(field '["address"]' < "$WORK/doctor.json")" --category labs | field '["grant_id"]')
echo "grant $GRANT"

say "The doctor sees what was shared (lab records only) and opens one"
"${D[@]}" sync --genesis "$GENESIS" > /dev/null
"${D[@]}" shared | head -5
"${D[@]}" show "$FIRST" --out "$WORK/doctor-view.json"
cmp "$WORK/labs.json" "$WORK/doctor-view.json" && echo "the doctor's copy is identical"

say "The patient's access log (AccessReceipts on the ledger, verified)"
sleep 1
"${P[@]}" access-log

say "The patient revokes; the doctor is refused from now on"
"${P[@]}" revoke "$GRANT"
"${D[@]}" show "$FIRST" || true
say "Demo complete (the devnet stops now)"
