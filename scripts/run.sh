#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds, and runs the exporter with the given
# flags. `--demo` monitors a lab of its own with a known delay.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
bazel build //exporter:pping_exporter
exec bazel-bin/exporter/pping_exporter "$@"
