#!/usr/bin/env bash
# Scale benchmark (issue 8): the store, search, saving and PDF export at 100,000 documents.
#
#   bash bench/scale.sh
#
# 1. installs what is missing (GNU time for max RSS; as root or with sudo);
# 2. builds the release CLI and the generator (cargo build --release -p taiwa-cli, -p taiwa);
# 3. generates the data sets or finds them in ${XDG_CACHE_HOME:-~/.cache}/taiwa-bench/ (keyed by
#    generator version, cases and seed): 25,000 cases = 100,000 documents, encrypted and plain,
#    and 250 cases = 1,000 documents for the batch export;
# 4. runs the criterion benches (bench/scale.rs: open, case list page, search 1/2/3+ characters,
#    saving a revision with fsync, render; each also as median/p95/p99 over its own runs);
# 5. times whole processes: taiwa list, taiwa search, taiwa export --all of 1,000 documents
#    (/usr/bin/time -v: wall time and max RSS);
# 6. writes everything, with the machine and the load average before and after each part, to
#    bench/results/scale-latest.txt.
#
# Env: CASES (default 25000), PLAIN_CASES (the plain data set's cases, default CASES: a smaller one
#      gives the encryption ratio without generating 10 GB twice), SEED (default 1), RUNS
#      whole-process runs per row (default 5),
#      SKIP_CRITERION=1 (whole-process timings only), SKIP_INSTALL=1
set -uo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
CASES="${CASES:-25000}"
PLAIN_CASES="${PLAIN_CASES:-$CASES}"
SEED="${SEED:-1}"
RUNS="${RUNS:-5}"
EXPORT_CASES=250
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="$BENCH/results/scale-latest.txt"
PASS="ベンチ用の合言葉 correct horse battery"
mkdir -p "$BENCH/results"

die() { echo "bench/scale.sh: $*" >&2; exit 1; }
log() { echo "$*" | tee -a "$OUT"; }
load() { log "load average: $(cut -d' ' -f1-3 /proc/loadavg)  ($1)"; }

# ---------------------------------------------------------------- 1. tools
if [ ! -x /usr/bin/time ] && [ "${SKIP_INSTALL:-0}" != 1 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get install -y time >/dev/null || die "could not install GNU time (apt-get install time)"
fi
[ -x /usr/bin/time ] || die "GNU time is needed at /usr/bin/time (apt-get install time)"
command -v cargo >/dev/null || die "cargo is needed (https://rustup.rs)"

: > "$OUT"
log "# Taiwa scale benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
log "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
log "commit:  $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (modified)')"
log "data:    $CASES cases, seed $SEED; plain: $PLAIN_CASES cases; export batch: $EXPORT_CASES cases"
load "start"

# ---------------------------------------------------------------- 2. build
cd "$ROOT" || die "no repository at $ROOT"
cargo build --release -p taiwa --features bench-plain --example taiwa-bench-gen \
  && cargo build --release -p taiwa-cli --features bench-plain --bin taiwa \
  || die "release build failed"
BIN="$TARGET/release/taiwa"
GEN="$TARGET/release/examples/taiwa-bench-gen"

# ---------------------------------------------------------------- 3. data
gen() {  # gen CASES [--plain] → prints the generator's report, sets DB
  local report
  report="$("$GEN" --cases "$1" --seed "$SEED" ${2:-})" || die "generation failed: $1 cases $2"
  echo "$report" | sed 's/^/  /' | tee -a "$OUT"
  DB="$(echo "$report" | awk '/^database/ {print $2}')"
}
log ""
log "## data"
gen "$CASES"; DB_ENC="$DB"
gen "$PLAIN_CASES" --plain
gen "$EXPORT_CASES"; DB_EXPORT="$DB"
load "after generation"

# ---------------------------------------------------------------- 4. criterion
if [ "${SKIP_CRITERION:-0}" != 1 ]; then
  log ""
  log "## in-process (criterion; SCALE lines: our own percentiles)"
  TAIWA_BENCH_CASES="$CASES" TAIWA_BENCH_PLAIN_CASES="$PLAIN_CASES" TAIWA_BENCH_SEED="$SEED" \
    cargo bench -p taiwa --features bench-plain --bench scale 2>&1 \
    | grep -E '^SCALE|time:|^(enc|plain|render)' | tee -a "$OUT"
  load "after criterion"
fi

# ---------------------------------------------------------------- 5. whole processes
log ""
log "## whole process (median of $RUNS runs, wall ms; max RSS of the last run)"
export TAIWA_PASSPHRASE="$PASS"
timed() {  # timed LABEL DB ARGS… → one line: label, median ms, max RSS
  local label="$1" db="$2"; shift 2
  local times=() rss=0 t0 t1
  for _ in $(seq "$RUNS"); do
    t0=$(date +%s%N)
    TAIWA_DB="$db" /usr/bin/time -v -o /tmp/taiwa-scale-time.txt "$BIN" "$@" >/dev/null 2>/tmp/taiwa-scale-err.txt \
      || { cat /tmp/taiwa-scale-err.txt >&2; die "$label failed"; }
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
    rss=$(awk '/Maximum resident/ {print $6}' /tmp/taiwa-scale-time.txt)
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  log "$(printf '%-34s median %6s ms  runs: %s  max RSS %5d MiB' "$label" "$median" "${times[*]}" $((rss / 1024)))"
}
timed "taiwa list ($((CASES * 4)) docs)" "$DB_ENC" list
timed "taiwa search 田 (1 char)" "$DB_ENC" search 田
timed "taiwa search 難病 (2 chars)" "$DB_ENC" search 難病
timed "taiwa search 潰瘍性 (3 chars)" "$DB_ENC" search 潰瘍性
EXPORT_DIR="$(mktemp -d)"
# Every export is logged: the batch database's log grows by 1,000 lines a run. The save benchmark
# adds its own document to the encrypted data sets, so the batch has one file more than 1,000.
RUNS_SAVED="$RUNS"; RUNS=3
timed "taiwa export --all (1,000 docs)" "$DB_EXPORT" export --all -o "$EXPORT_DIR"
RUNS="$RUNS_SAVED"
log "  PDFs written: $(find "$EXPORT_DIR" -name '*.pdf' | wc -l), $(du -sh "$EXPORT_DIR" | cut -f1)"
rm -rf "$EXPORT_DIR"
load "end"
log ""
log "Preliminary unless the load average above stayed below 1 on an otherwise idle machine."
echo "written: $OUT"
