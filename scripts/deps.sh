# Shared by scripts/run.sh and scripts/test.sh: installs what is missing, and nothing that is there.
# Debian/Ubuntu packages through apt (as root, or with sudo).

# Build: SQLCipher links the system libcrypto; Tauri needs WebKitGTK. Run: a Japanese font.
# Test: the WebKit WebDriver, a virtual display, PDF tools.
TAIWA_BUILD_PKGS="build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev fonts-ipaexfont-gothic"
TAIWA_TEST_PKGS="webkit2gtk-driver xvfb xauth poppler-utils qpdf python3"

ensure_apt() {
  local missing
  missing=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "$@" 2>&1 | grep -v '^ii ' | awk '{print $NF}' || true)
  [ -z "$missing" ] && return 0
  echo "==> installing missing packages / 不足パッケージを導入します: $(echo $missing | tr '\n' ' ')"
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "need root or sudo to install: $missing" >&2; return 1; }
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -q
  # shellcheck disable=SC2086
  $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $missing
}

ensure_rust() {
  if ! command -v cargo >/dev/null; then
    echo "Rust is needed: install it with rustup (https://rustup.rs), then run this again." >&2
    echo "Rust が必要です。rustup で導入してから、もう一度実行してください。" >&2
    return 1
  fi
  for component in rustfmt clippy; do
    if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
      rustup component add "$component"
    fi
  done
}

# The UI is built with Node (Vite, Svelte). Debian 12's nodejs (18) is enough; a newer one is used
# when present.
ensure_node() {
  if command -v node >/dev/null && command -v npm >/dev/null; then
    return 0
  fi
  ensure_apt nodejs npm
}

# ui/dist, which the app embeds at compile time. `npm ci` only when the lock file changed since the
# last install, so a rebuild does not download anything.
build_ui() {
  ensure_node
  local stamp=ui/node_modules/.taiwa-lock
  if ! cmp -s ui/package-lock.json "$stamp" 2>/dev/null; then
    echo "==> npm ci (ui)"
    npm --prefix ui ci --no-audit --no-fund
    cp ui/package-lock.json "$stamp"
  fi
  echo "==> building the UI (ui/dist)"
  npm --prefix ui run build --silent
}

# The Python venv that tests/pdf/check_tagged.py runs in (our PDFs' tagged PDF/UA-1 + PDF/A-3a
# checks). It lives outside the work tree, so a fresh clone reuses it; pip runs only when the pins
# changed since the last install (a stamp inside the venv) or an import fails. Exports
# TAIWA_PDF_PYTHON, the venv's python.
TAIWA_PDF_REQUIREMENTS="pikepdf==10.18.0 pypdf==7.1.1 pdfua==0.1.3 page-validation==0.11.0 fonttools==4.69.1"

ensure_pdf_venv() {
  # Debian's python3 has no venv/ensurepip without python3-venv.
  ensure_apt python3 python3-venv
  local venv="${TAIWA_PDF_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/taiwa-pdf-venv}"
  local stamp="$venv/.taiwa-requirements"
  # A venv whose python no longer starts (the system python was upgraded or removed) is made anew.
  if ! "$venv/bin/python" -c '' 2>/dev/null; then
    echo "==> creating the PDF check venv / PDF 検査用の venv を作成します: $venv"
    python3 -m venv --clear "$venv" || return 1
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$TAIWA_PDF_REQUIREMENTS" ] \
    || ! "$venv/bin/python" -c 'import pikepdf, pypdf, page, fontTools' 2>/dev/null; then
    echo "==> pip install (PDF checks): $TAIWA_PDF_REQUIREMENTS"
    # shellcheck disable=SC2086
    "$venv/bin/python" -m pip install -q --disable-pip-version-check $TAIWA_PDF_REQUIREMENTS || return 1
    # Written only after a successful install, so a failed one is retried next time.
    printf '%s\n' "$TAIWA_PDF_REQUIREMENTS" >"$stamp"
  fi
  export TAIWA_PDF_PYTHON="$venv/bin/python"
}
