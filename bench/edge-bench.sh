#!/usr/bin/env bash
# edge-bench.sh: the registry's edge, three comparisons side by side in one run (issue 19):
#  1. push of an image with one 1 GiB layer by skopeo over HTTPS vs the same push over plain
#     HTTP                                                                           (goal >= 0.8)
#     and, beside it, the same layer pushed with curl, over HTTP/1.1 and HTTP/2
#  2. manifest GETs with h2load, HTTP/2 (1 connection, 32 streams) vs HTTP/1.1 (32 connections),
#     both over TLS                                                                  (goal >= 1)
#  3. manifest GET p99 (wrk, 8 connections) while 300 slow connections dribble into the
#     management API vs without them                                                (goal <= 2x)
# Two Slipway servers from server/target/slipway.jar: one plain HTTP, one HTTPS (certificates from
# `slipway tls self-signed`). Prints a table and writes it to bench/results/.
set -euo pipefail
# A rate is printed by a function run in $(…); without this a failed push inside it (curl, skopeo)
# would go unnoticed and be recorded as a rate.
shopt -s inherit_errexit

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$root/server/target/slipway.jar"

REPS=${REPS:-3}
BIG_MIB=${BIG_MIB:-1024}
H2_REQUESTS=${H2_REQUESTS:-100000}
SLOW=${SLOW:-300}
SLOW_INTERVAL=${SLOW_INTERVAL:-2}
WRK_DURATION=${WRK_DURATION:-10s}
SLIPWAY_JAVA_OPTS=${SLIPWAY_JAVA_OPTS:--Xms512m -Xmx1g}

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
for tool in java curl openssl wrk h2load python3 skopeo /usr/bin/time; do
  command -v "$tool" >/dev/null || die "$tool is not installed (h2load: Debian's nghttp2-client)"
done
LOAD_AT_START="$(cut -d' ' -f1-3 /proc/loadavg)"
[ -f "$jar" ] || (cd "$root" && mvn -q -B -DskipTests -pl server -am package >&2)

work="$(mktemp -d "${TMPDIR:-/tmp}/edge-bench.XXXXXX")"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ "${KEEP_TMP:-0}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HTTP_PORT=$(port); HTTPS_PORT=$(port)
java -jar "$jar" tls self-signed --host 127.0.0.1 --host localhost --output-dir "$work/certs" >/dev/null
CA="$work/certs/ca.crt"
mkdir -p "$work/skopeo-ca"; cp "$CA" "$work/skopeo-ca/ca.crt"   # the CA alone: skopeo reads every *.crt there as a root
cat >"$work/https.yaml" <<EOF2
listen: 127.0.0.1:$HTTPS_PORT
data: $work/https-data
auth: none
tls: {cert: $work/certs/tls.crt, key: $work/certs/tls.key}
EOF2
cat >"$work/http.yaml" <<EOF2
listen: 127.0.0.1:$HTTP_PORT
data: $work/http-data
auth: none
EOF2
declare -A SERVER_PID
# server_cpu KIND: the server's user and system CPU so far, in clock ticks (/proc/PID/stat).
server_cpu() { awk '{print $14, $15}' "/proc/${SERVER_PID[$1]}/stat"; }
TICKS=$(getconf CLK_TCK)
for kind in http https; do
  # shellcheck disable=SC2086
  java $SLIPWAY_JAVA_OPTS -jar "$jar" registry serve --config "$work/$kind.yaml" >"$work/$kind.log" 2>&1 &
  pids+=("$!"); SERVER_PID[$kind]=$!
done
declare -A BASE=([http]="http://127.0.0.1:$HTTP_PORT" [https]="https://127.0.0.1:$HTTPS_PORT")
for kind in http https; do
  for i in $(seq 1 120); do
    [ "$(curl -s --cacert "$CA" -o /dev/null -w '%{http_code}' "${BASE[$kind]}/v2/")" = 200 ] && break
    [ "$i" -lt 120 ] || die "$kind server did not start: $(tail -5 "$work/$kind.log")"
    sleep 0.5
  done
done

# A small image to GET the manifest of.
manifest_setup() {
  local base=$1 cfg='{"architecture":"amd64","os":"linux"}' d
  d="sha256:$(printf %s "$cfg" | sha256sum | cut -d' ' -f1)"
  curl -sf --cacert "$CA" -X POST --data-binary "$cfg" "$base/v2/bench/m/blobs/uploads/?digest=$d" -o /dev/null
  curl -sf --cacert "$CA" -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary \
    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"$d\",\"size\":${#cfg}},\"layers\":[]}" \
    "$base/v2/bench/m/manifests/v1" -o /dev/null
}
manifest_setup "${BASE[http]}"; manifest_setup "${BASE[https]}"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# --- 1. 1 GiB push, HTTPS vs HTTP
log "writing a ${BIG_MIB} MiB layer"
head -c $((BIG_MIB * 1048576)) /dev/urandom >"$work/big"
push() {   # prints MB/s
  local base=$1 tag=$2 file=${3:-$work/big} d loc t0 t1 size tag_kind=${2%%-*}
  size=$(stat -c %s "$file")
  printf '%-32s' "$tag" | dd of="$file" bs=1 count=32 conv=notrunc status=none
  d="sha256:$(openssl dgst -sha256 -r "$file" | cut -d' ' -f1)"
  sync
  local server=https c0 c1
  [ "$base" != "${BASE[http]}" ] || server=http
  c0=$(server_cpu "$server")
  t0=$(date +%s.%N)
  loc=$(curl -sf --cacert "$CA" -X POST -D - -o /dev/null "$base/v2/bench/big/blobs/uploads/" | tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
  case "$loc" in http*) ;; *) loc="$base$loc" ;; esac
  # shellcheck disable=SC2086  # PUSH_FLAGS: curl options, e.g. --http1.1
  /usr/bin/time -f '%U %S' -o "$work/client-cpu" \
    curl -sf --cacert "$CA" ${PUSH_FLAGS:-} -X PUT -H 'Content-Type: application/octet-stream' -T "$file" "$loc?digest=$d" -o /dev/null
  t1=$(date +%s.%N)
  c1=$(server_cpu "$server")
  # The client's own CPU seconds (user + system) for the upload, and the server's (user, system),
  # kept for the notes under the table.
  awk '{printf "%.2f\n", $1 + $2}' "$work/client-cpu" >>"$work/client-cpu.$tag_kind"
  awk -v a="$c0" -v b="$c1" -v t="$TICKS" 'BEGIN { split(a, x, " "); split(b, y, " ");
    printf "%.2f %.2f\n", (y[1] - x[1]) / t, (y[2] - x[2]) / t }' >>"$work/server-cpu.$tag_kind"
  awk -v b="$size" -v s="$(echo "$t1 - $t0" | bc)" 'BEGIN{printf "%.1f", b/s/1e6}'
}
# push_h2load BASE TAG [--h1]: the same push as one monolithic POST (?digest=) sent by h2load, an
# HTTP/2 client far leaner than curl 7.88 (which writes every 16 KiB DATA frame as two TLS records,
# 131,000 sendto calls per GiB, and spends ~4 s of CPU per GiB against ~0.6 s over HTTP/1.1): on two
# shared cores the client's CPU, not the server's, bounds row 1. Prints MB/s.
push_h2load() {
  local base=$1 tag=$2 flag=${3:-} file=$work/big d t0 t1 size ok
  size=$(stat -c %s "$file")
  printf '%-32s' "$tag" | dd of="$file" bs=1 count=32 conv=notrunc status=none
  d="sha256:$(openssl dgst -sha256 -r "$file" | cut -d' ' -f1)"
  sync
  t0=$(date +%s.%N)
  # shellcheck disable=SC2086  # flag: empty or --h1
  ok=$(h2load $flag -n 1 -c 1 -d "$file" -H 'content-type: application/octet-stream' \
    "$base/v2/bench/big/blobs/uploads/?digest=$d" | awk '/^status codes:/{print $3}')
  t1=$(date +%s.%N)
  [ "$ok" = 1 ] || die "h2load push to $base failed"
  awk -v b="$size" -v s="$(echo "$t1 - $t0" | bc)" 'BEGIN{printf "%.1f", b/s/1e6}'
}
# push_skopeo BASE TAG: an image with the 1 GiB file as its one layer, copied by skopeo from a
# directory to the registry, as podman and buildah push (containers/image). Like docker's own
# client, it offers no ALPN, so over TLS it speaks HTTP/1.1. The CA is trusted the way skopeo
# trusts a private registry's (--dest-cert-dir holding ca.crt); plain HTTP needs
# --dest-tls-verify=false. Prints MB/s for the layer's bytes.
push_skopeo() {
  local base=$1 tag=$2 img=$work/img layer cfg cfgd t0 t1 flag
  printf '%-32s' "$tag" | dd of="$work/big" bs=1 count=32 conv=notrunc status=none
  rm -rf "$img"; mkdir -p "$img"
  layer=$(openssl dgst -sha256 -r "$work/big" | cut -d' ' -f1)
  ln "$work/big" "$img/$layer"
  cfg="{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:$layer\"]}}"
  cfgd=$(printf %s "$cfg" | sha256sum | cut -d' ' -f1); printf %s "$cfg" >"$img/$cfgd"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%d}]}' \
    "$cfgd" "${#cfg}" "$layer" "$(stat -c %s "$work/big")" >"$img/manifest.json"
  echo 'Directory Transport Version: 1.1' >"$img/version"
  if [ "$base" = "${BASE[http]}" ]; then flag=--dest-tls-verify=false; else flag=--dest-cert-dir=$work/skopeo-ca; fi
  sync
  t0=$(date +%s.%N)
  skopeo copy -q "$flag" "dir:$img" "docker://${base#*://}/bench/skopeo:$tag" >/dev/null
  t1=$(date +%s.%N)
  rm -rf "$img"
  awk -v b="$(stat -c %s "$work/big")" -v s="$(echo "$t1 - $t0" | bc)" 'BEGIN{printf "%.1f", b/s/1e6}'
}
# Warm-up (JIT) with a 64 MiB piece, not counted.
head -c $((64 * 1048576)) "$work/big" >"$work/warm"
push "${BASE[http]}" warm-http "$work/warm" >/dev/null; push "${BASE[https]}" warm-https "$work/warm" >/dev/null
PUSH_HTTP=(); PUSH_HTTPS=(); PUSH_HTTPS1=(); PUSH_DD=(); PUSH_DDBUF=(); PUSH_H2LOAD=(); PUSH_H2LOAD_HTTP=()
SKOPEO_HTTP=(); SKOPEO_HTTPS=()
for r in $(seq 1 "$REPS"); do
  # The floor: writing the same bytes durably with no registry, no TLS and no network, the way
  # the registry writes a large upload (O_DIRECT, storage.DirectAppender); and, for the notes,
  # through the page cache as dd does by default.
  sync
  t0=$(date +%s.%N); dd if="$work/big" of="$work/big.copy" bs=1M oflag=direct conv=fsync status=none; t1=$(date +%s.%N)
  rm -f "$work/big.copy"
  PUSH_DD+=("$(awk -v b=$((BIG_MIB * 1048576)) -v s="$(echo "$t1 - $t0" | bc)" 'BEGIN{printf "%.1f", b/s/1e6}')")
  t0=$(date +%s.%N); dd if="$work/big" of="$work/big.copy" bs=1M conv=fsync status=none; t1=$(date +%s.%N)
  rm -f "$work/big.copy"
  PUSH_DDBUF+=("$(awk -v b=$((BIG_MIB * 1048576)) -v s="$(echo "$t1 - $t0" | bc)" 'BEGIN{printf "%.1f", b/s/1e6}')")
  if [ $((r % 2)) = 1 ]; then
    SKOPEO_HTTP+=("$(push_skopeo "${BASE[http]}" "skopeo-http-$r")"); SKOPEO_HTTPS+=("$(push_skopeo "${BASE[https]}" "skopeo-https-$r")")
  else
    SKOPEO_HTTPS+=("$(push_skopeo "${BASE[https]}" "skopeo-https-$r")"); SKOPEO_HTTP+=("$(push_skopeo "${BASE[http]}" "skopeo-http-$r")")
  fi
  # curl speaks HTTP/2 over TLS when the server offers it (ALPN); skopeo, podman and docker 20.10
  # offer no ALPN and push over HTTP/1.1. The same curl push over TLS with HTTP/1.1 separates the
  # cost of TLS from that of HTTP/2.
  if [ $((r % 2)) = 1 ]; then
    PUSH_HTTP+=("$(push "${BASE[http]}" "http-$r")"); PUSH_HTTPS+=("$(push "${BASE[https]}" "https-$r")")
    PUSH_HTTPS1+=("$(PUSH_FLAGS=--http1.1 push "${BASE[https]}" "https1-$r")")
  else
    PUSH_HTTPS1+=("$(PUSH_FLAGS=--http1.1 push "${BASE[https]}" "https1-$r")")
    PUSH_HTTPS+=("$(push "${BASE[https]}" "https-$r")"); PUSH_HTTP+=("$(push "${BASE[http]}" "http-$r")")
  fi
  if [ $((r % 2)) = 1 ]; then
    PUSH_H2LOAD+=("$(push_h2load "${BASE[https]}" "h2load-$r")"); PUSH_H2LOAD_HTTP+=("$(push_h2load "${BASE[http]}" "h2load1-$r" --h1)")
  else
    PUSH_H2LOAD_HTTP+=("$(push_h2load "${BASE[http]}" "h2load1-$r" --h1)"); PUSH_H2LOAD+=("$(push_h2load "${BASE[https]}" "h2load-$r")")
  fi
  log "push pass $r: skopeo HTTPS ${SKOPEO_HTTPS[-1]} MB/s, HTTP ${SKOPEO_HTTP[-1]} MB/s; curl HTTP ${PUSH_HTTP[-1]} MB/s, HTTPS (h2) ${PUSH_HTTPS[-1]} MB/s, HTTPS (HTTP/1.1) ${PUSH_HTTPS1[-1]} MB/s, dd oflag=direct ${PUSH_DD[-1]} MB/s, buffered ${PUSH_DDBUF[-1]} MB/s; h2load: HTTPS (h2) ${PUSH_H2LOAD[-1]} MB/s, HTTP ${PUSH_H2LOAD_HTTP[-1]} MB/s"
done
rm -f "$work/big"

# --- 2. manifest GETs, HTTP/2 vs HTTP/1.1 over TLS, 32 concurrent streams
URL="${BASE[https]}/v2/bench/m/manifests/v1"
ACCEPT='accept: application/vnd.oci.image.manifest.v1+json'
h2() { h2load -n "$H2_REQUESTS" -c 1 -m 32 -H "$ACCEPT" "$URL" | awk '/^finished in/{gsub(",","");print $4}'; }
h1() { h2load --h1 -n "$H2_REQUESTS" -c 32 -m 1 -H "$ACCEPT" "$URL" | awk '/^finished in/{gsub(",","");print $4}'; }
h2 >/dev/null; h1 >/dev/null
H2=(); H1=()
for r in $(seq 1 "$REPS"); do
  H2+=("$(h2)"); H1+=("$(h1)")
  log "GET pass $r: HTTP/2 ${H2[-1]} req/s, HTTP/1.1 ${H1[-1]} req/s"
done
h2load -n 10 -c 1 -m 1 -H "$ACCEPT" "$URL" | grep -q 'Application protocol: h2' || die "h2load did not negotiate h2"

# --- 3. p99 of a normal client with and without 300 slow connections
p99() { wrk -t2 -c8 -d"$WRK_DURATION" --latency -H "Accept: application/vnd.oci.image.manifest.v1+json" \
  "${BASE[http]}/v2/bench/m/manifests/v1" | awk '$1=="99%"{v=$2; if (v ~ /us$/) {sub("us","",v); v/=1000} else if (v ~ /ms$/) sub("ms","",v); else if (v ~ /s$/) {sub("s","",v); v*=1000}; print v}'; }
p99 >/dev/null
QUIET=(); BUSY=(); SLOW_LOG="$work/slow.log"
for r in $(seq 1 "$REPS"); do
  QUIET+=("$(p99)")
  python3 "$here/slow-clients.py" 127.0.0.1 "$HTTP_PORT" "$SLOW" "$SLOW_INTERVAL" /api/v1/accounts >>"$SLOW_LOG" 2>&1 &
  slow_pid=$!
  sleep 5
  BUSY+=("$(p99)")
  kill "$slow_pid"; wait "$slow_pid" || true
  log "p99 pass $r: ${QUIET[-1]} ms quiet, ${BUSY[-1]} ms with $SLOW slow connections"
done

kh=$(printf '%s\n' "${SKOPEO_HTTP[@]}" | median); ks=$(printf '%s\n' "${SKOPEO_HTTPS[@]}" | median)
mh=$(printf '%s\n' "${PUSH_HTTP[@]}" | median); ms=$(printf '%s\n' "${PUSH_HTTPS[@]}" | median)
md=$(printf '%s\n' "${PUSH_DD[@]}" | median); m1=$(printf '%s\n' "${PUSH_HTTPS1[@]}" | median)
mz=$(printf '%s\n' "${PUSH_H2LOAD[@]}" | median); mzh=$(printf '%s\n' "${PUSH_H2LOAD_HTTP[@]}" | median)
cpu_of() { if [ -f "$work/client-cpu.$1" ]; then median <"$work/client-cpu.$1"; else echo -; fi; }
server_cpu_of() {
  if [ -f "$work/server-cpu.$1" ]; then
    echo "$(cut -d' ' -f1 "$work/server-cpu.$1" | median) / $(cut -d' ' -f2 "$work/server-cpu.$1" | median)"
  else echo -; fi
}
g2=$(printf '%s\n' "${H2[@]}" | median); g1=$(printf '%s\n' "${H1[@]}" | median)
pq=$(printf '%s\n' "${QUIET[@]}" | median); pb=$(printf '%s\n' "${BUSY[@]}" | median)
mkdir -p "$here/results"
out="$here/results/edge-bench-$(date +%Y%m%d-%H%M%S).txt"
div() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", (b > 0) ? a/b : 0}'; }
{
  echo "edge-bench $(date -u +%FT%TZ), $(nproc) cores, load at start $LOAD_AT_START, at end $(cut -d' ' -f1-3 /proc/loadavg); medians of $REPS passes"
  fmt='%-58s %10s %10s %7s %-7s %9s %9s %9s\n'
  printf "$fmt" scenario new reference ratio goal floor new/floor ref/floor
  printf "$fmt" "1. skopeo push, ${BIG_MIB} MiB layer, MB/s (HTTPS | HTTP)" "$ks" "$kh" "$(div "$ks" "$kh")" ">= 0.8" "$md" "$(div "$ks" "$md")" "$(div "$kh" "$md")"
  printf "$fmt" "1a. curl push, HTTP/1.1, MB/s (HTTPS | HTTP)" "$m1" "$mh" "$(div "$m1" "$mh")" "" "$md" "$(div "$m1" "$md")" "$(div "$mh" "$md")"
  printf "$fmt" "1b. curl push, HTTP/2 over TLS (ALPN) | HTTP" "$ms" "$mh" "$(div "$ms" "$mh")" "" "$md" "$(div "$ms" "$md")" "$(div "$mh" "$md")"
  printf "$fmt" "1c. push by h2load, MB/s (HTTPS h2 | HTTP/1.1)" "$mz" "$mzh" "$(div "$mz" "$mzh")" "" "$md" "$(div "$mz" "$md")" "$(div "$mzh" "$md")"
  printf "$fmt" "2. manifest GET req/s, 32 streams (HTTP/2 | HTTP/1.1, TLS)" "$g2" "$g1" "$(div "$g2" "$g1")" ">= 1" - - -
  printf "$fmt" "3. manifest GET p99 ms ($SLOW slow conns | none)" "$pb" "$pq" "$(div "$pb" "$pq")" "<= 2" - - -
  echo "1. an image push as registry clients make it (skopeo; like podman and docker, no ALPN, so HTTP/1.1); 1a. the layer alone by curl, which"
  echo "  leaves the server as the bound; 1b. what curl negotiates over TLS when offered (HTTP/2); 1c. one POST by h2load (a lean client), both ways"
  echo "curl's own CPU per push (median, s): HTTPS h2 $(cpu_of https), HTTPS HTTP/1.1 $(cpu_of https1), HTTP $(cpu_of http)"
  echo "the server's CPU per push (median user / system, s): HTTPS h2 $(server_cpu_of https), HTTPS HTTP/1.1 $(server_cpu_of https1), HTTP $(server_cpu_of http)"
  echo "  (uploads past 8 MiB are written with O_DIRECT, so new page-cache pages no longer count here; see bench/README.md)"
  echo "floor of 1.: dd bs=1M oflag=direct conv=fsync of the same file (storing it durably as the registry does, no registry, no TLS);"
  echo "  through the page cache (dd bs=1M conv=fsync): $(printf '%s\n' "${PUSH_DDBUF[@]}" | median) MB/s"
  echo "samples: skopeo HTTPS ${SKOPEO_HTTPS[*]} | skopeo HTTP ${SKOPEO_HTTP[*]} | curl HTTPS h2 ${PUSH_HTTPS[*]} | HTTPS/1.1 ${PUSH_HTTPS1[*]} | HTTP ${PUSH_HTTP[*]} | dd direct ${PUSH_DD[*]} | dd buffered ${PUSH_DDBUF[*]} | h2load HTTPS ${PUSH_H2LOAD[*]} | h2load HTTP ${PUSH_H2LOAD_HTTP[*]}; h2 ${H2[*]} | h1 ${H1[*]}; p99 slow ${BUSY[*]} | quiet ${QUIET[*]}"
  echo "slow clients: $(grep -h 'cut by' "$SLOW_LOG" | awk '{s+=$NF} END {print s+0}') cuts by the server over the runs"
} | tee "$out"
