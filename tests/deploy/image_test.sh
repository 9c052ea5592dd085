#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the container image with scripts/build-image.sh from the binary
# under test, then runs it: inside a network namespace of the test's own,
# as the DaemonSet does (root with CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON
# only, a read-only root), and scrapes it. With podman where it can start
# containers; otherwise in a chroot of the image's filesystem, saying why.
set -uo pipefail
root="${TEST_SRCDIR}/${TEST_WORKSPACE}"
binary="$root/exporter/pping_exporter"
if [[ $EUID -ne 0 ]]; then echo "SKIP: needs root"; exit 0; fi
tag="pping-image-test-$$"
image="localhost/pping-exporter:$("$binary" --version | sed -n 's/^pping_exporter, version \([^ ]*\) .*/\1/p')"
netns="ppimg-$$"
fail() { echo "FAIL: $*"; exit 1; }
cleanup() {
  [[ -n "${pid:-}" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  podman rm -f "$tag" >/dev/null 2>&1
  [[ -n "${mnt:-}" ]] && { umount "$mnt/sys" "$mnt/proc" 2>/dev/null; buildah umount "$container" >/dev/null 2>&1; }
  [[ -n "${container:-}" ]] && buildah rm "$container" >/dev/null 2>&1
  ip netns del "$netns" 2>/dev/null
}
trap cleanup EXIT

# The script works from a copy of the tree (runfiles hold what it needs).
"$root/scripts/build-image.sh" --binary "$binary" || fail "build-image.sh"
config=$(buildah inspect --type image "$image") || fail "no image $image"
grep -q '"/usr/local/bin/pping_exporter"' <<<"$config" || fail "entrypoint: $config"
grep -q '"org.opencontainers.image.revision"' <<<"$config" || fail "no revision label"
echo "ok: built $image"

ip netns add "$netns" && ip -n "$netns" link set lo up || fail "netns"
port=$((20000 + $$ % 20000))
scrape() {
  for _ in $(seq 1 100); do
    ip netns exec "$netns" curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null && break
    sleep 0.1
  done
  body=$(ip netns exec "$netns" curl -sf "http://127.0.0.1:$port/metrics")
  grep -q '^pping_exporter_build_info{' <<<"${body:-}" || fail "no metrics from the image: ${body:-nothing}"
  grep -q '^pping_interface_attached{interface="lo"' <<<"$body" || fail "not attached to lo"
}
args=(--attach.interface lo --web.listen-address "127.0.0.1:$port")
caps=(--cap-drop all --cap-add BPF --cap-add NET_ADMIN --cap-add PERFMON)

probe=$(podman run --rm --network none "$image" --version 2>&1)
if [[ $? -eq 0 ]]; then
  # Unconfined seccomp: the default profile of this podman (containers-common)
  # allows bpf() only with CAP_SYS_ADMIN.
  podman run -d --name "$tag" --read-only --network "ns:/run/netns/$netns" "${caps[@]}" \
    --security-opt seccomp=unconfined -v /sys/kernel/btf:/sys/kernel/btf:ro "$image" "${args[@]}" >/dev/null ||
    fail "podman run"
  scrape
  echo "ok: the image serves metrics under podman"
  exit 0
fi
echo "note: podman cannot start containers here ($(tail -n1 <<<"$probe")); running the image's filesystem in a chroot"
container=$(buildah from "$image") && mnt=$(buildah mount "$container") || fail "mount the image"
mkdir -p "$mnt/sys" "$mnt/proc"
mount --bind /sys "$mnt/sys" && mount -t proc proc "$mnt/proc" || fail "bind /sys and /proc"
# The DaemonSet's capabilities, and CAP_SYS_CHROOT, which chroot needs
# after setpriv has set them.
sets=-all,+bpf,+net_admin,+perfmon,+sys_chroot
ip netns exec "$netns" setpriv --inh-caps="$sets" --ambient-caps="$sets" --bounding-set="$sets" \
  chroot "$mnt" /usr/local/bin/pping_exporter "${args[@]}" &
pid=$!
scrape
echo "ok: the image's filesystem serves metrics in a chroot with the DaemonSet's capabilities (and CAP_SYS_CHROOT)"
