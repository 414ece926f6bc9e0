#!/usr/bin/env bash
# Fuzzes every Jazzer target (issue 19 point 9), one after the other, each for FUZZ_SECONDS.
#
#   bench/fuzz.sh                          # 300 s per target
#   FUZZ_SECONDS=30 bench/fuzz.sh          # a short pass (.ci/run uses 8)
#   FUZZ_TARGETS='Token|Layer' bench/fuzz.sh   # only the targets whose name matches the regex
#   FUZZ_SECONDS_Token=600 bench/fuzz.sh   # a longer run for the targets of one class
#   BUILD=0 bench/fuzz.sh                  # the classes are already compiled (as after mvn verify)
#
# Jazzer's JUnit integration fuzzes one @FuzzTest per JVM ("Only one fuzz test can be run at a
# time"), so each target is its own Maven run with -Dtest=Class#method and JAZZER_FUZZ=1. A crash is
# written by Jazzer beside the seeds (src/test/resources/<package>/<Class>Inputs/<method>/crash-…),
# where the next `mvn verify` replays it: commit it with the fix. The corpus Jazzer grows goes to
# <module>/.cifuzz-corpus/ (not in git). Per target the script prints the runs, the executions per
# second and the coverage libFuzzer reported; the full logs stay in bench/results/fuzz-<date>/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds="${FUZZ_SECONDS:-300}"
filter="${FUZZ_TARGETS:-.}"
targets=(
  "oci-core io.slipway.oci.OciParsersFuzzTest#digest"
  "oci-core io.slipway.oci.OciParsersFuzzTest#reference"
  "oci-core io.slipway.oci.OciParsersFuzzTest#manifest"
  "oci-core io.slipway.oci.OciParsersFuzzTest#bearerChallenge"
  "registry-backend io.slipway.registry.distribution.ManifestServiceFuzzTest#put"
  "registry-backend io.slipway.registry.http.RangeHeadersFuzzTest#contentRange"
  "registry-backend io.slipway.registry.http.RangeHeadersFuzzTest#byteRange"
  "registry-backend io.slipway.registry.auth.TokenFuzzTest#token"
  "registry-backend io.slipway.registry.auth.TokenFuzzTest#signedClaims"
  "vulnerability-advisor io.slipway.va.layer.LayerWalkerFuzzTest#tarReader"
  "vulnerability-advisor io.slipway.va.layer.LayerWalkerFuzzTest#walk"
  "vulnerability-advisor io.slipway.va.advisory.AdvisoryImporterFuzzTest#osv"
  "vulnerability-advisor io.slipway.va.advisory.AdvisoryImporterFuzzTest#debianTracker"
  "vulnerability-advisor io.slipway.va.advisory.AdvisoryImporterFuzzTest#alpineSecdb"
  "helm-values-updater io.slipway.helm.values.ValuesFileFuzzTest#setValue"
)

logs="bench/results/fuzz-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$logs"

if [ "${BUILD:-1}" = 1 ]; then
  echo "fuzz: compiling the modules and their tests"
  mvn -B -q -pl oci-core,registry-backend,vulnerability-advisor,helm-values-updater -am test-compile
fi

failed=()
count=0
for t in "${targets[@]}"; do
  module="${t%% *}"
  test="${t#* }"
  short="${test##*.}"
  [[ "$short" =~ $filter ]] || continue
  class="${short%%#*}"
  per_class_var="FUZZ_SECONDS_${class%FuzzTest}"
  budget="${!per_class_var:-$seconds}"
  log="$logs/$short.log"
  count=$((count + 1))
  # -am builds the sibling modules with it, their own tests filtered out. The test-compile phase
  # is what lets Maven hand them over as compiled classes: with the surefire:test goal alone it
  # looks for their jars in ~/.m2, which a clean machine does not have (nothing is installed there).
  if JAZZER_FUZZ=1 mvn -B -o -pl "$module" -am test-compile surefire:test -Dtest="$test" \
      -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.max_duration="${budget}s" >"$log" 2>&1; then
    outcome=ok
  else
    outcome=FAILED
    failed+=("$short")
  fi
  # libFuzzer's last status line: "#<runs> DONE cov: … exec/s: …"
  done_line="$(grep -aE '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)"
  runs="$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$done_line")"
  rate="$(sed -nE 's/.*exec\/s: ([0-9]+).*/\1/p' <<<"$done_line")"
  cov="$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$done_line")"
  printf 'fuzz: %-45s %-6s %4ss  runs=%-9s exec/s=%-7s cov=%s\n' "$short" "$outcome" "$budget" "${runs:-?}" "${rate:-?}" "${cov:-?}"
  if [ "$outcome" = FAILED ]; then
    grep -aE '^== Java Exception|^Caused by|^\s+at io\.slipway|crash-[0-9a-f]+|Tests run:.*Fail|ERROR\]' "$log" | head -n 40 || true
  fi
done

echo "fuzz: $count targets, ${#failed[@]} failed${failed:+: ${failed[*]}} (logs in $logs)"
[ ${#failed[@]} -eq 0 ]
