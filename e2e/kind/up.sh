#!/usr/bin/env bash
# Creates the kind cluster, gives it a LoadBalancer provider (MetalLB), builds and loads the mesh's images and
# installs the mesh with meshctl (the Helm chart). Needs docker, kind and kubectl.
set -euo pipefail
# shellcheck source=e2e/kind/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need docker kind kubectl

if kind get clusters | grep -qx "$cluster"; then
  echo "==> kind cluster $cluster exists"
else
  echo "==> creating kind cluster $cluster"
  kind create cluster --name "$cluster" --config "$root/e2e/kind/kind-config.yaml" --wait 120s
fi

echo "==> MetalLB $metallb_version"
kubectl --context "$context" apply -f "https://raw.githubusercontent.com/metallb/metallb/$metallb_version/config/manifests/metallb-native.yaml"
kubectl --context "$context" -n metallb-system wait --for=condition=Available deployment/controller --timeout=180s
kubectl --context "$context" -n metallb-system rollout status daemonset/speaker --timeout=180s
# Addresses for LoadBalancers: the top of the kind Docker network's IPv4 subnet, which the host can reach.
subnet="$(docker network inspect kind -f '{{range .IPAM.Config}}{{.Subnet}} {{end}}' | tr ' ' '\n' | grep -m1 '\.')"
prefix="$(echo "$subnet" | cut -d. -f1-2)"
kubectl --context "$context" apply -f - <<YAML
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: mesh, namespace: metallb-system}
spec:
  addresses: ["$prefix.255.200-$prefix.255.250"]
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: mesh, namespace: metallb-system}
YAML

echo "==> images"
"$root/deploy/images/build.sh"
tag="$(sed -n 's/^appVersion:[[:space:]]*"\{0,1\}\([^"]*\)"\{0,1\}[[:space:]]*$/\1/p' "$root/deploy/charts/mesh/Chart.yaml")"
for s in "${services[@]}"; do
  kind load docker-image --name "$cluster" "mesh/$s:$tag"
done

echo "==> meshctl install --set profile=$profile"
meshctl install --context "$context" --set "profile=$profile" -y
kubectl --context "$context" -n istio-system get pods,svc
