#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""RTT samples of a capture, computed without the exporter: the reference
the replay is checked against.

Packets are dissected by tshark. ICMP and ICMPv6 RTTs are tshark's own
(icmp.resptime, icmpv6.resptime) for replies that came in. TCP RTTs are
matched here, TSval to TSecr, under the definition docs/design.md gives
for the datapath with every new identifier sampled (rate limit 0):

  - Only segments carrying the timestamp option take part.
  - A flow (local address and port, remote address and port) is opened by
    its first such segment that is not a FIN, an RST, a bare ACK (ACK only,
    no payload) or a SYN without ACK; an RST closes it, as does the second
    side's FIN. Segments of a flow not open stamp nothing.
  - An outgoing segment that is not a bare ACK stamps its TSval if it
    differs from the TSval of the flow's previous such outgoing segment;
    the first stamp of a TSval stands.
  - An incoming segment with ACK set and a non-zero TSecr matches the stamp
    of that TSval, once: the RTT is the time between the two. Of the
    incoming segments of an open flow, only one whose TSecr differs from
    the previous one's is looked at.

Prints one JSON object per sample: time_ns (of the echo), rtt_ns,
protocol, and the two endpoints.
"""
import argparse
import ipaddress
import json
import subprocess
import sys


def tshark_rows(capture, display_filter, fields):
    command = ["tshark", "-r", capture, "-n", "-Y", display_filter, "-T", "fields", "-E", "separator=\t",
               "-E", "occurrence=f"]
    for field in fields:
        command += ["-e", field]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    for line in output.splitlines():
        yield dict(zip(fields, line.split("\t")))


def epoch_ns(text):
    seconds, _, fraction = text.partition(".")
    return int(seconds) * 1_000_000_000 + int((fraction + "000000000")[:9])


def addresses(row):
    if row.get("ip.src"):
        return row["ip.src"], row["ip.dst"]
    return row["ipv6.src"], row["ipv6.dst"]


class Local:
    def __init__(self, prefixes):
        self.networks = [ipaddress.ip_network(p, strict=False) for p in prefixes]

    def __contains__(self, address):
        a = ipaddress.ip_address(address)
        return any(a.version == n.version and a in n for n in self.networks)


def icmp_samples(capture, local):
    fields = ["frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "icmp.resptime", "icmpv6.resptime"]
    for row in tshark_rows(capture, "icmp.resptime or icmpv6.resptime", fields):
        src, dst = addresses(row)
        if dst not in local:
            continue  # a reply that went out: the remote side's RTT
        v4 = bool(row["icmp.resptime"])
        milliseconds = row["icmp.resptime"] if v4 else row["icmpv6.resptime"]
        yield {"time_ns": epoch_ns(row["frame.time_epoch"]), "rtt_ns": round(float(milliseconds) * 1e6),
               "protocol": "icmp" if v4 else "icmpv6", "endpoints": sorted([src, dst])}


class Flow:
    def __init__(self):
        self.last_tsval = None
        self.last_tsecr = None
        self.fins = set()


def tcp_samples(capture, local):
    fields = ["frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport",
              "tcp.flags", "tcp.len", "tcp.options.timestamp.tsval", "tcp.options.timestamp.tsecr"]
    flows = {}
    stamps = {}
    for row in tshark_rows(capture, "tcp.options.timestamp.tsval", fields):
        src, dst = addresses(row)
        outgoing = src in local
        if not outgoing and dst not in local:
            continue
        sport, dport = int(row["tcp.srcport"]), int(row["tcp.dstport"])
        key = (src, sport, dst, dport) if outgoing else (dst, dport, src, sport)
        flags = int(row["tcp.flags"], 16)
        fin, syn, rst, ack = flags & 0x01, flags & 0x02, flags & 0x04, flags & 0x10
        bare_ack = ack and not (syn or fin or rst) and int(row["tcp.len"]) == 0
        tsval, tsecr = int(row["tcp.options.timestamp.tsval"]), int(row["tcp.options.timestamp.tsecr"])
        now = epoch_ns(row["frame.time_epoch"])

        flow = flows.get(key)
        if flow is None and not (fin or rst or bare_ack or (syn and not ack)):
            flow = flows[key] = Flow()
        if flow and outgoing and not bare_ack and tsval != flow.last_tsval:
            flow.last_tsval = tsval
            stamps.setdefault((key, tsval), now)
        if not outgoing and ack and tsecr != 0 and not (flow and tsecr == flow.last_tsecr):
            if flow:
                flow.last_tsecr = tsecr
            sent = stamps.pop((key, tsecr), None)
            if sent is not None and sent <= now:
                yield {"time_ns": now, "rtt_ns": now - sent, "protocol": "tcp", "endpoints": sorted([src, dst]),
                       "ports": sorted([sport, dport])}
        if flow and rst:
            del flows[key]
        elif flow and fin:
            flow.fins.add(outgoing)
            if len(flow.fins) == 2:
                del flows[key]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("capture")
    parser.add_argument("--local", action="append", required=True, help="a local address or prefix (repeatable)")
    args = parser.parse_args()
    local = Local(args.local)
    for sample in list(icmp_samples(args.capture, local)) + list(tcp_samples(args.capture, local)):
        print(json.dumps(sample))
    return 0


if __name__ == "__main__":
    sys.exit(main())
