#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Unit tests of the shipped recording and alert rules with Debian's promtool.
set -e
cd "${TEST_SRCDIR}/${TEST_WORKSPACE}"
exec promtool test rules tests/prometheus/rules_test.yml
