// SPDX-License-Identifier: Apache-2.0
// Checks every object of a rendered manifest (a JSON array of them) against the
// Kubernetes API schemas, and the Prometheus Operator's for its custom
// resources, as published in the kubernetes-models packages (npm): types,
// required fields, enumerations. Usage: node validate_k8s.mjs
// NODE_MODULES_DIR MANIFEST. Prints one line per object; exits 1 if any is
// invalid or of a kind it has no schema for.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [modules, manifest] = process.argv.slice(2);
const load = (...parts) => import(pathToFileURL(path.join(modules, ...parts)).href);

// The package and directory holding a group/version's models.
async function modelOf(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const module =
    group === "monitoring.coreos.com"
      ? await load("@kubernetes-models", "prometheus-operator", group, version, "index.js")
      : await load("kubernetes-models", ...(group ? [group] : []), version, "index.mjs");
  return module[kind];
}

let failed = false;
for (const doc of JSON.parse(fs.readFileSync(manifest, "utf8"))) {
  if (!doc) continue;
  const name = `${doc.kind}/${doc.metadata && doc.metadata.name}`;
  let Model;
  try {
    Model = await modelOf(doc.apiVersion, doc.kind);
  } catch (e) {
    Model = undefined;
  }
  if (!Model) {
    console.log(`${name}: no schema for ${doc.apiVersion} ${doc.kind}`);
    failed = true;
    continue;
  }
  try {
    new Model(doc).validate();
    console.log(`${name}: valid`);
  } catch (e) {
    console.log(`${name}: ${String(e.message).replace(/\n/g, " ")}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
