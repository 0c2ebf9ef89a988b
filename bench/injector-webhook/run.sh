#!/usr/bin/env bash
# Admission latency (p50/p99) and reviews per second of the packaged injector-webhook over loopback HTTPS.
# Not part of the normal test run. Usage: bench/injector-webhook/run.sh [duration, default 30s] [connections, default 16]
#
# The webhook runs as packaged (java -jar quarkus-run.jar) with mesh.injector.kubernetes=false: no cluster, so the
# review's pod opts in with its sidecar.istio.io/inject=true label. The load generator is hey (Debian package),
# HTTP/1.1 keep-alive over TLS, certificate not verified (the webhook's CA is its own).
set -euo pipefail

DURATION="${1:-30s}"
CONNECTIONS="${2:-16}"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PORT="${BENCH_WEBHOOK_PORT:-25017}"
METRICS_PORT="${BENCH_METRICS_PORT:-25016}"
# hey sends the Host header (with its port) as TLS SNI, which the JDK refuses; name the Service instead.
SNI="injector-webhook.istio-system.svc"

if ! command -v hey >/dev/null 2>&1; then
  echo "installing hey (apt-get)" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get install -y hey >/dev/null || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y hey >/dev/null; }
fi

JAR="$ROOT/services/injector-webhook/target/quarkus-app/quarkus-run.jar"
if [ "${BENCH_SKIP_BUILD:-}" != "1" ]; then
  echo "packaging injector-webhook" >&2
  (cd "$ROOT" && flock /tmp/mvn.lock ./mvnw -B -q -pl services/injector-webhook -am package -DskipTests)
fi

LOG="$(mktemp)"
MESH_INJECTOR_KUBERNETES=false MESH_INJECTOR_WEBHOOK_PORT="$PORT" MESH_INJECTOR_METRICS_PORT="$METRICS_PORT" \
  MESH_INJECTOR_WEBHOOK_HOST=127.0.0.1 MESH_INJECTOR_TEMPLATE_FILE="$HERE/no-values.yaml" \
  read -r -a java_opts <<<"${BENCH_JAVA_OPTS:--Xmx256m}"
  java "${java_opts[@]}" -jar "$JAR" >"$LOG" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -f "$LOG"' EXIT

for _ in $(seq 1 120); do
  curl -ksf "https://127.0.0.1:$PORT/healthz/ready" >/dev/null 2>&1 && break
  kill -0 $PID 2>/dev/null || { cat "$LOG" >&2; exit 1; }
  sleep 0.5
done
curl -ksf "https://127.0.0.1:$PORT/healthz/ready" >/dev/null || { echo "webhook did not become ready" >&2; cat "$LOG" >&2; exit 1; }

# The answer must be an injection, or the numbers mean nothing.
curl -ks -H 'Content-Type: application/json' --data-binary @"$HERE/review.json" "https://127.0.0.1:$PORT/inject" \
  | grep -q '"patchType":"JSONPatch"' || { echo "the webhook did not inject the review" >&2; exit 1; }

echo "warm-up (10s)" >&2
hey -z 10s -c "$CONNECTIONS" -host "$SNI" -m POST -T application/json -D "$HERE/review.json" "https://127.0.0.1:$PORT/inject" >/dev/null

OUT="$(hey -z "$DURATION" -c "$CONNECTIONS" -host "$SNI" -m POST -T application/json -D "$HERE/review.json" \
  "https://127.0.0.1:$PORT/inject")"
echo "$OUT" >&2
RPS="$(echo "$OUT" | awk '/Requests\/sec/ {print $2}')"
P50="$(echo "$OUT" | awk '/ 50% in/ {print $3 * 1000}')"
P99="$(echo "$OUT" | awk '/ 99% in/ {print $3 * 1000}')"
CODES="$(echo "$OUT" | sed -n '/Status code distribution/,$p' | tail -n +2 | xargs)"
echo "injector-webhook: ${CONNECTIONS} connections, ${DURATION}: ${RPS} reviews/s, p50 ${P50} ms, p99 ${P99} ms (${CODES})"
