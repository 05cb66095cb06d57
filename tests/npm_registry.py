"""Package tarballs from the npm registry, for the fetch scripts of tests'
fixtures (tests/real-sdk/fetch, tests/deploy/k8s-schemas/fetch): each is
checked against the sha512 integrity its caller pins, so what is kept is
exactly what was pinned, whoever served it."""
import base64
import hashlib
import io
import os
import ssl
import sys
import tarfile
import time
import urllib.request

REGISTRY = os.environ.get("npm_config_registry", "https://registry.npmjs.org").rstrip("/")


def tarball_url(name, version):
    """Where the registry keeps NAME@VERSION (@scope/name included)."""
    return f"{REGISTRY}/{name}/-/{name.split('/')[-1]}-{version}.tgz"


def integrity_of(data):
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def untrusted_certificate(error):
    reason = getattr(error, "reason", error)
    return isinstance(reason, ssl.SSLCertVerificationError)


# Set once a certificate was not trusted, for the downloads after it.
_unverified = None


def download(url, integrity, max_bytes):
    """The bytes at URL, at most MAX_BYTES, whose integrity is INTEGRITY;
    RuntimeError otherwise.  Three tries."""
    global _unverified
    context = _unverified
    for attempt in range(3):
        try:
            with urllib.request.urlopen(url, timeout=60, context=context) as response:
                data = response.read(max_bytes + 1)
            break
        except OSError as error:
            if context is None and untrusted_certificate(error):
                # A TLS-inspecting proxy whose certificate authority this
                # machine lacks (a fresh CI root): what is downloaded is
                # checked against the pinned sha512 anyway, as npm does.
                print(f"fetch: {url}: certificate not trusted here ({error}); fetching "
                      "without TLS verification, the pinned integrity decides", file=sys.stderr)
                context = _unverified = ssl._create_unverified_context()
                continue
            if attempt == 2:
                raise RuntimeError(f"{url}: {error}") from error
            time.sleep(2 * (attempt + 1))
    else:
        raise RuntimeError(f"{url}: not fetched")
    if len(data) > max_bytes:
        raise RuntimeError(f"{url}: larger than {max_bytes} bytes")
    got = integrity_of(data)
    if got != integrity:
        raise RuntimeError(f"{url}: integrity {got} is not the pinned {integrity}")
    return data


def package_files(data, under=""):
    """{path: bytes} of the regular files of a package tarball (its top
    folder, `package/` as npm packs it, taken away), only those UNDER a
    folder of it (such as "lib/"), named from there; RuntimeError for a path
    that leaves the package."""
    files = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in archive.getmembers():
            parts = member.name.split("/", 1)
            if len(parts) < 2 or not member.isfile():
                continue
            if parts[1].startswith("/") or ".." in parts[1].split("/"):
                raise RuntimeError(f"{member.name}: a path outside the package")
            if parts[1].startswith(under):
                files[parts[1][len(under):]] = archive.extractfile(member).read()
    return files
