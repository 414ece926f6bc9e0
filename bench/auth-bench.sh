#!/usr/bin/env bash
# Manifest GETs per second at 32 connections with token authentication, as a ratio to the same
# registry without authentication (--auth none). Both run side by side in this one run.
# Goal: ratio >= 0.9 (token checks must not be the bottleneck).
#   bench/auth-bench.sh [DURATION_SECONDS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
duration="${1:-10}"
. "$here/lib/classpath.sh"
bench_require auth-bench wrk curl java
jar=$(bench_server_jar "$root")

work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$1/v2/" && return 0; sleep 0.1; done; echo "registry on $1 did not start" >&2; exit 1; }

admin_key="slw_bench_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
p_token=$(free_port); p_open=$(free_port)
SLIPWAY_ADMIN_API_KEY="$admin_key" java -Xms512m -Xmx1g -jar "$jar" registry serve --listen "127.0.0.1:$p_token" \
  --data "$work/token" > "$work/token.log" 2>&1 & pids+=($!)
java -Xms512m -Xmx1g -jar "$jar" registry serve --auth none --listen "127.0.0.1:$p_open" \
  --data "$work/open" > "$work/open.log" 2>&1 & pids+=($!)
wait_up "$p_token"; wait_up "$p_open"

basic="Authorization: Basic $(printf 'iamapikey:%s' "$admin_key" | base64 -w0)"
curl -sf -H "$basic" -H 'Content-Type: application/json' -d '{"name":"bench"}' \
  "http://127.0.0.1:$p_token/api/v1/namespaces" > /dev/null
token=$(curl -sf -H "$basic" "http://127.0.0.1:$p_token/token?service=slipway&scope=repository:bench/app:pull,push" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# One small image in each registry.
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"config":{}}' > "$work/config"
head -c 4096 /dev/urandom > "$work/layer"
cd_=$(sha256sum "$work/config" | cut -d' ' -f1); ld=$(sha256sum "$work/layer" | cut -d' ' -f1)
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%d}]}' \
  "$cd_" "$(stat -c %s "$work/config")" "$ld" "$(stat -c %s "$work/layer")" > "$work/manifest"
for port in "$p_token" "$p_open"; do
  auth=(); [ "$port" = "$p_token" ] && auth=(-H "Authorization: Bearer $token")
  for f in config layer; do
    curl -sf "${auth[@]}" -X POST --data-binary "@$work/$f" \
      "http://127.0.0.1:$port/v2/bench/app/blobs/uploads/?digest=sha256:$(sha256sum "$work/$f" | cut -d' ' -f1)" > /dev/null
  done
  curl -sf "${auth[@]}" -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
    --data-binary "@$work/manifest" "http://127.0.0.1:$port/v2/bench/app/manifests/v1" > /dev/null
done

accept='Accept: application/vnd.oci.image.manifest.v1+json'
run() { # port seconds [header]
  local url="http://127.0.0.1:$1/v2/bench/app/manifests/v1"
  if [ -n "${3:-}" ]; then wrk -t2 -c32 -d"$2"s -H "$accept" -H "$3" "$url"; else wrk -t2 -c32 -d"$2"s -H "$accept" "$url"; fi \
    | awk '/Requests\/sec/ {print $2} /Non-2xx/ {print "NON2XX " $0 > "/dev/stderr"}'
}
# Warm both JVMs, then measure alternately so that neither gets a quieter machine.
run "$p_token" 5 "Authorization: Bearer $token" > /dev/null; run "$p_open" 5 > /dev/null
tok=(); opn=()
for i in 1 2 3; do
  tok+=("$(run "$p_token" "$duration" "Authorization: Bearer $token")")
  opn+=("$(run "$p_open" "$duration")")
done
best() { printf '%s\n' "$@" | sort -g | tail -1; }
bt=$(best "${tok[@]}"); bo=$(best "${opn[@]}")
printf 'manifest GET/s, 32 connections, best of 3 x %ss\n' "$duration"
printf '  token auth : %s   (runs: %s)\n' "$bt" "${tok[*]}"
printf '  --auth none: %s   (runs: %s)\n' "$bo" "${opn[*]}"
python3 -c "print('  ratio token/none: %.2f (goal >= 0.9)' % ($bt/$bo))"
