#!/usr/bin/env bash
# Registry Console benchmark (issue 22): the images page for an account with 10,000 images (50 a
# page) and the issues page of an image with 1,000 findings, p50/p99 per request, on SQLite and
# (when PostgreSQL's server binaries are installed) PostgreSQL, each beside the management API call
# the page is built on, measured in the same run. Seeds its own registry in a temporary folder.
#   bench/console-bench.sh [REQUESTS_PER_FIGURE [IMAGES [STORE]]]   (IMAGES: 10000 unless a busy machine needs fewer;
#   STORE: sqlite or postgres for one of them, e.g. to run the two side by side)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib/classpath.sh
bench_require console-bench java mvn
cp=$(bench_classpath registry-backend oci-core vulnerability-advisor trust test-support)
java -Xmx1g -cp "$cp" io.slipway.registry.console.ConsoleBenchmark "${1:-200}" "${2:-10000}" "${3:-both}"
