# Tools the site's build needs, installed only when missing, saying so while they install.
# Sourced by .ci/stack and .ci/e2e.

CARGO_LEPTOS_VERSION=0.3.10

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    echo "[tools] adding the wasm32-unknown-unknown target (rustup, once)"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_cargo_leptos() {
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    echo "[tools] installing cargo-leptos $CARGO_LEPTOS_VERSION: this happens once and takes 20-30 minutes on 2 cores"
    cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION"
  fi
}

# cargo-leptos would download wasm-bindgen from GitHub; it uses one on PATH instead.
WASM_BINDGEN_VERSION=0.2.130

ensure_wasm_bindgen() {
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
    echo "[tools] installing wasm-bindgen-cli $WASM_BINDGEN_VERSION from crates.io (once, about 4 minutes)"
    # Not --locked: its lock file pins a yanked crate.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    echo "[tools] installing Debian's chromium for the browser test (apt, once)"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  fi
}

ensure_playwright() {
  if [ ! -d app/end2end/node_modules/playwright-core ]; then
    echo "[tools] installing playwright-core from npm into app/end2end (once)"
    (cd app/end2end && npm ci --no-audit --no-fund --silent)
  fi
}
