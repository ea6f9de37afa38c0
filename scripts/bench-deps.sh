#!/usr/bin/env bash
# Installs the Debian packages the benchmarks (`make bench`) need, only when missing; `make test` never needs them.
#   wrk : the HTTP load generator of benchmarks/load.py (the verify endpoint under gunicorn)
# The worker and load benchmarks also use the PostgreSQL and Redis servers the service tests use
# (127.0.0.1:5432 and 127.0.0.1:6379); this script does not install servers.
# Usage: scripts/bench-deps.sh [extra packages...]
set -euo pipefail
wanted=(wrk "$@")
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "Please install these packages (as root): apt-get install ${missing[*]}" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
