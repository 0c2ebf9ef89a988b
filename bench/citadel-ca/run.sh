#!/usr/bin/env bash
# citadel-ca load benchmark: CSRs/s and latency for RSA 2048 and ECDSA P-256 requests against the
# packaged CA on loopback. Usage: bench/citadel-ca/run.sh [seconds-per-key-type] [callers] [ec-first]
# BENCH_SKIP_BUILD=1 reuses the last build.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bench="$root/bench/citadel-ca"
module="$root/services/citadel-ca"
seconds="${1:-15}"
callers="${2:-8}"
order="${3:-rsa-first}"

cd "$root"
mkdir -p "$bench/target"
if [[ "${BENCH_SKIP_BUILD:-0}" != "1" || ! -f "$module/target/quarkus-app/quarkus-run.jar" ]]; then
  flock /tmp/mvn.lock ./mvnw -B -q -pl services/citadel-ca package -DskipTests
  flock /tmp/mvn.lock ./mvnw -B -q -pl services/citadel-ca dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$bench/target/classpath.txt"
fi
mkdir -p "$bench/target/classes"
cp="$module/target/classes:$(cat "$bench/target/classpath.txt")"
mapfile -t sources < <(find "$bench/src" -name '*.java')
javac -d "$bench/target/classes" -cp "$cp" "${sources[@]}"
exec java -Xmx512m -cp "$bench/target/classes:$cp" dev.mesh.bench.ca.CaBench \
  "$module/target/quarkus-app/quarkus-run.jar" "$seconds" "$callers" "$order"
