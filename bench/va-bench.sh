#!/usr/bin/env bash
# Vulnerability Advisor benchmark: database import and image scan, each beside a reference taken
# in the same run (parsing the same JSON; walking the same layer). Usage:
#   bench/va-bench.sh [advisories=100000] [packages=1000]
# The JVM gets a 512 MiB heap, the issue's memory goal: a run that needs more fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib/classpath.sh
bench_require va-bench java mvn
cp=$(bench_classpath vulnerability-advisor oci-core)
java -Xmx512m -cp "$cp" io.slipway.va.bench.VaBenchmark "$@"
