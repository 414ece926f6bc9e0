# Sourced (never run) by the benchmarks: how each finds the tools and builds what it runs. The functions
# that take no ROOT expect the caller to have changed to the repository's root.

# bench_require NAME TOOL...: stops the benchmark NAME unless every TOOL is on PATH.
bench_require() {
    local name="$1" tool
    shift
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "$name: $tool is required" >&2; exit 1; }
    done
}

# bench_classpath MODULE [ENTRY...]: compiles MODULE and what it depends on (tests included) and prints
# the class path to run its test classes with: MODULE's test and main classes, then each ENTRY (a sibling
# module's name stands for its freshly compiled target/classes, which must come before the jar Maven
# resolves for it, since the installed jar may be older than this tree; a path is taken as it is), then
# MODULE's test-scope dependencies. A failed build fails the caller (set -e), not a run on a stale tree.
bench_classpath() {
    local module="$1" cp_file entry cp
    shift
    cp_file=$(mktemp)
    if ! mvn -q -B -pl "$module" -am test-compile dependency:build-classpath \
            -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null; then
        rm -f "$cp_file"
        echo "bench: the build of $module failed" >&2
        return 1
    fi
    cp="$module/target/test-classes:$module/target/classes"
    for entry in "$@"; do
        case "$entry" in
            */*) cp="$cp:$entry" ;;
            *) cp="$cp:$entry/target/classes" ;;
        esac
    done
    printf '%s:%s\n' "$cp" "$(cat "$cp_file")"
    rm -f "$cp_file"
}

# bench_server_jar ROOT: prints the path of the registry's jar in the checkout ROOT, building it first when
# it is missing (the benchmarks that start `registry serve` as a process of its own).
bench_server_jar() {
    local jar="$1/server/target/slipway.jar"
    if [ ! -f "$jar" ]; then
        (cd "$1" && mvn -q -B -DskipTests -pl server -am package >&2) || { echo "bench: the build of server failed" >&2; return 1; }
    fi
    printf '%s\n' "$jar"
}
