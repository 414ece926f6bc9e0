#!/usr/bin/env bash
# Failed sign-ins at /token: the time for an unknown user name as a ratio to a known user with a
# wrong password, both measured in this one run. Goal: ratio ~1.0 (0.9-1.1), so the answer's time
# does not tell which user names exist (before issue 17 it was about 0.1).
# Each user is tried once, 40 in all, below the throttle's 5 per user and 50 per address.
#   bench/login-bench.sh [USERS_PER_KIND]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
n="${1:-20}"
. "$here/lib/classpath.sh"
bench_require login-bench curl java python3
jar=$(bench_server_jar "$root")

work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
admin_key="slw_bench_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
SLIPWAY_ADMIN_API_KEY="$admin_key" java -jar "$jar" registry serve --listen "127.0.0.1:$port" --data "$work/data" \
  > "$work/registry.log" 2>&1 & pid=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
basic="Authorization: Basic $(printf 'iamapikey:%s' "$admin_key" | base64 -w0)"
for i in $(seq 1 "$n"); do
  curl -sf -H "$basic" -H 'Content-Type: application/json' -d "{\"name\":\"known$i\",\"password\":\"right password $i\"}" \
    "http://127.0.0.1:$port/api/v1/users" > /dev/null
done
attempt() { curl -s -o /dev/null -w '%{time_total}\n' -u "$1:wrong password" "http://127.0.0.1:$port/token?service=slipway"; }
attempt warmup-user > /dev/null
known=(); unknown=()
for i in $(seq 1 "$n"); do # alternate, so that neither kind gets a quieter machine
  known+=("$(attempt "known$i")"); unknown+=("$(attempt "nobody$i")")
done
python3 - "${known[*]}" "${unknown[*]}" <<'PY'
import statistics, sys
k = [float(x) for x in sys.argv[1].split()]; u = [float(x) for x in sys.argv[2].split()]
mk, mu = statistics.median(k), statistics.median(u)
print(f"known user, wrong password: median {mk*1000:.1f} ms over {len(k)}")
print(f"unknown user:               median {mu*1000:.1f} ms over {len(u)}")
print(f"ratio unknown/known: {mu/mk:.2f}")
PY
