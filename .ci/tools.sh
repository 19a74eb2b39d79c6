# Tools the site's build needs, installed only when missing, saying so while they install.
# Sourced by .ci/build-site, .ci/stack and .ci/e2e.

# Prints a step in bold, and `took` prints how long the step since the last `step` took.
step() { _step_start=$(date +%s%N); _step_name="$*"; printf '\033[1m[%s]\033[0m %s\n' "${LOG_TAG:-demo}" "$*"; }
took() {
  local ms=$(( ($(date +%s%N) - _step_start) / 1000000 ))
  printf '\033[1m[%s]\033[0m   %s: %d.%01ds\n' "${LOG_TAG:-demo}" "${1:-done}" $((ms / 1000)) $((ms % 1000 / 100))
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "adding the wasm32-unknown-unknown target (rustup, once)"
    rustup target add wasm32-unknown-unknown
    took "wasm target added"
  fi
}

# Optional: .ci/stack builds the site without it. For `cargo leptos watch`.
CARGO_LEPTOS_VERSION=0.3.10

ensure_cargo_leptos() {
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    step "installing cargo-leptos $CARGO_LEPTOS_VERSION: this happens once and takes 20-30 minutes on 2 cores"
    cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION"
    took "cargo-leptos installed"
  fi
}

# The same version as the wasm-bindgen crate in Cargo.lock (pinned with `=` in Cargo.toml):
# the CLI refuses a wasm built by another.
WASM_BINDGEN_VERSION=0.2.130

ensure_wasm_bindgen() {
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
    step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION from crates.io (once, 2-4 minutes on 2 cores)"
    # Not --locked: its lock file pins a yanked crate.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
    took "wasm-bindgen-cli installed"
  fi
}

# wasm-opt for release builds: npm's binaryen (a probe saw Debian's binaryen 108 produce a
# wasm that never hydrated). Installed into target/tools (git-ignored), once.
BINARYEN_VERSION=132
WASM_OPT="$PWD/target/tools/node_modules/.bin/wasm-opt"

ensure_wasm_opt() {
  if ! "$WASM_OPT" --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
    step "installing wasm-opt from npm's binaryen@$BINARYEN_VERSION into target/tools (once)"
    mkdir -p target/tools
    npm install --prefix target/tools --no-save --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION"
    took "binaryen installed"
  fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    step "installing Debian's chromium for the browser test (apt, once)"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
    took "chromium installed"
  fi
}

ensure_e2e_packages() {
  if [ ! -d app/end2end/node_modules/playwright-core ] || [ ! -d app/end2end/node_modules/axe-core ]; then
    step "installing playwright-core and axe-core from npm into app/end2end (once)"
    (cd app/end2end && npm ci --no-audit --no-fund --silent)
    took "npm packages installed"
  fi
}
