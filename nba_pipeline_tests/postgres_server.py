"""A throwaway PostgreSQL server for tests: its own data folder and port, stopped and deleted after.

Tests that need a real Postgres (the production Dagster instance, a staging run) start one with
:func:`throwaway_postgres` (or the session fixture ``postgres_server`` in conftest.py). The server
runs the installed PostgreSQL binaries (PATH, then /usr/lib/postgresql/*/bin); PostgreSQL refuses to
run as root, so under root it runs as the ``postgres`` OS user. The bootstrap superuser is reached
over a unix socket in the server's own folder (trust, nobody else can reach that folder); clients
connect over TCP on 127.0.0.1 with a password (scram-sha-256), as a production client would.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from nba_pipeline_tests.harness import free_port

# What the Dagster instance config (deploy/dagster.yaml) reads its connection from.
PG_ENV_VARS = ("DAGSTER_PG_HOST", "DAGSTER_PG_PORT", "DAGSTER_PG_USERNAME", "DAGSTER_PG_PASSWORD", "DAGSTER_PG_DB")

_SERVER_BINARIES = ("initdb", "pg_ctl", "postgres")
_START_TIMEOUT_SECONDS = 30
_RUN_AS_WHEN_ROOT = "postgres"
_SUPERUSER = "postgres"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine (the only reason to skip a Postgres test)."""


class PostgresStartError(RuntimeError):
    """The server was found but did not start or answer; the message carries the server log."""


def find_server_bin_dir() -> Path:
    """The folder holding initdb, pg_ctl and postgres: the one on PATH first (resolved through the
    Debian wrapper symlinks), else the newest /usr/lib/postgresql/<version>/bin."""
    on_path = shutil.which("initdb")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted(
        (Path(p) for p in versions),
        key=lambda p: [int(x) for x in re.findall(r"\d+", p.parent.name)] or [0],
        reverse=True,
    )
    for d in candidates:
        if all(os.access(d / b, os.X_OK) for b in _SERVER_BINARIES):
            return d
    raise PostgresUnavailable(
        "no PostgreSQL server binaries (initdb, pg_ctl, postgres) on PATH or in /usr/lib/postgresql/*/bin"
    )


@dataclass(frozen=True)
class PostgresServer:
    """A running server and the password user tests connect as."""

    bin_dir: Path
    root: Path  # data folder, socket and log live under it
    port: int
    user: str
    password: str
    database: str
    host: str = "127.0.0.1"

    @property
    def log_path(self) -> Path:
        return self.root / "server.log"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    def logins(self, database: str) -> int:
        """Password logins of the test user to ``database`` so far (from the server log)."""
        return _tail(self.log_path, chars=None).count(f"connection authorized: user={self.user} database={database}")

    def dagster_env(self, database: str | None = None) -> dict[str, str]:
        """The environment the production dagster.yaml reads (DAGSTER_PG_*), for ``database``
        (default: the server's own test database)."""
        return dict(zip(PG_ENV_VARS, (self.host, str(self.port), self.user, self.password, database or self.database)))

    def connect(self, database: str | None = None):
        """A psycopg2 connection as the test user over TCP (the way Dagster connects)."""
        import psycopg2

        return psycopg2.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=database or self.database,
            connect_timeout=10,
        )

    def create_database(self, name: str) -> dict[str, str]:
        """A fresh database owned by the test user (one per test module keeps their instances
        apart on one server); returns its DAGSTER_PG_* environment."""
        _superuser_sql(self, f"CREATE DATABASE {_ident(name)} OWNER {_ident(self.user)}")
        return self.dagster_env(name)


def _ident(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"{name!r} is not a plain lower-case SQL identifier")
    return name


def _superuser_sql(server: PostgresServer, statement: str, params: tuple = ()) -> None:
    import psycopg2

    conn = psycopg2.connect(
        host=str(server.socket_dir), port=server.port, user=_SUPERUSER, dbname="postgres", connect_timeout=10
    )
    try:
        conn.autocommit = True  # CREATE DATABASE cannot run inside a transaction
        with conn.cursor() as cur:
            cur.execute(statement, params or None)
    finally:
        conn.close()


def _as_server_user() -> tuple[list[str], pwd.struct_passwd | None]:
    """The command prefix that runs a server binary as a non-root user, and that user (None: us)."""
    if os.geteuid() != 0:
        return [], None
    try:
        account = pwd.getpwnam(_RUN_AS_WHEN_ROOT)
    except KeyError:
        raise PostgresStartError(
            f"running as root, and PostgreSQL refuses to run as root; there is no "
            f"{_RUN_AS_WHEN_ROOT!r} OS user to run it as"
        ) from None
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PostgresStartError(
            "running as root, and PostgreSQL refuses to run as root; runuser (util-linux) "
            f"is not on PATH to run it as {_RUN_AS_WHEN_ROOT!r}"
        )
    return [runuser, "-u", account.pw_name, "--"], account


def _run(prefix: list[str], args: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess:
    # The server binaries resolve their own paths from the working directory, which must be
    # readable by the server user (the repository checkout may not be).
    return subprocess.run(
        [*prefix, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env={**os.environ, "LC_ALL": "C"}
    )


def _tail(path: Path, chars: int | None = 4000) -> str:
    try:
        text = path.read_text(errors="replace")
        return text[-chars:] if chars else text
    except OSError:
        return "(no server log)"


def _setup_user(server: PostgresServer) -> None:
    import psycopg2

    try:
        _superuser_sql(server, f"CREATE ROLE {_ident(server.user)} LOGIN PASSWORD %s", (server.password,))
        _superuser_sql(server, f"CREATE DATABASE {_ident(server.database)} OWNER {_ident(server.user)}")
    except psycopg2.Error as exc:
        raise PostgresStartError(
            f"PostgreSQL started but creating {server.user} and {server.database} failed: "
            f"{exc}\n--- server log ({server.log_path}) ---\n{_tail(server.log_path)}"
        ) from exc


def _wait_ready(server: PostgresServer, timeout: float) -> None:
    """Until the server accepts the test user's password login over TCP (pg_ctl -w only knows the
    postmaster is up), bounded by ``timeout``."""
    import psycopg2

    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            server.connect().close()
            return
        except psycopg2.OperationalError as exc:
            last = exc
            time.sleep(0.1)
    raise PostgresStartError(
        f"PostgreSQL on 127.0.0.1:{server.port} did not accept a login within "
        f"{timeout:.0f} s: {last}\n--- server log ({server.log_path}) ---\n"
        f"{_tail(server.log_path)}"
    )


@contextmanager
def throwaway_postgres(database: str = "nba_pipeline_test", user: str = "nba_pipeline") -> Iterator[PostgresServer]:
    """Start a PostgreSQL server in a new temporary folder on a free port, with ``user`` (a random
    password holding URL-reserved characters, as real passwords do) owning ``database``; stop it
    (``pg_ctl stop -m fast``) and delete the folder afterwards, also when starting it failed."""
    bin_dir = find_server_bin_dir()
    prefix, account = _as_server_user()
    # Not under pytest's tmp folder: that one is private to the current user (0700).
    root = Path(tempfile.mkdtemp(prefix="nba-pg-"))
    started = False
    data = root / "data"
    try:
        (root / "socket").mkdir()
        if account is not None:
            for p in (root, root / "socket"):
                os.chown(p, account.pw_uid, account.pw_gid)
        init = _run(
            prefix,
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                _SUPERUSER,
                "--encoding=UTF8",
                "--locale=C",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--no-sync",
            ],
            cwd=root,
            timeout=120,
        )
        if init.returncode != 0:
            raise PostgresStartError(
                f"initdb failed in {data} (exit {init.returncode}):\n{init.stdout[-2000:]}{init.stderr[-2000:]}"
            )
        for attempt in range(3):  # another process may take the free port before the server binds it
            port = free_port()
            server = PostgresServer(
                bin_dir=bin_dir,
                root=root,
                port=port,
                user=user,
                password=f"{secrets.token_urlsafe(12)}@:/%?#",
                database=database,
            )
            # Durability is not what these tests are about: a throwaway server need not fsync. Each
            # login is logged, so a test can count the connections a client opened.
            options = (
                f"-p {port} -k {server.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c log_connections=on"
            )
            start = _run(
                prefix,
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(server.log_path),
                    "-w",
                    "-t",
                    str(_START_TIMEOUT_SECONDS),
                    "-o",
                    options,
                    "start",
                ],
                cwd=root,
                timeout=_START_TIMEOUT_SECONDS + 10,
            )
            if start.returncode == 0:
                started = True
                break
            if "already in use" not in _tail(server.log_path) or attempt == 2:
                raise PostgresStartError(
                    f"pg_ctl start failed (exit {start.returncode}): {start.stderr.strip()}"
                    f"\n--- server log ({server.log_path}) ---\n{_tail(server.log_path)}"
                )
        _setup_user(server)
        _wait_ready(server, _START_TIMEOUT_SECONDS)
        yield server
    finally:
        if started:
            stop = _run(
                prefix, [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], cwd=root, timeout=60
            )
            if stop.returncode != 0:
                _run(
                    prefix,
                    [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                    cwd=root,
                    timeout=60,
                )
        shutil.rmtree(root, ignore_errors=True)
