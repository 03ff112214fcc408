# Sourced by the demo scripts: starts a 4-validator medledger devnet on free loopback ports, with
# a demo clinic registered at genesis (its key in $WORK/clinic.key, made by `medclinic keygen`).
# Needs BIN (directory of the binaries) and WORK (a scratch directory); sets BASE, NODE (the
# first API URL), MEDWALLET_NODES (two API URLs), GENESIS (the chain's genesis file), CLINIC
# (medclinic's --key/--node/--genesis arguments) and PIDS (stopped by devnet_stop). Its genesis
# lets a guardian recovery take effect after 5 seconds, so it can be tried by hand and in tests.
PIDS=()
devnet_stop() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
devnet_start() {
  BASE=$(python3 - <<'PY'
import socket
for base in range(26600, 40000, 16):
    try:
        for port in range(base, base + 12):
            s = socket.socket(); s.bind(("127.0.0.1", port)); s.close()
        print(base); break
    except OSError:
        continue
PY
)
  NODE="http://127.0.0.1:$((BASE + 1))"
  export MEDWALLET_NODES="$NODE,http://127.0.0.1:$((BASE + 3))"
  "$BIN/medclinic" keygen --out "$WORK/clinic.key" --name "Demo Clinic" > "$WORK/clinic.json"
  CLINIC_CODE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["share_code"])' "$WORK/clinic.json")
  "$BIN/medledger" testnet --validators 4 --out "$WORK/net" --base-port "$BASE" \
    --clinic "Demo Clinic=$CLINIC_CODE" --recovery-min-delay-ms 5000 > "$WORK/testnet.json"
  GENESIS="$WORK/net/node0/genesis.json"
  CLINIC=(--key "$WORK/clinic.key" --node "$NODE" --genesis "$GENESIS")
  for i in 0 1 2 3; do
    "$BIN/medledger" start --home "$WORK/net/node$i" 2> "$WORK/node$i.log" & PIDS+=($!)
  done
  local h=0
  for _ in $(seq 1 100); do
    h=$(curl -s "$NODE/v1/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["height"])' 2>/dev/null || echo 0)
    [ "$h" -ge 2 ] && break; sleep 0.3
  done
  echo "devnet of 4 validators on 127.0.0.1:$BASE, finalized height $h"
}
