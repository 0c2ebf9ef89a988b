#!/usr/bin/env bash
# Deletes the kind cluster made by up.sh.
set -euo pipefail
# shellcheck source=e2e/kind/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need kind
kind delete cluster --name "$cluster"
