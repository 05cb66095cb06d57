"""What the tests of deploy/container and deploy/compose.yaml share: TAP
output (tests/tap.py), the Docker engine they need, the images they build."""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import Tap  # noqa: E402,F401  (the deploy tests' TAP)

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(TOP, "deploy", "container", "build")


def run(args, timeout=120, env=None, check=False):
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                            env=dict(os.environ, **(env or {})))
    if check and result.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (" ".join(args[:3]), result.returncode,
                                                 (result.stderr or result.stdout).strip()[-800:]))
    return result


def engine_problem():
    """Why no image can run here, or None.  A skipped check is no check: the
    set-up step (.ci/setup) installs docker.io and starts the engine."""
    for tool, package in (("docker", "docker.io"), ("docker-compose", "docker-compose"),
                          ("debootstrap", "debootstrap"), ("ffprobe", "ffmpeg")):
        if shutil.which(tool) is None:
            return "%s is missing (install Debian's %s; .ci/setup does)" % (tool, package)
    if os.geteuid() != 0:
        return "the images are built as root (debootstrap, chroot)"
    if run(["docker", "info"], timeout=30).returncode != 0:
        return "no Docker engine answers (start dockerd; .ci/setup does)"
    return None


def h264_problems(path, width, height, min_frames):
    """What ffprobe finds wrong with a recording: not H.264 of WIDTHxHEIGHT
    with at least MIN_FRAMES frames decoded; and the frames it decoded."""
    result = run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                  "-show_entries", "stream=codec_name,width,height,nb_read_frames",
                  "-of", "json", path])
    streams = json.loads(result.stdout or "{}").get("streams") if result.returncode == 0 else None
    if not streams:
        return ["ffprobe cannot read %s: %s" % (os.path.basename(path),
                                                result.stderr.strip()[-300:])], 0
    stream = streams[0]
    frames = int(stream.get("nb_read_frames", 0))
    if (stream.get("codec_name"), stream.get("width"), stream.get("height")) \
            != ("h264", width, height) or frames < min_frames:
        return ["%s: %s" % (os.path.basename(path), stream)], frames
    return [], frames


def build_images(services=False):
    """deploy/container/build (its base reused when made before): the
    seconds it took."""
    start = time.monotonic()
    run([BUILD] + (["--services"] if services else []), timeout=1500, check=True)
    return time.monotonic() - start


def image_version():
    with open(os.path.join(TOP, "meson.build")) as build:
        for line in build:
            if line.startswith("  version: '"):
                return line.split("'")[1]
    raise RuntimeError("no version in meson.build")
