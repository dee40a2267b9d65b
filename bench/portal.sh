#!/usr/bin/env bash
# Portal benchmark: gongkai serving a record detail page and an info list
# page from its page cache, side by side with nginx serving the same pages
# from "gongkai site export" (with the export's own nginx.conf.example).
# Goal: gongkai ≥ 0.5 × nginx's requests/s.
#
#   bench/portal.sh                 # wrk -t2 -c32 -d10s per page and server
#   DURATION=30s CONNS=64 bench/portal.sh
#
# Needs Go, curl, wrk and nginx (Debian: apt-get install wrk nginx). Both
# servers listen on loopback only; everything lives in a temp dir that is
# removed at the end. Not part of go test.
set -euo pipefail

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-32}
GK_PORT=${GK_PORT:-18480}
NG_PORT=${NG_PORT:-18481}

for cmd in go curl wrk nginx; do
  if ! command -v "$cmd" >/dev/null 2>&1; then
    echo "portal.sh: $cmd not found (Debian: apt-get install wrk nginx curl)" >&2
    exit 1
  fi
done

cd "$(dirname "$0")/.."
TMP=$(mktemp -d /tmp/gongkai-bench.XXXXXX)
chmod 755 "$TMP" # nginx workers may run as another user
GK_PID=
cleanup() {
  if [ -n "$GK_PID" ]; then kill "$GK_PID" 2>/dev/null || true; wait "$GK_PID" 2>/dev/null || true; fi
  if [ -f "$TMP/nginx.pid" ]; then kill "$(cat "$TMP/nginx.pid")" 2>/dev/null || true; sleep 0.5; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

echo "building…" >&2
go build -o "$TMP/gongkai" ./cmd/gongkai

GK=http://127.0.0.1:$GK_PORT
NG=http://127.0.0.1:$NG_PORT
"$TMP/gongkai" serve --demo --addr "127.0.0.1:$GK_PORT" --data "$TMP/data" >"$TMP/gongkai.log" 2>&1 &
GK_PID=$!
for _ in $(seq 1 100); do
  curl -fsS "$GK/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "$GK/healthz" >/dev/null || { echo "gongkai did not start:" >&2; cat "$TMP/gongkai.log" >&2; exit 1; }

# One published record and its org's list, taken from the sitemap.
DETAIL=$(curl -fsS "$GK/sitemap.xml" | grep -o '<loc>[^<]*/xxgk/[^<]*</loc>' | head -1 | sed -e 's/<loc>//' -e 's/<\/loc>//' -e "s#^$GK##")
if [ -z "$DETAIL" ]; then echo "no record in the sitemap" >&2; exit 1; fi
LIST=${DETAIL%/*}

echo "exporting…" >&2
"$TMP/gongkai" site export "$TMP/site" --data "$TMP/data" --base-url "$GK" --upstream "127.0.0.1:$GK_PORT" >&2

sed "s/listen 8080;/listen 127.0.0.1:$NG_PORT;/" "$TMP/site/nginx.conf.example" >"$TMP/mirror.conf"
mkdir -p "$TMP/nginx-tmp"
{
  [ "$(id -u)" = 0 ] && echo "user $(id -un);"
  cat <<EOF
worker_processes auto;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path $TMP/nginx-tmp/body;
    proxy_temp_path $TMP/nginx-tmp/proxy;
    fastcgi_temp_path $TMP/nginx-tmp/fastcgi;
    uwsgi_temp_path $TMP/nginx-tmp/uwsgi;
    scgi_temp_path $TMP/nginx-tmp/scgi;
    include $TMP/mirror.conf;
}
EOF
} >"$TMP/nginx.conf"
nginx -c "$TMP/nginx.conf" -p "$TMP" -e "$TMP/nginx-error.log"
for _ in $(seq 1 50); do
  curl -fsS -o /dev/null "$NG$DETAIL" 2>/dev/null && break
  sleep 0.1
done

# Same bytes from both?
for p in "$DETAIL" "$LIST"; do
  if ! cmp -s <(curl -fsS "$GK$p") <(curl -fsS "$NG$p"); then
    echo "warning: $p differs between gongkai and nginx" >&2
  fi
done

# run URL → "req/s p99"
run() {
  wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$1" >"$TMP/wrk.out"
  local rps p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$TMP/wrk.out")
  p99=$(awk '$1 == "99%" {print $2}' "$TMP/wrk.out")
  if grep -q "Non-2xx" "$TMP/wrk.out"; then echo "warning: non-2xx answers for $1" >&2; fi
  echo "$rps $p99"
}

echo "warming up…" >&2
for u in "$GK$DETAIL" "$NG$DETAIL" "$GK$LIST" "$NG$LIST"; do
  wrk -t"$THREADS" -c"$CONNS" -d2s "$u" >/dev/null
done

echo
echo "wrk -t$THREADS -c$CONNS -d$DURATION, $(nproc) cores, loopback; gongkai $(git rev-parse --short HEAD 2>/dev/null || echo '?') (page cache) vs nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') (export)"
echo
echo "| page | gongkai req/s | nginx req/s | ratio | gongkai p99 | nginx p99 |"
echo "|---|---:|---:|---:|---:|---:|"
for pair in "detail $DETAIL" "list $LIST"; do
  name=${pair%% *}
  path=${pair#* }
  read -r g_rps g_p99 < <(run "$GK$path")
  read -r n_rps n_p99 < <(run "$NG$path")
  ratio=$(awk -v g="$g_rps" -v n="$n_rps" 'BEGIN { printf "%.2f", g / n }')
  printf '| %s `%s` | %.0f | %.0f | %s | %s | %s |\n' "$name" "$path" "$g_rps" "$n_rps" "$ratio" "$g_p99" "$n_p99"
done
