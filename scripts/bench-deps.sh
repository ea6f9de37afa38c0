#!/usr/bin/env bash
# Installs the Debian packages the benchmarks (`make bench`) need, only when missing; `make test` never needs them.
#   wrk : the HTTP load generator of benchmarks/load.py (the verify endpoint under gunicorn)
# The worker and load benchmarks also use the PostgreSQL and Redis servers the service tests use
# (127.0.0.1:5432 and 127.0.0.1:6379); this script does not install servers.
# system-deps.sh does the checking and installing: the set-up's packages are there already
# (`make bench` runs after `make setup`), so only what is listed here is new.
# Usage: scripts/bench-deps.sh [extra packages...]
set -euo pipefail
exec "$(dirname "$0")/system-deps.sh" wrk "$@"
