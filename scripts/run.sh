#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds, and runs the exporter with the given
# flags. With `--demo`, the demo tool (//tests/lab:pping_demo) builds a lab
# of its own (two network namespaces, a known delay, real traffic) and runs
# the exporter on it; `--demo.delay DURATION` sets the delay and every
# other flag goes to the exporter.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
for arg in "$@"; do
  if [[ "$arg" == "--demo" ]]; then
    bazel build //exporter:pping_exporter //tests/lab:pping_demo
    exec bazel-bin/tests/lab/pping_demo --exporter bazel-bin/exporter/pping_exporter "$@"
  fi
done
bazel build //exporter:pping_exporter
exec bazel-bin/exporter/pping_exporter "$@"
