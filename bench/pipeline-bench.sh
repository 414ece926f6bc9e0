#!/usr/bin/env bash
# Pipeline benchmark: build -> push -> gate -> sign -> deploy through the CLI on the embedded
# registry, per step, cold and with only the application jar changed, beside a reference measured
# in the same run (the changed layer and a manifest uploaded by hand). Usage: bench/pipeline-bench.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
mvn -q -B -pl cli -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
cp="cli/target/test-classes:cli/target/classes"
for m in oci-core vulnerability-advisor trust registry-backend helm-values-updater pipeline-core; do
    cp="$cp:$m/target/classes"
done
java -cp "$cp:registry-backend/target/test-classes:$(cat "$cp_file")" io.slipway.cli.PipelineBenchmark \
    cli/src/test/resources/advisories/GHSA-jfh8-c2jp-5v3q.json
