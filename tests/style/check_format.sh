#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every C and C++ file of the project, the BPF programs included, follows
# the one .clang-format at the root. Reads the source tree itself (found
# through a file of the test's runfiles): a file added without being
# formatted fails here even when no BUILD rule names it yet.
set -eu
root="$(dirname "$(readlink -f "${TEST_SRCDIR}/${TEST_WORKSPACE}/.clang-format")")"
cd "$root"
files="$(find bpf exporter tests -name '*.c' -o -name '*.cc' -o -name '*.h' | sort)"
[ -n "$files" ] || { echo "no sources found under $root" >&2; exit 1; }
# shellcheck disable=SC2086  # one argument per file
clang-format --dry-run --Werror $files
echo "$(echo "$files" | wc -l) files follow .clang-format"
