#!/usr/bin/env bash
# Observability benchmark (issue 21), in one run: manifest GETs per second with metrics on as a ratio
# to the same registry with metrics off (wrk, 32 connections, alternate rounds, median; goal >= 0.95),
# and webhook deliveries to a local receiver (events/s, p50/p99 delay from event time to arrival).
#   bench/observe-bench.sh [SECONDS_PER_GET_RUN] [WEBHOOK_EVENTS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib/classpath.sh
bench_require observe-bench wrk java mvn
cp=$(bench_classpath registry-backend oci-core vulnerability-advisor trust)
java -Xmx1g -cp "$cp" io.slipway.registry.observe.ObservabilityBenchmark "${1:-10}" "${2:-2000}"
