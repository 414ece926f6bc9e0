#!/usr/bin/env bash
# Scale-out benchmark: PostgreSQL + S3 (S3Proxy) against SQLite + files on one node, and two nodes
# against one, in one run: manifest GET/s and p99 (wrk, 32 connections), blob push and pull MB/s
# (4 x 64 MiB at once), and the CPU each part used. Starts everything it needs (a private
# PostgreSQL cluster from Debian's server binaries, S3Proxy from the test class path, the nodes as
# processes of their own); the last line prints the ratios.
#   bench/scale-out.sh [SECONDS_PER_GET_RUN]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib/classpath.sh
bench_require scale-out wrk java mvn
cp=$(bench_classpath registry-backend oci-core vulnerability-advisor trust)
java -Xmx1g -cp "$cp" io.slipway.registry.ScaleOutBenchmark "${1:-10}"
