// Reads and validates Kubernetes documents against the schemas of
// kubernetes-models and @kubernetes-models/keda, made from Kubernetes'
// OpenAPI and KEDA's CRDs, in SCHEMA_DIR/node_modules
// (tests/deploy/k8s-schemas/fetch, which also brings js-yaml).
//
// Strict, as `kubectl apply --validate=strict`: those validators, compiled
// by ajv, read every property their schema defines and let others pass, so
// each document is validated through proxies that note what is read, and a
// field never read is one the schema does not know.
//
//   node k8s-validate.mjs SCHEMA_DIR parse FILE...  prints the files'
//     documents as JSON: [{file, document}]
//   node k8s-validate.mjs SCHEMA_DIR validate < documents.json  prints each
//     document's problems as JSON, [] for one that is valid
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const SCHEMAS = {
  "apps/v1 Deployment": "kubernetes-models/_schemas/IoK8sApiAppsV1Deployment.js",
  "v1 Service": "kubernetes-models/_schemas/IoK8sApiCoreV1Service.js",
  "v1 ConfigMap": "kubernetes-models/_schemas/IoK8sApiCoreV1ConfigMap.js",
  "v1 Secret": "kubernetes-models/_schemas/IoK8sApiCoreV1Secret.js",
  "keda.sh/v1alpha1 ScaledObject":
    "@kubernetes-models/keda/_schemas/ComGithubKedacoreKedaV2ApisKedaV1alpha1ScaledObject.js",
  "keda.sh/v1alpha1 TriggerAuthentication":
    "@kubernetes-models/keda/_schemas/ComGithubKedacoreKedaV2ApisKedaV1alpha1TriggerAuthentication.js",
};

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// A copy of @value whose objects record the keys read in @read (object ->
// Set of keys), by the path each object is at.
function watched(value, path, read) {
  if (Array.isArray(value))
    return value.map((item, i) => watched(item, `${path}/${i}`, read));
  if (!isObject(value))
    return value;
  const keys = new Set();
  read.push({ path, value, keys });
  const target = {};
  for (const [key, item] of Object.entries(value))
    target[key] = watched(item, `${path}/${key}`, read);
  const note = (key) => {
    if (typeof key === "string")
      keys.add(key);
  };
  return new Proxy(target, {
    get(object, key, receiver) {
      note(key);
      return Reflect.get(object, key, receiver);
    },
    has(object, key) {
      note(key);
      return Reflect.has(object, key);
    },
    getOwnPropertyDescriptor(object, key) {
      note(key);
      return Reflect.getOwnPropertyDescriptor(object, key);
    },
  });
}

async function validate(root, document) {
  if (!isObject(document))
    return ["not a mapping"];
  const name = `${document.apiVersion} ${document.kind}`;
  if (!(name in SCHEMAS))
    return [`no schema for ${name}`];
  const url = pathToFileURL(join(root, "node_modules", SCHEMAS[name])).href;
  const { validate: check } = await import(url);
  const read = [];
  const problems = [];
  if (!check(watched(document, "", read)))
    for (const error of check.errors)
      problems.push(`${error.instancePath || "/"}: ${error.message || error.keyword} ` +
                    JSON.stringify(error.params));
  const unknown = [];
  for (const { path, value, keys } of read) {
    // What is inside an unknown field is unknown: named once.
    if (unknown.some((field) => path.startsWith(field + "/")))
      continue;
    for (const key of Object.keys(value))
      if (!keys.has(key))
        unknown.push(`${path}/${key}`);
  }
  for (const field of unknown)
    problems.push(`${field}: unknown field`);
  return problems;
}

const [root, command, ...files] = process.argv.slice(2);
const results = [];
if (command === "parse") {
  // The YAML 1.2 core schema, as Kubernetes reads it: no dates, "on" a string.
  const { loadAll, CORE_SCHEMA } = await import(
    pathToFileURL(join(root, "node_modules/js-yaml/index.js")).href);
  for (const file of files)
    for (const document of loadAll(readFileSync(file, "utf-8"), null, { schema: CORE_SCHEMA }))
      if (document !== null && document !== undefined)
        results.push({ file, document });
} else {
  for (const document of JSON.parse(readFileSync(0, "utf-8")))
    results.push(await validate(root, document));
}
process.stdout.write(JSON.stringify(results) + "\n");
