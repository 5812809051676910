#!/usr/bin/env bash
# make test: everything the suite needs, started here and cleaned up after.
# Under CI=true a dependency that cannot be installed fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-pkg.sh redis-server redis-server
scripts/ensure-pkg.sh redis-cli redis-tools
# go test -race needs cgo, and cgo needs a C compiler.
scripts/ensure-pkg.sh gcc gcc
# The browser tests drive Debian's Chromium and inject the pinned axe-core.
scripts/ensure-pkg.sh chromium chromium
if [ ! -f e2e/node_modules/axe-core/axe.min.js ]; then
  scripts/ensure-pkg.sh npm npm
  npm ci --prefix e2e --no-audit --no-fund --loglevel=error
fi

tmp=$(mktemp -d)
cleanup() {
  if [ -f "$tmp/redis.pid" ]; then kill "$(cat "$tmp/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# A throwaway Redis on a free port, no persistence.
for _ in $(seq 20); do
  port=$(( 20000 + RANDOM % 30000 ))
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$tmp" \
    --daemonize yes --pidfile "$tmp/redis.pid" --logfile "$tmp/redis.log" || continue
  up=""
  for _ in $(seq 50); do
    if redis-cli -p "$port" ping >/dev/null 2>&1; then up=1; break; fi
    sleep 0.1
  done
  [ -n "$up" ] && break
done
redis-cli -p "$port" ping >/dev/null
export TEST_REDIS_URL="redis://127.0.0.1:$port/0"
echo "==> test Redis on port $port"

if [ -n "${BENCH:-}" ]; then
  # Benchmarks run without the race detector, which would skew them.
  go test -count=1 -run '^$' -bench . -benchmem -timeout 30m ./...
  # Pages against the bare Fiber+Redis floor (docs/performance.md).
  scripts/ensure-pkg.sh wrk wrk
  scripts/ensure-pkg.sh taskset util-linux
  go run ./scripts/httpbench
else
  go vet ./...
  go test -race -count=1 -timeout 20m ./... "$@"
fi
