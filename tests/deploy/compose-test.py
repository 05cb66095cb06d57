#!/usr/bin/env python3
"""deploy/compose.yaml run for real: PostgreSQL, three workers, HAProxy,
Prometheus and the page server up; a room recorded through HAProxy; its
worker's container killed (`docker kill`) and the room recording again on
another, its file listed and served through HAProxy and playing; Prometheus
seeing the worker down; everything torn down.  TAP.

Usage: compose-test.py
"""
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import docker_support as ds  # noqa: E402

CASES = 6
COMPOSE = os.path.join(ds.TOP, "deploy", "compose.yaml")
LEASE_TTL = 3
ROOM = "/edu/apps/compose-app/v2/rooms/compose-room"
WAIT = 120


class Cluster:
    def __init__(self):
        self.project = "recordhost-compose-test-%d" % os.getpid()
        self.token = secrets.token_hex(16)
        self.env = {
            "RECORDHOST_CLOUD_TOKEN": self.token,
            "RECORDHOST_DB_PASSWORD": secrets.token_hex(16),
            "RECORDHOST_PORT": "",             # any free port
            "RECORDHOST_PROMETHEUS_PORT": "",
            "RECORDHOST_LEASE_TTL": str(LEASE_TTL),
        }
        self.api = self.prometheus = None
        self.calls = {}

    def compose(self, *args, timeout=300, check=True):
        return ds.run(["docker-compose", "-p", self.project, "-f", COMPOSE, *args],
                      timeout=timeout, env=self.env, check=check)

    def published(self, service, port):
        address = self.compose("port", service, str(port)).stdout.strip()
        return "http://localhost:%s" % address.rsplit(":", 1)[1]

    def call(self, method, path, body=None, base=None, token=True):
        """(status, JSON) of a call; each status counted."""
        request = urllib.request.Request((base or self.api) + path, method=method,
                                         data=None if body is None else json.dumps(body).encode())
        if body is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("x-agora-token", self.token)
        try:
            with urllib.request.urlopen(request, timeout=15) as reply:
                status, text = reply.status, reply.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        except (urllib.error.URLError, OSError) as error:
            status, text = 0, json.dumps({"error": str(error)}).encode()
        self.calls[status] = self.calls.get(status, 0) + 1
        try:
            return status, json.loads(text)
        except ValueError:
            return status, {"text": text.decode(errors="replace")[:200]}

    def wait(self, what, probe, seconds=WAIT):
        deadline = time.monotonic() + seconds
        last = None
        while time.monotonic() < deadline:
            last = probe()
            if last[0]:
                return last[1]
            time.sleep(0.25)
        raise TimeoutError("%s: not within %d s (last: %s)" % (what, seconds, last[1]))

    def reasons(self):
        status, reply = self.call("GET", ROOM + "/sequences?nextId=0&cmd=1001")
        if status != 200:
            return None
        return [event["data"]["reason"] for event in reply["data"]["list"]]

    def records(self):
        status, reply = self.call("GET", ROOM + "/records")
        return reply["data"]["list"] if status == 200 else []

    def up_metric(self):
        status, reply = self.call("GET", "/api/v1/query?query=up%7Bjob%3D%22recordhost%22%7D",
                                  base=self.prometheus, token=False)
        if status != 200:
            return {}
        return {sample["metric"]["instance"].split(":")[0]: sample["value"][1]
                for sample in reply["data"]["result"]}


def case_up(cluster):
    cluster.compose("up", "-d")
    cluster.api = cluster.published("haproxy", 8440)
    cluster.prometheus = cluster.published("prometheus", 9090)

    def three_workers():
        status, reply = cluster.call("GET", "/health/ready")
        workers = reply.get("data", {}).get("cluster", {}).get("workers") if status == 200 else None
        return workers == 3, (status, workers)
    cluster.wait("three ready workers behind HAProxy", three_workers, 180)
    return []


def case_record(cluster):
    """Recording through HAProxy, on one of the workers."""
    status, reply = cluster.call("POST", ROOM, {"roomName": "compose", "roomType": 4})
    if status != 200:
        return ["create: %d %s" % (status, reply)]
    status, reply = cluster.call("PUT", ROOM + "/records/states/1", {
        "mode": "web", "retryTimeout": 30,
        "webRecordConfig": {"rootUrl": "http://pages:8080/record_page.html", "onHold": False,
                            "videoWidth": 640, "videoHeight": 480}})
    if status != 200:
        return ["start: %d %s" % (status, reply)]
    cluster.wait("reason 1", lambda: (cluster.reasons() == [1], cluster.reasons()))
    return []


def owner_of(cluster):
    records = cluster.records()
    return records[-1].get("worker") if records else None


def case_kill(cluster):
    owner = cluster.wait("an owner", lambda: (owner_of(cluster) is not None, owner_of(cluster)))
    container = cluster.compose("ps", "-q", owner).stdout.strip()
    calls_before = dict(cluster.calls)
    killed = time.monotonic()
    ds.run(["docker", "kill", container], check=True)
    cluster.wait("reasons 1,4,3", lambda: (cluster.reasons() == [1, 4, 3], cluster.reasons()))
    took = time.monotonic() - killed
    taker = owner_of(cluster)
    cluster.note = "killed %s; recording again on %s %.2f s later" % (owner, taker, took)
    problems = []
    if taker == owner:
        problems.append("the room went back to %s, not to another worker" % owner)
    # Through HAProxy, every call after the kill was answered: the dead
    # worker's calls went to another (retry-on, redispatch).
    failed = {status: count - calls_before.get(status, 0)
              for status, count in cluster.calls.items()
              if status != 200 and count != calls_before.get(status, 0)}
    if failed:
        problems.append("calls through HAProxy after the kill not answered 200: %s" % failed)
    cluster.killed = owner
    return problems


def case_prometheus(cluster):
    """Every worker scraped with the token; the killed one down, the
    others up; the alert rules loaded and RecordhostWorkerDown under way."""
    def down():
        up = cluster.up_metric()
        want = {worker: ("0" if worker == cluster.killed else "1") for worker in ("w1", "w2", "w3")}
        return up == want, up
    cluster.wait("up{job=recordhost} with %s down" % cluster.killed, down, 60)

    def alerting():
        status, reply = cluster.call("GET", "/api/v1/alerts", base=cluster.prometheus, token=False)
        alerts = reply.get("data", {}).get("alerts", []) if status == 200 else []
        names = [(alert["labels"]["alertname"], alert["state"]) for alert in alerts]
        return any(name == "RecordhostWorkerDown" for name, _ in names), names
    cluster.wait("RecordhostWorkerDown pending or firing", alerting, 60)
    return []


def case_stop(cluster):
    status, reply = cluster.call("PUT", ROOM + "/records/states/0")
    if status != 200:
        return ["stop: %d %s" % (status, reply)]
    cluster.wait("reasons 1,4,3,2", lambda: (cluster.reasons() == [1, 4, 3, 2], cluster.reasons()))
    # The workers share their recordings' volume: whichever HAProxy asks
    # lists the file as written and serves it.
    problems = []
    for _ in range(3):
        last = cluster.records()[-1]
        if last.get("fileState") != "written" or not last.get("files"):
            problems.append("%s: %s %s" % (last.get("worker"), last.get("fileState"),
                                           last.get("files")))
    if problems:
        return ["the record's file through HAProxy: %s" % "; ".join(problems)]
    download = last["files"][0]["download"]
    request = urllib.request.Request(cluster.api + download,
                                     headers={"x-agora-token": cluster.token})
    with tempfile.TemporaryDirectory() as out:
        copy = os.path.join(out, "taken-over.mp4")
        with urllib.request.urlopen(request, timeout=30) as reply, open(copy, "wb") as f:
            f.write(reply.read())
        problems, frames = ds.h264_problems(copy, 640, 480, 1)
    if problems:
        return ["%s through HAProxy: %s" % (download, "; ".join(problems))]
    cluster.note = "%s's file: %d frames" % (last.get("worker"), frames)
    return []


def case_down(cluster):
    cluster.compose("down", "-v", "--timeout", "30")
    left = ds.run(["docker", "ps", "-aq", "--filter",
                   "label=com.docker.compose.project=%s" % cluster.project]).stdout.split()
    volumes = ds.run(["docker", "volume", "ls", "-q", "--filter",
                      "label=com.docker.compose.project=%s" % cluster.project]).stdout.split()
    return ["left behind: %d containers, %d volumes" % (len(left), len(volumes))] \
        if left or volumes else []


def main():
    tap = ds.Tap(CASES)
    problem = ds.engine_problem()
    if problem:
        tap.bail(problem)
    try:
        tap.note("deploy/container/build --services took %.1f s" % ds.build_images(services=True))
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        tap.bail("deploy/container/build failed: %s" % error)

    cluster = Cluster()
    # Torn down however the test ends (meson's timeout sends SIGTERM).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        for name, case in (("/compose/up", case_up), ("/compose/record", case_record),
                           ("/compose/kill-worker", case_kill),
                           ("/compose/prometheus", case_prometheus),
                           ("/compose/stop", case_stop)):
            try:
                tap.case(name, case(cluster))
            except (TimeoutError, RuntimeError, subprocess.TimeoutExpired, KeyError) as error:
                tap.case(name, [str(error)])
                logs = cluster.compose("logs", "--no-color", "--tail", "15", check=False)
                for line in logs.stdout.strip().split("\n")[-60:]:
                    tap.note(line)
                break
            if getattr(cluster, "note", None):
                tap.note(cluster.note)
                cluster.note = None
        tap.note("calls through HAProxy by status: %s" % cluster.calls)
    finally:
        if tap.number < CASES - 1:
            tap.note("the cases after the failed one did not run")
            while tap.number < CASES - 1:
                tap.case("not run", ["a case before failed"])
        tap.case("/compose/down", case_down(cluster))
    tap.exit()


if __name__ == "__main__":
    main()
