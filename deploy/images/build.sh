#!/usr/bin/env bash
# Builds the container images of the mesh's services from their packaged applications.
#
#   deploy/images/build.sh [--native] [--tag TAG] [--registry PREFIX] [--push] [SERVICE...]
#
# SERVICE: config-distributor citadel-ca injector-webhook gateway-proxy telemetry (default: all five).
# Image names are the chart's (deploy/charts/mesh/values.yaml): <registry>mesh/<service>:<tag>, the tag
# defaulting to the chart's appVersion, so that `meshctl install` finds them without --set.
# Needs docker, podman or buildah; packages the services first with ./mvnw if they are not packaged yet.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
all_services=(config-distributor citadel-ca injector-webhook gateway-proxy telemetry)

native=false
push=false
registry=""
tag="$(sed -n 's/^appVersion:[[:space:]]*"\{0,1\}\([^"]*\)"\{0,1\}[[:space:]]*$/\1/p' "$root/deploy/charts/mesh/Chart.yaml")"
services=()
while [ $# -gt 0 ]; do
  case "$1" in
    --native) native=true ;;
    --push) push=true ;;
    --tag) tag="$2"; shift ;;
    --registry) registry="$2"; shift ;;
    -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build.sh: unknown option $1 (see --help)" >&2; exit 64 ;;
    *) services+=("$1") ;;
  esac
  shift
done
[ ${#services[@]} -gt 0 ] || services=("${all_services[@]}")
for s in "${services[@]}"; do
  case " ${all_services[*]} " in
    *" $s "*) ;;
    *) echo "build.sh: unknown service '$s': use one of ${all_services[*]}" >&2; exit 64 ;;
  esac
done

builder=""
for candidate in docker podman buildah; do
  if command -v "$candidate" >/dev/null 2>&1; then builder="$candidate"; break; fi
done
if [ -z "$builder" ]; then
  echo "build.sh: no image builder found (docker, podman or buildah); install one, or build on a machine that has one" >&2
  exit 69
fi

if $native; then
  dockerfile="$root/deploy/images/Dockerfile.native"
  package_args=(-Pnative)
else
  dockerfile="$root/deploy/images/Dockerfile.jvm"
  package_args=()
fi

modules=()
for s in "${services[@]}"; do
  if $native; then
    compgen -G "$root/services/$s/target/*-runner" >/dev/null || modules+=("services/$s")
  else
    [ -f "$root/services/$s/target/quarkus-app/quarkus-run.jar" ] || modules+=("services/$s")
  fi
done
if [ ${#modules[@]} -gt 0 ]; then
  list="$(IFS=,; echo "${modules[*]}")"
  echo "build.sh: packaging $list"
  (cd "$root" && ./mvnw -B -q "${package_args[@]}" -pl "$list" -am package -DskipTests)
fi

for s in "${services[@]}"; do
  image="${registry}mesh/$s:$tag"
  extra=""
  [ "$s" = gateway-proxy ] && extra="iptables"
  echo "build.sh: building $image with $builder"
  if [ "$builder" = buildah ]; then
    buildah bud -f "$dockerfile" --build-arg "SERVICE=$s" --build-arg "EXTRA_PACKAGES=$extra" -t "$image" "$root/services/$s"
  else
    "$builder" build -f "$dockerfile" --build-arg "SERVICE=$s" --build-arg "EXTRA_PACKAGES=$extra" -t "$image" "$root/services/$s"
  fi
  if $push; then
    "$builder" push "$image"
  fi
done
