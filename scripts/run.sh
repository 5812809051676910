#!/usr/bin/env bash
# make run: a local Redis with AOF persistence under var/, then the app in
# development mode on http://localhost:8080. The Redis stops with the app.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-pkg.sh redis-server redis-server

REDIS_PORT=${REDIS_PORT:-6390}
mkdir -p var/redis
if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  echo "==> reusing the Redis already running on port $REDIS_PORT"
else
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$PWD/var/redis" \
    --appendonly yes --appendfsync everysec --save "" \
    --daemonize yes --pidfile "$PWD/var/redis.pid" --logfile "$PWD/var/redis.log"
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  trap 'redis-cli -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true' EXIT
  echo "==> Redis on port $REDIS_PORT, data in var/redis (AOF, fsync every second)"
fi

export APP_ENV=development
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:$REDIS_PORT/0}
export PORT=${PORT:-8080}
echo "==> focusgroups on http://localhost:$PORT (development mode; Ctrl-C stops it)"
go build -o var/focusgroups ./server
var/focusgroups
