#!/usr/bin/env bash
# Load balancer: requests/s and p99 through cutover's LB against an nginx reverse proxy,
# both in front of the same nginx backend, measured with wrk in the same run.
#
# Usage: scripts/bench.d/lb.sh  (env: LB_BENCH_DURATION=5s LB_BENCH_CONNECTIONS=32
# LB_BENCH_THREADS=2, CUTOVER_BENCH=path/to/cutover-bench). Everything binds 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."

duration="${LB_BENCH_DURATION:-5s}"
connections="${LB_BENCH_CONNECTIONS:-32}"
wrk_threads="${LB_BENCH_THREADS:-2}"
bench="${CUTOVER_BENCH:-.build/release/cutover-bench}"
cores=$(nproc 2>/dev/null || echo 2)

skip() {
  echo "lb: skipped: $*" >&2
  exit 0
}

# nginx and wrk from Debian packages, installed quietly when missing.
missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || skip "needs ${missing[*]} and apt-get is not available"
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      skip "needs ${missing[*]}; not root and no password-less sudo (apt-get install ${missing[*]})"
    fi
  fi
  echo "lb: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
    >/dev/null 2>&1 || skip "could not install ${missing[*]}"
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

if [ ! -x "$bench" ]; then
  echo "lb: building cutover-bench (release)…" >&2
  swift build -c release -Xswiftc -static-stdlib -Xlinker -no-pie --product cutover-bench >&2
fi
case "$("$bench" lb --help 2>&1 || true)" in
  *"usage: cutover-bench lb"*) ;;
  *) skip "$bench has no lb mode" ;;
esac

work=$(mktemp -d)
chmod 755 "$work" # nginx workers run as an unprivileged user when started by root
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Bounded wait for a port to accept connections (5 s at most).
wait_for_port() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "lb: nothing listens on port $1" >&2
  exit 1
}

# Starts an nginx in the foreground (so its pid is ours) with a config body.
start_nginx() {
  local name=$1 workers=$2 body=$3
  mkdir -p "$work/$name/tmp"
  cat >"$work/$name/nginx.conf" <<EOF
worker_processes $workers;
daemon off;
pid $work/$name/nginx.pid;
error_log $work/$name/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/$name/tmp;
  proxy_temp_path $work/$name/tmp;
  fastcgi_temp_path $work/$name/tmp;
  uwsgi_temp_path $work/$name/tmp;
  scgi_temp_path $work/$name/tmp;
  keepalive_requests 1000000;
  $body
}
EOF
  "$nginx_bin" -p "$work/$name" -c "$work/$name/nginx.conf" 2>>"$work/$name/error.log" &
  pids+=($!)
}

backend_port=$(free_port)
mkdir -p "$work/www"
head -c 1024 /dev/zero | tr '\0' 'x' >"$work/www/index.html"
start_nginx backend 1 "server { listen 127.0.0.1:$backend_port; root $work/www; }"

nginx_port=$(free_port)
start_nginx proxy "$cores" "
  upstream backend { server 127.0.0.1:$backend_port; keepalive 64; }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }"

lb_port=$(free_port)
"$bench" lb --port "$lb_port" --backend "127.0.0.1:$backend_port" --threads "$cores" >"$work/lb.out" 2>&1 &
lb_pid=$!
pids+=("$lb_pid")

wait_for_port "$backend_port"
wait_for_port "$nginx_port"
wait_for_port "$lb_port"

# Runs wrk against a port; prints "requests_per_second p99_microseconds errors".
measure() {
  local port=$1 length=$2 out
  out=$(wrk -t"$wrk_threads" -c"$connections" -d"$length" --latency "http://127.0.0.1:$port/index.html")
  echo "$out" >>"$work/wrk.log"
  echo "$out" | awk '
    function micros(v) {
      if (v ~ /us$/) return v + 0
      if (v ~ /ms$/) return (v + 0) * 1000
      if (v ~ /s$/) return (v + 0) * 1000000
      return v + 0
    }
    /Requests\/sec:/ { rps = $2 }
    $1 == "99%" { p99 = micros($2) }
    /Non-2xx or 3xx responses:/ { errors += $NF }
    /Socket errors:/ { errors += $4 + $6 + $8 + $10 }
    END { printf "%d %d %d\n", rps, p99, errors }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b == 0 ? 0 : a / b) }'; }

echo "== load balancer (wrk -t$wrk_threads -c$connections -d$duration, $cores cores, 1 KiB static file)"
measure "$nginx_port" 1s >/dev/null # warm up both proxies and their upstream connections
measure "$lb_port" 1s >/dev/null
read -r direct_rps direct_p99 direct_err < <(measure "$backend_port" "$duration")
read -r nginx_rps nginx_p99 nginx_err < <(measure "$nginx_port" "$duration")
read -r lb_rps lb_p99 lb_err < <(measure "$lb_port" "$duration")

printf 'lb: backend direct   %8d req/s  p99 %7d us  errors %d\n' "$direct_rps" "$direct_p99" "$direct_err"
printf 'lb: nginx proxy      %8d req/s  p99 %7d us  errors %d\n' "$nginx_rps" "$nginx_p99" "$nginx_err"
printf 'lb: cutover lb       %8d req/s  p99 %7d us  errors %d\n' "$lb_rps" "$lb_p99" "$lb_err"
echo "lb: ratio cutover/nginx req/s $(ratio "$lb_rps" "$nginx_rps") (higher is better)"
echo "lb: ratio cutover/nginx p99   $(ratio "$lb_p99" "$nginx_p99") (lower is better)"

kill -TERM "$lb_pid"
wait "$lb_pid" 2>/dev/null || true
grep '^lb: requests' "$work/lb.out" | sed 's/^lb: /lb: cutover counters: /' || true
