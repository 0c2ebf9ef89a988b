#!/usr/bin/env bash
# Runs the e2e suite against the kind cluster made by up.sh, reaching the ingress gateway at its MetalLB address.
set -euo pipefail
# shellcheck source=e2e/kind/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need kubectl

kubeconfig="$(mktemp)"
trap 'rm -f "$kubeconfig"' EXIT
kind get kubeconfig --name "$cluster" >"$kubeconfig"

gateway=""
for _ in $(seq 60); do
  gateway="$(kubectl --kubeconfig "$kubeconfig" -n istio-system get svc istio-ingressgateway \
    -o jsonpath='{.status.loadBalancer.ingress[0].ip}')"
  [ -n "$gateway" ] && break
  sleep 2
done
if [ -z "$gateway" ]; then
  echo "run-e2e: the istio-ingressgateway Service has no external address; is MetalLB running (up.sh)?" >&2
  exit 1
fi

echo "==> e2e suite against $context, gateway $gateway"
cd "$root"
./mvnw -B -pl e2e -am verify -Dmesh.e2e.kubeconfig="$kubeconfig" -Dmesh.e2e.gateway="$gateway"
