#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the benchmark on this machine (as root) and writes the report and
# plot into tests/bench/results/: benchmark.md and cost_vs_flows.png.
# PPING_BASELINE=<git revision> also builds that revision's exporter (in a
# temporary worktree) and measures its per-packet costs and its scrapes
# with 16,384 prefixes alongside, in the same rounds: the side-by-side
# comparison with a baseline. PPING_BASELINE_FLAGS="--flag ..." instead
# makes the baseline this revision's exporter run with those flags (e.g.
# --no-tcp.retransmits): what an option costs, side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
missing=()
for pkg in iperf3 iputils-ping gnuplot-nox; do
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)" == installed ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
bazel build //exporter:pping_exporter //tests/bench:pping_bench
baseline=()
if [[ -n "${PPING_BASELINE:-}" ]]; then
  tree="$(mktemp -d /tmp/pping-baseline.XXXXXX)"
  trap 'git worktree remove --force "$tree"; rm -f "$tree.exporter"' EXIT
  git worktree add --quiet --detach "$tree" "$PPING_BASELINE"
  (cd "$tree" && bazel build //exporter:pping_exporter && cp bazel-bin/exporter/pping_exporter "$tree.exporter" &&
    bazel shutdown)
  baseline=(--baseline-exporter "$tree.exporter")
elif [[ -n "${PPING_BASELINE_FLAGS:-}" ]]; then
  wrapper="$(mktemp /tmp/pping-baseline.XXXXXX)"
  trap 'rm -f "$wrapper"' EXIT
  printf '#!/bin/sh\nexec %q "$@" %s\n' "$PWD/bazel-bin/exporter/pping_exporter" "$PPING_BASELINE_FLAGS" >"$wrapper"
  chmod +x "$wrapper"
  baseline=(--baseline-exporter "$wrapper")
fi
out=tests/bench/results
mkdir -p "$out"
bazel-bin/tests/bench/pping_bench --exporter bazel-bin/exporter/pping_exporter "${baseline[@]}" \
  --out "$out/benchmark.md" --plot-data "$out/cost_vs_flows.dat" "$@"
gnuplot <<PLOT
set terminal pngcairo size 800,480 noenhanced
set output "$out/cost_vs_flows.png"
set title "pping datapath cost per packet vs concurrent flows (BPF_PROG_TEST_RUN)"
set logscale x
set xlabel "concurrent flows"
set ylabel "ns per packet (median)"
set yrange [0:*]
set grid
set key bottom right
plot "$out/cost_vs_flows.dat" using 1:2 with linespoints lw 2 title "tc egress", \
     "" using 1:3 with linespoints lw 2 title "tc ingress", \
     150 with lines dt 2 title "target 150 ns"
PLOT
echo "report: $out/benchmark.md, plot: $out/cost_vs_flows.png"
