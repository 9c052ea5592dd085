#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the exporter's container image with buildah (Debian's), from
# scratch: the binary, the shared libraries it links as this Debian
# bookworm resolves them, libxdp's dispatcher objects and the example
# config. No base image and no registry are needed.
#
#   scripts/build-image.sh                 # localhost/pping-exporter:VERSION
#   scripts/build-image.sh --push registry.example/pping-exporter
#   scripts/build-image.sh --binary PATH   # a binary built already (no Bazel)
#
# --push also tags and pushes REPOSITORY:VERSION; point the kustomization
# at it with: (cd deploy/kubernetes && kustomize edit set image
# pping-exporter=REPOSITORY:VERSION), or edit its images: entry.
set -euo pipefail
cd "$(dirname "$0")/.."

binary="" push=""
while (($#)); do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --push) push="$2"; shift 2 ;;
    *) echo "build-image.sh: unknown argument $1 (--binary PATH, --push REPOSITORY)" >&2; exit 2 ;;
  esac
done

if [[ -z "$binary" ]]; then
  scripts/install-deps.sh
  bazel build //exporter:pping_exporter
  binary=bazel-bin/exporter/pping_exporter
fi
command -v buildah >/dev/null || {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends buildah >/dev/null
}

version_text=$("$binary" --version)
version=$(sed -n 's/^pping_exporter, version \([^ ]*\) .*/\1/p' <<<"$version_text")
revision=$(sed -n 's/.*revision: \([^)]*\)).*/\1/p' <<<"$version_text")
[[ -n "$version" ]] || { echo "build-image.sh: $binary --version names no version" >&2; exit 1; }
if ldd "$binary" | grep -q "not found"; then
  echo "build-image.sh: libraries missing for $binary:" >&2
  ldd "$binary" | grep "not found" >&2
  exit 1
fi
image="localhost/pping-exporter:$version"

container=$(buildah from scratch)
trap 'buildah rm "$container" >/dev/null' EXIT
root=$(buildah mount "$container")
install -D -m 0755 "$binary" "$root/usr/local/bin/pping_exporter"
# The libraries at the paths the dynamic loader looks them up by.
while read -r library; do
  cp -L --parents "$library" "$root/"
done < <(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }')
# libxdp loads its dispatcher from here when attaching XDP.
libdir="/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)"
if [[ -d "$libdir/bpf" ]]; then
  mkdir -p "$root$libdir"
  cp -r "$libdir/bpf" "$root$libdir/"
fi
install -D -m 0644 config/pping_exporter.toml "$root/etc/pping_exporter/pping_exporter.toml"
mkdir -p "$root/tmp" && chmod 1777 "$root/tmp"
buildah umount "$container" >/dev/null

buildah config \
  --entrypoint '["/usr/local/bin/pping_exporter"]' \
  --cmd '' \
  --port 9789/tcp \
  --label org.opencontainers.image.title=pping_exporter \
  --label org.opencontainers.image.version="$version" \
  --label org.opencontainers.image.revision="$revision" \
  --label org.opencontainers.image.licenses=Apache-2.0 \
  "$container"
buildah commit --quiet --rm "$container" "$image" >/dev/null
trap - EXIT
echo "built $image"
if [[ -n "$push" ]]; then
  buildah tag "$image" "$push:$version"
  buildah push "$push:$version"
  echo "pushed $push:$version"
fi
