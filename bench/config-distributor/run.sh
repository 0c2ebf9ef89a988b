#!/usr/bin/env bash
# config-distributor load benchmark: N simulated ADS clients against the packaged distributor, which
# watches a fabric8 mock API server holding S services. Reports push convergence (p50/p99) and memory
# per connected proxy. Usage: bench/config-distributor/run.sh [clients] [services] [rounds]
# BENCH_SKIP_BUILD=1 reuses the last build.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bench="$root/bench/config-distributor"
module="$root/services/config-distributor"
clients="${1:-1000}"
services="${2:-1000}"
rounds="${3:-5}"

cd "$root"
mkdir -p "$bench/target"
if [[ "${BENCH_SKIP_BUILD:-0}" != "1" || ! -f "$module/target/quarkus-app/quarkus-run.jar" ]]; then
  # one reactor run, so the classpath points at the freshly built istio-api jar
  ./mvnw -B -q -pl services/config-distributor -am package dependency:build-classpath -DskipTests \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/classpath.txt
fi
mkdir -p "$bench/target/classes"
cp="$module/target/classes:$(cat "$module/target/classpath.txt")"
mapfile -t sources < <(find "$bench/src" -name '*.java')
javac -d "$bench/target/classes" -cp "$cp" "${sources[@]}"
exec java -Xmx2g -cp "$bench/target/classes:$cp" dev.mesh.bench.xds.XdsLoad \
  "$module/target/quarkus-app/quarkus-run.jar" "$root/deploy/charts/mesh/crds" "$clients" "$services" "$rounds"
