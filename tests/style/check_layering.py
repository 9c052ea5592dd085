#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Each stage of the exporter includes only the stages it may use.

Bazel's visibility already refuses a dependency on a stage that is not
allowed; this also catches a header reached through a dependency's own
dependencies (Bazel with GCC has no layering check), by reading every
#include of the tree against the table of docs/design.md."""
import os
import re
import sys

# Per package: the include prefixes it may use besides its own package and
# system headers. Test files may also use tests/support.
UTIL = ("exporter/util/",)
ABI = ("bpf/abi/",)
ALLOWED = {
    "exporter/util": (),
    "exporter/stats": ABI + UTIL,
    "exporter/kernel": ABI + UTIL + ("bpf/pping_bpf.skel.h", "exporter/stats/"),
    "exporter/attach": UTIL + ("exporter/kernel/programs.h", "exporter/stats/"),
    "exporter/cleanup": ABI + UTIL + ("bpf/cleanup_bpf.skel.h", "exporter/stats/", "exporter/kernel/maps.h",
                                      "exporter/kernel/map_ref.h", "exporter/kernel/map_batch.h",
                                      "exporter/kernel/map_keys.h", "exporter/kernel/movable_map.h"),
    "exporter/exposition": ABI + UTIL + ("exporter/stats/",),
    "exporter/http": UTIL + ("exporter/exposition/exposition_source.h", "exporter/exposition/exposition_stream.h",
                             "exporter/exposition/text_buffer.h"),
    "exporter/console": ABI + UTIL + ("exporter/stats/", "exporter/kernel/maps.h", "exporter/kernel/map_ref.h",
                                      "exporter/kernel/ring_buffer.h", "exporter/kernel/abi_convert.h"),
    "exporter/replay": UTIL + ("exporter/stats/prefix.h",),
    "exporter/config": UTIL + ("exporter/attach/attach_options.h", "exporter/cleanup/cleanup_options.h",
                               "exporter/console/console_options.h", "exporter/exposition/rtt_buckets.h",
                               "exporter/http/web_options.h", "exporter/kernel/datapath_options.h",
                               "exporter/replay/replay_options.h", "exporter/stats/prefix.h"),
    "exporter": ("exporter/",),
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def is_test_file(name):
    return name.endswith("_test.cc") or name.startswith("fake_") or "fixtures" in name


def violations(root):
    found = []
    for package, allowed in ALLOWED.items():
        folder = os.path.join(root, package)
        for name in sorted(os.listdir(folder)):
            if not name.endswith((".cc", ".h")):
                continue
            ok = (package + "/",) + allowed + (("tests/support/",) if is_test_file(name) else ())
            with open(os.path.join(folder, name)) as f:
                for number, line in enumerate(f, 1):
                    match = INCLUDE.match(line)
                    if not match:
                        continue
                    header = match.group(1)
                    if package == "exporter" and header.startswith("exporter/"):
                        continue
                    if not header.startswith(ok):
                        found.append(f"{package}/{name}:{number}: includes {header}")
    return found


def main():
    root = os.path.dirname(os.path.realpath(os.path.join(os.environ["TEST_SRCDIR"], os.environ["TEST_WORKSPACE"],
                                                         ".clang-format")))
    problems = violations(root)
    for p in problems:
        print(p)
    checked = sum(len(os.listdir(os.path.join(root, p))) for p in ALLOWED)
    print(f"{len(problems)} layering violations in {checked} files of {len(ALLOWED)} packages")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
