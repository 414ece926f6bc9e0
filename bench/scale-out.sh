#!/usr/bin/env bash
# Scale-out benchmark: PostgreSQL + S3 (S3Proxy) against SQLite + files on one node, and two nodes
# against one, in one run: manifest GET/s and p99 (wrk, 32 connections), blob push and pull MB/s
# (4 x 64 MiB at once), and the CPU each part used. Starts everything it needs (a private
# PostgreSQL cluster from Debian's server binaries, S3Proxy from the test class path, the nodes as
# processes of their own); the last line prints the ratios.
#   bench/scale-out.sh [SECONDS_PER_GET_RUN]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for tool in wrk java mvn; do command -v "$tool" >/dev/null || { echo "scale-out: $tool is required" >&2; exit 1; }; done
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
mvn -q -B -pl registry-backend -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
cp="registry-backend/target/test-classes:registry-backend/target/classes"
for m in oci-core vulnerability-advisor trust; do
    cp="$cp:$m/target/classes"
done
java -Xmx1g -cp "$cp:$(cat "$cp_file")" io.slipway.registry.ScaleOutBenchmark "${1:-10}"
