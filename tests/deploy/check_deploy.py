#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Checks the deployment files as strictly as the tools here allow (no
cluster, no container engine): yamllint on every YAML file; the Kubernetes
manifests against the fields and cross-references that matter (kinds and
API versions, capabilities instead of privileged, probes on the exporter's
real endpoints and port, Service/ServiceMonitor selectors, kustomization
resources); the DaemonSet's and the systemd unit's arguments against the
exporter's own flag parser; systemd-analyze on the unit; and the container
file's runtime packages against the libraries the binary links."""
import json
import os
import re
import subprocess
import sys
import unittest

import yaml

ROOT = os.environ.get("PPING_ROOT", ".")
EXPORTER = os.path.join(ROOT, "exporter/pping_exporter")
K8S = os.path.join(ROOT, "deploy/kubernetes")


def load_k8s():
    docs = {}
    for name in sorted(os.listdir(K8S)):
        if name.endswith(".yaml"):
            with open(os.path.join(K8S, name)) as f:
                for doc in yaml.safe_load_all(f):
                    docs[(doc["kind"], name)] = doc
    return docs


def by_kind(docs, kind):
    found = [d for (k, _), d in docs.items() if k == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


class Yaml(unittest.TestCase):
    def test_yamllint(self):
        overlay = os.path.join(ROOT, "deploy/kubernetes-unconfined/kustomization.yaml")
        files = [os.path.join(K8S, n) for n in os.listdir(K8S) if n.endswith(".yaml")] + [overlay] + [
            os.path.join(ROOT, "config", n) for n in os.listdir(os.path.join(ROOT, "config")) if n.endswith(".yml")]
        config = "{extends: default, rules: {line-length: {max: 160}, document-start: disable}}"
        result = subprocess.run(["yamllint", "-s", "-d", config] + files, capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)


class Kubernetes(unittest.TestCase):
    API = {"Namespace": "v1", "DaemonSet": "apps/v1", "Service": "v1", "PriorityClass": "scheduling.k8s.io/v1",
           "ServiceMonitor": "monitoring.coreos.com/v1", "PrometheusRule": "monitoring.coreos.com/v1",
           "Kustomization": "kustomize.config.k8s.io/v1beta1"}

    @classmethod
    def setUpClass(cls):
        cls.docs = load_k8s()
        cls.ds = by_kind(cls.docs, "DaemonSet")
        cls.pod = cls.ds["spec"]["template"]["spec"]
        cls.container = cls.pod["containers"][0]

    def test_api_versions_and_metadata(self):
        for (kind, name), doc in self.docs.items():
            self.assertEqual(doc["apiVersion"], self.API[kind], name)
            if kind != "Kustomization":
                self.assertIn("name", doc["metadata"], name)

    def test_selector_matches_pod_labels(self):
        labels = self.ds["spec"]["template"]["metadata"]["labels"]
        for k, v in self.ds["spec"]["selector"]["matchLabels"].items():
            self.assertEqual(labels.get(k), v)

    def test_capabilities_instead_of_privileged(self):
        sc = self.container["securityContext"]
        self.assertFalse(sc["privileged"])
        self.assertFalse(sc["allowPrivilegeEscalation"])
        self.assertEqual(sc["capabilities"]["drop"], ["ALL"])
        self.assertEqual(sorted(sc["capabilities"]["add"]), ["BPF", "NET_ADMIN", "PERFMON"])
        self.assertTrue(self.pod["hostNetwork"])
        self.assertEqual(self.pod["dnsPolicy"], "ClusterFirstWithHostNet")

    def test_probes_hit_the_exporters_endpoints_on_its_port(self):
        port = self.container["ports"][0]
        listen = [a for a in self.container["args"] if a.startswith("--web.listen-address=")]
        self.assertEqual(listen, [f"--web.listen-address=:{port['containerPort']}"])
        self.assertEqual(self.container["livenessProbe"]["httpGet"], {"path": "/-/healthy", "port": port["name"]})
        self.assertEqual(self.container["readinessProbe"]["httpGet"], {"path": "/-/ready", "port": port["name"]})

    def test_resources_set(self):
        for part in ("requests", "limits"):
            self.assertEqual(set(self.container["resources"][part]), {"cpu", "memory"})

    def test_args_parse_with_the_exporter(self):
        # --version after the flags: everything before it is parsed and
        # validated by the exporter's own parser, then it exits 0.
        result = subprocess.run([EXPORTER] + self.container["args"] + ["--version"], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_service_and_monitor_select_the_pods(self):
        service = by_kind(self.docs, "Service")
        monitor = by_kind(self.docs, "ServiceMonitor")
        pod_labels = self.ds["spec"]["template"]["metadata"]["labels"]
        for k, v in service["spec"]["selector"].items():
            self.assertEqual(pod_labels.get(k), v)
        for k, v in monitor["spec"]["selector"]["matchLabels"].items():
            self.assertEqual(service["metadata"]["labels"].get(k), v)
        port_names = {p["name"] for p in service["spec"]["ports"]}
        self.assertIn(monitor["spec"]["endpoints"][0]["port"], port_names)
        self.assertEqual(service["spec"]["ports"][0]["targetPort"], self.container["ports"][0]["name"])

    def test_kustomization_lists_every_manifest(self):
        kustomization = by_kind(self.docs, "Kustomization")
        manifests = {n for n in os.listdir(K8S) if n.endswith(".yaml") and n != "kustomization.yaml"}
        self.assertEqual(set(kustomization["resources"]), manifests)
        image = self.container["image"].split(":")[0]
        self.assertIn(image, [i["name"] for i in kustomization["images"]])


# Where scripts/install-deps.sh puts the npm packages validate_k8s.mjs uses.
NODE_MODULES = "/opt/pping_exporter/test-tools/node_modules"
# The DaemonSet's memory limit must hold the exporter's bound at the
# default flags (docs/operations.md) on nodes of up to this many CPUs.
LIMIT_COVERS_CPUS = 64


def memory_bound_mib(cpus):
    """The pod's memory at the default flags, in MiB: kernel aggregation
    (2 instances x 4096 prefix keys x CPUs x (816 B + ~100 B of hash
    overhead)), the flow and timestamp maps at their maximum twice over
    (a move holds the old and the new), user space with 65,536 prefixes
    held (~3 KB each with RTTs) and the process itself."""
    aggregation = 2 * 4096 * cpus * (816 + 100)
    maps = 2 * (131072 * 256 + 131072 * 128 + 2 * 131072 * 16)
    user = 65536 * 3 * 1024 + 40 * 2**20
    return (aggregation + maps + user) / 2**20


def mib(quantity):
    units = {"Ki": 2**-10, "Mi": 1, "Gi": 2**10}
    for suffix, factor in units.items():
        if quantity.endswith(suffix):
            return float(quantity[: -len(suffix)]) * factor
    return float(quantity) / 2**20


class Rendered(unittest.TestCase):
    """What `kubectl apply -k deploy/kubernetes` would apply, rendered here
    with kubectl's kustomize from a copy of the directory (Bazel's runfiles
    are symlinks, which kustomize refuses to follow out of its root)."""

    @classmethod
    def setUpClass(cls):
        tmp = os.environ.get("TEST_TMPDIR", "/tmp")
        copy = os.path.join(tmp, "kubernetes")
        subprocess.run(["rm", "-rf", copy], check=True)
        subprocess.run(["cp", "-rL", K8S, copy], check=True)
        render = subprocess.run(["kubectl", "kustomize", copy], capture_output=True, text=True)
        assert render.returncode == 0, render.stderr
        cls.path = os.path.join(tmp, "rendered.yaml")
        with open(cls.path, "w") as f:
            f.write(render.stdout)
        cls.objects = [d for d in yaml.safe_load_all(render.stdout) if d]
        cls.by_kind = {}
        for d in cls.objects:
            cls.by_kind.setdefault(d["kind"], []).append(d)

    def one(self, kind):
        self.assertEqual(len(self.by_kind.get(kind, [])), 1, kind)
        return self.by_kind[kind][0]

    def test_every_object_passes_its_api_schema(self):
        objects = os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), "rendered.json")
        with open(objects, "w") as f:
            json.dump(self.objects, f)
        result = subprocess.run(["node", os.path.join(ROOT, "tests/deploy/validate_k8s.mjs"), NODE_MODULES, objects],
                                capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(len(result.stdout.splitlines()), len(self.objects), result.stdout)

    def test_the_namespace_admits_the_pod(self):
        labels = self.one("Namespace")["metadata"]["labels"]
        self.assertEqual(labels.get("pod-security.kubernetes.io/enforce"), "privileged",
                         "host network, hostPath and capabilities are beyond baseline")

    def test_what_is_applied(self):
        self.assertEqual(sorted(self.by_kind), ["ConfigMap", "DaemonSet", "Namespace", "PriorityClass",
                                                "PrometheusRule", "Service", "ServiceMonitor"])
        for d in self.objects:
            cluster_scoped = d["kind"] in ("Namespace", "PriorityClass")
            self.assertEqual(d["metadata"].get("namespace"), None if cluster_scoped else "pping", d["kind"])

    def test_the_pod_runs_on_linux_nodes_with_least_privilege(self):
        pod = self.one("DaemonSet")["spec"]["template"]["spec"]
        container = pod["containers"][0]
        self.assertEqual(pod["nodeSelector"], {"kubernetes.io/os": "linux"})
        self.assertIs(pod["automountServiceAccountToken"], False)
        self.assertEqual(container["securityContext"]["seccompProfile"], {"type": "RuntimeDefault"})
        for toleration in pod["tolerations"]:
            self.assertEqual(toleration.get("effect"), "NoSchedule", "NoExecute taints (draining, failing) evict it")
        names = [p["metadata"]["name"] for p in self.by_kind["PriorityClass"]]
        self.assertIn(pod["priorityClassName"], names, "a PriorityClass the kustomization ships")
        self.assertFalse(pod["priorityClassName"].startswith("system-"))

    def test_the_image_names_a_registry(self):
        image = self.one("DaemonSet")["spec"]["template"]["spec"]["containers"][0]["image"]
        registry = image.split("/")[0]
        self.assertTrue("/" in image and ("." in registry or ":" in registry or registry == "localhost"), image)
        out = subprocess.run([EXPORTER, "--version"], capture_output=True, text=True, check=True).stdout
        version = re.search(r"version (\S+) ", out).group(1)
        self.assertTrue(image.endswith(":" + version), image)

    def test_the_memory_limit_holds_the_bound(self):
        container = self.one("DaemonSet")["spec"]["template"]["spec"]["containers"][0]
        limit = mib(container["resources"]["limits"]["memory"])
        self.assertGreaterEqual(limit, memory_bound_mib(LIMIT_COVERS_CPUS))
        self.assertLess(mib(container["resources"]["requests"]["memory"]), limit)

    def test_rules_and_dashboard_are_shipped_as_in_config(self):
        rule = self.one("PrometheusRule")
        groups = []
        for name in ("pping_recording_rules.yml", "pping_alert_rules.yml"):
            with open(os.path.join(ROOT, "config", name)) as f:
                groups += yaml.safe_load(f)["groups"]
        self.assertEqual(rule["spec"]["groups"], groups, "run scripts/gen-k8s-rules.py")
        dashboard = self.one("ConfigMap")
        self.assertEqual(dashboard["metadata"]["labels"].get("grafana_dashboard"), "1")
        with open(os.path.join(ROOT, "dashboards/pping.json")) as f:
            self.assertEqual(json.loads(dashboard["data"]["pping.json"]), json.load(f))

    def test_every_job_selector_matches_what_the_service_monitor_produces(self):
        monitor = self.one("ServiceMonitor")
        service = self.one("Service")
        job = service["metadata"]["labels"][monitor["spec"]["jobLabel"]]
        produced = {"job": job}
        for relabel in monitor["spec"]["endpoints"][0].get("relabelings", []):
            produced[relabel["targetLabel"]] = "<from " + ",".join(relabel["sourceLabels"]) + ">"
        self.assertIn("node", produced, "the dashboard's node variable reads it")
        matcher = re.compile(r'\b(job|node)\s*(=~|!~|!=|=)\s*"([^"]*)"')
        exprs = [r["expr"] for g in self.one("PrometheusRule")["spec"]["groups"] for r in g["rules"]]
        self.assertTrue(any("job=" in e for e in exprs), "some rule selects the job")
        for expr in exprs:
            for label, op, value in matcher.findall(expr):
                if label == "node":
                    continue  # any node
                matched = re.fullmatch(value, produced[label]) if "~" in op else value == produced[label]
                self.assertEqual(bool(matched), not op.startswith("!"), f"{expr}: {label}{op}{value!r} vs {produced}")


class RenderedUnconfined(unittest.TestCase):
    """deploy/kubernetes-unconfined: the same objects, the seccomp profile
    Unconfined and nothing else changed."""

    def render(self, directory):
        tmp = os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), "overlay")
        subprocess.run(["rm", "-rf", tmp], check=True)
        os.makedirs(tmp)
        for name in ("kubernetes", "kubernetes-unconfined"):
            subprocess.run(["cp", "-rL", os.path.join(ROOT, "deploy", name), tmp], check=True)
        render = subprocess.run(["kubectl", "kustomize", os.path.join(tmp, directory)], capture_output=True, text=True)
        self.assertEqual(render.returncode, 0, render.stderr)
        return [d for d in yaml.safe_load_all(render.stdout) if d]

    def test_only_the_seccomp_profile_differs(self):
        base = self.render("kubernetes")
        overlay = self.render("kubernetes-unconfined")
        container = lambda objects: next(d for d in objects if d["kind"] == "DaemonSet")[
            "spec"]["template"]["spec"]["containers"][0]
        self.assertEqual(container(overlay)["securityContext"]["seccompProfile"], {"type": "Unconfined"})
        container(overlay)["securityContext"]["seccompProfile"] = {"type": "RuntimeDefault"}
        self.assertEqual(overlay, base)


class Systemd(unittest.TestCase):
    UNIT = os.path.join(ROOT, "deploy/systemd/pping_exporter.service")

    def exec_start(self):
        with open(self.UNIT) as f:
            line = next(l for l in f if l.startswith("ExecStart="))
        return line.strip().split("=", 1)[1].split()

    def test_capabilities(self):
        with open(self.UNIT) as f:
            text = f.read()
        for key in ("AmbientCapabilities", "CapabilityBoundingSet"):
            caps = re.search(rf"^{key}=(.*)$", text, re.M).group(1).split()
            self.assertEqual(sorted(caps), ["CAP_BPF", "CAP_NET_ADMIN", "CAP_PERFMON"])
        self.assertIn("NoNewPrivileges=yes", text)

    def test_flags_parse_with_the_shipped_config(self):
        args = [a.replace("/etc/pping_exporter/pping_exporter.toml",
                          os.path.join(ROOT, "config/pping_exporter.toml")) for a in self.exec_start()[1:]]
        result = subprocess.run([EXPORTER] + args + ["--version"], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_systemd_analyze_verify(self):
        if not os.path.exists("/usr/bin/systemd-analyze"):
            self.skipTest("systemd-analyze not installed")
        # verify wants the binary at the path ExecStart names.
        unit_dir = os.environ.get("TEST_TMPDIR", "/tmp")
        with open(self.UNIT) as f:
            text = f.read().replace("/usr/local/bin/pping_exporter", os.path.abspath(EXPORTER))
        unit = os.path.join(unit_dir, "pping_exporter.service")
        with open(unit, "w") as f:
            f.write(text)
        result = subprocess.run(["systemd-analyze", "verify", unit], capture_output=True, text=True)
        problems = [l for l in (result.stdout + result.stderr).splitlines()
                    if "pping_exporter.service" in l and "Documentation" not in l]
        self.assertEqual(problems, [], result.stdout + result.stderr)


class Container(unittest.TestCase):
    DOCKERFILE = os.path.join(ROOT, "deploy/container/Dockerfile")

    def runtime_packages(self):
        """The packages the runtime stage installs, with what apt installs
        for them: their Depends and Pre-Depends, as this machine's dpkg
        knows them (the same bookworm packages)."""
        with open(self.DOCKERFILE) as f:
            text = f.read()
        runtime = text.split("FROM debian:bookworm-slim", 1)[1]
        install = re.search(r"apt-get install -y --no-install-recommends(.*?)&&", runtime, re.S).group(1)
        listed = set(install.replace("\\", " ").split())
        closure, todo = set(), list(listed)
        while todo:
            package = todo.pop()
            if package in closure:
                continue
            closure.add(package)
            fields = subprocess.run(["dpkg-query", "-W", "-f", "${Depends}, ${Pre-Depends}", package],
                                    capture_output=True, text=True).stdout
            for alternative in fields.split(","):
                # "libfoo1 (>= 1.2) | libbar" -> the first alternative, without version or architecture
                name = alternative.split("|")[0].split("(")[0].strip().split(":")[0]
                if name:
                    todo.append(name)
        return closure

    def test_stages_use_bookworm(self):
        with open(self.DOCKERFILE) as f:
            bases = re.findall(r"^FROM (\S+)", f.read(), re.M)
        self.assertEqual(bases, ["debian:bookworm", "debian:bookworm-slim"])

    def test_runtime_stage_installs_every_linked_library(self):
        ldd = subprocess.run(["ldd", EXPORTER], capture_output=True, text=True, check=True).stdout
        base = {"libc6", "libgcc-s1", "libstdc++6"}  # in bookworm-slim already
        needed = set()
        for path in re.findall(r"=> (/\S+)", ldd):
            real = os.path.realpath(path)
            # usrmerge: dpkg may know a library under /lib or under /usr/lib.
            candidates = {path, real, real.replace("/usr/lib/", "/lib/", 1), path.replace("/lib/", "/usr/lib/", 1)}
            for candidate in candidates:
                owner = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
                if owner.returncode == 0:
                    needed.add(owner.stdout.split(":")[0])
                    break
            else:
                self.fail(f"no Debian package owns {path}")
        self.assertEqual(needed - base - self.runtime_packages(), set())


if __name__ == "__main__":
    unittest.main()
