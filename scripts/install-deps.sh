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
  prometheus yamllint systemd
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
