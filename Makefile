# Medwallet's entry points. `make run` and `make test` are the two commands a new user runs on a
# fresh Debian 12 machine with Rust and Node installed; both install what they need and can be
# run again at any time.

SHELL := /bin/bash
CARGO ?= cargo
# apt-get needs root: run it directly as root, through sudo otherwise.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# C toolchain and pkg-config for crates that build C code; WebKitGTK and friends for the Tauri
# desktop app; WebKitWebDriver, Xvfb and curl for its end-to-end tests; Chromium and chromedriver
# for the link viewer's; a private D-Bus session bus for the single-instance test; xwininfo
# (x11-utils) to see the packaged app's window; Python's
# venv for the SMART Health Link receiver that is not ours.
APT_PACKAGES := build-essential pkg-config curl libssl-dev libwebkit2gtk-4.1-dev \
  libayatana-appindicator3-dev librsvg2-dev libxdo-dev webkit2gtk-driver xvfb xauth x11-utils \
  python3-venv chromium chromium-driver dbus-daemon dbus-bin

.PHONY: run demo-cli demo-crypto test deps py-deps ui build desktop ui-test e2e lint unit ipc-types package bench bench-ledger bench-desktop bench-links bench-emergency bench-large fuzz vectors soak

## Installs missing Debian packages (idempotent: only what `dpkg` does not report installed).
deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	@command -v $(CARGO) >/dev/null || { echo "Rust is required: https://rustup.rs"; exit 1; }

## The main job: the desktop wallet on an embedded devnet (4 validators, a demo clinic that
## issues a Synthea history to every new wallet, a demo doctor to share with).
run: build
	./scripts/desktop_devnet.sh run target/debug

## The whole story with the command-line tools on a 4-validator devnet.
demo-cli: build
	./scripts/devnet_demo.sh target/debug

## The UI (Vite + Svelte), bundled into ui/dist for the app. Vite 8 needs Node 20.19 or newer.
ui:
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("Node 20.19+ is required (found "+process.versions.node+")"); process.exit(1) }'
	cd ui && npm ci --no-audit --no-fund && npm run build

## Every crate, binary, test and benchmark of the workspace in one cargo invocation: one feature
## set per crate, so the app, the node, the clinic tool, the CLI, the tests and the e2e all reuse
## the same artifacts (nothing is compiled twice). The desktop app bundles ui/dist.
build: deps ui
	$(CARGO) build --locked --workspace --all-targets

## The desktop app with the bundled UI, and the node, clinic tool and CLI it runs against.
desktop: build

## The record cryptography alone (seal, grant by re-wrapping, open, tamper detection).
demo-crypto: deps
	$(CARGO) build --locked --release -p medwallet-cli
	./scripts/crypto_demo.sh target/release/medwallet

## Every test: formatting, lints (warnings are errors), unit, property, integration, golden
## vector, crash and fuzz-smoke tests, and the doc examples.
test: deps ui lint unit ui-test e2e
	@python3 scripts/test_summary.py target/test-output.log target/ui-test-output.log target/e2e-output.log

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings

## The SMART Health Link receiver that is not ours, the Prometheus parser and Schemathesis
## (tests/interop), in their own virtualenv.
PY_VENV := target/py
py-deps:
	@$(PY_VENV)/bin/python -c 'import jwcrypto, requests, prometheus_client, schemathesis, cryptography, jeepney' 2>/dev/null || { \
	  python3 -m venv $(PY_VENV) && $(PY_VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/interop/requirements.txt; }

unit: build py-deps
	@mkdir -p target
	set -o pipefail; MEDWALLET_INTEROP_PYTHON=$(CURDIR)/$(PY_VENV)/bin/python $(CARGO) test --locked --workspace 2>&1 | tee target/test-output.log

## Regenerates the UI's TypeScript types from the Rust views (ui/src/ipc/generated.ts).
ipc-types:
	MEDWALLET_REGENERATE_IPC=1 $(CARGO) test --locked --workspace ipc_types

## UI unit tests (vitest, IPC mocked).
ui-test: ui
	@mkdir -p target
	set -o pipefail; cd ui && npm run check && npm test 2>&1 | tee ../target/ui-test-output.log
	@# The link viewer every node serves is built from ui/src: the committed copy must be current.
	cd ui && npm run build:viewer > /dev/null && git diff --exit-code --stat -- ../crates/medledger-node/assets/viewer.html \
	  || { echo "crates/medledger-node/assets/viewer.html is stale: run 'cd ui && npm run build:viewer' and commit it"; exit 1; }

## The desktop app in its real webview (tauri-driver + WebKitWebDriver under Xvfb) against a
## local devnet; screenshots of every main screen land in target/screenshots/.
e2e: build py-deps
	@command -v tauri-driver >/dev/null || $(CARGO) install --locked tauri-driver
	@mkdir -p target
	set -o pipefail; E2E_TEST_BINARY=$$($(CARGO) test --locked --workspace --no-run --message-format=json 2>/dev/null | python3 -c 'import json,sys; print([m["executable"] for m in map(json.loads, sys.stdin) if m.get("executable") and m.get("target",{}).get("name")=="desktop"][0])') \
	  MEDWALLET_E2E_PYTHON=$(CURDIR)/$(PY_VENV)/bin/python ./scripts/desktop_devnet.sh e2e target/debug 2>&1 | tee target/e2e-output.log

## Packages, in target/debian: the node as a .deb (cargo-deb: the binary, a systemd unit, a
## default /etc/medledger/config.toml, a system user and the node's key made at install), checked
## by unpacking it into a scratch root and running what it installed (scripts/package_test.sh);
## the desktop wallet as a .deb (the Tauri CLI's bundler), checked the same way and started under
## Xvfb until its window opens (scripts/desktop_package_test.sh). The node's container image is built
## from ./Dockerfile (`docker build -t medledger .`).
package: deps ui
	@command -v cargo-deb >/dev/null || $(CARGO) install --locked cargo-deb
	$(CARGO) deb --locked -p medledger-node --output target/debian/
	./scripts/package_test.sh target/debian
	# Without debug info (the release profile keeps line tables for profiling the node).
	cd src-tauri && CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_STRIP=debuginfo \
	  ../ui/node_modules/.bin/tauri build --bundles deb --ci
	cp target/release/bundle/deb/*.deb target/debian/
	./scripts/desktop_package_test.sh target/debian
	@ls -l target/debian

## Criterion benchmarks (envelope vs raw ChaCha20-Poly1305, certificate verification vs raw
## ed25519 batch verification); prints the ratios.
bench: deps
	$(CARGO) bench --locked -p medwallet-crypto --bench envelope
	$(CARGO) bench --locked -p medwallet-verify --bench certificates
	$(CARGO) bench --locked -p medwallet-verify --bench proofs
	$(CARGO) bench --locked -p medwallet-net --bench cold_sync
	$(CARGO) bench --locked -p medwallet-net --bench relationship_sync
	python3 scripts/bench_ratios.py

## The desktop wallet's figures in its real webview: cold start to an interactive timeline
## with 10,000 cached records, and PSS of the app and its WebKit processes (release build).
bench-desktop: deps ui
	@command -v tauri-driver >/dev/null || $(CARGO) install --locked tauri-driver
	$(CARGO) build --locked --release -p medwallet-desktop
	./scripts/desktop_figures.sh target/release/medwallet-desktop

## SMART Health Link figures: making a link to a ~500-record history, and the viewer's
## open-to-rendered time in headless Chromium (release build).
bench-links: deps ui
	$(CARGO) bench --locked -p medwallet-e2e --bench link_figures

## Emergency-access figures: preparing the emergency set of a ~500-record history (beside the
## patient summary of the same records), and break-glass from request to set opened on 4
## validators.
bench-emergency: deps
	$(CARGO) bench --locked -p medwallet-e2e --bench emergency_figures

## A large record: a 1 GiB generated imaging study issued by `medclinic issue-file`, replicated
## by 3 validator processes and saved by `medwallet show --out`; throughput beside raw
## ChaCha20-Poly1305 and each program's peak RSS (LARGE_BYTES sets the size; about 7 times it
## on disk).
LARGE_BYTES ?= 1073741824
bench-large: deps
	$(CARGO) build --locked --release -p medledger-node -p medledger-issuer -p medwallet-cli
	MEDWALLET_LARGE_BYTES=$(LARGE_BYTES) $(CARGO) bench --locked -p medwallet-e2e --bench large_record

## Ledger load test: 4 real validators on loopback; finalized tx/s and finality p50/p99.
BENCH_TXS ?= 40000
bench-ledger: deps
	$(CARGO) build --locked --release -p medledger-node -p medledger-bench
	./target/release/medledger-bench --txs $(BENCH_TXS) --latency-seconds 15

## Coverage-guided fuzzing with libFuzzer (installs cargo-fuzz once), corpora seeded from the
## golden vectors. FUZZ_SECONDS per target. RUSTC_BOOTSTRAP lets stable rustc take the
## sanitizer flags cargo-fuzz passes.
FUZZ_SECONDS ?= 60
fuzz: deps
	@command -v cargo-fuzz >/dev/null || $(CARGO) install --locked cargo-fuzz
	python3 scripts/fuzz_seeds.py
	cd fuzz && for t in keystore_decode envelope_open wrapped_key bech32_strings mnemonic signed_tx grant_terms erasure_values recovery_values emergency_values block finalization auth_header state_proof shl_link shl_file; do \
	  RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run --features libfuzzer --fuzz-dir . $$t -- -max_total_time=$(FUZZ_SECONDS) || exit 1; \
	done

## Thousands of seeds through the deterministic fault tests (lossy links, partitions, crashes,
## Byzantine proposers, validator-set changes across epochs). SEEDS per scenario; a failing seed replays exactly.
SEEDS ?= 1000
soak:
	MEDLEDGER_SEEDS=$(SEEDS) $(CARGO) test --locked --release -p medledger-node --lib mocks:: -- --test-threads=2

## Regenerates the golden vectors after a deliberate format change (review the diff!).
vectors:
	MEDWALLET_REGENERATE_VECTORS=1 $(CARGO) test --locked -p medwallet-crypto --test vectors
