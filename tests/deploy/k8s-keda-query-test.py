#!/usr/bin/env python3
"""deploy/k8s/ run for real, against a PostgreSQL of its own: a worker
started with the Deployment's arguments makes the store's schema and
answers its probes (their Host headers and the Service's names pass the
Host check, ready once its store is), and the ScaledObject's query, run on
that schema, counts the rooms pending, recording (held or not) and being
handed off, and no other.  TAP.

The documents are read by k8s-validate.mjs (js-yaml from
tests/deploy/k8s-schemas/fetch).  PostgreSQL runs on a socket in a
temporary directory, as the postgres user when this runs as root.

Usage: k8s-keda-query-test.py K8S_DIR VALIDATOR SCHEMAS_DIR RECORDHOST
"""
import glob
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import tap  # noqa: E402

FETCH = "tests/deploy/k8s-schemas/fetch"
USER = "recordhost"
DATABASE = "recordhost"
POD_NAME = "recordhost-cloud-7d9f8-x2x4q"
POD_NAMESPACE = "classes"

# (what, state, held, counted): every state the store gives a room (NULL: a
# room created and never started; idle: its recording ended).
ROOMS = [
    ("created, never started", None, 0, False),
    ("idle (ended)", "idle", 0, False),
    ("pending", "pending", 0, True),
    ("active, recording", "active", 0, True),
    ("active, held", "active", 1, True),
    ("handoff (a draining worker's)", "handoff", 0, True),
]


def node_run(node, validator, schemas, *args):
    result = subprocess.run([node, validator, schemas, *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"k8s-validate.mjs exited {result.returncode}: {result.stderr}")
    return json.loads(result.stdout)


class Postgres:
    """A postmaster on a socket in a temporary directory."""

    def __init__(self):
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"),
                          key=lambda p: int(p.split("/")[-3]))
        if not versions:
            raise RuntimeError("no PostgreSQL under /usr/lib/postgresql")
        self.bin = os.path.dirname(versions[-1])
        self.dir = tempfile.mkdtemp(prefix="recordhost-k8s-pg-")
        self.process = None
        self.user = None
        # PostgreSQL refuses to run as root.
        if os.geteuid() == 0:
            self.user = pwd.getpwnam("postgres")
            os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)

    def _drop(self):
        if self.user is not None:
            os.setgroups([])
            os.setgid(self.user.pw_gid)
            os.setuid(self.user.pw_uid)

    def start(self):
        data = os.path.join(self.dir, "data")
        subprocess.run([os.path.join(self.bin, "initdb"), "-D", data, "-A", "trust", "-U", USER,
                        "--no-sync", "-E", "UTF8", "--locale", "C"], check=True,
                       capture_output=True, preexec_fn=self._drop)
        log = open(os.path.join(self.dir, "postgres.log"), "w")
        self.process = subprocess.Popen(
            [os.path.join(self.bin, "postgres"), "-D", data, "-k", self.dir,
             "-c", "listen_addresses=", "-c", "fsync=off"],
            stdout=log, stderr=log, preexec_fn=self._drop)
        deadline = time.monotonic() + 30
        while self.psql("postgres", "SELECT 1", check=False) != "1":
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("PostgreSQL did not start")
            time.sleep(0.2)
        self.psql("postgres", f"CREATE DATABASE {DATABASE}")

    def psql(self, database, sql, check=True):
        result = subprocess.run([os.path.join(self.bin, "psql"), "-X", "-q", "-A", "-t",
                                 "-v", "ON_ERROR_STOP=1", "-h", self.dir, "-U", USER,
                                 "-d", database, "-c", sql], capture_output=True, text=True)
        if check and result.returncode != 0:
            raise RuntimeError(f"psql: {sql}: {result.stderr.strip()}")
        return result.stdout.strip()

    def url(self):
        return f"postgresql:///{DATABASE}?host={self.dir}&user={USER}"

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


def worker_args(deployment, store, data_dir):
    """The Deployment's arguments with the pod's variables filled in (its
    listening address a free port on loopback), the store and data directory this
    test's."""
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    args = list(container["args"])
    replace = {"--store": store, "--data-dir": data_dir}
    for i in range(len(args) - 1):
        if args[i] in replace:
            args[i + 1] = replace[args[i]]
    variables = {"$(POD_NAME)": POD_NAME, "$(POD_NAMESPACE)": POD_NAMESPACE,
                 "0.0.0.0:8440": "127.0.0.1:0"}
    for i, arg in enumerate(args):
        for variable, value in variables.items():
            arg = arg.replace(variable, value)
        args[i] = arg
    return container, args


def get(url, host):
    request = urllib.request.Request(url, headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def probe_cases(container, base):
    """Each probe as the kubelet sends it, and the Service's names."""
    cases = []
    ready = container["readinessProbe"]["httpGet"]
    host = {h["name"]: h["value"] for h in ready.get("httpHeaders", [])}.get("Host")
    # Ready once its first renewal is answered.
    deadline = time.monotonic() + 15
    status = get(base + ready["path"], host)
    while status != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
        status = get(base + ready["path"], host)
    cases.append((f"readinessProbe GET {ready['path']} Host {host}: {status}",
                  [] if status == 200 else ["not 200"]))
    for probe in ["livenessProbe", "startupProbe"]:
        http = container[probe]["httpGet"]
        host = {h["name"]: h["value"] for h in http.get("httpHeaders", [])}.get("Host")
        status = get(base + http["path"], host)
        cases.append((f"{probe} GET {http['path']} Host {host}: {status}",
                      [] if status == 200 else ["not 200"]))
    service = f"recordhost-cloud.{POD_NAMESPACE}.svc.cluster.local"
    for host, wanted in [("recordhost-cloud:8440", 200), (f"recordhost-cloud.{POD_NAMESPACE}", 200),
                         (f"{service}:8440", 200), ("recordhost-cloud.other:8440", 421)]:
        status = get(base + "/health", host)
        cases.append((f"GET /health Host {host}: {status}",
                      [] if status == wanted else [f"not {wanted}"]))
    return cases


def run_worker(recordhost, args, env):
    """Starts the worker; returns it and its URL (its first line)."""
    worker = subprocess.Popen([recordhost, *args], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    url = worker.stdout.readline().strip()
    if not url.startswith("http://"):
        worker.kill()
        _, errors = worker.communicate(timeout=30)
        raise RuntimeError(f"recordhost {' '.join(args)}: {errors.strip()}")
    return worker, url


def query_cases(postgres, query):
    cases = []
    for what, state, held, counted in ROOMS:
        postgres.psql(DATABASE, "DELETE FROM rooms")
        postgres.psql(DATABASE, "INSERT INTO rooms (app_id, room_uuid, state, held) "
                      f"VALUES ('app', 'room', {'NULL' if state is None else repr(state)}, "
                      f"{held})")
        got = postgres.psql(DATABASE, query)
        wanted = "1" if counted else "0"
        cases.append((f"the query counts a room {what}: {got}",
                      [] if got == wanted else [f"expected {wanted}"]))
    postgres.psql(DATABASE, "DELETE FROM rooms")
    for i, (what, state, held, counted) in enumerate(ROOMS * 3):
        postgres.psql(DATABASE, "INSERT INTO rooms (app_id, room_uuid, state, held) "
                      f"VALUES ('app', 'room-{i}', "
                      f"{'NULL' if state is None else repr(state)}, {held})")
    got = postgres.psql(DATABASE, query)
    wanted = str(3 * sum(1 for room in ROOMS if room[3]))
    cases.append((f"the query counts {wanted} of {3 * len(ROOMS)} rooms of every state: {got}",
                  [] if got == wanted else [f"expected {wanted}"]))
    return cases


def main():
    k8s_dir, validator, schemas, recordhost = sys.argv[1:]
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None or not os.path.isdir(os.path.join(schemas, "node_modules", "js-yaml")):
        tap.missing(f"k8s schemas in {schemas}", f"run {FETCH} (needs Node.js)")
    files = sorted(glob.glob(os.path.join(k8s_dir, "*.yaml")))
    documents = [entry["document"] for entry in node_run(node, validator, schemas, "parse",
                                                         *files)]
    deployment = next((d for d in documents if d.get("kind") == "Deployment"), None)
    scaled = next((d for d in documents if d.get("kind") == "ScaledObject"), None)
    if deployment is None or scaled is None:
        tap.missing(f"a Deployment and a ScaledObject in {k8s_dir}", "not found")
    query = scaled["spec"]["triggers"][0]["metadata"]["query"]

    cases = []
    postgres = Postgres()
    data_dir = tempfile.mkdtemp(prefix="recordhost-k8s-data-")
    worker = None
    try:
        postgres.start()
        container, args = worker_args(deployment, postgres.url(), data_dir)
        env = dict(os.environ, RECORDHOST_CLOUD_TOKEN="k8s-test-token",
                   GSETTINGS_BACKEND="memory")
        worker, url = run_worker(recordhost, args, env)
        cases.append((f"a worker runs with the Deployment's arguments: {url}", []))
        cases += probe_cases(container, url)
        # SIGTERM drains: with no room, it exits at once.
        worker.send_signal(signal.SIGTERM)
        status = worker.wait(timeout=60)
        cases.append((f"the worker drains on SIGTERM and exits {status}",
                      [] if status == 0 else [worker.stderr.read().strip()]))
        worker = None
        cases += query_cases(postgres, query)
    except (RuntimeError, subprocess.SubprocessError, OSError) as error:
        cases.append(("the worker and the query ran", [str(error)]))
    finally:
        if worker is not None:
            worker.kill()
            worker.wait()
        postgres.stop()
        shutil.rmtree(data_dir, ignore_errors=True)

    tap.report(cases)


if __name__ == "__main__":
    main()
