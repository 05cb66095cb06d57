#!/usr/bin/env python3
"""deploy/k8s/: every document valid against Kubernetes' and KEDA's schemas,
strictly (an unknown field is an error), and holding what a worker needs
beyond them: probes on /health/ready and /health that pass the Host check,
a grace period that covers the drain, KEDA's target equal to --max-rooms,
references to keys that exist.  Each check is also shown to fail on a copy
of the documents broken on purpose.  TAP.

The schemas are npm packages tests/deploy/k8s-schemas/fetch puts in a cache
(the set-up step runs it); k8s-validate.mjs runs them under Node.js.

Usage: k8s-manifests-test.py K8S_DIR VALIDATOR SCHEMAS_DIR
"""
import copy
import glob
import json
import os
import re
import shutil
import subprocess
import sys
from urllib.parse import urlsplit
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import tap  # noqa: E402

FETCH = "tests/deploy/k8s-schemas/fetch"
# Rooms measured on the bundled page (README.md, "Rooms at scale"): one
# recording room, and each further one, in MiB of PSS.
FIRST_ROOM_MIB = 217
FURTHER_ROOM_MIB = 49


class Manifests:
    def __init__(self, documents):
        self.documents = documents

    def find(self, kind, name=None):
        for document in self.documents:
            if document.get("kind") == kind and (
                    name is None or document.get("metadata", {}).get("name") == name):
                return document
        return None

    def deployment(self):
        return self.find("Deployment")

    def container(self):
        return self.deployment()["spec"]["template"]["spec"]["containers"][0]

    def options(self):
        """The worker's options: {option: [values]}."""
        args = self.container().get("args", [])
        found = {}
        for i, arg in enumerate(args):
            if arg.startswith("--"):
                value = args[i + 1] if i + 1 < len(args) else ""
                found.setdefault(arg, []).append(value)
        return found

    def option(self, name):
        values = self.options().get(name, [])
        return values[-1] if values else None

    def trigger(self):
        return self.find("ScaledObject")["spec"]["triggers"][0]


def check_probes(m):
    container = m.container()
    problems = []
    for probe, path in [("readinessProbe", "/health/ready"), ("livenessProbe", "/health"),
                        ("startupProbe", "/health")]:
        http = container.get(probe, {}).get("httpGet")
        if http is None:
            problems.append(f"{probe} is no httpGet")
        elif http.get("path") != path:
            problems.append(f"{probe} asks {http.get('path')}, not {path}")
    return problems


def check_probe_hosts(m):
    """A probe's Host must be one the worker answers to (else 421): a name
    given to --allowed-host, with no port or the probe's."""
    allowed = m.options().get("--allowed-host", [])
    problems = []
    for probe in ["readinessProbe", "livenessProbe", "startupProbe"]:
        http = m.container().get(probe, {}).get("httpGet", {})
        hosts = [h["value"] for h in http.get("httpHeaders", []) if h["name"].lower() == "host"]
        if not hosts:
            problems.append(f"{probe} sends no Host: the pod IP passes, but only by accident")
        for host in hosts:
            if host not in allowed and host + ":8440" not in allowed:
                problems.append(f"{probe} sends Host {host}, not an --allowed-host")
    service = m.find("Service")
    if service["metadata"]["name"] not in allowed:
        problems.append(f"the Service's name {service['metadata']['name']} is not allowed")
    return problems


def check_grace(m):
    pod = m.deployment()["spec"]["template"]["spec"]
    grace = pod.get("terminationGracePeriodSeconds", 30)
    drain = int(m.option("--drain-timeout") or 60)
    pre_stop = m.container().get("lifecycle", {}).get("preStop", {}).get("sleep", {})
    sleep = pre_stop.get("seconds", 0)
    if grace <= drain + sleep:
        return [f"terminationGracePeriodSeconds {grace} <= drain {drain} + preStop {sleep}"]
    return []


def check_scaling(m):
    scaled = m.find("ScaledObject")
    trigger = m.trigger()
    max_rooms = m.option("--max-rooms")
    problems = []
    if trigger.get("type") != "postgresql":
        problems.append(f"the trigger is {trigger.get('type')}, not postgresql")
    if trigger["metadata"].get("targetQueryValue") != max_rooms:
        problems.append(f"targetQueryValue {trigger['metadata'].get('targetQueryValue')} "
                        f"is not --max-rooms {max_rooms}")
    if scaled["spec"]["scaleTargetRef"].get("name") != m.deployment()["metadata"]["name"]:
        problems.append("the ScaledObject scales another Deployment")
    drain = int(m.option("--drain-timeout") or 60)
    if scaled["spec"].get("cooldownPeriod", 300) <= drain:
        problems.append("cooldownPeriod is not longer than a drain")
    auth = trigger.get("authenticationRef", {}).get("name")
    if m.find("TriggerAuthentication", auth) is None:
        problems.append(f"no TriggerAuthentication {auth}")
    # The trigger reads the database the workers use.
    url = urlsplit(m.find("ConfigMap")["data"]["RECORDHOST_STORE"])
    store = {"host": url.hostname, "port": str(url.port or 5432), "userName": url.username,
             "dbName": url.path.lstrip("/")}
    for key, value in store.items():
        if trigger["metadata"].get(key) != value:
            problems.append(f"the trigger's {key} {trigger['metadata'].get(key)} is not "
                            f"the store's {value}")
    return problems


def check_references(m):
    """Every key the workers and KEDA read is in the ConfigMap or Secret."""
    wanted = []
    for env in m.container().get("env", []):
        source = env.get("valueFrom", {})
        for kind, ref in [("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")]:
            if ref in source:
                wanted.append((kind, source[ref]["name"], source[ref]["key"], env["name"]))
    for auth in [d for d in m.documents if d.get("kind") == "TriggerAuthentication"]:
        for ref in auth["spec"].get("secretTargetRef", []):
            wanted.append(("Secret", ref["name"], ref["key"], ref["parameter"]))
    problems = []
    for kind, name, key, reader in wanted:
        document = m.find(kind, name)
        keys = {} if document is None else {**document.get("data", {}),
                                            **document.get("stringData", {})}
        if key not in keys:
            problems.append(f"{reader} reads {kind} {name} key {key}: not there")
    names = {e["name"] for e in m.container().get("env", [])}
    for variable in re.findall(r"\$\((\w+)\)", " ".join(m.container().get("args", []))):
        if variable not in names:
            problems.append(f"$({variable}) in args is not an env variable")
    if m.option("--worker-id") != "$(POD_NAME)":
        problems.append("--worker-id is not $(POD_NAME)")
    return problems


def check_service(m):
    service = m.find("Service")
    labels = m.deployment()["spec"]["template"]["metadata"]["labels"]
    problems = []
    for key, value in service["spec"].get("selector", {}).items():
        if labels.get(key) != value:
            problems.append(f"the Service selects {key}={value}, the pods do not have it")
    ports = {p.get("name"): p["containerPort"] for p in m.container().get("ports", [])}
    for port in service["spec"]["ports"]:
        if port.get("targetPort") not in ports and port.get("targetPort") not in ports.values():
            problems.append(f"targetPort {port.get('targetPort')} is no container port")
    # Every address on the container port: the Service calls the pod's IP,
    # `kubectl port-forward` its loopback.
    if m.option("--listen") != "0.0.0.0:%d" % ports.get("http", 0):
        problems.append(f"--listen {m.option('--listen')} is not 0.0.0.0:the container port")
    return problems


def mebibytes(quantity):
    units = {"Mi": 1, "Gi": 1024}
    match = re.fullmatch(r"(\d+)(Mi|Gi)", quantity)
    return int(match.group(1)) * units[match.group(2)] if match else 0


def check_resources(m):
    """The memory asked for covers --max-rooms rooms recording, as measured."""
    rooms = int(m.option("--max-rooms") or 0)
    needed = FIRST_ROOM_MIB + (rooms - 1) * FURTHER_ROOM_MIB
    resources = m.container().get("resources", {})
    problems = []
    for which in ["requests", "limits"]:
        got = mebibytes(resources.get(which, {}).get("memory", ""))
        if got < needed:
            problems.append(f"{which}.memory {got} MiB < {needed} MiB for {rooms} rooms")
    return problems


CHECKS = [
    ("probes: readiness /health/ready, liveness and startup /health", check_probes),
    ("probes and the Service's name pass the Host check", check_probe_hosts),
    ("grace period > drain + preStop", check_grace),
    ("KEDA: postgresql trigger, target == --max-rooms, the store's database", check_scaling),
    ("the ConfigMap and Secret keys read exist", check_references),
    ("the Service reaches the pods' port, which the worker listens on", check_service),
    ("memory covers --max-rooms recording rooms", check_resources),
]


def container_of(documents):
    return Manifests(documents).container()


def set_path(documents, kind, path, value):
    target = Manifests(documents).find(kind)
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value


# Each breaks a copy: (what, check that must fail: a CHECKS name or
# "schema", how).
def typo(documents):
    container = container_of(documents)
    container["readinesProbe"] = container.pop("readinessProbe")


BREAKS = [
    ("an unknown field (readinesProbe)", "schema", typo),
    ("containerPort a string", "schema",
     lambda d: container_of(d)["ports"][0].update(containerPort="8440")),
    ("an unknown field in the KEDA trigger", "schema",
     lambda d: Manifests(d).trigger().update(authRef={"name": "x"})),
    ("minReplicaCount a string", "schema",
     lambda d: set_path(d, "ScaledObject", ["spec", "minReplicaCount"], "2")),
    ("an unknown field in the TriggerAuthentication", "schema",
     lambda d: Manifests(d).find("TriggerAuthentication")["spec"].update(secretRef=[])),
    ("a Service port without its port", "schema",
     lambda d: set_path(d, "Service", ["spec", "ports", 0, "port"], None)),
    ("readiness on /health", CHECKS[0][1],
     lambda d: container_of(d)["readinessProbe"]["httpGet"].update(path="/health")),
    ("liveness on /health/ready", CHECKS[0][1],
     lambda d: container_of(d)["livenessProbe"]["httpGet"].update(path="/health/ready")),
    ("a probe's Host not allowed", CHECKS[1][1],
     lambda d: container_of(d)["livenessProbe"]["httpGet"]["httpHeaders"][0].update(
         value="recordhost")),
    ("grace period 60 s", CHECKS[2][1],
     lambda d: set_path(d, "Deployment",
                        ["spec", "template", "spec", "terminationGracePeriodSeconds"], 60)),
    ("targetQueryValue 10", CHECKS[3][1],
     lambda d: Manifests(d).trigger()["metadata"].update(targetQueryValue="10")),
    ("the trigger on another database", CHECKS[3][1],
     lambda d: Manifests(d).trigger()["metadata"].update(dbName="postgres")),
    ("the Secret without PGPASSWORD", CHECKS[4][1],
     lambda d: Manifests(d).find("Secret")["stringData"].pop("PGPASSWORD")),
    ("the ConfigMap's key renamed", CHECKS[4][1],
     lambda d: set_path(d, "ConfigMap", ["data"], {"STORE": "postgresql://x@y/z"})),
    ("--listen 127.0.0.1:8440", CHECKS[5][1],
     lambda d: container_of(d)["args"].__setitem__(
         container_of(d)["args"].index("--listen") + 1, "127.0.0.1:8440")),
    ("the Service selecting another app", CHECKS[5][1],
     lambda d: set_path(d, "Service", ["spec", "selector"], {"app": "other"})),
    ("--max-rooms 16", CHECKS[6][1],
     lambda d: container_of(d)["args"].__setitem__(
         container_of(d)["args"].index("--max-rooms") + 1, "16")),
]


def node_run(node, validator, schemas, *args, stdin=None):
    result = subprocess.run([node, validator, schemas, *args], input=stdin,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{os.path.basename(validator)} exited {result.returncode}: "
                           + result.stderr.strip())
    return json.loads(result.stdout)


def main():
    k8s_dir, validator, schemas = sys.argv[1:]
    node = shutil.which("node") or shutil.which("nodejs")
    # A skipped check is no check: CI fetches the schemas (.ci/setup).
    if node is None or not os.path.isdir(os.path.join(schemas, "node_modules",
                                                      "kubernetes-models")):
        tap.missing(f"k8s schemas in {schemas}", f"run {FETCH} (needs Node.js)")

    files = sorted(glob.glob(os.path.join(k8s_dir, "*.yaml")))
    parsed = node_run(node, validator, schemas, "parse", *files)
    documents = [entry["document"] for entry in parsed]
    cases = []
    for entry, problems in zip(parsed, node_run(node, validator, schemas, "validate",
                                                stdin=json.dumps(documents))):
        document = entry["document"]
        cases.append((f"schema: {os.path.basename(entry['file'])} {document.get('kind')} "
                      f"{document.get('metadata', {}).get('name')}", problems))
    kinds = {d.get("kind") for d in documents}
    wanted = {"Deployment", "Service", "ConfigMap", "Secret", "ScaledObject",
              "TriggerAuthentication"}
    cases.append(("deploy/k8s holds " + ", ".join(sorted(wanted)),
                  [f"no {kind}" for kind in sorted(wanted - kinds)]))
    manifests = Manifests(documents)
    for name, check in CHECKS:
        cases.append((name, run_check(check, manifests)))
    if wanted - kinds:
        finish(cases)

    # The breaks: the schema's all in one run of the validator.
    broken = []
    for what, check, how in BREAKS:
        copied = copy.deepcopy(documents)
        how(copied)
        broken.append(copied)
    schema_results = node_run(node, validator, schemas, "validate",
                              stdin=json.dumps([d for b in broken for d in b]))
    for index, (what, check, how) in enumerate(BREAKS):
        if check == "schema":
            results = schema_results[index * len(documents):(index + 1) * len(documents)]
            found = [problem for problems in results for problem in problems]
            name = "schema"
        else:
            found = run_check(check, Manifests(broken[index]))
            name = CHECKS[[c[1] for c in CHECKS].index(check)][0]
        if found:
            cases.append((f"fails on {what} ({name}): {found[0]}", []))
        else:
            cases.append((f"fails on {what} ({name})", ["no problem found"]))

    finish(cases)


def run_check(check, manifests):
    """A check's problems; a document without what it reads is one."""
    try:
        return check(manifests)
    except (KeyError, TypeError, IndexError, ValueError, AttributeError) as error:
        return [f"cannot check: {type(error).__name__} {error}"]


def finish(cases):
    tap.report(cases)


if __name__ == "__main__":
    main()
