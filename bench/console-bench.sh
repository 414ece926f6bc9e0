#!/usr/bin/env bash
# Registry Console benchmark (issue 22): the images page for an account with 10,000 images (50 a
# page) and the issues page of an image with 1,000 findings, p50/p99 per request, on SQLite and
# (when PostgreSQL's server binaries are installed) PostgreSQL, each beside the management API call
# the page is built on, measured in the same run. Seeds its own registry in a temporary folder.
#   bench/console-bench.sh [REQUESTS_PER_FIGURE [IMAGES [STORE]]]   (IMAGES: 10000 unless a busy machine needs fewer;
#   STORE: sqlite or postgres for one of them, e.g. to run the two side by side)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for tool in java mvn; do command -v "$tool" >/dev/null || { echo "console-bench: $tool is required" >&2; exit 1; }; done
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
mvn -q -B -pl registry-backend -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
cp="registry-backend/target/test-classes:registry-backend/target/classes"
for m in oci-core vulnerability-advisor trust test-support; do
    cp="$cp:$m/target/classes"
done
java -Xmx1g -cp "$cp:$(cat "$cp_file")" io.slipway.registry.console.ConsoleBenchmark "${1:-200}" "${2:-10000}" "${3:-both}"
