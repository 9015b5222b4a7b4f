#!/usr/bin/env bash
# Install the Debian packages serialtrack needs to build, test and run, when
# any is missing. Idempotent and quiet when everything is there.
set -euo pipefail

PKGS=(build-essential cmake pkg-config clang libclang-rt-dev python3
      libjansson-dev libcmocka-dev libssl-dev libxml2-dev libxml2-utils
      libsqlite3-dev sqlite3 libpq-dev jq libmicrohttpd-dev curl wrk openssl)

missing=()
for p in "${PKGS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing missing packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then SUDO=sudo; else
        echo "error: not root and no sudo; install these packages: ${missing[*]}" >&2
        exit 1
    fi
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
