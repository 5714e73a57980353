"""HTTP load on loopback: the workshops service in real uvicorn processes against a minimal FastAPI "hello" app.

For each database (a throw-away SQLite file and a throw-away PostgreSQL database on ``BENCH_POSTGRES_URL``,
default ``postgresql://postgres@127.0.0.1:5432/test``), the script migrates, generates a small region with
``bench/generate.py`` (the services' own code), starts ``communitylab serve`` for registry, workshops and
reporting plus a "hello" app (one uvicorn worker each, uvloop + httptools as installed), and runs wrk (a C load
generator; installed from Debian's packages when missing) at 1, 10 and 50 concurrent keep-alive connections against:

- ``hello``        ``GET /hello`` of a bare FastAPI app (the framework's ceiling on this machine, same run);
- ``get_process``  ``GET /processes/{id}`` (read);
- ``list``         ``GET /processes?limit=50`` (list);
- ``get_district`` ``GET /districts/{id}`` on the registry (read, API key);
- ``dashboard``    ``GET /dashboard`` on reporting, anonymous (the public page, from the page cache);
- ``register``     ``POST /workshops/{id}/registrations`` an anonymous group (write: a row and an event);
- ``registry`` / ``reporting`` at 10 connections (``GET /districts``, ``GET /processes/{id}/timeline``), so
  every service's memory is measured under load.

``--workers N`` also starts a second workshops server with N uvicorn worker processes (``communitylab serve
--workers N``) and measures the workshops reads (``get_process``, ``list``) at 10 and 50 connections on both servers
in the same run, in the order one, N, N, one, so a drifting load average weighs on both alike; the ratio of their
mean req/s is printed against issue 18's target (2 workers >= 1.6x one). ``--only-workers`` skips the other cells
and, with ``--markdown``, writes only the ``workers`` section.

With wrk (the default) each cell lasts ``--seconds``; ``--client raw`` (asyncio sockets) or ``--client httpx``
bound a cell by ``--requests`` and ``--seconds`` and also measure both clients on ``hello`` at 10 connections.
Every issue-18 target is printed as met or missed with its ratio to hello in the same run. Peak RSS (VmHWM) of every
service process is read from /proc after the load.

    .venv/bin/python bench/http_load.py                                   # about 3 minutes
    .venv/bin/python bench/http_load.py --databases sqlite --seconds 2 --requests 500
    .venv/bin/python bench/http_load.py --markdown docs/benchmarks.md
    .venv/bin/python bench/http_load.py --workers 2 --only-workers --markdown docs/benchmarks.md
"""

from __future__ import annotations

import sys
from pathlib import Path

# Not named bench/http.py: `python bench/<any>.py` puts bench/ first on sys.path, where an http.py would
# shadow the standard library's http package for every script there.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import json
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench import benchlib

CONNECTIONS = (1, 10, 50)
REQUEST_TIMEOUT = 30.0
IDLE_LEAVES = {"Condition.wait", "Queue.get", "Runner.run", "EpollSelector.select", "Event.wait", "select"}
TARGETS = ("hello", "get_process", "list", "get_district", "dashboard", "register")
# target -> service that serves it
SERVICE_OF = {
    "hello": "hello",
    "get_process": "workshops",
    "list": "workshops",
    "register": "workshops",
    "get_district": "registry",
    "registry": "registry",
    "dashboard": "reporting",
    "reporting": "reporting",
}
READS = ("get_process", "list", "get_district")
ANONYMOUS = ("dashboard",)  # what citizens open: no key
READ_RATIO_TARGET = 0.4  # x hello's req/s at 10 and 50 connections
READ_P99_TARGET = 3.0  # x hello's p99 at 50 connections
DASHBOARD_RATIO_TARGET = 0.3
DASHBOARD_P99_TARGET = 3.0
WRITE_RATIO_TARGET = 0.1
WRITE_P99_TARGET = 20.0
WRITE_ALLOWED = {409, 503}  # documented answers of a registration besides 2xx
RSS_TARGET_MB = 150.0
WORKERS_TARGET = 1.6  # 2 workers' reads over one worker's (issue 18, scale out)
WORKER_READS = ("get_process", "list")  # the reads the workshops server answers
HELLO_MODULE = """
from fastapi import FastAPI
app = FastAPI()
@app.get("/hello")
def hello() -> dict[str, str]:
    return {"hello": "world"}
@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
"""
HELLO_APP = (
    "import sys, uvicorn\n"
    + HELLO_MODULE
    + 'uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")\n'
)


@dataclass
class Request:
    """One request shape of a cell."""

    method: str
    path: str
    body: Any = None


@dataclass
class CellResult:
    """What one cell measured."""

    completed: int = 0
    failed: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    percentiles: dict[str, float] = field(default_factory=dict)  # from wrk's histogram, in ms

    @property
    def rps(self) -> float:
        """Completed requests per second."""
        return self.completed / self.elapsed if self.elapsed else 0.0

    def pct(self, fraction: float) -> float:
        """Latency percentile in ms."""
        key = {0.5: "p50", 0.95: "p95", 0.99: "p99"}.get(fraction)
        if key and key in self.percentiles:
            return self.percentiles[key]
        return benchlib.percentile(sorted(self.latencies_ms), fraction)


def _encode(request: Request, host: str, headers: dict[str, str]) -> bytes:
    body = json.dumps(request.body).encode() if request.body is not None else b""
    lines = [
        f"{request.method} {request.path} HTTP/1.1",
        f"Host: {host}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    if request.body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response (Content-Length or chunked); return its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = None
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        lowered = name.strip().lower()
        if lowered == "content-length":
            length = int(value.strip())
        elif lowered == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def run_cell(
    base_url: str,
    requests: list[Request],
    headers: dict[str, str],
    connections: int,
    max_requests: int,
    max_seconds: float,
    client: str = "raw",
) -> CellResult:
    """Drive ``connections`` keep-alive connections until ``max_requests`` or ``max_seconds``."""
    result = CellResult()
    issued = 0
    url = httpx.URL(base_url)
    host, port = url.host, url.port or 80
    deadline = time.perf_counter() + max_seconds

    def take() -> Request | None:
        nonlocal issued
        if issued >= max_requests or time.perf_counter() >= deadline:
            return None
        issued += 1
        return requests[issued % len(requests)]

    def record(status: int, started: float) -> None:
        result.latencies_ms.append((time.perf_counter() - started) * 1000)
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if 200 <= status < 300 or status == 304:
            result.completed += 1
        else:
            result.failed += 1

    async def raw_worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        encoded = {id(r): _encode(r, f"{host}:{port}", headers) for r in requests}
        try:
            while (request := take()) is not None:
                started = time.perf_counter()
                writer.write(encoded[id(request)])
                try:
                    status = await asyncio.wait_for(_read_response(reader), REQUEST_TIMEOUT)
                except TimeoutError:
                    record(
                        0, started
                    )  # status 0: no answer within REQUEST_TIMEOUT; the connection is dropped
                    return
                record(status, started)
        finally:
            writer.close()

    async def httpx_worker(session: httpx.AsyncClient) -> None:
        while (request := take()) is not None:
            started = time.perf_counter()
            response = await session.request(request.method, request.path, json=request.body, headers=headers)
            record(response.status_code, started)

    started = time.perf_counter()
    if client == "raw":
        await asyncio.gather(*(raw_worker() for _ in range(connections)))
    else:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as session:
            await asyncio.gather(*(httpx_worker(session) for _ in range(connections)))
    result.elapsed = time.perf_counter() - started
    return result


WRK_SCRIPT = """
local requests_ = {}
local specs = %(specs)s
local next_ = 0
statuses = {}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for i, spec in ipairs(specs) do
    requests_[i] = wrk.format(spec[1], spec[2], spec[3], spec[4])
  end
  next_ = math.random(#requests_) - 1
end

function request()
  next_ = next_ %% #requests_ + 1
  return requests_[next_]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[tostring(status)] = (counts[tostring(status)] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do table.insert(parts, string.format('"%%s": %%d', status, n)) end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, "write": %%d, "status": %%d, '
    .. '"timeout": %%d, "p50": %%d, "p95": %%d, "p99": %%d, "max": %%d, "statuses": {%%s}}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    table.concat(parts, ", ")))
end
"""


def ensure_wrk() -> str:
    """The wrk binary; installed from Debian's packages (apt-get, as root or through sudo) when missing."""
    import shutil
    import subprocess

    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    print("wrk not found: installing Debian's package (apt-get install -y wrk)", flush=True)
    subprocess.run([*sudo, "apt-get", "install", "-y", "wrk"], check=False, stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is needed (apt-get install wrk), or run with --client raw")
    return found


def _lua_string(value: str) -> str:
    return "[==[" + value + "]==]"


def run_wrk(
    base_url: str, requests: list[Request], headers: dict[str, str], connections: int, seconds: float
) -> CellResult:
    """One cell with wrk (one thread, ``connections`` keep-alive connections, ``seconds`` long)."""
    import subprocess
    import tempfile

    specs = []
    for r in requests:
        request_headers = dict(headers)
        body = "nil"
        if r.body is not None:
            request_headers["Content-Type"] = "application/json"
            body = _lua_string(json.dumps(r.body))
        lua_headers = (
            "{"
            + ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in request_headers.items())
            + "}"
        )
        specs.append(f"{{{_lua_string(r.method)}, {_lua_string(r.path)}, {lua_headers}, {body}}}")
    script = WRK_SCRIPT % {"specs": "{" + ",\n  ".join(specs) + "}"}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        completed = subprocess.run(
            [
                ensure_wrk(),
                "-t1",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                f"--timeout={int(REQUEST_TIMEOUT)}s",
                "-s",
                handle.name,
                base_url,
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=seconds + REQUEST_TIMEOUT + 30,
        )
    finally:
        Path(handle.name).unlink(missing_ok=True)
    line = next((x for x in completed.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {completed.stdout[-1000:]} {completed.stderr[-1000:]}")
    data = json.loads(line.removeprefix("WRK_JSON "))
    result = CellResult(elapsed=data["duration_us"] / 1e6)
    result.statuses = {int(k): v for k, v in data["statuses"].items()}
    errors = data["connect"] + data["read"] + data["write"] + data["timeout"]
    if errors:
        result.statuses[0] = errors  # status 0: no answer (timeout or socket error)
    result.completed = sum(n for s, n in result.statuses.items() if 200 <= s < 300 or s == 304)
    result.failed = sum(result.statuses.values()) - result.completed
    result.percentiles = {k: data[k] / 1000 for k in ("p50", "p95", "p99", "max")}
    return result


def prepare(workshops_url: str, headers: dict[str, str], writable: int = 5) -> dict[str, Any]:
    """Ids to hit: a generated process, and open future workshops of a new active process for the writes."""
    with httpx.Client(base_url=workshops_url, headers=headers, timeout=30) as client:
        processes = client.get("/processes", params={"limit": 50}).raise_for_status().json()["items"]
        source = processes[0]
        edition_id = source["edition_id"]
        process = client.post(
            "/processes",
            json={
                "district_id": source["district_id"],
                "edition_id": edition_id,
                "title": "Benchmark: iscrizioni aperte",
                "started_on": source["started_on"],
                "status": "active",
            },
        )
        if process.status_code >= 400:
            raise RuntimeError(f"could not create the write target process: {process.text}")
        process_id = process.json()["id"]
        workshop_ids = []
        for index in range(writable):
            starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30 + index)
            workshop = client.post(
                f"/processes/{process_id}/workshops",
                json={
                    "method": "world_cafe",
                    "title": f"Benchmark {index}",
                    "starts_at": starts.isoformat(),
                    "ends_at": (starts + timedelta(hours=2)).isoformat(),
                    "venue": f"Sala benchmark {index}",
                    "capacity": 100_000,
                    "facilitator_ids": [],
                },
            )
            if workshop.status_code >= 400:
                raise RuntimeError(f"could not schedule a write target workshop: {workshop.text}")
            workshop_ids.append(workshop.json()["id"])
    return {
        "process_ids": [p["id"] for p in processes],
        "workshop_ids": workshop_ids,
        "write_process": process_id,
    }


def target_requests(target: str, ids: dict[str, Any], district_ids: list[str]) -> list[Request]:
    """The request mix of one target."""
    if target == "hello":
        return [Request("GET", "/hello")]
    if target == "get_process":
        return [Request("GET", f"/processes/{pid}") for pid in ids["process_ids"]]
    if target == "list":
        return [Request("GET", "/processes?limit=50")]
    if target == "register":
        body = {"actor_category": "citizen", "count": 1}
        return [Request("POST", f"/workshops/{wid}/registrations", body) for wid in ids["workshop_ids"]]
    if target == "get_district":
        return [Request("GET", f"/districts/{d}") for d in district_ids]
    if target == "dashboard":
        return [Request("GET", "/dashboard")]
    if target == "registry":
        return [Request("GET", "/districts?limit=50")] + [
            Request("GET", f"/districts/{d}") for d in district_ids[:5]
        ]
    if target == "reporting":
        return [Request("GET", f"/processes/{pid}/timeline") for pid in ids["process_ids"][:10]]
    raise ValueError(target)


def run_database(
    kind: str, args: argparse.Namespace, rows: list[dict[str, Any]], memory: list[dict[str, Any]]
) -> str:
    """Everything for one database; returns its version string."""
    generator = benchlib.load_generator_module()
    with benchlib.throwaway_database(kind) as url:
        print(
            f"[{kind}] generating {args.districts} districts x {args.years} years (scale {args.scale})",
            flush=True,
        )
        summary = asyncio.run(
            generator.generate(
                database_url=url,
                districts=args.districts,
                years=args.years,
                scale=args.scale,
                log=lambda _l: None,
            )
        )
        print(f"[{kind}] generated {summary['events']:,} events in {summary['seconds']:.0f} s", flush=True)
        version = benchlib.database_version(url)
        key = benchlib.admin_key(url)
        headers = {"Authorization": f"Bearer {key}"}
        servers: dict[str, benchlib.Server] = {}
        try:
            # The key cache as docs/operations.md suggests under load: a key seen within 5 s resolves in memory.
            tuned = {"COMMUNITYLAB_LOG_LEVEL": args.log_level, "COMMUNITYLAB_API_KEY_CACHE_SECONDS": "5"}
            registry = benchlib.start_service("registry", benchlib.service_env(url, **tuned))
            servers["registry"] = registry
            env = benchlib.service_env(url, **tuned, COMMUNITYLAB_REGISTRY_URL=registry.base_url)
            servers["workshops"] = benchlib.start_service("workshops", env)
            servers["reporting"] = benchlib.start_service("reporting", env)
            if args.workers > 1:
                servers["workshops-many"] = benchlib.start_service("workshops", env, workers=args.workers)
            hello_port = benchlib.free_port()
            servers["hello"] = benchlib.Server(
                "hello", [sys.executable, "-c", HELLO_APP, str(hello_port)], env, hello_port
            )
            if args.workers > 1:
                servers["hello-many"] = hello_server(env, args.workers)
            for server in servers.values():
                server.wait_ready()
            ids = prepare(servers["workshops"].base_url, headers)
            with httpx.Client(base_url=registry.base_url, headers=headers) as client:
                district_ids = [
                    d["id"] for d in client.get("/districts", params={"limit": 50}).json()["items"]
                ]
            if kind == args.databases.split(",")[0] and args.client == "raw":
                for client_kind in ("raw", "httpx"):
                    cell = asyncio.run(
                        run_cell(
                            servers["hello"].base_url,
                            target_requests("hello", ids, district_ids),
                            headers,
                            10,
                            args.requests,
                            args.seconds,
                            client_kind,
                        )
                    )
                    args.client_check[client_kind] = cell.rps
                    print(
                        f"client check: hello at 10 connections with {client_kind}: {cell.rps:,.0f} req/s",
                        flush=True,
                    )
            targets = [t for t in TARGETS if t == "hello" or not args.targets or t in args.targets]
            plan = [(t, c) for c in CONNECTIONS for t in targets]
            if not args.targets:
                plan += [("registry", 10), ("reporting", 10)]
            if args.only_workers:
                plan = []
            for target, connections in plan:
                server = servers[SERVICE_OF[target]]
                cell_headers = {} if target in ANONYMOUS else headers
                requests = target_requests(target, ids, district_ids)
                if args.client == "wrk":
                    cell = run_wrk(server.base_url, requests, cell_headers, connections, args.seconds)
                else:
                    cell = asyncio.run(
                        run_cell(
                            server.base_url,
                            requests,
                            cell_headers,
                            connections,
                            args.requests,
                            args.seconds,
                            args.client,
                        )
                    )
                row = {
                    "database": kind,
                    "target": target,
                    "connections": connections,
                    "requests": cell.completed + cell.failed,
                    "failed": cell.failed,
                    "rps": cell.rps,
                    "p50": cell.pct(0.50),
                    "p95": cell.pct(0.95),
                    "p99": cell.pct(0.99),
                    "load": f"{__import__('os').getloadavg()[0]:.1f}",
                    "statuses": cell.statuses,
                }
                rows.append(row)
                print(
                    f"[{kind}] {target:<12}{connections:>4} conns {row['requests']:>6} req {row['failed']:>4} failed "
                    f"{row['rps']:>8,.0f} req/s  p50 {row['p50']:7.1f}  p95 {row['p95']:7.1f}  p99 {row['p99']:7.1f} ms"
                    f"  load {row['load']}" + (f"  statuses {cell.statuses}" if cell.failed else ""),
                    flush=True,
                )
            if args.workers > 1:
                scale_cells(kind, args, servers, ids, district_ids, headers)
            if args.profile:
                profiled = servers[SERVICE_OF[args.profile]]
                report = profile_server(
                    profiled,
                    profiled.base_url,
                    target_requests(args.profile, ids, district_ids),
                    {} if args.profile in ANONYMOUS else headers,
                    args.profile_seconds,
                )
                args.profiles.append(f"--- {kind}: {args.profile} at 10 connections ---\n{report}")
                print(args.profiles[-1], flush=True)
            for name, server in servers.items():
                mem = benchlib.memory_mb(server.pid)
                memory.append({"database": kind, "service": name, "hwm": mem["VmHWM"], "rss": mem["VmRSS"]})
        finally:
            for server in servers.values():
                server.stop()
    return version


def _cell(
    server: benchlib.Server,
    requests: list[Request],
    headers: dict[str, str],
    connections: int,
    args: argparse.Namespace,
    seconds: float | None = None,
) -> CellResult:
    seconds = args.seconds if seconds is None else min(seconds, args.seconds)
    if args.client == "wrk":
        return run_wrk(server.base_url, requests, headers, connections, seconds)
    return asyncio.run(
        run_cell(server.base_url, requests, headers, connections, args.requests, seconds, args.client)
    )


def hello_server(env: dict[str, str], workers: int) -> benchlib.Server:
    """The hello app under ``uvicorn --workers N`` (the control: how far the machine lets processes scale)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="bench-hello-"))
    (folder / "bench_hello.py").write_text(HELLO_MODULE, encoding="utf-8")
    port = benchlib.free_port()
    command = [sys.executable, "-m", "uvicorn", "bench_hello:app", "--app-dir", str(folder)]
    command += [
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    return benchlib.Server(f"hello-x{workers}", command, env, port)


def scale_cells(
    kind: str,
    args: argparse.Namespace,
    servers: dict[str, benchlib.Server],
    ids: dict[str, Any],
    district_ids: list[str],
    headers: dict[str, str],
) -> None:
    """Each read on the one-worker and the N-worker server, after a warm-up cell each, in the order one, N, N, one.

    The hello app is measured the same way as a control: its ratio is what the machine allows at that moment.
    """
    plan = [("hello", servers["hello"], servers["hello-many"])]
    plan += [(t, servers["workshops"], servers["workshops-many"]) for t in WORKER_READS]
    for target, one, many in plan:
        requests = target_requests(target, ids, district_ids)
        for connections in (10, 50):
            for server in (one, many):  # warm-up, not counted
                _cell(server, requests, headers, connections, args, seconds=1.0)
            cells: dict[str, list[CellResult]] = {"one": [], "many": []}
            for which in ("one", "many", "many", "one"):
                cells[which].append(
                    _cell(one if which == "one" else many, requests, headers, connections, args)
                )
            rps_one = sum(c.rps for c in cells["one"]) / 2
            rps_many = sum(c.rps for c in cells["many"]) / 2
            row = {
                "database": kind,
                "target": target,
                "connections": connections,
                "rps_one": rps_one,
                "rps_many": rps_many,
                "ratio": rps_many / rps_one if rps_one else 0.0,
                "p99_one": max(c.pct(0.99) for c in cells["one"]),
                "p99_many": max(c.pct(0.99) for c in cells["many"]),
                "failed": sum(c.failed for c in cells["one"] + cells["many"]),
                "load": f"{os.getloadavg()[0]:.1f}",
            }
            args.scaling.append(row)
            each = " / ".join(f"{c.rps:,.0f}" for c in cells["one"]) + " | "
            each += " / ".join(f"{c.rps:,.0f}" for c in cells["many"])
            print(
                f"[{kind}] {target:<12}{connections:>4} conns  1 worker {rps_one:>7,.0f} req/s  "
                f"{args.workers} workers {rps_many:>7,.0f} req/s  = {row['ratio']:.2f}x  (cells {each})  "
                f"p99 {row['p99_one']:.0f} / {row['p99_many']:.0f} ms  failed {row['failed']}  load {row['load']}",
                flush=True,
            )


def workers_verdict(args: argparse.Namespace) -> list[str]:
    """Issue 18's scale-out target on reads: met or missed per database, with the lowest ratio measured, and
    the hello app's ratio in the same run (what the machine allowed)."""
    lines = []
    for kind in sorted({r["database"] for r in args.scaling}):
        rows = [r for r in args.scaling if r["database"] == kind and r["target"] != "hello"]
        control = [r for r in args.scaling if r["database"] == kind and r["target"] == "hello"]
        low = min(r["ratio"] for r in rows)
        verdict = "met" if low >= WORKERS_TARGET else "missed"
        lines.append(
            f"{kind} reads with {args.workers} workers vs 1 (lowest {low:.2f}x over "
            + ", ".join(f"{r['target']}@{r['connections']} {r['ratio']:.2f}x" for r in rows)
            + f"; target >= {WORKERS_TARGET}x): {verdict}"
            + " (control, hello app: "
            + ", ".join(f"@{r['connections']} {r['ratio']:.2f}x" for r in control)
            + ")"
        )
    return lines


def profile_server(
    server: benchlib.Server, base_url: str, requests: list[Request], headers: dict[str, str], seconds: float
) -> str:
    """py-spy samples the server while 10 connections load it; the hottest frames, inclusive and self."""
    import shutil
    import subprocess
    import tempfile
    from collections import Counter

    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "stacks.txt"
        recorder = subprocess.Popen(
            [
                spy,
                "record",
                "-p",
                str(server.pid),
                "-d",
                str(int(seconds)),
                "-r",
                "200",
                "-f",
                "raw",
                "-o",
                str(out),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.0)
        asyncio.run(run_cell(base_url, requests, headers, 10, 10**9, seconds - 1.5))
        _, err = recorder.communicate(timeout=seconds + 30)
        if not out.exists():
            return f"py-spy failed: {err[-500:]}"
        inclusive: Counter[str] = Counter()
        own: Counter[str] = Counter()
        total = 0
        for line in out.read_text().splitlines():
            stack, _, count_text = line.rpartition(" ")
            if not stack or not count_text.isdigit():
                continue
            count = int(count_text)
            frames = [
                f.split(" (")[0]
                + " ("
                + f.split(" (")[1].split(":")[0].split("site-packages/")[-1].split("/work/main/")[-1]
                + ")"
                if " (" in f
                else f
                for f in stack.split(";")
            ]
            # Idle worker threads waiting for a job and the (uvloop, C) event loop waiting are not work.
            if frames[-1].split(" (")[0] in IDLE_LEAVES:
                continue
            total += count
            own[frames[-1]] += count
            for frame in set(frames):
                inclusive[frame] += count
    lines = [
        f"py-spy: {total} busy samples of the {server.name} process, all threads (idle waits dropped)",
        "inclusive:",
    ]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(70)]
    lines += ["self:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in own.most_common(25)]
    return "\n".join(lines)


def ratio(rows: list[dict[str, Any]], kind: str, target: str, connections: int) -> float:
    """Throughput of ``target`` over hello's, same database run, same connections."""
    by = {(r["target"], r["connections"]): r for r in rows if r["database"] == kind}
    hello = by.get(("hello", connections))
    mine = by.get((target, connections))
    return mine["rps"] / hello["rps"] if hello and mine and hello["rps"] else 0.0


def main(argv: list[str] | None = None) -> int:
    """Run every database, print the table, optionally rewrite this benchmark's section."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=3000, help="at most this many requests per cell")
    parser.add_argument("--seconds", type=float, default=3.0, help="at most this long per cell")
    parser.add_argument(
        "--client",
        choices=("wrk", "raw", "httpx"),
        default="wrk",
        help="load generator: wrk (C, default; bounded by --seconds only), or the in-process raw/httpx clients",
    )
    parser.add_argument(
        "--targets",
        default="",
        help="comma-separated subset of " + ", ".join(TARGETS[1:]) + " (hello always runs)",
    )
    parser.add_argument("--districts", type=int, default=4, help="generated districts")
    parser.add_argument("--years", type=int, default=2, help="generated years")
    parser.add_argument("--scale", type=float, default=0.5, help="generator scale")
    parser.add_argument(
        "--log-level", default="INFO", help="services' log level (INFO: one JSON line a request)"
    )
    parser.add_argument("--markdown", type=Path, help="rewrite this benchmark's section of this file")
    parser.add_argument("--notes", default="", help="a paragraph added under the tables")
    parser.add_argument(
        "--profile",
        choices=("get_process", "list", "register", "dashboard"),
        help="also sample the target's service process with py-spy",
    )
    parser.add_argument("--profile-seconds", type=float, default=10.0, help="how long to sample")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="also measure the workshops reads on a server with this many uvicorn workers against one worker",
    )
    parser.add_argument(
        "--only-workers", action="store_true", help="with --workers: only those cells (and only that section)"
    )
    args = parser.parse_args(argv)
    if args.only_workers and args.workers < 2:
        parser.error("--only-workers needs --workers 2 or more")
    args.scaling = []
    args.targets = [t for t in args.targets.split(",") if t]
    if args.client == "wrk":
        ensure_wrk()
    args.client_check = {}
    args.profiles = []
    rows: list[dict[str, Any]] = []
    memory: list[dict[str, Any]] = []
    versions = []
    load_before = benchlib.load_average()
    started = time.monotonic()
    print(benchlib.machine(), "| load", load_before, flush=True)
    for kind in args.databases.split(","):
        if kind == "postgresql" and not benchlib.postgres_reachable(benchlib.postgres_admin_url()):
            continue
        versions.append(run_database(kind, args, rows, memory))
    load_after = benchlib.load_average()
    print(f"total {time.monotonic() - started:.0f} s; load average {load_after}")

    header = [
        "database",
        "target",
        "conns",
        "requests",
        "non-2xx",
        "req/s",
        "x hello",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "load 1m",
    ]
    table = [
        [
            r["database"],
            r["target"],
            r["connections"],
            f"{r['requests']:,}",
            r["failed"],
            f"{r['rps']:,.0f}",
            f"{ratio(rows, r['database'], r['target'], r['connections']):.2f}"
            if r["target"] in TARGETS[1:]
            else "",
            f"{r['p50']:.1f}",
            f"{r['p95']:.1f}",
            f"{r['p99']:.1f}",
            r["load"],
        ]
        for r in rows
    ]
    if args.scaling:
        report_workers(args, argv, versions, load_before, load_after)
        if args.only_workers:
            return 0
    benchlib.print_table(header, table)
    mem_header = ["database", "service", "peak RSS MB (VmHWM)", "RSS at end MB"]
    mem_table = [[m["database"], m["service"], f"{m['hwm']:.0f}", f"{m['rss']:.0f}"] for m in memory]
    benchlib.print_table(mem_header, mem_table)
    verdicts = targets_verdict(rows, memory)
    for line in verdicts:
        print(line)
    if args.markdown:
        client_line = ", ".join(f"{k} {v:,.0f} req/s" for k, v in args.client_check.items())
        body = [
            "## HTTP load (`bench/http_load.py`)",
            "",
            f"- Command: `{benchlib.command_line('bench/http_load.py', argv)}`",
            f"- Date: {benchlib.now_utc()}",
            f"- Machine: {benchlib.machine()}; {', '.join(versions)}",
            f"- Load average: {load_before} before, {load_after} after (the 1-minute value at the end of each cell "
            "is in the table). The machine is shared with other sessions' test runs.",
            f"- One uvicorn worker per service (uvloop, httptools), services' log level {args.log_level}; each cell "
            f"stops at {args.requests:,} requests or {args.seconds:g} s; keep-alive connections; client: "
            f"{args.client}"
            + (f". Client check (hello, 10 connections): {client_line}." if client_line else " (wrk -t1)."),
            f"- Data: `communitylab generate` with {args.districts} districts x {args.years} years, scale {args.scale}, "
            "then one active process with 5 open workshops for the writes.",
            "- `x hello` = req/s over the hello app's at the same connections; targets (issue 18): reads "
            f"(get_process, list, get_district) >= {READ_RATIO_TARGET}x hello at 10 and 50 connections with p99 at 50 "
            f"<= {READ_P99_TARGET:g}x hello's; the anonymous dashboard >= {DASHBOARD_RATIO_TARGET}x, p99 <= "
            f"{DASHBOARD_P99_TARGET:g}x; registrations >= {WRITE_RATIO_TARGET}x, p99 <= {WRITE_P99_TARGET:g}x and only "
            f"2xx/409/503; peak RSS < {RSS_TARGET_MB:g} MB.",
            "",
            *benchlib.markdown_table(header, table, right_from=2),
            "",
            "Peak memory of each process after the load:",
            "",
            *benchlib.markdown_table(mem_header, mem_table, right_from=2),
            "",
            *[f"- {line}" for line in verdicts],
        ]
        if args.profiles:
            body += ["", "py-spy of the workshops process (`--profile`):", "", "```"]
            body += [*"\n".join(args.profiles).splitlines(), "```"]
        if args.notes:
            body += ["", args.notes]
        benchlib.write_section(args.markdown, "http", "\n".join(body))
        print(f"wrote the http section of {args.markdown}")
    return 0


def report_workers(
    args: argparse.Namespace, argv: list[str] | None, versions: list[str], load_before: str, load_after: str
) -> None:
    """Print the one-worker vs N-worker table and verdict; with --markdown, rewrite the ``workers`` section."""
    header = [
        "database",
        "target",
        "conns",
        "1 worker req/s",
        f"{args.workers} workers req/s",
        "ratio",
        "p99 ms (1)",
        f"p99 ms ({args.workers})",
        "non-2xx",
        "load 1m",
    ]
    table = [
        [
            r["database"],
            r["target"],
            r["connections"],
            f"{r['rps_one']:,.0f}",
            f"{r['rps_many']:,.0f}",
            f"{r['ratio']:.2f}",
            f"{r['p99_one']:.0f}",
            f"{r['p99_many']:.0f}",
            r["failed"],
            r["load"],
        ]
        for r in args.scaling
    ]
    benchlib.print_table(header, table)
    verdicts = workers_verdict(args)
    for line in verdicts:
        print(line)
    if not args.markdown:
        return
    body = [
        "## Scale out: `--workers` (`bench/http_load.py --workers`)",
        "",
        f"- Command: `{benchlib.command_line('bench/http_load.py', argv)}`",
        f"- Date: {benchlib.now_utc()}",
        f"- Machine: {benchlib.machine()}; {', '.join(versions)}",
        f"- Load average: {load_before} before, {load_after} after (1-minute value after each row in the table). "
        "The machine is shared with other sessions' test runs; wrk, the database and both servers share its cores.",
        f"- Two workshops servers on the same database: `communitylab serve workshops` (one uvicorn worker) and "
        f"`communitylab serve workshops --workers {args.workers}`; as a control, the hello app under one and "
        f"{args.workers} uvicorn workers. Each row: a 1 s warm-up cell on each server, then {args.seconds:g} s "
        f"cells in the order one, {args.workers}, {args.workers}, one; req/s is the mean of a server's two cells, "
        "p99 the worse of its two. Client: " + ("wrk -t1" if args.client == "wrk" else args.client) + ".",
        f"- Target (issue 18): {args.workers} workers >= {WORKERS_TARGET}x one worker's req/s on reads.",
        "",
        *benchlib.markdown_table(header, table, right_from=2),
        "",
        *[f"- {line}" for line in verdicts],
    ]
    if args.notes:
        body += ["", args.notes]
    benchlib.write_section(args.markdown, "workers", "\n".join(body))
    print(f"wrote the workers section of {args.markdown}")


def targets_verdict(rows: list[dict[str, Any]], memory: list[dict[str, Any]]) -> list[str]:
    """One line per target of issue 18: met or missed, with its ratio to hello in the same run."""
    lines = []

    def p99_ratio(by: dict[tuple[str, int], dict[str, Any]], target: str) -> float:
        hello, mine = by.get(("hello", 50)), by.get((target, 50))
        return mine["p99"] / hello["p99"] if hello and mine and hello["p99"] else float("inf")

    for kind in sorted({r["database"] for r in rows}):
        by = {(r["target"], r["connections"]): r for r in rows if r["database"] == kind}
        measured = {t for t, _ in by}
        checks: list[tuple[str, float, float, float]] = []  # target, ratio@10, ratio@50, p99 ratio
        for target in (*READS, *ANONYMOUS, "register"):
            if target not in measured:
                continue
            checks.append(
                (target, ratio(rows, kind, target, 10), ratio(rows, kind, target, 50), p99_ratio(by, target))
            )
        for target, r10, r50, p99x in checks:
            if target in READS:
                floor, ceiling = READ_RATIO_TARGET, READ_P99_TARGET
            elif target in ANONYMOUS:
                floor, ceiling = DASHBOARD_RATIO_TARGET, DASHBOARD_P99_TARGET
            else:
                floor, ceiling = WRITE_RATIO_TARGET, WRITE_P99_TARGET
            ok = r10 >= floor and r50 >= floor
            lines.append(
                f"{kind} {target} throughput vs hello (10: {r10:.2f}x, 50: {r50:.2f}x; target >= {floor}x): "
                f"{'met' if ok else 'missed'}"
            )
            lines.append(
                f"{kind} {target} p99 at 50 connections vs hello's ({p99x:.1f}x; target <= {ceiling:g}x): "
                f"{'met' if p99x <= ceiling else 'missed'}"
            )
        for (target, connections), row in sorted(by.items()):
            if target != "register":
                continue
            bad = {s: n for s, n in row["statuses"].items() if not (200 <= s < 300 or s in WRITE_ALLOWED)}
            lines.append(
                f"{kind} register at {connections} connections answers only 2xx/409/503 "
                f"(statuses {dict(sorted(row['statuses'].items()))}): {'met' if not bad else 'missed'}"
            )
    for m in memory:
        if not m["service"].startswith("hello"):
            verdict = "met" if m["hwm"] < RSS_TARGET_MB else "missed"
            lines.append(f"{m['database']} {m['service']} peak RSS {m['hwm']:.0f} MB: {verdict}")
    return lines


if __name__ == "__main__":
    sys.exit(main())
