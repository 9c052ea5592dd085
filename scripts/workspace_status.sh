#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Bazel's --workspace_status_command (see .bazelrc): the revision and
# branch the exporter is built from, for --version and
# pping_exporter_build_info. Outside a git checkout both are "unknown".
rev=$(git rev-parse --short=12 HEAD 2>/dev/null) || rev=unknown
branch=$(git rev-parse --abbrev-ref HEAD 2>/dev/null) || branch=unknown
if [[ "$rev" != unknown ]] && [[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
  rev="$rev-modified"
fi
echo "STABLE_PPING_REVISION $rev"
echo "STABLE_PPING_BRANCH $branch"
