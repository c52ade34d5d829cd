#!/bin/sh
# ApplicationStop: stop the running server, if any.
pidfile="$CUTOVER_HOST_ROOT/var/run/shop.pid"
if [ -f "$pidfile" ]; then
  kill "$(cat "$pidfile")" 2>/dev/null || true
  rm -f "$pidfile"
  echo "stopped shop"
fi
