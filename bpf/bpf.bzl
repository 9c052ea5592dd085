# SPDX-License-Identifier: Apache-2.0
"""One macro for a BPF program: object by clang, skeleton by bpftool, and a
cc_library exposing the skeleton header to C++."""

# Per target CPU (Bazel's --cpu): the Debian multiarch directory holding
# asm/ and the kernel's name for the architecture.
_ARCHES = {
    "//bpf:cpu_k8": ("x86_64-linux-gnu", "x86"),
    "//bpf:cpu_aarch64": ("aarch64-linux-gnu", "arm64"),
    "//bpf:cpu_ppc": ("powerpc64le-linux-gnu", "powerpc"),
    "//bpf:cpu_s390x": ("s390x-linux-gnu", "s390"),
}

def _compile_cmd(src, multiarch, arch):
    # -mcpu=v3 gives 32-bit atomics (kernel >= 5.12), used for flow flags.
    return ("clang -O2 -g -Wall -Werror -target bpf -mcpu=v3 -D__TARGET_ARCH_{arch} " +
            "-I/usr/include/{multiarch} -I$$(dirname $(location {src})) " +
            "-c $(location {src}) -o $@").format(src = src, multiarch = multiarch, arch = arch)

def bpf_skeleton(name, src, hdrs = [], visibility = None):
    obj = name + ".bpf.o"
    skel = name + ".skel.h"
    native.genrule(
        name = name + "_obj",
        srcs = [src] + hdrs,
        outs = [obj],
        cmd = select(
            {
                setting: _compile_cmd(src, multiarch, arch)
                for setting, (multiarch, arch) in _ARCHES.items()
            },
            no_match_error = "no BPF build for this --cpu: add it to _ARCHES in bpf/bpf.bzl",
        ),
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
