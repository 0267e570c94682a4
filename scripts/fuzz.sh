#!/usr/bin/env bash
# Coverage-guided fuzzing of the core's parsers (fuzz/, libFuzzer through cargo-fuzz): record JSON
# and its validation, form-definition loading, and PDF import. Builds the targets, seeds each corpus
# from samples/, templates/ and PDFs exported from the samples, runs every target for
# SECONDS_PER_TARGET, prints the executions per target and fails if any target crashed, hung or ran
# out of memory, naming the input that did it.
#
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET]        # default 60 (or FUZZ_SECONDS)
#   FUZZ_SECONDS=3600 bash scripts/fuzz.sh            # a longer run by hand
#   FUZZ_TARGETS="pdf_import" bash scripts/fuzz.sh 600
#
# The corpora grow in fuzz/corpus/<target> (git-ignored) from run to run; crashes are written to
# fuzz/artifacts/<target>/ and the full libFuzzer output to fuzz/logs/<target>.log.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-${FUZZ_SECONDS:-60}}"
read -r -a targets <<<"${FUZZ_TARGETS:-record definition pdf_import}"
cargo_fuzz_version=0.13.2
# Stable Rust as CI has it, no nightly and no RUSTC_BOOTSTRAP: cargo-fuzz's coverage instrumentation
# (sancov passes, --cfg fuzzing) is made of stable -C flags; only the sanitizers need -Z (cargo-fuzz
# 0.13.2 passes -Zsanitizer=address by default). The code fuzzed is safe Rust (serde_json, lopdf,
# miniz_oxide): what we look for are panics, overflows, runaway recursion, hangs and memory, which
# libFuzzer catches without ASan.
sanitizer=none

if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $cargo_fuzz_version" ]; then
  echo "==> installing cargo-fuzz $cargo_fuzz_version"
  cargo install --locked "cargo-fuzz@$cargo_fuzz_version"
fi

# The fuzz build has flags of its own (coverage instrumentation): it gets its own target directory,
# or it would overwrite the main build's artifacts in a shared one (CI's cache) and both would rebuild.
fuzz_target="${FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:+$CARGO_TARGET_DIR-fuzz}}"
fuzz_target="${fuzz_target:-$PWD/fuzz/target}"

# -O: optimised like the release binary, with debug assertions (integer overflow panics) on top.
build=(--sanitizer "$sanitizer" -O --debug-assertions)
echo "==> building the fuzz targets"
CARGO_TARGET_DIR="$fuzz_target" cargo fuzz build "${build[@]}"

echo "==> seeding"
seeds="$(mktemp -d)"
trap 'rm -rf "$seeds"' EXIT
for t in "${targets[@]}"; do mkdir -p "$seeds/$t" "fuzz/corpus/$t" "fuzz/artifacts/$t" fuzz/logs; done
if [ -d "$seeds/record" ]; then cp samples/*.json "$seeds/record/"; fi
# The definition target's first byte picks the file the rest replaces, in this order
# (src/template/builtin.rs): the three forms, then agencies.json, then routes.json.
i=0
for f in dialogue-record work-consideration route-map agencies routes; do
  if [ -d "$seeds/definition" ]; then
    { printf "\\x$(printf %02x "$i")"; cat "templates/$f.json"; } >"$seeds/definition/$f"
  fi
  i=$((i + 1))
done
if [ -d "$seeds/pdf_import" ]; then
  # PDFs as Taiwa writes them, made now from the samples (no binaries in the repository, no database).
  cargo build --quiet -p taiwa-cli --bin taiwa
  taiwa="${CARGO_TARGET_DIR:-target}/debug/taiwa"
  for s in samples/*.json; do
    "$taiwa" export "$s" -o "$seeds/pdf_import/$(basename "$s" .json).pdf" >/dev/null
  done
  "$taiwa" export samples/work-consideration.json --part a --era wareki \
    -o "$seeds/pdf_import/work-consideration-part-a.pdf" >/dev/null
fi

declare -A dict=([record]=json [definition]=definition [pdf_import]=pdf)
failed=()
summary=()
for t in "${targets[@]}"; do
  log="fuzz/logs/$t.log"
  echo "==> fuzzing $t for ${seconds}s (log: $log)"
  status=0
  # -timeout: an input that takes 10 s is a hang and fails the run like a crash does.
  CARGO_TARGET_DIR="$fuzz_target" cargo fuzz run "${build[@]}" "$t" "fuzz/corpus/$t" "$seeds/$t" -- \
    -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -dict="fuzz/dict/${dict[$t]}.dict" >"$log" 2>&1 || status=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  if [ "$status" -ne 0 ]; then
    tail -n 40 "$log"
    input=$(grep -o 'Test unit written to [^ ]*' "$log" | tail -1 | sed 's/Test unit written to //' || true)
    summary+=("$t: FAILED after ${runs:-?} executions; input: ${input:-see $log}")
    failed+=("$t")
  else
    summary+=("$t: ${runs:-?} executions in ${seconds}s, no crash")
  fi
done

echo "==> fuzzing summary"
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "reproduce: cargo fuzz run ${build[*]} TARGET INPUT; then add the input to tests/it/fuzz_regressions.rs" >&2
  exit 1
fi
