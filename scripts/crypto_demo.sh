#!/usr/bin/env bash
# A walk through Medwallet's record cryptography with the real `medwallet` binary:
# a clinic seals a Synthea patient's FHIR bundle to the patient's share code, the patient
# grants a doctor access by re-wrapping the record key (no re-encryption), and the doctor
# opens a byte-identical copy. Tampering is then shown to be detected.
set -euo pipefail
MEDWALLET=${1:-target/release/medwallet}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FIXTURE="$ROOT/tests/fixtures/fhir/Ned_Hintz_e4b9259d-0f54-48d1-a35d-b526729a4dfe.json"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval("d"+sys.argv[1]))' "$1"; }

say "Patient creates a wallet (24-word recovery phrase, Argon2id-protected keystore)"
printf 'patient password 1\n' > "$WORK/patient.pw"
"$MEDWALLET" --wallet "$WORK/patient" --password-file "$WORK/patient.pw" init --label "Ned" | sed 's/^\( *[0-9]*\. \).*/\1(hidden in the demo)/'
PATIENT_CODE=$("$MEDWALLET" --wallet "$WORK/patient" address --json | field '["share_code"]')

say "Doctor creates a wallet"
printf 'doctor password 1\n' > "$WORK/doctor.pw"
"$MEDWALLET" --wallet "$WORK/doctor" --password-file "$WORK/doctor.pw" init --json --label "Dr. Grey" > /dev/null
DOCTOR_CODE=$("$MEDWALLET" --wallet "$WORK/doctor" address --json | field '["share_code"]')
"$MEDWALLET" --wallet "$WORK/doctor" address

say "Clinic seals $(basename "$FIXTURE") ($(wc -c < "$FIXTURE") bytes of FHIR R4) to the patient's share code"
SEAL=$("$MEDWALLET" envelope seal --json --to "$PATIENT_CODE" --record-id demo-record-1 --in "$FIXTURE" --out "$WORK/record.mdwrec")
echo "$SEAL" | python3 -m json.tool
FOR_PATIENT=$(echo "$SEAL" | field '["wrapped_keys"][0]["wrapped_key"]')

say "Patient grants the doctor access: the record key is wrapped again, the record is not re-encrypted"
FOR_DOCTOR=$("$MEDWALLET" --wallet "$WORK/patient" --password-file "$WORK/patient.pw" envelope wrap --json \
  --wrapped-key "$FOR_PATIENT" --record-id demo-record-1 --to "$DOCTOR_CODE" | field '["wrapped_key"]')
echo "wrapped key for the doctor: ${FOR_DOCTOR:0:32}…"

say "Doctor opens the record"
"$MEDWALLET" --wallet "$WORK/doctor" --password-file "$WORK/doctor.pw" envelope open \
  --wrapped-key "$FOR_DOCTOR" --record-id demo-record-1 --in "$WORK/record.mdwrec" --out "$WORK/opened.json"
cmp "$FIXTURE" "$WORK/opened.json" && echo "byte-identical to what the clinic issued"

say "A flipped bit in the stored ciphertext is detected, and nothing is written"
python3 - "$WORK/record.mdwrec" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[len(b) // 2] ^= 1; open(p, "wb").write(b)
PY
if "$MEDWALLET" --wallet "$WORK/doctor" --password-file "$WORK/doctor.pw" envelope open \
  --wrapped-key "$FOR_DOCTOR" --record-id demo-record-1 --in "$WORK/record.mdwrec" --out "$WORK/tampered.json"; then
  echo "tampering was NOT detected"; exit 1
fi
[ ! -e "$WORK/tampered.json" ] && echo "no output file was created"

say "A wrong password is refused"
printf 'not the password\n' > "$WORK/wrong.pw"
"$MEDWALLET" --wallet "$WORK/patient" --password-file "$WORK/wrong.pw" envelope wrap \
  --wrapped-key "$FOR_PATIENT" --record-id demo-record-1 --to "$DOCTOR_CODE" || true
say "Demo complete"
