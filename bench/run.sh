#!/usr/bin/env bash
# PDF export benchmark: our exporter against Chromium, LibreOffice and Typst on the same content.
#
#   bash bench/run.sh
#
# 1. installs what is missing (and nothing that is there): apt packages (as root or with sudo)
#    and a Python venv at ${XDG_CACHE_HOME:-$HOME/.cache}/taiwa-bench-venv with PyPI typst + pypdf;
# 2. builds our CLI (cargo build --release -p taiwa-cli --bin taiwa) unless TAIWA_BIN is set;
# 3. runs the peers' script ($PEERS_DIR/run_peers.sh) with our exporter as OUR_EXPORTER, which
#    exports bench/dialogue-record-peer-content.json (the peers' sample as a Taiwa record);
# 4. times our exporter on samples/dialogue-record.json as well (a second row: 7 pages, 1.4x the text);
# 5. prints the table and writes it, with the machine and the versions, to bench/results/latest.txt.
#    PDFs, PNGs and per-row JSON go to bench/results/latest/ (replaced on every run, not committed).
#
# Env: TAIWA_BIN     our binary (skips the build), e.g. target/release/taiwa
#      TAIWA_BASELINE_BIN  an older build of ours, timed as one more row on the same content
#                    (e.g. the last untagged one: what tagging costs, from the same run)
#      PEERS_DIR     the peers' bench folder (default: ../shared/bench-peers next to the repository)
#      RUNS          timed runs per row after 1 warm-up (default 7); the median is reported
#      PNG=1         also render page 1 of every PDF as PNG (80 dpi) into bench/results/latest/
#      SKIP_INSTALL=1  install nothing (rows whose tool is missing are left out)
set -uo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
PEERS_DIR="${PEERS_DIR:-$(dirname "$ROOT")/shared/bench-peers}"
RUNS="${RUNS:-7}"
PNG="${PNG:-0}"
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/taiwa-bench-venv"
RESULTS="$BENCH/results"
OUT="$RESULTS/latest"
RECORD="$BENCH/dialogue-record-peer-content.json"
FULL="$ROOT/samples/dialogue-record.json"
APT_PKGS="chromium libreoffice-writer-nogui fonts-noto-cjk fonts-ipaexfont-gothic poppler-utils"
PY_PKGS="typst pypdf"

die() { echo "bench/run.sh: $*" >&2; exit 1; }

# ---------------------------------------------------------------- the peers' folder
if [ ! -f "$PEERS_DIR/run_peers.sh" ] || [ ! -f "$PEERS_DIR/dialogue_record_sample.json" ]; then
  die "the peers' bench folder is not there: $PEERS_DIR (run_peers.sh, dialogue_record_sample.json).
It is shared next to the repository as ../shared/bench-peers; set PEERS_DIR=/path/to/bench-peers."
fi
PEERS_DIR="$(cd "$PEERS_DIR" && pwd)"

# ---------------------------------------------------------------- 1. install what is missing
if [ "${SKIP_INSTALL:-0}" != 1 ]; then
  # shellcheck disable=SC2086
  missing=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' $APT_PKGS 2>&1 | grep -v '^ii ' | awk '{print $NF}' || true)
  if [ -n "$missing" ]; then
    echo "==> apt: installing $(echo $missing)" >&2
    sudo=""
    if [ "$(id -u)" != 0 ]; then
      command -v sudo >/dev/null || die "need root or sudo to install: $(echo $missing)"
      sudo="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get -o DPkg::Lock::Timeout=600 update -q >&2 || die "apt-get update failed"
    # shellcheck disable=SC2086
    $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $missing >&2 \
      || die "apt-get install failed: $(echo $missing)"
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> venv: $VENV" >&2
    python3 -m venv "$VENV" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  fi
  if ! "$VENV/bin/python" -c 'import typst, pypdf' 2>/dev/null; then
    echo "==> pip: installing $PY_PKGS into $VENV" >&2
    # shellcheck disable=SC2086
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check $PY_PKGS >&2 || die "pip install $PY_PKGS failed"
  fi
fi
PYTHON="$VENV/bin/python"
[ -x "$PYTHON" ] || PYTHON=python3
# The tagged-PDF checker's venv (scripts/deps.sh), unless told which python to use.
if [ -z "${TAIWA_PDF_PYTHON:-}" ] && [ "${SKIP_INSTALL:-0}" != 1 ]; then
  # shellcheck source=../scripts/deps.sh
  source "$ROOT/scripts/deps.sh" && ensure_pdf_venv >&2 || echo "WARNING: no PDF check venv" >&2
fi
command -v pdftotext >/dev/null && command -v pdfinfo >/dev/null || die "poppler-utils (pdftotext, pdfinfo) is needed"

# ---------------------------------------------------------------- 2. our binary
if [ -z "${TAIWA_BIN:-}" ]; then
  command -v cargo >/dev/null || die "cargo not found: install Rust, or set TAIWA_BIN=/path/to/taiwa"
  echo "==> cargo build --release -p taiwa-cli --bin taiwa" >&2
  (cd "$ROOT" && cargo build --release -p taiwa-cli --bin taiwa) || die "cargo build failed"
  TAIWA_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/taiwa"
fi
[ -x "$TAIWA_BIN" ] || die "TAIWA_BIN is not an executable: $TAIWA_BIN"
TAIWA_BIN="$(cd "$(dirname "$TAIWA_BIN")" && pwd)/$(basename "$TAIWA_BIN")"

# ---------------------------------------------------------------- the record
# bench/dialogue-record-peer-content.json is generated (and committed); warn if the peers'
# sample has changed since
fresh="$(mktemp)"
python3 "$BENCH/peer_record.py" "$PEERS_DIR/dialogue_record_sample.json" "$fresh" || die "peer_record.py failed"
if ! cmp -s "$fresh" "$RECORD"; then
  echo "WARNING: $RECORD is not what bench/peer_record.py makes from $PEERS_DIR/dialogue_record_sample.json;" >&2
  echo "         regenerate it: python3 bench/peer_record.py" >&2
fi
rm -f "$fresh"

# ---------------------------------------------------------------- 3. the peers, and ours on the same content
rm -rf -- "$OUT"
mkdir -p "$OUT"
# time a copy: the binary is self-contained (templates and fonts are embedded), and a rebuild
# of target/release/taiwa during the run would otherwise mix two builds in one table
TAIWA_SRC_DESC="$TAIWA_BIN ($("$TAIWA_BIN" --version); built $(date -r "$TAIWA_BIN" -Is); sha256 $(sha256sum "$TAIWA_BIN" | cut -c1-12))"
cp -- "$TAIWA_BIN" "$OUT/taiwa" || die "cannot copy $TAIWA_BIN"
TAIWA_BIN="$OUT/taiwa"
"$TAIWA_BIN" validate --final "$RECORD" >&2 || die "$RECORD does not pass taiwa validate --final"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started="$(date -Is)"
export TAIWA_BENCH_BIN="$TAIWA_BIN" TAIWA_BENCH_RECORD="$RECORD"
echo "==> run_peers.sh (RUNS=$RUNS): Chromium, LibreOffice, Typst, ours" >&2
OUT="$OUT" RUNS="$RUNS" PNG="$PNG" PYTHON="$PYTHON" OUR_EXPORTER="$BENCH/ours-export.sh" \
  bash "$PEERS_DIR/run_peers.sh" > "$OUT/run_peers.txt" || echo "WARNING: run_peers.sh exited with $?" >&2

# ---------------------------------------------------------------- 3b. Typst with PDF/UA-1 + PDF/A-3a, and a baseline of ours
# run_peers.sh times Typst's default output (tagged since 0.14); this row asks it for both standards,
# as ours claims them (its fonts allow it: the .typ falls back to Noto Sans CJK JP for 𠮷).
if "$PYTHON" -c "import typst" 2>/dev/null; then
  echo "==> Typst with pdf_standards ua-1 + a-3a" >&2
  python3 "$PEERS_DIR/peers/bench_cmd.py" typst-ua "$RUNS" "$OUT/typst-ua.pdf" -- \
    "$PYTHON" -c "import typst,sys; typst.compile(sys.argv[1], output=sys.argv[2], pdf_standards=['ua-1', 'a-3a'])" \
    "$OUT/src/dialogue_record.typ" "$OUT/typst-ua.pdf" > "$OUT/typst-ua.bench.json"
  if [ -s "$OUT/typst-ua.pdf" ]; then
    python3 "$PEERS_DIR/peers/check_text.py" "$PEERS_DIR/dialogue_record_sample.json" "$OUT/typst-ua.pdf" --json > "$OUT/typst-ua.text.json"
    pdfinfo "$OUT/typst-ua.pdf" | awk '/^Pages:/{print $2}' > "$OUT/typst-ua.pages"
  fi
fi
if [ -n "${TAIWA_BASELINE_BIN:-}" ]; then
  cp -- "$TAIWA_BASELINE_BIN" "$OUT/taiwa-baseline" || die "cannot copy $TAIWA_BASELINE_BIN"
  echo "==> ours, baseline build ($("$OUT/taiwa-baseline" --version))" >&2
  python3 "$PEERS_DIR/peers/bench_cmd.py" ours-baseline "$RUNS" "$OUT/ours-baseline.pdf" -- \
    "$OUT/taiwa-baseline" export "$RECORD" -o "$OUT/ours-baseline.pdf" > "$OUT/ours-baseline.bench.json"
  [ -s "$OUT/ours-baseline.pdf" ] && pdfinfo "$OUT/ours-baseline.pdf" | awk '/^Pages:/{print $2}' > "$OUT/ours-baseline.pages"
fi

# ---------------------------------------------------------------- 4. ours on our own full sample
echo "==> ours on samples/dialogue-record.json" >&2
python3 "$PEERS_DIR/peers/bench_cmd.py" ours-full "$RUNS" "$OUT/ours-full.pdf" -- \
  "$TAIWA_BIN" export "$FULL" -o "$OUT/ours-full.pdf" > "$OUT/ours-full.bench.json"
if [ -s "$OUT/ours-full.pdf" ]; then
  pdfinfo "$OUT/ours-full.pdf" | awk '/^Pages:/{print $2}' > "$OUT/ours-full.pages"
  "$PYTHON" -c "import pypdf" 2>/dev/null && \
    "$PYTHON" "$PEERS_DIR/peers/tounicode_check.py" "$OUT/ours-full.pdf" --json > "$OUT/ours-full.tounicode.json" 2>/dev/null
  [ "$PNG" = 1 ] && pdftoppm -r 80 -png -f 1 -l 1 "$OUT/ours-full.pdf" "$OUT/ours-full-page"
fi

# what the wrapper (ours-export.sh: dash + exec) adds to our row: the same wrapper around /bin/true
printf '#!/bin/sh\nexec /bin/true "$@"\n' > "$OUT/true-wrapper.sh"; chmod +x "$OUT/true-wrapper.sh"
wrapper_ms="$(python3 - "$OUT/true-wrapper.sh" <<'PY'
import statistics, subprocess, sys, time
def med(argv, n=200):
    ts = []
    for _ in range(n):
        t0 = time.perf_counter(); subprocess.run(argv); ts.append(time.perf_counter() - t0)
    return statistics.median(ts)
print(f"{(med([sys.argv[1], 'a', 'b']) - med(['/bin/true', 'a', 'b'])) * 1000:.2f}")
PY
)"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- 5. the table
ver() { "$@" 2>/dev/null | head -n1 | tr -s ' ' | sed 's/ *$//'; }
{
  echo "PDF export bench: ours vs. Chromium, LibreOffice, Typst (bench/run.sh)"
  echo "date:      $started"
  echo "machine:   $(nproc) cores, $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release 2>/dev/null; echo "${PRETTY_NAME:-?}"), $(uname -sr) $(uname -m)"
  echo "loadavg:   $load_before (start)  $load_after (end)"
  echo "runs:      1 warm-up + $RUNS timed per row (median, min, max); memory from 1 extra run"
  echo "ours:      $TAIWA_SRC_DESC, copied before the run; repo at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo ?)$(git -C "$ROOT" diff --quiet HEAD -- src Cargo.toml Cargo.lock templates 2>/dev/null || echo ', with uncommitted changes in src/Cargo/templates')"
  echo "chromium:  $(ver chromium --version || echo missing)"
  echo "soffice:   $(ver soffice --version || echo missing)"
  echo "typst:     $("$PYTHON" -c 'import importlib.metadata as m, typst; print("PyPI typst", m.version("typst"), "/", getattr(typst, "__version__", "?"))' 2>/dev/null || echo missing)"
  echo "pypdf:     $("$PYTHON" -c 'import pypdf; print(pypdf.__version__)' 2>/dev/null || echo missing)"
  echo "poppler:   $(pdftotext -v 2>&1 | head -n1)"
  echo "wrapper:   ours-export.sh adds ${wrapper_ms} ms (median of 200: dash+exec /bin/true minus /bin/true); it is included in the 'ours' row"
  echo
  python3 "$BENCH/report.py" "$OUT"
  echo
  echo "ours against the peers' sample, string by string (bench/check_ours.py):"
  [ -s "$OUT/ours.pdf" ] && python3 "$BENCH/check_ours.py" "$PEERS_DIR/dialogue_record_sample.json" "$RECORD" "$OUT/ours.pdf"
  [ -s "$OUT/ours.text.json" ] && echo "check_text.py missing characters for ours: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["missing_sample"])' "$OUT/ours.text.json") (first 40, sorted)"
  echo
  echo "tagged PDF/UA-1 + PDF/A-3a checks (tests/pdf/check_tagged.py: pikepdf, pypdf, pdfua, page-validation, fontTools):"
  for row in ours ours-full typst typst-ua ours-baseline; do
    f="$OUT/$row.pdf"
    [ -s "$f" ] || continue
    if [ -n "${TAIWA_PDF_PYTHON:-}" ]; then
      n=$("$TAIWA_PDF_PYTHON" "$ROOT/tests/pdf/check_tagged.py" "$f" 2>&1 | grep -c '\] ' || true)
      [ "$n" = 0 ] && echo "  $row: every check passes" || echo "  $row: $n failing check lines ($TAIWA_PDF_PYTHON tests/pdf/check_tagged.py $f)"
    else
      echo "  $row: not checked (TAIWA_PDF_PYTHON unset)"
    fi
  done
  echo
  echo "run_peers.sh's own table:"
  cat "$OUT/run_peers.txt"
} | tee "$RESULTS/latest.txt"
echo "files: $OUT" >&2
