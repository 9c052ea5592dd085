#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The stored lab captures replayed through the real datapath agree with
RTTs computed without it (reference_rtts.py: tshark's ICMP response times,
TSval-to-TSecr and SEQ-to-ACK matchers written apart from the datapath):
identical sample sets, RTTs to 1 us; with the local side given and
inferred alike. SEQ/ACK samples are also held against tshark's own
tcp.analysis.ack_rtt.
Also checks what the replay exports: the exposition passes promtool,
counts every sample, and counts bytes as they were on the wire.

Needs root (it loads the BPF programs); skips elsewhere. Writes JUnit XML
to $XML_OUTPUT_FILE, one test case per check."""
import collections
import json
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reference_rtts  # noqa: E402

RUNFILES = os.path.join(os.environ.get("TEST_SRCDIR", ""), os.environ.get("TEST_WORKSPACE", ""))
EXPORTER = os.path.join(RUNFILES, "exporter", "pping_exporter")
TESTDATA = os.path.join(HERE, "testdata")
LOCAL = ["192.0.2.1", "2001:db8:1::1"]  # the lab's client, where every capture was taken
EVERY_SAMPLE = ["--sampling.rate-limit", "0", "--sampling.burst-count", "0"]
TOLERANCE_NS = 1000

# Each capture, and which RTTs it must hold for the check to mean anything
# (testdata/README.md says what traffic each one caught).
CAPTURES = {
    "tcp_icmp.pcap": {"timestamp", "echo"},
    "no_timestamps.pcap": {"seq_ack", "echo"},
    "bulk_no_timestamps.pcap": {"seq_ack"},
    "short_connections.pcap": {"timestamp"},
    "short_no_timestamps.pcap": {"seq_ack"},
    "loss.pcap": {"timestamp"},
    "truncated.pcap": {"timestamp", "echo"},
    "sll.pcap": {"timestamp", "echo"},
    "sll2.pcapng": {"timestamp", "echo"},
    "vlan.pcap": {"timestamp", "echo"},
    "raw_ip.pcap": {"timestamp", "echo"},
    "dns.pcap": {"dns", "timestamp"},
}
WITHOUT_TIMESTAMPS = ["no_timestamps.pcap", "bulk_no_timestamps.pcap", "short_no_timestamps.pcap"]


def reference(capture):
    local = reference_rtts.Local(LOCAL)
    path = os.path.join(TESTDATA, capture)
    return (list(reference_rtts.icmp_samples(path, local)) + list(reference_rtts.tcp_samples(path, local)) +
            list(reference_rtts.dns_samples(path, local)))


class Replay:
    """One run of `pping_exporter replay` with its events and exposition."""

    def __init__(self, capture, extra):
        with tempfile.TemporaryDirectory() as folder:
            events, metrics = os.path.join(folder, "events.jsonl"), os.path.join(folder, "metrics.prom")
            run = subprocess.run([EXPORTER, "replay", os.path.join(TESTDATA, capture), "--output.format", "jsonl",
                                  "--output.write", events, "--replay.metrics-file", metrics] + extra,
                                 capture_output=True, text=True, timeout=120)
            self.log = run.stdout + run.stderr
            if run.returncode != 0:
                raise AssertionError(f"replay of {capture} exited {run.returncode}: {self.log}")
            with open(events) as f:
                self.events = [json.loads(line) for line in f]
            with open(metrics) as f:
                self.exposition = f.read()

    def rtts(self):
        return [e for e in self.events if "rtt" in e]

    def flow_events(self, kind):
        return collections.Counter(e["reason"] for e in self.events if e.get("flow_event") == kind)

    def metric(self, name, **labels):
        """Sum of the samples of `name` whose labels include `labels`."""
        total = 0.0
        wanted = [f'{key}="{value}"' for key, value in labels.items()]
        for line in self.exposition.splitlines():
            if not (line.startswith(name + "{") or line.startswith(name + " ")):
                continue
            series = line.rsplit(" ", 1)[0]
            if all(label in series for label in wanted):
                total += float(line.rsplit(" ", 1)[1])
        return total


def unmatched(replayed, expected):
    """Samples of either side the other lacks: paired by the echo's time,
    protocol and method, RTTs within TOLERANCE_NS."""
    left = collections.defaultdict(list)
    for e in replayed:
        left[(e["timestamp"], e["protocol"].lower(), e["method"])].append(e["rtt"])
    missing = []
    for s in expected:
        rtts = left.get((s["time_ns"], s["protocol"], s["method"]), [])
        near = [r for r in rtts if abs(r - s["rtt_ns"]) <= TOLERANCE_NS]
        if near:
            rtts.remove(near[0])
        else:
            missing.append(s)
    extra = [(k, r) for k, rtts in left.items() for r in rtts]
    return missing, extra


class AgreementTest(unittest.TestCase):
    replays = {}

    @classmethod
    def replay(cls, capture, given_local):
        key = (capture, given_local)
        if key not in cls.replays:
            extra = EVERY_SAMPLE + [a for address in LOCAL for a in ("--replay.local", address)] * given_local
            cls.replays[key] = Replay(capture, extra)
        return cls.replays[key]

    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("needs root: it loads the BPF programs")

    def check_agreement(self, capture):
        expected = reference(capture)
        kinds = {s["method"] for s in expected}
        self.assertEqual(kinds, CAPTURES[capture], f"{capture}: the RTTs it holds")
        for given_local in (True, False):
            replay = self.replay(capture, given_local)
            missing, extra = unmatched(replay.rtts(), expected)
            how = "local side given" if given_local else "local side inferred"
            self.assertEqual(missing, [], f"{capture}, {how}: reference samples the replay lacks")
            self.assertEqual(extra, [], f"{capture}, {how}: replay samples the reference lacks")
            rtts = [s for s in expected if s["method"] != "dns"]
            self.assertEqual(replay.metric("pping_rtt_samples_total"), len(rtts))
            self.assertEqual(replay.metric("pping_rtt_seconds_count"), len(rtts))
            self.assertEqual(replay.metric("pping_dns_response_seconds_count"), len(expected) - len(rtts))

    def test_seq_ack_samples_hold_against_tsharks_ack_rtt(self):
        """tshark times each ACK from the segment it ends exactly at, first
        sent; the datapath times one segment at a time and takes only an ACK
        that ends exactly at it, with Karn's rule. So every SEQ/ACK sample
        is one of tshark's ack_rtt, to the microsecond: a subset of them."""
        for capture in WITHOUT_TIMESTAMPS:
            ack_rtt = {}
            for row in reference_rtts.tshark_rows(os.path.join(TESTDATA, capture), "tcp.analysis.ack_rtt",
                                                  ["frame.time_epoch", "tcp.analysis.ack_rtt"]):
                ack_rtt[reference_rtts.epoch_ns(row["frame.time_epoch"])] = round(
                    float(row["tcp.analysis.ack_rtt"]) * 1e9)
            samples = [e for e in self.replay(capture, True).rtts() if e["method"] == "seq_ack"]
            self.assertGreater(len(samples), 0, capture)
            for e in samples:
                self.assertIn(e["timestamp"], ack_rtt, f"{capture}: a sample on an ACK tshark did not time: {e}")
                self.assertLessEqual(abs(e["rtt"] - ack_rtt[e["timestamp"]]), TOLERANCE_NS, f"{capture}: {e}")
            print(f"{capture}: {len(samples)} SEQ/ACK samples, all among tshark's {len(ack_rtt)} ack_rtt",
                  file=sys.stderr)

    def test_retransmissions_agree_with_tshark(self):
        """Per direction, the retransmitted segments the replay counts are
        the data (or FIN) segments tshark flags as retransmissions or as out
        of order: the local stack, where these captures were taken, never
        reorders what it sends, so a segment of its own below the highest
        sequence number sent is one it sent again. Two captures lost every
        40th client packet after the capture point; the others lost none."""
        flagged = "(tcp.analysis.retransmission or tcp.analysis.out_of_order) and not tcp.analysis.keep_alive"
        for capture in CAPTURES:
            expected = collections.Counter()
            for row in reference_rtts.tshark_rows(os.path.join(TESTDATA, capture), flagged,
                                                  ["ip.src", "ipv6.src", "tcp.flags", "tcp.len"]):
                flags = int(row["tcp.flags"], 16)
                if flags & 0x06 or (int(row["tcp.len"]) == 0 and not flags & 0x01):
                    continue  # SYN, RST, or nothing sent
                expected["tx" if (row["ip.src"] or row["ipv6.src"]) in LOCAL else "rx"] += 1
            replay = self.replay(capture, True)
            for direction in ("tx", "rx"):
                self.assertEqual(replay.metric("pping_prefix_retransmits_total", direction=direction),
                                 expected[direction], f"{capture} {direction}")
            self.assertEqual(replay.metric("pping_prefix_spurious_retransmits_total"), 0, capture)
            if capture in ("loss.pcap", "bulk_no_timestamps.pcap"):
                self.assertGreater(expected["tx"], 10, capture)
                print(f"{capture}: {expected['tx']} retransmitted segments, as tshark", file=sys.stderr)

    def test_dns_response_times_by_response_code(self):
        expected = collections.Counter(s["rcode"] for s in reference("dns.pcap") if s["method"] == "dns")
        self.assertGreater(expected[0], 0, "NOERROR responses")
        self.assertGreater(expected[3], 0, "NXDOMAIN responses")
        replay = self.replay("dns.pcap", True)
        for rcode, name in ((0, "NOERROR"), (3, "NXDOMAIN")):
            self.assertEqual(replay.metric("pping_dns_response_seconds_count", matched_on="ingress", rcode=name),
                             expected[rcode], name)
        queries = int(subprocess.run(["tshark", "-r", os.path.join(TESTDATA, "dns.pcap"), "-Y",
                                      "dns.flags.response == 0 and (ip.src == 192.0.2.1 or ipv6.src == 2001:db8:1::1)",
                                      "-T", "fields", "-e", "frame.number"], capture_output=True, text=True,
                                     check=True).stdout.split().__len__())
        self.assertEqual(replay.metric("pping_dns_queries_total"), queries)

    def test_rst_ends_flows_without_timestamps(self):
        replay = self.replay("short_no_timestamps.pcap", True)
        closed = replay.flow_events("closing")
        self.assertGreater(closed["FIN"], 0)
        self.assertGreater(closed["RST"], 0)
        self.assertEqual(replay.metric("pping_flows_opened_total"), sum(replay.flow_events("opening").values()))
        # Each connection whose SYN-ACK or data came before its first RST
        # is closed by that RST: none is left to the idle timeout.
        opened, reset = set(), set()
        for row in reference_rtts.tshark_rows(os.path.join(TESTDATA, "short_no_timestamps.pcap"), "tcp",
                                              ["tcp.stream", "tcp.flags", "tcp.len"]):
            stream, flags = row["tcp.stream"], int(row["tcp.flags"], 16)
            if flags & 0x04:
                if stream in opened:
                    reset.add(stream)
            elif stream not in reset and ((flags & 0x12) == 0x12 or int(row["tcp.len"]) > 0):
                opened.add(stream)
        self.assertGreater(len(reset), 0)
        self.assertEqual(closed["RST"], len(reset))

    def test_exposition_passes_promtool(self):
        for capture in CAPTURES:
            run = subprocess.run(["promtool", "check", "metrics"], input=self.replay(capture, True).exposition,
                                 capture_output=True, text=True)
            self.assertEqual(run.returncode, 0, f"{capture}: {run.stdout}{run.stderr}")

    def test_truncated_packets_count_their_length_on_the_wire(self):
        for capture in ("truncated.pcap", "loss.pcap"):
            lengths = subprocess.run(["tshark", "-r", os.path.join(TESTDATA, capture), "-T", "fields", "-e",
                                      "frame.len", "-e", "frame.cap_len"], capture_output=True, text=True,
                                     check=True).stdout.split()
            wire, captured = sum(map(int, lengths[0::2])), sum(map(int, lengths[1::2]))
            self.assertLess(captured, wire, f"{capture} is not cut short")
            self.assertEqual(self.replay(capture, True).metric("pping_bytes_total"), wire)

    def test_short_connections_close_by_fin_and_rst(self):
        replay = self.replay("short_connections.pcap", True)
        closed = replay.flow_events("closing")
        self.assertGreater(closed["FIN"], 0)
        self.assertGreater(closed["RST"], 0)
        self.assertEqual(closed["FIN"] + closed["RST"], replay.metric("pping_flows_closed_total"))
        self.assertEqual(replay.metric("pping_flows_opened_total"), sum(replay.flow_events("opening").values()))

    def test_flows_open_at_the_end_are_reported(self):
        replay = self.replay("tcp_icmp.pcap", True)
        still_open = replay.flow_events("closing")["end of capture"]
        # The lab's two TCP connections and two pings run past the capture.
        self.assertEqual(still_open, 4, replay.log)
        self.assertIn("4 flows still open", replay.log)

    def test_rewritten_captures_give_the_ethernet_ones_samples(self):
        def samples(capture):
            return sorted((e["timestamp"], e["rtt"]) for e in self.replay(capture, False).rtts())

        for capture in ("vlan.pcap", "raw_ip.pcap"):
            self.assertEqual(samples(capture), samples("tcp_icmp.pcap"), capture)


def add_agreement_tests():
    for capture in CAPTURES:
        name = "test_agrees_on_" + capture.replace(".", "_")
        setattr(AgreementTest, name, lambda self, c=capture: self.check_agreement(c))


class JUnitResult(unittest.TextTestResult):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = []

    def addSuccess(self, test):
        super().addSuccess(test)
        self.cases.append((test, None, None))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.cases.append((test, "failure", self._exc_info_to_string(err, test)))

    def addError(self, test, err):
        super().addError(test, err)
        self.cases.append((test, "error", self._exc_info_to_string(err, test)))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.cases.append((test, "skipped", reason))


def write_junit(result, path):
    suite = ET.Element("testsuite", name="AgreementTest", tests=str(len(result.cases)))
    for test, kind, text in result.cases:
        case = ET.SubElement(suite, "testcase", name=test.id().rsplit(".", 1)[1], classname="AgreementTest")
        if kind:
            ET.SubElement(case, kind, message=text.splitlines()[-1] if text else "").text = text
    ET.ElementTree(ET.Element("testsuites")).getroot().append(suite)
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(path, encoding="unicode")


def main():
    add_agreement_tests()
    runner = unittest.TextTestRunner(resultclass=JUnitResult, verbosity=2)
    result = runner.run(unittest.defaultTestLoader.loadTestsFromTestCase(AgreementTest))
    if os.environ.get("XML_OUTPUT_FILE"):
        write_junit(result, os.environ["XML_OUTPUT_FILE"])
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
