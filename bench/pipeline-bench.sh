#!/usr/bin/env bash
# Pipeline benchmark: build -> push -> gate -> sign -> deploy through the CLI on the embedded
# registry, per step, cold and with only the application jar changed, beside a reference measured
# in the same run (the changed layer and a manifest uploaded by hand). Usage: bench/pipeline-bench.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib/classpath.sh
bench_require pipeline-bench java mvn
cp=$(bench_classpath cli oci-core vulnerability-advisor trust registry-backend helm-values-updater pipeline-core \
    registry-backend/target/test-classes)
java -cp "$cp" io.slipway.cli.PipelineBenchmark \
    cli/src/test/resources/advisories/GHSA-jfh8-c2jp-5v3q.json
