#!/usr/bin/env bash
# The release app's start, from the process starting to its first screen painted, seen from
# outside: no WebDriver (whose session set-up bench/app.rs cannot take out of its figure).
# bench/first_paint.py starts the app and grabs the screen every 10 ms until it holds more than 64
# colours (the window's text is drawn antialiased; an empty or white window has one or two).
#
#   dbus-run-session -- xvfb-run -a -s '-screen 0 1280x1024x24' bash bench/app-start.sh [RUNS]
#
# APP_BIN (default target/release/taiwa-app); TAIWA_BENCH_DB=<file>: start on that database (the
# unlock screen) instead of a first run; TAIWA_BENCH_COLD=1 (root): drop the page cache before
# each start. Prints one line per run and the median. Needs python3 and libX11.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APP="${APP_BIN:-$ROOT/target/release/taiwa-app}"
RUNS="${1:-5}"
[ -x "$APP" ] || { echo "no app at $APP: cargo build --release -p taiwa-app --features custom-protocol" >&2; exit 1; }
[ -n "${DISPLAY:-}" ] || { echo "no DISPLAY: run under xvfb-run" >&2; exit 1; }

times=()
for run in $(seq "$RUNS"); do
  home="$(mktemp -d)"
  if [ "${TAIWA_BENCH_COLD:-0}" = 1 ]; then sync; echo 3 > /proc/sys/vm/drop_caches; fi
  if [ -n "${TAIWA_BENCH_DB:-}" ]; then db=(TAIWA_DB="$TAIWA_BENCH_DB"); else db=(-u TAIWA_DB); fi
  out="$(env "${db[@]}" HOME="$home" XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" \
    python3 "$ROOT/bench/first_paint.py" "$APP" 2>"$home.pid")" \
    || { echo "run $run: nothing painted: $(tail -n +2 "$home.pid")" >&2; rm -rf "$home" "$home.pid"; exit 1; }
  pid="$(head -1 "$home.pid")"
  read -r t frames colours <<<"$out"
  times+=("$t")
  echo "run $run: first screen painted after $t ms ($frames grabs, $colours colours)"
  kill "$pid" 2>/dev/null || true
  # Until it has gone (a zombie counts as gone: its parent, python, has exited), 10 s at most.
  for _ in $(seq 100); do
    state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)"
    { [ -z "$state" ] || [ "$state" = Z ]; } && break
    sleep 0.1
  done
  rm -f "$home.pid"
  rm -rf "$home"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "APPSTART median ${median} ms over $RUNS runs (${times[*]}); cold=${TAIWA_BENCH_COLD:-0} db=${TAIWA_BENCH_DB:-first run}"
