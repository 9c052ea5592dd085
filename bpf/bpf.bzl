# SPDX-License-Identifier: Apache-2.0
"""One macro for a BPF program: object by clang, skeleton by bpftool, and a
cc_library exposing the skeleton header to C++."""

def bpf_skeleton(name, src, hdrs = [], visibility = None):
    obj = name + ".bpf.o"
    skel = name + ".skel.h"
    native.genrule(
        name = name + "_obj",
        srcs = [src] + hdrs,
        outs = [obj],
        # Debian keeps asm/ under the multiarch directory. -mcpu=v3 gives
        # 32-bit atomics (kernel >= 5.12), used for flow flags.
        cmd = "clang -O2 -g -Wall -Werror -target bpf -mcpu=v3 " +
              "-I/usr/include/x86_64-linux-gnu -I$$(dirname $(location " + src + ")) " +
              "-c $(location " + src + ") -o $@",
    )
    native.genrule(
        name = name + "_skel",
        srcs = [obj],
        outs = [skel],
        # bpftool lives in /usr/sbin, which is not on the action PATH.
        cmd = "/usr/sbin/bpftool gen skeleton $(location " + obj + ") name " + name + " > $@",
    )
    native.cc_library(
        name = name,
        hdrs = [skel],
        deps = ["@system//:libbpf"],
        visibility = visibility,
    )
