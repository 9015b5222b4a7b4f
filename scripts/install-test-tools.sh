#!/usr/bin/env bash
# Test-only tools, installed by `make test`: Node.js and the npm packages in
# tests/conformance (ajv, to check EPCIS JSON-LD output against the GS1 JSON
# Schema), pinned by its package-lock.json. Idempotent and quiet when present.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "installing nodejs and npm (test tools)"
    SUDO=
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
fi
dir=tests/conformance
if [ ! -d "$dir/node_modules/ajv" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "installing npm test packages in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
