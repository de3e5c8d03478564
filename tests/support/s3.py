"""A real S3-compatible server on loopback for the storage tests: SeaweedFS (``weed``, installed
from PyPI with the project), started once per test process on free ports and stopped after;
started when the run begins if a collected test needs it (it takes seconds to answer).
``CASEWORK_TEST_S3_ENDPOINT`` names a server already running instead."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ACCESS_KEY, SECRET_KEY, REGION = "casework-test", "casework-test-secret", "us-east-1"
GRPC_OFFSET = 10000  # each SeaweedFS part also listens on its port + 10000
START_SECONDS = 60


def weed_binary() -> str:
    beside_python = Path(sys.executable).with_name("weed")
    found = str(beside_python) if beside_python.exists() else shutil.which("weed")
    if found is None:
        raise RuntimeError("SeaweedFS (weed) is missing: run make install")
    return found


def _free_ports(count: int) -> list[int]:
    """Ports free on loopback, with their gRPC twins (port + 10000) free too."""
    ports: list[int] = []
    while len(ports) < count:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port + GRPC_OFFSET > 65535 or port in ports:
            continue
        with socket.socket() as twin:
            try:
                twin.bind(("127.0.0.1", port + GRPC_OFFSET))
            except OSError:
                continue
        ports.append(port)
    return ports


def _ready(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(endpoint, timeout=1):  # noqa: S310 (our own loopback server)
            return True
    except urllib.error.HTTPError:
        return True  # it answers: an S3 error page is an answer
    except OSError:
        return False


@dataclass
class _Server:
    process: subprocess.Popen[bytes]
    endpoint: str
    folder: Path
    log: IO[bytes]


_early: list[_Server] = []  # started ahead of the first test that needs it, not yet handed out


def start_early() -> None:
    """Start the server now without waiting for it: SeaweedFS takes seconds to answer, spent
    waiting; started when the run begins, it is ready when the first test asks for it."""
    if not _early and not os.environ.get("CASEWORK_TEST_S3_ENDPOINT"):
        _early.append(_start())


def stop_early() -> None:
    """Stop a server started early that no test asked for."""
    while _early:
        _stop(_early.pop())


@contextmanager
def seaweedfs() -> Iterator[str]:
    """The endpoint of an S3 server that lives as long as the block."""
    given = os.environ.get("CASEWORK_TEST_S3_ENDPOINT")
    if given:
        yield given
        return
    server = _early.pop() if _early else _start()
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _ready(server.endpoint):
            if server.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"SeaweedFS did not start; see {server.folder / 'weed.log'}")
            time.sleep(0.1)
        yield server.endpoint
    finally:
        _stop(server)


def _start() -> _Server:
    master, volume, filer, s3 = _free_ports(4)
    folder = Path(tempfile.mkdtemp(prefix="casework-s3-"))
    log = (folder / "weed.log").open("wb")
    process = subprocess.Popen(
        [
            weed_binary(),
            "server",
            f"-dir={folder}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={master}",
            f"-volume.port={volume}",
            f"-filer.port={filer}",
            "-s3",
            f"-s3.port={s3}",
            "-s3.port.iceberg=0",  # no catalogs on fixed ports: two test processes run side by side
            "-s3.port.lance=0",
            "-master.telemetry=false",
            "-volume.max=10",
            "-master.volumeSizeLimitMB=64",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=folder,
    )
    return _Server(process, f"http://127.0.0.1:{s3}", folder, log)


def _stop(server: _Server) -> None:
    # Killed, not stopped: a graceful stop takes SeaweedFS some 25 seconds, and its data is
    # thrown away with the folder below.
    server.process.kill()
    server.process.wait()
    server.log.close()
    shutil.rmtree(server.folder, ignore_errors=True)
