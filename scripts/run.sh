#!/usr/bin/env bash
# Builds (first time: several minutes on 2 cores) and starts the Taiwa app with its default local
# database in the OS data directory (~/.local/share/taiwa/taiwa.db on Linux).
# Installs missing system packages first. TAIWA_DB=/path/to/file.db chooses another database.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
# shellcheck disable=SC2086
ensure_apt $TAIWA_BUILD_PKGS
ensure_rust
build_ui
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display: run this on a desktop session (or under xvfb-run for a screenshot)." >&2
  echo "画面がありません。デスクトップ環境で実行してください。" >&2
  exit 1
fi
exec cargo run --locked --release -p taiwa-app --features taiwa-app/custom-protocol "$@"
