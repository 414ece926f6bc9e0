#!/usr/bin/env bash
# Observability benchmark (issue 21), in one run: manifest GETs per second with metrics on as a ratio
# to the same registry with metrics off (wrk, 32 connections, alternate rounds, median; goal >= 0.95),
# and webhook deliveries to a local receiver (events/s, p50/p99 delay from event time to arrival).
#   bench/observe-bench.sh [SECONDS_PER_GET_RUN] [WEBHOOK_EVENTS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for tool in wrk java mvn; do command -v "$tool" >/dev/null || { echo "observe-bench: $tool is required" >&2; exit 1; }; done
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
mvn -q -B -pl registry-backend -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
cp="registry-backend/target/test-classes:registry-backend/target/classes"
for m in oci-core vulnerability-advisor trust; do
    cp="$cp:$m/target/classes"
done
java -Xmx1g -cp "$cp:$(cat "$cp_file")" io.slipway.registry.observe.ObservabilityBenchmark "${1:-10}" "${2:-2000}"
