#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs the deployment checks with Debian's python3 (PyYAML from python3-yaml).
set -e
export PPING_ROOT="${TEST_SRCDIR}/${TEST_WORKSPACE}"
exec /usr/bin/python3 "${PPING_ROOT}/tests/deploy/check_deploy.py" -v
