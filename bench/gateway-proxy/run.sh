#!/usr/bin/env bash
# gateway-proxy benchmark: wrk against a static nginx backend directly, through the packaged gateway-proxy
# (configured by a fake ADS server in the runner), and through nginx as the equivalent reverse proxy, in one
# run. Reports req/s, p50/p99, and the proxy's RSS and CPU seconds per 1,000 requests.
# Usage: bench/gateway-proxy/run.sh [seconds] [connections]   BENCH_SKIP_BUILD=1 reuses the last build.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bench="$root/bench/gateway-proxy"
module="$root/services/gateway-proxy"
seconds="${1:-15}"
connections="${2:-64}"

if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  apt-get update -q && apt-get install -y -q wrk nginx-light
fi

cd "$root"
mkdir -p "$bench/target"
if [[ "${BENCH_SKIP_BUILD:-0}" != "1" || ! -f "$module/target/quarkus-app/quarkus-run.jar" ]]; then
  # test-compile too: the runner uses the module's FakeControlPlane and resource builders
  flock /tmp/mvn.lock ./mvnw -B -q -pl services/gateway-proxy test-compile package dependency:build-classpath \
    -DskipTests -Dmdep.includeScope=test -Dmdep.outputFile=target/classpath.txt
fi
mkdir -p "$bench/target/classes"
cp="$module/target/test-classes:$module/target/classes:$(cat "$module/target/classpath.txt")"
mapfile -t sources < <(find "$bench/src" -name '*.java')
javac -d "$bench/target/classes" -cp "$cp" "${sources[@]}"
exec java -Xmx512m -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "$bench/target/classes:$cp" dev.mesh.bench.proxy.ProxyBench \
  "$module/target/quarkus-app/quarkus-run.jar" "$bench/target/run" "$seconds" "$connections"
