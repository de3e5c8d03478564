"""The benchmark's PostgreSQL databases: each scale built once and kept as a template database,
named by a fingerprint of what built it (the builder, the demo, the test kit's review helpers and
the migrations), and a throwaway copy of it for each run.

A second run with nothing changed copies the templates in seconds instead of building again; a
change to any fingerprinted file builds anew and drops the templates of older fingerprints.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
PREFIX = "casework_bench_"
FINGERPRINTED = (
    "scripts/bench_data.py",
    "scripts/bench_volume.py",
    "tests/support/reviews.py",
    "casework/demo/*.py",
    "migrations/versions/*.py",
)
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "casework-bench"


def fingerprint() -> str:
    digest = hashlib.sha256()
    for pattern in FINGERPRINTED:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def on_server(server: str, name: str) -> str:
    """The URL of database ``name`` on the server ``server`` names."""
    return f"{server.rsplit('/', 1)[0]}/{name}"


def _run(server: str, *statements: str) -> None:
    with psycopg.connect(server, autocommit=True, connect_timeout=10) as connection:
        for statement in statements:
            connection.execute(statement)  # type: ignore[arg-type]


def _existing(server: str) -> set[str]:
    with psycopg.connect(server, autocommit=True, connect_timeout=10) as connection:
        rows = connection.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (PREFIX + "%",))
        return {name for (name,) in rows}


@dataclass(frozen=True)
class Built:
    """A scale's template database and the folder of the files its documents point at."""

    scale: str
    name: str
    uploads: Path
    rebuilt: bool


def _template(scale: str, key: str) -> str:
    return f"{PREFIX}{scale.lower()}_{key}"


def ensure_built(server: str, scales: list[str], rebuild: bool = False, factor: float = 10) -> list[Built]:
    """The template database of each scale, building the missing ones side by side (one process
    each, so the two cores build two scales at once)."""
    key = fingerprint()
    existing = _existing(server)
    wanted = {scale: _template(scale, key) for scale in scales}
    stale = {
        name
        for name in existing
        if any(name.startswith(f"{PREFIX}{scale.lower()}_") for scale in scales)
        and name not in wanted.values()
        and "_run_" not in name
    }
    if rebuild:
        stale |= set(wanted.values()) & existing
    _run(server, *(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in sorted(stale)))
    for name in stale:
        shutil.rmtree(CACHE / name, ignore_errors=True)  # the files of its documents
    existing -= stale
    building = {}
    for scale, name in wanted.items():
        if name in existing:
            continue
        scratch = f"{name}_building"
        _run(server, f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)', f'CREATE DATABASE "{scratch}"')
        command = [
            sys.executable,
            str(ROOT / "scripts" / "bench.py"),
            "--build",
            scale,
            on_server(server, scratch),
        ]
        command += ["--uploads", str(CACHE / name / "uploads"), "--factor", str(factor)]
        print(f"Building {scale} into {scratch} (kept as {name} for later runs)", flush=True)
        building[scale] = (scratch, name, subprocess.Popen(command, cwd=ROOT))  # noqa: S603
    for scale, (scratch, name, process) in building.items():
        if process.wait() != 0:
            _run(server, f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
            raise SystemExit(f"Building {scale} failed")
        _run(server, f'ALTER DATABASE "{scratch}" RENAME TO "{name}"')
    return [Built(scale, name, CACHE / name / "uploads", scale in building) for scale, name in wanted.items()]


@contextmanager
def working_copy(server: str, built: Built) -> Iterator[str]:
    """A copy of the template for one run (pages write audit rows, the daily pass its reminders),
    vacuumed and analysed as a live database is by autovacuum, dropped afterwards."""
    name = f"{built.name}_run_{os.getpid()}"
    _run(server, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}" TEMPLATE "{built.name}"')
    try:
        _settle(on_server(server, name))
        yield on_server(server, name)
    finally:
        _run(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _settle(url: str) -> None:
    """The planner's statistics and the visibility map, as autovacuum keeps them on a live server.
    A copied database starts with no activity counted, so autovacuum (where it runs at all) would
    never analyse it: every page would be planned without knowing how many rows a table holds,
    and no index could answer a count on its own. The checkpoint then writes out what the vacuum
    dirtied, so the server does not flush it while the first pages are being timed."""
    _run(url, "VACUUM (ANALYZE)", "CHECKPOINT")
