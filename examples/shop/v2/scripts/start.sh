#!/bin/sh
# ApplicationStart: run the server in the background on the host's port, its output
# to a log (a background process must not keep the hook's output open).
set -e
root="$CUTOVER_HOST_ROOT"
mkdir -p "$root/var/log" "$root/var/run"
nohup python3 "$root/srv/shop/server.py" > "$root/var/log/shop.log" 2>&1 &
echo $! > "$root/var/run/shop.pid"
echo "started shop on port $PORT (pid $!)"
