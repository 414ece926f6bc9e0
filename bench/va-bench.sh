#!/usr/bin/env bash
# Vulnerability Advisor benchmark: database import and image scan, each beside a reference taken
# in the same run (parsing the same JSON; walking the same layer). Usage:
#   bench/va-bench.sh [advisories=100000] [packages=1000]
# The JVM gets a 512 MiB heap, the issue's memory goal: a run that needs more fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
mvn -q -B -pl vulnerability-advisor -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
java -Xmx512m -cp "vulnerability-advisor/target/test-classes:vulnerability-advisor/target/classes:oci-core/target/classes:$(cat "$cp_file")" \
    io.slipway.va.bench.VaBenchmark "$@"
