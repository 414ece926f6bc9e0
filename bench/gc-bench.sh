#!/usr/bin/env bash
# Garbage collection benchmark (issue 20): a sweep over IMAGES images of BLOBS blobs each (10,000 x 5
# = 50,000 blobs by default; half the images deleted for good, so it frees half) on SQLite + files
# and on PostgreSQL + S3Proxy: the sweep's duration, and manifest-PUT p50/p99 while it runs beside
# the same without it (goal: < 10 s, p99 <= 2x). Seeds its own registries in a temporary folder;
# needs PostgreSQL's server binaries (/usr/lib/postgresql) and S3Proxy (a test dependency).
#   bench/gc-bench.sh [IMAGES [BLOBS [sqlite|pg|both]]]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib/classpath.sh
bench_require gc-bench java mvn
cp=$(bench_classpath registry-backend oci-core vulnerability-advisor trust test-support)
uptime
# GC_BENCH_JAVA_OPTS: more JVM options, e.g. -XX:StartFlightRecording=filename=gc.jfr to profile a sweep
java -Xmx1g ${GC_BENCH_JAVA_OPTS:-} -cp "$cp" io.slipway.registry.lifecycle.GcBenchmark "${1:-10000}" "${2:-5}" "${3:-both}"
