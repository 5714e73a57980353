"""Helpers shared by the bench scripts: machine line, load average, throw-away databases, servers, sections."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
SECRET = "bench-secret-key-not-for-production"


def postgres_admin_url() -> str:
    """Where throw-away PostgreSQL databases are created (BENCH_POSTGRES_URL, TEST_POSTGRES_URL or the default)."""
    return os.environ.get("BENCH_POSTGRES_URL", os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))


def machine() -> str:
    """nproc, CPU model, Python version and OS."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}"


def load_average() -> str:
    """The 1/5/15-minute load average with the core count."""
    return ", ".join(f"{value:.1f}" for value in os.getloadavg()) + f" (1/5/15 min, {os.cpu_count()} cores)"


def now_utc() -> str:
    """The date line of a section."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def command_line(script: str, argv: Sequence[str] | None) -> str:
    """The exact command that produced a table."""
    args = list(argv if argv is not None else sys.argv[1:])
    # Notes are printed under the table: the command shows where they went, not their text again.
    for index, value in enumerate(args[:-1]):
        if value in ("--notes", "--reads-notes"):
            args[index + 1] = '"<the notes under the table>"'
    return " ".join(["python", script, *args]).strip()


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values (0 for none)."""
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values) + 0.5) - 1))
    return float(sorted_values[index])


def write_section(path: Path, name: str, body: str) -> None:
    """Replace (or append) the ``<!-- bench:NAME -->`` section of ``path`` with ``body`` (markers added here)."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    section = f"{start}\n{body.rstrip()}\n{end}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.S)
    text = pattern.sub(lambda _m: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]], right_from: int = 1) -> list[str]:
    """A markdown table; columns from ``right_from`` on are right-aligned."""
    align = ["---" if i < right_from else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def print_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain-text table on stdout."""
    widths = [
        max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(h) for i, h in enumerate(header)
    ]
    print("  ".join(str(h).rjust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(str(c).rjust(w) for c, w in zip(row, widths, strict=True)), flush=True)


def postgres_reachable(admin_url: str) -> bool:
    """True when the PostgreSQL server answers (a message on stderr otherwise)."""
    import psycopg

    try:
        psycopg.connect(psycopg_url(admin_url), connect_timeout=3).close()
        return True
    except Exception as exc:
        print(f"PostgreSQL not reachable at {admin_url} ({exc}); skipping it", file=sys.stderr)
        return False


def psycopg_url(url: str) -> str:
    """The URL psycopg accepts (no SQLAlchemy driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def throwaway_database(kind: str, admin_url: str | None = None) -> Iterator[str]:
    """The URL of a fresh empty database: a SQLite file in a temporary directory, or a PostgreSQL database."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="communitylab-bench-") as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    import psycopg

    admin = admin_url or postgres_admin_url()
    name = f"communitylab_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(psycopg_url(admin), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(psycopg_url(admin), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_version(url: str) -> str:
    """``SQLite 3.x`` or ``PostgreSQL 15.x`` of the database behind ``url``."""
    from shared.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                return "SQLite " + str(conn.exec_driver_sql("select sqlite_version()").scalar_one())
            return "PostgreSQL " + str(conn.exec_driver_sql("show server_version").scalar_one()).split()[0]
    finally:
        engine.dispose()


def free_port() -> int:
    """A TCP port nobody listens on right now on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a service process on ``database_url``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMUNITYLAB_")}
    env.update(
        COMMUNITYLAB_DATABASE_URL=database_url,
        COMMUNITYLAB_SECRET_KEY=SECRET,
        COMMUNITYLAB_ENVIRONMENT="test",
        COMMUNITYLAB_LOG_JSON="true",
    )
    env.update(extra)
    return env


class Server:
    """One real uvicorn process on loopback (SIGKILLed by ``stop``, whatever happens)."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], port: int) -> None:
        self.name = name
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log = tempfile.NamedTemporaryFile(prefix=f"bench-{name}-", suffix=".log", delete=False)  # noqa: SIM115
        # A session of its own: ``stop`` kills the whole group, uvicorn's worker processes (--workers N) too.
        self.process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        """The server's process id."""
        return self.process.pid

    def wait_ready(self, path: str = "/healthz", timeout: float = 60.0) -> None:
        """Poll ``path`` until it answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {Path(self.log.name).read_text()[-2000:]}")
            try:
                if httpx.get(self.base_url + path, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(
            f"{self.name} not ready after {timeout:.0f} s: {Path(self.log.name).read_text()[-2000:]}"
        )

    def peak_rss_mb(self) -> float:
        """VmHWM (peak resident set) of the process, in MB."""
        return memory_mb(self.pid)["VmHWM"]

    def stop(self) -> None:
        """SIGKILL the process (and the workers it spawned) and remove its log."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process from /proc/<pid>/status, in MB."""
    values: dict[str, float] = {"VmRSS": 0.0, "VmHWM": 0.0}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in values:
            values[key] = int(rest.split()[0]) / 1024
    return values


def start_service(service: str, env: dict[str, str], *, workers: int = 1) -> Server:
    """``communitylab serve <service>`` on a free loopback port (``--workers`` uvicorn worker processes)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "services.cli",
        "serve",
        service,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    return Server(service if workers == 1 else f"{service}-x{workers}", command, env, port)


def load_generator_module() -> Any:
    """bench/generate.py as a module."""
    import importlib.util

    name = "communitylab_bench_generate"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def admin_key(database_url: str) -> str:
    """A new regional_admin key on ``database_url`` (the bench servers' secret)."""
    from shared.auth.keys import create_key
    from shared.auth.principal import Role
    from shared.db import Database

    database = Database.from_url(database_url)
    try:
        with database.transaction() as session:
            return create_key(
                session.connection(), secret=SECRET, role=Role.REGIONAL_ADMIN, label="bench"
            ).key
    finally:
        database.dispose()
