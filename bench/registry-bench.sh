#!/usr/bin/env bash
# registry-bench.sh: Slipway and the CNCF Distribution registry side by side, driven by the same
# clients (curl, wrk, skopeo) in the same run, beside the floors of the machine (dd, cat, and a bare
# sendfile server for the big pull). Prints, per scenario, both figures and the
# Slipway/Distribution ratio (> 1 means Slipway is better), and writes the table to
# bench/results/. See bench/README.md for what each scenario measures.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$root/server/target/slipway.jar"

# --- settings (environment overrides)
REPS=${REPS:-3}                                   # measured passes
STAT=${STAT:-median}                              # what the table shows of them: median or best
BIG_MIB=${BIG_MIB:-1024}                          # a./b. the big layer
BIG_PULLS=${BIG_PULLS:-3}                         # b. pulls of it per registry in each pass (samples)
SMALL_COUNT=${SMALL_COUNT:-200}                   # c. number of small layers
SMALL_KIB=${SMALL_KIB:-64}                        # c. size of each small layer
SMALL_PARALLEL=${SMALL_PARALLEL:-4}               # c. connections of the parallel variant
WRK_THREADS=${WRK_THREADS:-2}                     # d.
WRK_CONNECTIONS=${WRK_CONNECTIONS:-32}            # d.
WRK_DURATION=${WRK_DURATION:-10s}                 # d. per measured pass
WRK_WARMUP=${WRK_WARMUP:-5s}                      # d. warm-up run, not counted
SKOPEO_LAYERS_KIB=${SKOPEO_LAYERS_KIB:-"32768 16384 8192 4096 1024 256"}   # e. layer sizes
SLIPWAY_JAVA_OPTS=${SLIPWAY_JAVA_OPTS:--Xms512m -Xmx2g}
KEEP_TMP=${KEEP_TMP:-0}                           # 1 keeps the temp dir (data, logs) for a post-mortem

OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
OCI_CONFIG=application/vnd.oci.image.config.v1+json
OCI_LAYER_GZIP=application/vnd.oci.image.layer.v1.tar+gzip

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
set -E
trap 'log "FAILED: line $LINENO: $BASH_COMMAND (exit status $?)"' ERR

case "$STAT" in median | best) ;; *) die "STAT must be median or best" ;; esac
for tool in java curl openssl wrk skopeo docker-registry tar gzip split awk python3; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done

LOAD_AT_START="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- the jar
if [ ! -f "$jar" ]; then
  log "building $jar (mvn package, tests skipped)"
  (cd "$root" && mvn -q -B -DskipTests -pl server -am package >&2)
fi

# --- temp dir, servers, cleanup
work="$(mktemp -d "${TMPDIR:-/tmp}/registry-bench.XXXXXX")"
pids=()
declare -A SERVER_PID=() LABEL=([slipway]=Slipway [dist]=Distribution [floor]="the sendfile floor")
# Sets GONE to which server has exited, and how (status 128+N: killed by signal N). Not in a
# subshell: only this shell can wait for its children.
servers_gone() {
  local reg status
  GONE=""
  for reg in slipway dist floor; do
    [ -n "${SERVER_PID[$reg]:-}" ] || continue
    if ! kill -0 "${SERVER_PID[$reg]}" 2>/dev/null; then
      status=0; wait "${SERVER_PID[$reg]}" 2>/dev/null || status=$?
      GONE+="${LABEL[$reg]} (pid ${SERVER_PID[$reg]}) exited with status $status"
      [ "$status" -le 128 ] || GONE+=" (signal $((status - 128)), sent by something other than this script)"
      GONE+="; "
    fi
  done
}
check_servers() {
  servers_gone
  [ -z "$GONE" ] || die "a registry is gone: $GONE"
}
cleanup() {
  local rc=$?
  trap - EXIT
  if [ "$rc" != 0 ]; then
    servers_gone
    [ -z "$GONE" ] || log "$GONE"
  fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$rc" != 0 ]; then
    for f in "$work"/slipway.log "$work"/dist.log; do
      [ -s "$f" ] && { log "last lines of $f:"; tail -n 20 "$f" >&2; }
    done
  fi
  if [ "$KEEP_TMP" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Two distinct ports below the usual ephemeral range that nothing answers on.
free_ports() {
  local n=$1 found=" " p tries=0
  while [ "$(wc -w <<<"$found")" -lt "$n" ]; do
    tries=$((tries + 1)); [ "$tries" -lt 500 ] || die "no free port found"
    p=$((20000 + RANDOM % 12000))
    case "$found" in *" $p "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then found+="$p "; fi
  done
  echo $found
}
read -r SLIP_PORT DIST_PORT FLOOR_PORT < <(free_ports 3)

declare -A BASE HOSTPORT
BASE[slipway]="http://127.0.0.1:$SLIP_PORT";  HOSTPORT[slipway]="127.0.0.1:$SLIP_PORT"
BASE[dist]="http://127.0.0.1:$DIST_PORT";     HOSTPORT[dist]="127.0.0.1:$DIST_PORT"
BASE[floor]="http://127.0.0.1:$FLOOR_PORT";   HOSTPORT[floor]="127.0.0.1:$FLOOR_PORT"

mkdir -p "$work/slipway-data" "$work/dist-data"
# shellcheck disable=SC2086  # SLIPWAY_JAVA_OPTS is a list of flags
java $SLIPWAY_JAVA_OPTS -jar "$jar" registry serve --auth none --listen "${HOSTPORT[slipway]}" \
  --data "$work/slipway-data" >"$work/slipway.log" 2>&1 &
SERVER_PID[slipway]=$!; pids+=("$!")

cat >"$work/dist-config.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/dist-data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: ${HOSTPORT[dist]}
EOF
# Started through a symlink of its own name, so that a `pkill docker-registry` or `killall
# docker-registry` run by something else on the machine does not end this benchmark half-way.
ln -s "$(command -v docker-registry)" "$work/distribution"
"$work/distribution" serve "$work/dist-config.yml" >"$work/dist.log" 2>&1 &
SERVER_PID[dist]=$!; pids+=("$!")

wait_ready() {
  local reg=$1 i
  for i in $(seq 1 120); do
    kill -0 "${SERVER_PID[$reg]}" 2>/dev/null || die "${LABEL[$reg]} exited at start"
    [ "$(curl -s -o /dev/null -w '%{http_code}' "${BASE[$reg]}/v2/")" = 200 ] && return 0
    sleep 0.5
  done
  die "${LABEL[$reg]} did not answer on ${BASE[$reg]}/v2/ within 60 s"
}
wait_ready slipway
wait_ready dist
log "Slipway on ${BASE[slipway]} (java $SLIPWAY_JAVA_OPTS), Distribution on ${BASE[dist]}, temp dir $work"

# --- measuring helpers
now() { date +%s%N; }
secs_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.4f", (b - a) / 1e9 }'; }
mbps() { awk -v bytes="$1" -v s="$2" 'BEGIN { printf "%.1f", bytes / 1e6 / s }'; }

declare -A SAMPLES   # "scenario reg" -> space-separated values of the measured passes
record() {  # record PASS SCENARIO REG VALUE
  [ "$1" = warmup ] && return 0
  SAMPLES["$2 $3"]="${SAMPLES["$2 $3"]:-}$4 "
}

# The registries in the order a pass drives them: alternate, so neither always goes first.
order() {
  case "$1" in
    warmup | *[13579]) echo slipway dist ;;
    *) echo dist slipway ;;
  esac
}

sha256_of() { echo "sha256:$(openssl dgst -sha256 -r "$1" | cut -d' ' -f1)"; }

# POST + PUT: the full upload URL with the digest, from the Location a POST answered.
upload_url() {
  local reg=$1 loc=$2 digest=$3
  case "$loc" in /*) loc="${BASE[$reg]}$loc" ;; esac
  case "$loc" in *\?*) echo "$loc&digest=$digest" ;; *) echo "$loc?digest=$digest" ;; esac
}

# Monolithic upload of one file: POST /blobs/uploads/, then PUT <location>?digest= with the bytes.
push_blob() {
  local reg=$1 repo=$2 file=$3 digest=$4 headers loc code
  headers="$(curl -sS -o /dev/null -D - -X POST -H 'Content-Length: 0' \
    "${BASE[$reg]}/v2/$repo/blobs/uploads/" | tr -d '\r')"
  loc="$(awk 'tolower($1) == "location:" { print $2 }' <<<"$headers")"
  [ -n "$loc" ] || die "${LABEL[$reg]}: POST /v2/$repo/blobs/uploads/ gave no Location: $(head -n1 <<<"$headers")"
  code="$(curl -sS -o "$work/put.out" -w '%{http_code}' -X PUT -T "$file" -H 'Expect:' \
    -H 'Content-Type: application/octet-stream' "$(upload_url "$reg" "$loc" "$digest")")"
  [ "$code" = 201 ] || die "${LABEL[$reg]}: PUT of $file ($digest) answered $code: $(head -c 300 "$work/put.out")"
}

# ============================================================================================
# a./b. one big layer
big="$work/big.bin"
big_bytes=$((BIG_MIB * 1024 * 1024))
log "generating the ${BIG_MIB} MiB layer"
# (openssl ends on SIGPIPE when head has enough: not a failure)
{ openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass pass:registry-bench </dev/zero 2>/dev/null || true; } \
  | head -c "$big_bytes" >"$big"
[ "$(stat -c %s "$big")" = "$big_bytes" ] || die "could not write $big"
python3 "$here/lib/sendfile-server.py" "$FLOOR_PORT" "$big" >"$work/floor.log" 2>&1 &
SERVER_PID[floor]=$!; pids+=("$!")
for i in $(seq 1 50); do
  [ "$(curl -s -o /dev/null -w '%{size_download}' "${BASE[floor]}/")" = "$big_bytes" ] && break
  [ "$i" -lt 50 ] || die "the sendfile floor server did not answer on ${BASE[floor]}: $(cat "$work/floor.log")"
  sleep 0.2
done

# sock_get REG PATH: GET on a connection of its own (Connection: close), the answer (head and body)
# read from the socket by dd in 1 MiB reads into /dev/null; prints how many bytes came.
sock_get() {
  local reg=$1 path=$2
  (
    exec 3<>"/dev/tcp/${HOSTPORT[$reg]%:*}/${HOSTPORT[$reg]#*:}"
    printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "${HOSTPORT[$reg]}" >&3
    dd bs=1M of=/dev/null <&3 2>&1 | awk '/bytes/ { print $1 }'
  )
}

big_pass() {
  local pass=$1 reg t s digest code size
  check_servers
  # Each pass pushes a layer neither registry holds yet: only its first 32 bytes change.
  printf 'registry-bench pass %-12s' "$pass" | dd of="$big" bs=32 count=1 conv=notrunc status=none
  sync
  t=$(now); digest="$(sha256_of "$big")"; s=$(secs_since "$t")
  record "$pass" openssl - "$(mbps "$big_bytes" "$s")"
  if [ "$pass" != warmup ]; then
    sync
    t=$(now); dd if="$big" of="$work/big.copy" bs=1M conv=fsync status=none; s=$(secs_since "$t")
    record "$pass" ddfsync - "$(mbps "$big_bytes" "$s")"
    rm -f "$work/big.copy"
    # The pull floor: reading the file from the page cache (warm: it was just hashed) and
    # throwing the bytes away, with no network and no server.
    cat "$big" >/dev/null
    t=$(now); cat "$big" >/dev/null; s=$(secs_since "$t")
    record "$pass" catbig - "$(mbps "$big_bytes" "$s")"
    # What writing the same bytes costs without fsync, into new page-cache pages, and with O_DIRECT
    # (no page cache): on a VM that gives its free memory back to the host, a new page-cache page
    # is expensive to touch, and that cost, not the disk, can bound a push.
    t=$(now); dd if="$big" of="$work/big.copy" bs=1M status=none; s=$(secs_since "$t")
    record "$pass" ddbuf - "$(mbps "$big_bytes" "$s")"
    rm -f "$work/big.copy"
    t=$(now); dd if="$big" of="$work/big.copy" bs=1M oflag=direct status=none 2>/dev/null && s=$(secs_since "$t") \
      && record "$pass" dddirect - "$(mbps "$big_bytes" "$s")"
    rm -f "$work/big.copy"
  fi
  for reg in $(order "$pass"); do
    sync
    t=$(now); push_blob "$reg" bench/big "$big" "$digest"; s=$(secs_since "$t")
    record "$pass" big_push "$reg" "$(mbps "$big_bytes" "$s")"
    log "  pass $pass: ${LABEL[$reg]} push ${BIG_MIB} MiB in ${s}s ($(mbps "$big_bytes" "$s") MB/s)"
  done
  # BIG_PULLS rounds, each pulling from both registries and from the loopback floor (a bare
  # sendfile server of the same file, bench/lib/sendfile-server.py) with the same curl: single pulls
  # of 1 GiB vary by +-30% on a 2-core VM, and the floor, measured beside them, says what any server
  # could reach through this loopback and this client.
  local k
  for k in $(seq 1 "$BIG_PULLS"); do
    for reg in $(order "$pass$k") floor; do
      sync
      t=$(now)
      read -r code size < <(curl -sS -o /dev/null -w '%{http_code} %{size_download}\n' \
        "${BASE[$reg]}/v2/bench/big/blobs/$digest")
      s=$(secs_since "$t")
      [ "$code" = 200 ] && [ "$size" = "$big_bytes" ] \
        || die "${LABEL[$reg]}: GET of the big blob answered $code with $size bytes"
      if [ "$reg" = floor ]; then
        record "$pass" loopfloor - "$(mbps "$big_bytes" "$s")"
      else
        record "$pass" big_pull "$reg" "$(mbps "$big_bytes" "$s")"
      fi
      log "  pass $pass: ${LABEL[$reg]} pull ${BIG_MIB} MiB in ${s}s ($(mbps "$big_bytes" "$s") MB/s)"
    done
  done
  # The same pull read straight from the socket by dd, a reader as lean as the floor's cat: curl
  # spends more CPU per GiB than either server (it writes the body to /dev/null in 8 KiB pieces),
  # and on 2 cores the client's CPU bounds the pull, so this shows what each server delivers.
  for reg in $(order "$pass"); do
    sync
    t=$(now); size=$(sock_get "$reg" "/v2/bench/big/blobs/$digest"); s=$(secs_since "$t")
    # The head (status line and headers) is a few hundred bytes; the body must be whole.
    [ "${size:-0}" -gt "$big_bytes" ] && [ "$size" -lt $((big_bytes + 4096)) ] \
      || die "${LABEL[$reg]}: GET of the big blob read from the socket gave ${size:-no} bytes"
    record "$pass" big_pull_dd "$reg" "$(mbps "$big_bytes" "$s")"
    log "  pass $pass: ${LABEL[$reg]} pull ${BIG_MIB} MiB read by dd in ${s}s ($(mbps "$big_bytes" "$s") MB/s)"
  done
  BIG_DIGEST=$digest
}

log "a./b. push and pull of one ${BIG_MIB} MiB layer (warm-up pass, then $REPS measured)"
for pass in warmup $(seq 1 "$REPS"); do big_pass "$pass"; done
for reg in slipway dist; do   # not timed: the bytes that come back are the bytes that went in
  got="sha256:$(curl -sS "${BASE[$reg]}/v2/bench/big/blobs/$BIG_DIGEST" | openssl dgst -sha256 -r | cut -d' ' -f1)"
  [ "$got" = "$BIG_DIGEST" ] || die "${LABEL[$reg]} returned the big blob with digest $got, not $BIG_DIGEST"
done
rm -f "$big"

# ============================================================================================
# c. many small layers, with one curl process per phase (many URLs from a config file)
small_bytes=$((SMALL_KIB * 1024))

# make_small DIR: SMALL_COUNT files of distinct random content, and DIR/list ("digest path").
make_small() {
  local dir=$1
  mkdir -p "$dir"
  openssl rand -out "$dir/all" $((SMALL_COUNT * small_bytes))
  (cd "$dir" && split -a 4 -d -b "$small_bytes" all blob. && rm all)
  (cd "$dir" && openssl dgst -sha256 -r blob.*) \
    | awk -v d="$dir" '{ f = $2; sub(/^\*/, "", f); print "sha256:" $1, d "/" f }' >"$dir/list"
  [ "$(wc -l <"$dir/list")" = "$SMALL_COUNT" ] || die "could not make $SMALL_COUNT small layers"
}

# curl flags for PAR connections: -Z for more than one, a plain sequential run on one kept-alive
# connection otherwise.
curl_many() {
  local par=$1; shift
  if [ "$par" -gt 1 ]; then
    curl --no-progress-meter -Z --parallel-max "$par" "$@"
  else
    curl --no-progress-meter "$@"
  fi
}

check_codes() {  # check_codes FILE EXPECTED_CODE WHAT
  local bad
  bad="$(awk -v c="$2" '$1 != c' "$1" | head -n 3)" || true
  [ -z "$bad" ] && [ "$(wc -l <"$1")" = "$SMALL_COUNT" ] \
    || die "$3: $(wc -l <"$1") answers, unexpected: ${bad:-none}"
}

# push_many REG REPO DIR PAR: POST SMALL_COUNT uploads, then PUT each file to one of them.
push_many() {
  local reg=$1 repo=$2 dir=$3 par=$4 i
  for ((i = 0; i < SMALL_COUNT; i++)); do
    printf 'url = "%s/v2/%s/blobs/uploads/"\noutput = "/dev/null"\n' "${BASE[$reg]}" "$repo"
  done >"$dir/posts.$reg.cfg"
  curl_many "$par" -X POST -H 'Content-Length: 0' -w '%{http_code} %header{location}\n' \
    -K "$dir/posts.$reg.cfg" >"$dir/posts.$reg.out"
  check_codes "$dir/posts.$reg.out" 202 "${LABEL[$reg]}: POST of small uploads"
  # Any upload session takes any blob: pair the Locations with the files in order.
  paste -d' ' "$dir/list" "$dir/posts.$reg.out" | awk -v base="${BASE[$reg]}" '{
      loc = $4; if (substr(loc, 1, 1) == "/") loc = base loc
      sep = index(loc, "?") ? "&" : "?"
      printf "upload-file = \"%s\"\nurl = \"%s%sdigest=%s\"\noutput = \"/dev/null\"\n", $2, loc, sep, $1
    }' >"$dir/puts.$reg.cfg"
  curl_many "$par" -H 'Content-Type: application/octet-stream' -H 'Expect:' -w '%{http_code}\n' \
    -K "$dir/puts.$reg.cfg" >"$dir/puts.$reg.out"
  check_codes "$dir/puts.$reg.out" 201 "${LABEL[$reg]}: PUT of small layers"
}

# pull_many REG REPO DIR PAR: GET every blob of DIR/list to /dev/null.
pull_many() {
  local reg=$1 repo=$2 dir=$3 par=$4
  awk -v base="${BASE[$reg]}" -v repo="$repo" \
    '{ printf "url = \"%s/v2/%s/blobs/%s\"\noutput = \"/dev/null\"\n", base, repo, $1 }' \
    "$dir/list" >"$dir/gets.$reg.cfg"
  curl_many "$par" -w '%{http_code} %{size_download}\n' -K "$dir/gets.$reg.cfg" >"$dir/gets.$reg.out"
  check_codes "$dir/gets.$reg.out" 200 "${LABEL[$reg]}: GET of small layers"
  awk -v n="$small_bytes" '$2 != n { bad = 1 } END { exit bad }' "$dir/gets.$reg.out" \
    || die "${LABEL[$reg]}: a small layer came back with the wrong size"
}

small_pass() {
  local pass=$1 mode par dir reg t s
  check_servers
  for mode in par seq; do
    if [ "$mode" = par ]; then par=$SMALL_PARALLEL; else par=1; fi
    dir="$work/small-$pass-$mode"
    make_small "$dir"
    if [ "$pass" != warmup ]; then
      # The floors of c.: the same files written durably one by one (dd conv=fsync each, one
      # process per file, as a server fsyncs each blob) and read back from the page cache.
      mkdir -p "$dir/copy"
      sync
      t=$(now)
      for f in "$dir"/blob.*; do dd if="$f" of="$dir/copy/${f##*/}" bs=1M conv=fsync status=none; done
      s=$(secs_since "$t")
      record "$pass" ddsmall - "$s"
      rm -rf "$dir/copy"
      cat "$dir"/blob.* >/dev/null
      t=$(now); cat "$dir"/blob.* >/dev/null; s=$(secs_since "$t")
      record "$pass" catsmall - "$s"
    fi
    for reg in $(order "$pass"); do
      sync
      t=$(now); push_many "$reg" "bench/small-$mode" "$dir" "$par"; s=$(secs_since "$t")
      record "$pass" "small_push_$mode" "$reg" "$s"
      log "  pass $pass: ${LABEL[$reg]} push $SMALL_COUNT x $SMALL_KIB KiB ($mode, $par conn) in ${s}s"
    done
    for reg in $(order "$pass"); do
      sync
      t=$(now); pull_many "$reg" "bench/small-$mode" "$dir" "$par"; s=$(secs_since "$t")
      record "$pass" "small_pull_$mode" "$reg" "$s"
      log "  pass $pass: ${LABEL[$reg]} pull $SMALL_COUNT x $SMALL_KIB KiB ($mode, $par conn) in ${s}s"
    done
    rm -rf "$dir"
  done
}

# What one curl process costs on its own (start-up plus one GET /v2/), to put c. in proportion.
t=$(now)
for i in $(seq 1 20); do curl -s -o /dev/null "${BASE[slipway]}/v2/"; done
CURL_PROC_MS=$(awk -v s="$(secs_since "$t")" 'BEGIN { printf "%.1f", s * 1000 / 20 }')

log "c. $SMALL_COUNT layers of $SMALL_KIB KiB, pushed then pulled ($SMALL_PARALLEL connections, then 1)"
for pass in warmup $(seq 1 "$REPS"); do small_pass "$pass"; done

# ============================================================================================
# d. manifest GETs with wrk
manifest_dir="$work/manifest"
mkdir -p "$manifest_dir/rootfs"
openssl rand -out "$manifest_dir/rootfs/hello.bin" 2048
tar -C "$manifest_dir/rootfs" -cf "$manifest_dir/layer.tar" .
gzip -n -1 -c "$manifest_dir/layer.tar" >"$manifest_dir/layer.tgz"
m_diffid="$(sha256_of "$manifest_dir/layer.tar")"
m_layer="$(sha256_of "$manifest_dir/layer.tgz")"
printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["%s"]}}' \
  "$m_diffid" >"$manifest_dir/config.json"
m_config="$(sha256_of "$manifest_dir/config.json")"
printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"%s","digest":"%s","size":%d},"layers":[{"mediaType":"%s","digest":"%s","size":%d}]}' \
  "$OCI_MANIFEST" "$OCI_CONFIG" "$m_config" "$(stat -c %s "$manifest_dir/config.json")" \
  "$OCI_LAYER_GZIP" "$m_layer" "$(stat -c %s "$manifest_dir/layer.tgz")" >"$manifest_dir/manifest.json"
m_digest="$(sha256_of "$manifest_dir/manifest.json")"

for reg in slipway dist; do
  push_blob "$reg" bench/manifest "$manifest_dir/config.json" "$m_config"
  push_blob "$reg" bench/manifest "$manifest_dir/layer.tgz" "$m_layer"
  code="$(curl -sS -o "$work/put.out" -w '%{http_code}' -X PUT -H "Content-Type: $OCI_MANIFEST" \
    --data-binary "@$manifest_dir/manifest.json" "${BASE[$reg]}/v2/bench/manifest/manifests/v1")"
  [ "$code" = 201 ] || die "${LABEL[$reg]}: PUT manifest answered $code: $(head -c 300 "$work/put.out")"
  got="$(curl -sS -H "Accept: $OCI_MANIFEST" "${BASE[$reg]}/v2/bench/manifest/manifests/v1" \
    | openssl dgst -sha256 -r | cut -d' ' -f1)"
  [ "sha256:$got" = "$m_digest" ] || die "${LABEL[$reg]}: GET manifest returned sha256:$got, not $m_digest"
done

wrk_run() {  # wrk_run PASS REG DURATION
  local pass=$1 reg=$2 line rps p50 p99 non2xx sockerr
  check_servers
  line="$(wrk -t "$WRK_THREADS" -c "$WRK_CONNECTIONS" -d "$3" -s "$here/manifest-get.lua" \
    "${BASE[$reg]}/v2/bench/manifest/manifests/v1" | grep '^BENCH ')" \
    || die "${LABEL[$reg]}: wrk printed no result"
  rps=$(sed -E 's/.* rps=([^ ]+).*/\1/' <<<"$line")
  p50=$(sed -E 's/.* p50_ms=([^ ]+).*/\1/' <<<"$line")
  p99=$(sed -E 's/.* p99_ms=([^ ]+).*/\1/' <<<"$line")
  non2xx=$(sed -E 's/.* non2xx=([^ ]+).*/\1/' <<<"$line")
  sockerr=$(sed -E 's/.* sockerr=([^ ]+).*/\1/' <<<"$line")
  if [ "$non2xx" != 0 ] || [ "$sockerr" != 0 ]; then
    log "  WARNING: ${LABEL[$reg]}: $non2xx non-2xx answers and $sockerr socket errors under wrk"
    WRK_WARNINGS+="${LABEL[$reg]} pass $pass: $non2xx non-2xx, $sockerr socket errors; "
  fi
  record "$pass" manifest_rps "$reg" "$rps"
  record "$pass" manifest_p50 "$reg" "$p50"
  record "$pass" manifest_p99 "$reg" "$p99"
  log "  pass $pass: ${LABEL[$reg]} $rps req/s, p50 ${p50} ms, p99 ${p99} ms"
}
WRK_WARNINGS=""

log "d. manifest GETs, wrk -t$WRK_THREADS -c$WRK_CONNECTIONS ($WRK_WARMUP warm-up, then $REPS x $WRK_DURATION)"
for reg in $(order warmup); do wrk_run warmup "$reg" "$WRK_WARMUP"; done
for pass in $(seq 1 "$REPS"); do
  for reg in $(order "$pass"); do wrk_run "$pass" "$reg" "$WRK_DURATION"; done
done

# ============================================================================================
# e. skopeo copy of a multi-layer image, into each registry and back out
skopeo_kib=0
for k in $SKOPEO_LAYERS_KIB; do skopeo_kib=$((skopeo_kib + k)); done
skopeo_layers=$(wc -w <<<"$SKOPEO_LAYERS_KIB")

# make_layout DIR: an OCI image layout with one image, tag v1, of gzipped random tar layers.
make_layout() {
  local dir=$1 i=0 k tmp diffids="" layers="" d size
  tmp="$dir.build"
  mkdir -p "$dir/blobs/sha256" "$tmp"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
  for k in $SKOPEO_LAYERS_KIB; do
    i=$((i + 1))
    mkdir -p "$tmp/l$i/data"
    openssl rand -out "$tmp/l$i/data/file-$i.bin" $((k * 1024))
    tar -C "$tmp/l$i" -cf "$tmp/l$i.tar" data
    gzip -n -1 -c "$tmp/l$i.tar" >"$tmp/l$i.tgz"
    d="$(sha256_of "$tmp/l$i.tgz")"; size=$(stat -c %s "$tmp/l$i.tgz")
    mv "$tmp/l$i.tgz" "$dir/blobs/sha256/${d#sha256:}"
    diffids+="${diffids:+,}\"$(sha256_of "$tmp/l$i.tar")\""
    layers+="${layers:+,}{\"mediaType\":\"$OCI_LAYER_GZIP\",\"digest\":\"$d\",\"size\":$size}"
  done
  rm -rf "$tmp"
  printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/true"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
    "$diffids" >"$dir/config.json"
  d="$(sha256_of "$dir/config.json")"; size=$(stat -c %s "$dir/config.json")
  mv "$dir/config.json" "$dir/blobs/sha256/${d#sha256:}"
  printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"%s","digest":"%s","size":%d},"layers":[%s]}' \
    "$OCI_MANIFEST" "$OCI_CONFIG" "$d" "$size" "$layers" >"$dir/manifest.json"
  LAYOUT_DIGEST="$(sha256_of "$dir/manifest.json")"; size=$(stat -c %s "$dir/manifest.json")
  mv "$dir/manifest.json" "$dir/blobs/sha256/${LAYOUT_DIGEST#sha256:}"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"%s","digest":"%s","size":%d,"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}' \
    "$OCI_MANIFEST" "$LAYOUT_DIGEST" "$size" >"$dir/index.json"
}

skopeo_pass() {
  local pass=$1 layout="$work/oci-$1" reg t s out
  check_servers
  # A fresh image each pass, so skopeo's blob-info cache cannot turn an upload into a mount.
  make_layout "$layout"
  for reg in $(order "$pass"); do
    sync
    t=$(now)
    skopeo copy --quiet --dest-tls-verify=false "oci:$layout:v1" \
      "docker://${HOSTPORT[$reg]}/bench/skopeo-$pass:v1" >"$work/skopeo.out" 2>&1 \
      || die "${LABEL[$reg]}: skopeo copy into the registry failed: $(tail -n 5 "$work/skopeo.out")"
    s=$(secs_since "$t")
    record "$pass" skopeo_push "$reg" "$s"
    log "  pass $pass: ${LABEL[$reg]} skopeo copy in ${s}s"
  done
  for reg in $(order "$pass"); do
    out="$work/out-$reg-$pass"
    sync
    t=$(now)
    skopeo copy --quiet --src-tls-verify=false "docker://${HOSTPORT[$reg]}/bench/skopeo-$pass:v1" \
      "oci:$out:v1" >"$work/skopeo.out" 2>&1 \
      || die "${LABEL[$reg]}: skopeo copy out of the registry failed: $(tail -n 5 "$work/skopeo.out")"
    s=$(secs_since "$t")
    record "$pass" skopeo_pull "$reg" "$s"
    log "  pass $pass: ${LABEL[$reg]} skopeo copy out in ${s}s"
    grep -q "${LAYOUT_DIGEST}" "$out/index.json" \
      || die "${LABEL[$reg]}: the image copied back out is not the image copied in ($LAYOUT_DIGEST)"
    rm -rf "$out"
  done
  rm -rf "$layout"
}

log "e. skopeo copy of a $skopeo_layers-layer image ($((skopeo_kib / 1024)) MiB of gzipped layers) in and out"
for pass in warmup $(seq 1 "$REPS"); do skopeo_pass "$pass"; done

# ============================================================================================
# summary
median() {  # median of the words of $1
  tr ' ' '\n' <<<"$1" | awk 'NF' | sort -g \
    | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
best() {  # best KIND VALUES: the highest throughput or the lowest time
  tr ' ' '\n' <<<"$2" | awk 'NF' | sort -g | if [ "$1" = rate ]; then tail -n 1; else head -n 1; fi
}
pick() {  # pick KIND VALUES: the figure the table shows
  if [ "$STAT" = best ]; then best "$1" "$2"; else median "$2"; fi
}
ratio() {  # ratio KIND SLIPWAY DIST: > 1 means Slipway is better
  awk -v k="$1" -v s="$2" -v d="$3" 'BEGIN {
    if (k == "rate") r = (d > 0) ? s / d : 0; else r = (s > 0) ? d / s : 0
    printf "%.2f", r }'
}

# key|label|unit|kind|floor: the floor is what the same bytes cost without any registry
# (dd conv=fsync for a push, cat from the page cache for a pull), measured in every pass.
rows=(
  "big_push|a. push 1 layer of ${BIG_MIB} MiB (curl POST+PUT -T)|MB/s|rate|ddfsync"
  "big_pull|b. pull 1 layer of ${BIG_MIB} MiB (curl -o /dev/null)|MB/s|rate|catbig"
  "big_pull_dd|b'. the same pull read from the socket by dd bs=1M|MB/s|rate|catbig"
  "small_push_par|c. push ${SMALL_COUNT} x ${SMALL_KIB} KiB (curl -Z, ${SMALL_PARALLEL} conns)|s|time|ddsmall"
  "small_pull_par|c. pull ${SMALL_COUNT} x ${SMALL_KIB} KiB (curl -Z, ${SMALL_PARALLEL} conns)|s|time|catsmall"
  "small_push_seq|c. push ${SMALL_COUNT} x ${SMALL_KIB} KiB (one curl, 1 conn)|s|time|ddsmall"
  "small_pull_seq|c. pull ${SMALL_COUNT} x ${SMALL_KIB} KiB (one curl, 1 conn)|s|time|catsmall"
  "manifest_rps|d. manifest GET by tag (wrk -t${WRK_THREADS} -c${WRK_CONNECTIONS})|req/s|rate|"
  "manifest_p50|d. manifest GET latency p50|ms|time|"
  "manifest_p99|d. manifest GET latency p99|ms|time|"
  "skopeo_push|e. skopeo copy oci: -> registry (${skopeo_layers} layers, $((skopeo_kib / 1024)) MiB)|s|time|"
  "skopeo_pull|e. skopeo copy registry -> oci:|s|time|"
)

results_dir="$here/results"
mkdir -p "$results_dir"
result_file="$results_dir/registry-bench-$(date +%Y%m%d-%H%M%S).txt"

openssl_fig=$(pick rate "${SAMPLES["openssl -"]}")
dd_fig=$(pick rate "${SAMPLES["ddfsync -"]}")
slip_push=$(pick rate "${SAMPLES["big_push slipway"]}")
dist_push=$(pick rate "${SAMPLES["big_push dist"]}")

{
  echo "Slipway vs CNCF Distribution: registry-bench.sh, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "  commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet HEAD -- 2>/dev/null || echo ' (dirty)')," \
    "$(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), load average at start $LOAD_AT_START, at end $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "  Slipway: java $SLIPWAY_JAVA_OPTS ($(java -version 2>&1 | head -n1));" \
    "Distribution: $(docker-registry --version 2>/dev/null | awk '{ print $NF }'), filesystem driver, inmemory blob descriptor cache"
  echo "  clients: $(curl --version | head -n1 | cut -d' ' -f1-2), $(skopeo --version), $({ wrk -v 2>&1 || true; } | head -n1 | cut -d' ' -f1-2)"
  echo "  figures: $STAT of $REPS measured passes after one warm-up pass (not counted); ratio > 1 means Slipway is better"
  echo "           (throughput: Slipway/Distribution; times: Distribution/Slipway)"
  echo
  fmt='%-62s %-6s %12s %12s %7s %9s %8s %8s\n'
  printf "$fmt" "scenario" "unit" "Slipway" "Distribution" "ratio" "floor" "S/floor" "D/floor"
  printf "$fmt" "--------" "----" "-------" "------------" "-----" "-----" "-------" "-------"
  for row in "${rows[@]}"; do
    IFS='|' read -r key label unit kind floor <<<"$row"
    s=$(pick "$kind" "${SAMPLES["$key slipway"]:-}")
    d=$(pick "$kind" "${SAMPLES["$key dist"]:-}")
    if [ -n "$floor" ]; then
      f=$(pick "$kind" "${SAMPLES["$floor -"]:-}")
      # Share of the floor reached (1 = as fast as the machine allows without a registry).
      printf "$fmt" "$label" "$unit" "$s" "$d" "$(ratio "$kind" "$s" "$d")" "$f" "$(ratio "$kind" "$s" "$f")" "$(ratio "$kind" "$d" "$f")"
    else
      printf "$fmt" "$label" "$unit" "$s" "$d" "$(ratio "$kind" "$s" "$d")" "-" "-" "-"
    fi
  done
  echo "floors: a. dd bs=1M conv=fsync of the file; b. cat FILE >/dev/null, page cache warm;"
  echo "        c. push: dd conv=fsync of each file (${SMALL_COUNT} processes); c. pull: cat of all files >/dev/null, warm"
  echo
  loop_fig=$(pick rate "${SAMPLES["loopfloor -"]:-}")
  echo "the loopback floor for b. (the same file sent by a bare blocking sendfile server to the same curl, beside each pull):"
  printf '  %s MB/s; Slipway / loopback floor = %s; Distribution / loopback floor = %s; loopback floor / cat = %s\n' \
    "$loop_fig" "$(ratio rate "$(pick rate "${SAMPLES["big_pull slipway"]}")" "$loop_fig")" \
    "$(ratio rate "$(pick rate "${SAMPLES["big_pull dist"]}")" "$loop_fig")" \
    "$(ratio rate "$loop_fig" "$(pick rate "${SAMPLES["catbig -"]}")")"
  echo
  echo "baselines for a. (same ${BIG_MIB} MiB file, page cache warm):"
  printf '  openssl dgst -sha256:            %8s MB/s\n' "$openssl_fig"
  printf '  dd bs=1M conv=fsync (copy+sync): %8s MB/s\n' "$dd_fig"
  printf '  dd bs=1M to a new file, no sync:  %8s MB/s (new page-cache pages, still to be written)\n' \
    "$(pick rate "${SAMPLES["ddbuf -"]:-}")"
  printf '  dd bs=1M oflag=direct (no cache): %8s MB/s\n' "$(pick rate "${SAMPLES["dddirect -"]:-}")"
  printf '  Slipway push / openssl sha256 = %s (goal >= 0.8); Distribution push / openssl = %s\n' \
    "$(awk -v a="$slip_push" -v b="$openssl_fig" 'BEGIN { printf "%.2f", a / b }')" \
    "$(awk -v a="$dist_push" -v b="$openssl_fig" 'BEGIN { printf "%.2f", a / b }')"
  printf '  Slipway push / dd write+fsync = %s\n' "$(awk -v a="$slip_push" -v b="$dd_fig" 'BEGIN { printf "%.2f", a / b }')"
  echo "  one curl process (start-up + GET /v2/ on a new connection): ${CURL_PROC_MS} ms"
  echo "server logs: Slipway $(grep -cE ' (WARN|ERROR) ' "$work/slipway.log" || true) warning/error lines," \
    "Distribution $(grep -E 'level=(warning|error|fatal|panic)' "$work/dist.log" \
      | grep -cvE 'err.code="(blob|manifest) unknown"' || true)" \
    "(not counting the 404s Distribution logs for the HEADs a client sends before a push;" \
    "KEEP_TMP=1 keeps the logs)"
  [ -z "$WRK_WARNINGS" ] || echo "  WARNING (wrk): $WRK_WARNINGS"
  echo
  echo "samples (measured passes, in pass order):"
  for row in "${rows[@]}"; do
    IFS='|' read -r key label unit kind floor <<<"$row"
    printf '  %-15s Slipway [ %s]  Distribution [ %s]\n' "$key" "${SAMPLES["$key slipway"]:-}" "${SAMPLES["$key dist"]:-}"
  done
  printf '  %-15s [ %s]\n' openssl "${SAMPLES["openssl -"]:-}" ddfsync "${SAMPLES["ddfsync -"]:-}" \
    catbig "${SAMPLES["catbig -"]:-}" loopfloor "${SAMPLES["loopfloor -"]:-}" ddbuf "${SAMPLES["ddbuf -"]:-}" \
    dddirect "${SAMPLES["dddirect -"]:-}" ddsmall "${SAMPLES["ddsmall -"]:-}" catsmall "${SAMPLES["catsmall -"]:-}"
} | tee "$result_file"
log "written to $result_file"
