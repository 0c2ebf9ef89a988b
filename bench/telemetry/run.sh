#!/usr/bin/env bash
# telemetry benchmark: OTLP records ingested per second (and per CPU-second of the service) and graph query
# latency, against the packaged service on loopback.
# Usage: bench/telemetry/run.sh [seconds] [senders] [spans-per-batch] [graph-queries]
# BENCH_SKIP_BUILD=1 reuses the last build.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bench="$root/bench/telemetry"
module="$root/services/telemetry"
seconds="${1:-20}"
senders="${2:-4}"
batch="${3:-500}"
queries="${4:-2000}"

cd "$root"
mkdir -p "$bench/target"
if [[ "${BENCH_SKIP_BUILD:-0}" != "1" || ! -f "$module/target/quarkus-app/quarkus-run.jar" ]]; then
  flock /tmp/mvn.lock ./mvnw -B -q -pl services/telemetry package -DskipTests
  flock /tmp/mvn.lock ./mvnw -B -q -pl services/telemetry dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$bench/target/classpath.txt"
fi
mkdir -p "$bench/target/classes"
cp="$module/target/classes:$(cat "$bench/target/classpath.txt")"
mapfile -t sources < <(find "$bench/src" -name '*.java')
javac -d "$bench/target/classes" -cp "$cp" "${sources[@]}"
exec java -Xmx512m -cp "$bench/target/classes:$cp" dev.mesh.bench.telemetry.TelemetryBench \
  "$module/target/quarkus-app/quarkus-run.jar" "$seconds" "$senders" "$batch" "$queries"
