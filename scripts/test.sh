#!/usr/bin/env bash
# Every test of Taiwa, from a fresh Debian/Ubuntu machine with Rust: installs what is missing, then
# format and lint checks, unit and integration tests (real encrypted database files), and the real
# app window in WebKit under a virtual display. Screenshots land in $CARGO_TARGET_DIR/e2e-shots.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
# shellcheck disable=SC2086
ensure_apt $TAIWA_BUILD_PKGS $TAIWA_TEST_PKGS
ensure_rust
ensure_node
# PyPI pikepdf, pypdf, pdfua, page-validation and fontTools: the tagged PDF/UA-1 + PDF/A-3a checks
# of tests/pdf/check_tagged.py, which the PDF tests run on every exported sample (TAIWA_PDF_PYTHON).
ensure_pdf_venv
# dbus-run-session: Debian 12 has it in dbus-daemon, older releases in dbus.
command -v dbus-run-session >/dev/null || ensure_apt dbus-daemon || ensure_apt dbus

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
target="${CARGO_TARGET_DIR:-$PWD/target}"
# One feature set everywhere, so Tauri is compiled once.
features=(--features taiwa-app/custom-protocol)

echo "==> UI: type check, unit tests, build"
build_ui
npm --prefix ui run check
npm --prefix ui test --silent
echo "==> every citation of the domain reference resolves (docs/domain.md)"
python3 scripts/check-domain-citations.py
echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> clippy"
cargo clippy --locked --workspace --all-targets "${features[@]}" -- -D warnings
echo "==> unit and integration tests (core, CLI and shell)"
cargo test --locked -p taiwa -p taiwa-kdf -p taiwa-cli
cargo test --locked -p taiwa-app "${features[@]}"
echo "==> fuzzing: record JSON, form definitions, PDF import (a bounded run of each; scripts/fuzz.sh)"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
echo "==> the UI's TypeScript types and rules are the ones generated from Rust"
# ui/src/bindings: the types (ts-rs); ui/src/generated: the rules' data and cases and the mock's
# fixtures (src-tauri/src/ui_rules.rs). Both are written by the shell's tests above.
if [ -n "$(git status --porcelain -- ui/src/bindings ui/src/generated)" ]; then
  git status --short -- ui/src/bindings ui/src/generated
  echo "ui/src/bindings or ui/src/generated is out of date: run 'cargo test -p taiwa-app' and commit the result" >&2
  exit 1
fi
echo "==> end-to-end: the app window in WebKit"
cargo build --locked -p taiwa-app "${features[@]}"
export APP_BIN="$target/debug/taiwa-app"
export E2E_SHOTS="$target/e2e-shots"
# A session bus of its own: the single-instance check (a second launch hands over) goes through it.
timeout 900 dbus-run-session -- xvfb-run -a -s '-screen 0 1280x1024x24' \
  cargo test --locked -p taiwa-e2e -- --test-threads=1
echo "==> all tests passed; screenshots in $E2E_SHOTS"
