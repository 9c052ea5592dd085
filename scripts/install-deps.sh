#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what building, running and testing pping_exporter needs on
# Debian bookworm, as root. Does nothing when everything is present.
set -euo pipefail

PACKAGES=(
  bazel-bootstrap g++ clang clang-format bpftool
  libbpf-dev libxdp-dev xdp-tools libelf-dev zlib1g-dev
  prometheus-cpp-dev libspdlog-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev nlohmann-json3-dev
  libpcap-dev tcpdump tshark dnsmasq-base ngtcp2-client ngtcp2-server openssl
  libssl-dev libcrypt-dev libyaml-cpp-dev apache2-utils
  iproute2 util-linux python3 python3-yaml curl
  prometheus yamllint systemd buildah podman
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "installed" ]] || missing+=("$pkg")
done

# Commands a machine may already have from elsewhere (a newer Node.js, a
# kubectl from the cloud SDK): Debian's packages only where they are absent.
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
command -v kubectl >/dev/null || missing+=(kubernetes-client)

if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Kubernetes and Prometheus Operator API schemas the deployment test
# validates the rendered manifests against (npm), at pinned versions.
NPM_TOOLS=/opt/pping_exporter/test-tools
NPM_PACKAGES=(kubernetes-models@4.5.1 @kubernetes-models/prometheus-operator@6.0.0)
if [[ "$(cat "$NPM_TOOLS/.installed" 2>/dev/null)" != "${NPM_PACKAGES[*]}" ]]; then
  echo "installing (npm): ${NPM_PACKAGES[*]}" >&2
  rm -rf "$NPM_TOOLS"
  mkdir -p "$NPM_TOOLS"
  npm install --prefix "$NPM_TOOLS" --no-audit --no-fund --silent "${NPM_PACKAGES[@]}" >/dev/null
  echo "${NPM_PACKAGES[*]}" >"$NPM_TOOLS/.installed"
fi
