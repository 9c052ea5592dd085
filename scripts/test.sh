#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, runs every test (unit, datapath, end to end)
# and ends with "N passed, N failed[, N skipped]" counted from the test
# results themselves. Tests that need root skip when not run as root.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh || exit 1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
bazel test //... --test_summary=short "$@" 2>&1 | tee "$log"
bazel_rc=${PIPESTATUS[0]}
python3 scripts/count_test_results.py --bazel-log "$log" --bazel-exit "$bazel_rc"
