#!/usr/bin/env bash
# Settings shared by the kind scripts; sourced, not run. Each can be set in the environment.
# shellcheck disable=SC2034  # the variables are used by the scripts that source this file

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Name of the kind cluster; kubectl's context is kind-<name>.
cluster="${MESH_KIND_CLUSTER:-mesh}"
context="kind-$cluster"
# MetalLB gives LoadBalancer Services (the ingress gateway) an address from the kind network.
metallb_version="${MESH_METALLB_VERSION:-v0.14.9}"
# The chart profile to install.
profile="${MESH_PROFILE:-demo}"
services=(config-distributor citadel-ca injector-webhook gateway-proxy telemetry)

need() {
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "kind: '$tool' is needed and not installed" >&2
      exit 69
    fi
  done
}

meshctl() {
  "$root/mesh" meshctl "$@"
}
