# Tools the site's build needs, installed only when missing, saying so while they install.
# Sourced by .ci/build-site, .ci/stack and .ci/e2e.

# These scripts run on Linux and on macOS (bash 3.2, BSD tools): the helpers below pick
# the GNU form when it works and the BSD one otherwise.

# Milliseconds since the epoch. BSD date has no %N (it prints a literal N): perl then.
now_ms() {
  local ns
  ns=$(date +%s%N)
  case $ns in
    *[!0-9]*)
      perl -MTime::HiRes=time -e 'printf "%d\n", time() * 1000' 2>/dev/null || echo $(( $(date +%s) * 1000 )) ;;
    *) echo $(( ns / 1000000 )) ;;
  esac
}

# A file's SHA-256 in hex: sha256sum (GNU coreutils) or shasum -a 256 (macOS).
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1
}

# A file's size in bytes: GNU stat -c %s, else BSD stat -f %z.
file_size() { stat -c %s "$1" 2>/dev/null || stat -f %z "$1"; }

# Prints a step in bold, and `took` prints how long the step since the last `step` took.
step() { _step_start=$(now_ms); _step_name="$*"; printf '\033[1m[%s]\033[0m %s\n' "${LOG_TAG:-demo}" "$*"; }
took() {
  local ms=$(( $(now_ms) - _step_start ))
  printf '\033[1m[%s]\033[0m   %s: %d.%01ds\n' "${LOG_TAG:-demo}" "${1:-done}" $((ms / 1000)) $((ms % 1000 / 100))
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "adding the wasm32-unknown-unknown target (rustup, once)"
    rustup target add wasm32-unknown-unknown
    took "wasm target added"
  fi
}

# Optional: .ci/stack builds the site without it. For `cargo leptos watch --split`.
CARGO_LEPTOS_VERSION=0.3.10

ensure_cargo_leptos() {
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    step "installing cargo-leptos $CARGO_LEPTOS_VERSION: this happens once and takes 20-30 minutes on 2 cores"
    cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION"
    took "cargo-leptos installed"
  fi
}

# The dependency policy's checker (.ci/deny.toml), run by .ci/test.
CARGO_DENY_VERSION=0.20.2

ensure_cargo_deny() {
  if ! cargo deny --version 2>/dev/null | grep -q "$CARGO_DENY_VERSION"; then
    step "installing cargo-deny $CARGO_DENY_VERSION from crates.io (once, 4-6 minutes on 2 cores)"
    cargo install cargo-deny --locked --version "$CARGO_DENY_VERSION"
    took "cargo-deny installed"
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

# The browser test's chromium: CHROMIUM (journey.mjs reads it too) or /usr/bin/chromium,
# installed with apt; where there is no apt (macOS), Chromium's or Chrome's app bundle.
ensure_chromium() {
  if [ -n "${CHROMIUM:-}" ] && [ -x "$CHROMIUM" ]; then return 0; fi
  if [ ! -x /usr/bin/chromium ] && ! command -v apt-get >/dev/null 2>&1; then
    local app
    for app in /Applications/Chromium.app/Contents/MacOS/Chromium \
      "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"; do
      if [ -x "$app" ]; then export CHROMIUM=$app; return 0; fi
    done
    echo "no chromium here and no apt-get to install it: install Chromium (or Chrome), or set CHROMIUM to its binary" >&2
    return 1
  fi
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
