#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""RTT samples of a capture, computed without the exporter: the reference
the replay is checked against.

Packets are dissected by tshark. ICMP and ICMPv6 RTTs are tshark's own
(icmp.resptime, icmpv6.resptime) for replies that came in, and so are DNS
response times (dns.time) of responses that came in, by response code. TCP RTTs are
matched here under the definitions docs/design.md gives for the datapath
with every new identifier sampled (rate limit 0, no burst):

Flows (local address and port, remote address and port):
  - A flow is opened by a segment that is not a FIN, an RST, a bare ACK (ACK
    only, no payload) or a SYN without ACK. Within 2 s after a RST closed
    it, only a SYN-ACK, or any segment from the side that sent the RST,
    opens it again (then bare ACKs too). An RST closes it, as does the
    second side's FIN. Every segment counts, timestamps or not.
  - A flow uses timestamps from its first outgoing segment that carries
    them on (one coming in may be forged); if it was followed on sequence
    numbers before, what that noted is dropped, and until then it takes no
    timestamps coming in.

Timestamps (flows that use them; only segments carrying the option):
  - An outgoing segment of an open flow that is not a bare ACK stamps its
    TSval if it differs from the TSval of the flow's previous outgoing
    segment; the first stamp of a TSval stands.
  - An incoming segment with ACK set and a non-zero TSecr matches the stamp
    of that TSval, once: the RTT is the time between the two. Of the
    incoming segments of an open flow, only one whose TSecr differs from
    the previous one's is looked at.

Sequence numbers (open flows that never carried timestamps), in serial
arithmetic modulo 2^32; a segment's end is seq + length (+1 for SYN, FIN):
  - The first outgoing segment sets the highest end sent. A later one that
    starts below it resends data: if it carries data (or SYN/FIN) it ends
    the timed segment if that ends after its start; the highest end sent
    grows to its end. One that ends at the highest end does nothing. Any
    other raises the highest end to its end and, if it carries data (or
    SYN/FIN) and is no RST, is timed when no segment is, or the timed one
    is older than max(1 s, 8 x the direction's smoothed RTT).
  - An incoming segment with ACK set and no RST counts only once an outgoing
    segment was seen and if its ACK number is at most the highest end sent.
    One without data whose ACK number equals the last counted one (a
    duplicate ACK) ends the timed segment without a sample. One beyond
    every ACK number counted before ends the timed segment if it reaches
    the segment's end. If it ends exactly there, the RTT is the time between
    the two, unless the timed segment outlived the limit above (or came
    after it).
    The smoothed RTT starts at the first sample and moves by 1/8 of each.

Prints one JSON object per sample: time_ns (of the echo or ACK), rtt_ns,
protocol, method, and the two endpoints.
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


def dns_samples(capture, local):
    fields = ["frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "dns.time", "dns.flags.rcode", "udp.srcport"]
    for row in tshark_rows(capture, "dns.flags.response == 1 and dns.time", fields):
        src, dst = addresses(row)
        if dst not in local:
            continue  # a response that went out: a local server's
        yield {"time_ns": epoch_ns(row["frame.time_epoch"]), "rtt_ns": round(float(row["dns.time"]) * 1e9),
               "protocol": "udp" if row["udp.srcport"] else "tcp", "method": "dns",
               "rcode": int(row["dns.flags.rcode"]), "endpoints": sorted([src, dst])}


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
               "protocol": "icmp" if v4 else "icmpv6", "method": "echo", "endpoints": sorted([src, dst])}


RESET_LINGER_NS = 2_000_000_000
MIN_LIFETIME_NS = 1_000_000_000


def after(a, b):
    """Whether sequence number a is after b, in serial arithmetic."""
    return 0 < (a - b) % 2**32 < 2**31


class Direction:
    """The sequence-number state of the segments one side sends."""

    def __init__(self):
        self.sent = None  # highest end sent
        self.timed = None  # (end, time) of the timed segment
        self.last_ack = None  # highest ACK number of this side's data seen
        self.srtt = 0

    def lifetime(self):
        return max(MIN_LIFETIME_NS, 8 * self.srtt)


class Flow:
    def __init__(self):
        self.last_tsval = None
        self.last_tsecr = None
        self.fins = set()
        self.timestamps = False
        self.seq_used = False
        self.out = Direction()  # what the local side sends: timed here


def tcp_samples(capture, local):
    fields = ["frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport",
              "tcp.flags", "tcp.len", "tcp.seq_raw", "tcp.ack_raw", "tcp.options.timestamp.tsval",
              "tcp.options.timestamp.tsecr"]
    flows = {}
    resets = {}  # flow key -> (time, whether the local side sent the RST)
    stamps = {}
    for row in tshark_rows(capture, "tcp", fields):
        src, dst = addresses(row)
        outgoing = src in local
        if not outgoing and dst not in local:
            continue
        sport, dport = int(row["tcp.srcport"]), int(row["tcp.dstport"])
        key = (src, sport, dst, dport) if outgoing else (dst, dport, src, sport)
        flags = int(row["tcp.flags"], 16)
        fin, syn, rst, ack = flags & 0x01, flags & 0x02, flags & 0x04, flags & 0x10
        length = int(row["tcp.len"])
        bare_ack = ack and not (syn or fin or rst) and length == 0
        now = epoch_ns(row["frame.time_epoch"])
        endpoints = sorted([src, dst])

        flow = flows.get(key)
        if flow is None and not (fin or rst) and not (syn and not ack):
            reset = resets.get(key)
            lately = reset is not None and 0 <= now - reset[0] < RESET_LINGER_NS
            if syn or (lately and reset[1] == outgoing) or (not lately and not bare_ack):
                flow = flows[key] = Flow()

        if row["tcp.options.timestamp.tsval"]:
            tsval, tsecr = int(row["tcp.options.timestamp.tsval"]), int(row["tcp.options.timestamp.tsecr"])
            if flow and outgoing and not flow.timestamps:
                flow.timestamps = True
                if flow.seq_used:
                    flow.last_tsval = flow.last_tsecr = None
            # A flow followed on sequence numbers takes no timestamps coming in.
            taken = flow is None or flow.timestamps or not flow.seq_used
            if flow and taken and outgoing and not bare_ack and tsval != flow.last_tsval:
                flow.last_tsval = tsval
                stamps.setdefault((key, tsval), now)
            if taken and not outgoing and ack and tsecr != 0 and not (flow and tsecr == flow.last_tsecr):
                if flow:
                    flow.last_tsecr = tsecr
                sent = stamps.pop((key, tsecr), None)
                if sent is not None and sent <= now:
                    yield {"time_ns": now, "rtt_ns": now - sent, "protocol": "tcp", "method": "timestamp",
                           "endpoints": endpoints}
        elif flow and not flow.timestamps:
            flow.seq_used = True
            d = flow.out
            if outgoing:
                seq = int(row["tcp.seq_raw"])
                end = (seq + length + (1 if syn else 0) + (1 if fin else 0)) % 2**32
                carries = end != seq and not rst
                if d.sent is None:
                    d.sent = end
                elif after(d.sent, seq):
                    if carries and d.timed and after(d.timed[0], seq):
                        d.timed = None
                    if after(end, d.sent):
                        d.sent = end
                elif end != d.sent:
                    d.sent = end
                    if carries and (d.timed is None or now - d.timed[1] > d.lifetime()):
                        d.timed = (end, now)
            elif ack and not rst:
                number = int(row["tcp.ack_raw"])
                valid = d.sent is not None and not after(number, d.sent)
                if valid and d.last_ack is not None and number == d.last_ack:
                    if bare_ack:
                        d.timed = None
                elif valid and (d.last_ack is None or after(number, d.last_ack)):
                    d.last_ack = number
                    if d.timed and not after(d.timed[0], number):
                        end, sent = d.timed
                        d.timed = None
                        if end == number and 0 <= now - sent <= d.lifetime():
                            rtt = now - sent
                            d.srtt = rtt if d.srtt == 0 else d.srtt - (d.srtt >> 3) + (rtt >> 3)
                            yield {"time_ns": now, "rtt_ns": rtt, "protocol": "tcp", "method": "seq_ack",
                                   "endpoints": endpoints}

        if flow and rst:
            del flows[key]
            resets[key] = (now, outgoing)
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
    samples = list(icmp_samples(args.capture, local)) + list(tcp_samples(args.capture, local))
    for sample in samples + list(dns_samples(args.capture, local)):
        print(json.dumps(sample))
    return 0


if __name__ == "__main__":
    sys.exit(main())
