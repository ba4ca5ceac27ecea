"""Signed order placement over HTTP against the real server, beside a bare FastAPI endpoint.

    python benchmarks/api.py [--seconds 5] [--connections 1,64] [--db sqlite,postgres]

Starts `karakum serve --demo` (durable commits; SQLite file, and PostgreSQL
at 127.0.0.1:5432 in a fresh schema) and, in the same run, a bare FastAPI app
(benchmarks/bare_app.py: one POST route that decodes the same JSON body with
msgspec and answers JSON; the framework's ceiling here). One uvicorn worker
each. The load generator is one asyncio process on loopback with keep-alive
connections, the same code and the same signed requests for both targets;
each connection cycles BUY by demo trader 1, SELL by trader 2, BUY by trader 2,
SELL by trader 1 at one price, so orders trade and neither the book nor the
funds run away. Only 2xx answers count as orders; refusals are counted by
code, and a run with more than 1% of them fails. Bounded by time per
configuration. Prints a table (with the CPU microseconds per accepted request of
the server process and of the generator) and one JSON line.
"""
import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.auth.signing import sign_native  # noqa: E402
from api.client import wait_ready  # noqa: E402

KARAKUM = str(Path(sys.executable).with_name("karakum"))
POSTGRES_URL = os.environ.get("KARAKUM_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
PATH = "/v1/orders"
# Each connection cycles trader 1 BUY, trader 2 SELL, trader 2 BUY, trader 1 SELL at one price: every
# trader's position and funds return to where they were, so a run of any length keeps being accepted
# (buying only with trader 1 exhausted its USDT after ~10,000 orders and every later order got 422).
ROTATION = ((0, "BUY"), (1, "SELL"), (1, "BUY"), (0, "SELL"))
REFUSED_MAX = 0.01  # A run with more refusals measures refusals, not orders: it fails.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Target:
    def __init__(self, name: str, command: list[str], ready_path: str, env: dict | None = None):
        self.name = name
        self.port = free_port()
        self.process = subprocess.Popen(command + ["--port", str(self.port)], env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        wait_ready(f"http://127.0.0.1:{self.port}{ready_path}", self.process)

    def cpu_s(self) -> float:
        """CPU seconds the server process (all its threads) used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)


def order_request(trader: dict, side: str, host: str, client_order_id: str) -> bytes:
    # A unique client order id per request: no two requests share a signature (replay protection).
    # With 64 connections a trader's own order can rest opposite its next one: expiring the resting one
    # (EXPIRE_MAKER) keeps the book one or two orders deep, where EXPIRE_TAKER let it grow all run long.
    body = json.dumps({"symbol": "BTC-USDT", "side": side, "type": "LIMIT", "time_in_force": "GTC",
                       "price": "100000.00", "quantity": "0.0001", "client_order_id": client_order_id,
                       "stp_mode": "EXPIRE_MAKER"},
                      separators=(",", ":")).encode()
    timestamp_ms = time.time_ns() // 1_000_000
    signature = sign_native(trader["secret"], timestamp_ms, "POST", PATH, body)
    head = (f"POST {PATH} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nX-KK-APIKEY: {trader['api_key']}\r\n"
            f"X-KK-TIMESTAMP: {timestamp_ms}\r\nX-KK-SIGNATURE: {signature}\r\n\r\n")
    return head.encode() + body


async def connection(port: int, traders: list[dict], deadline: float, latencies: list, statuses: dict,
                     name: str) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    host = f"127.0.0.1:{port}"
    counter = 0
    while time.monotonic() < deadline:
        trader, side = ROTATION[counter % len(ROTATION)]
        counter += 1
        request = order_request(traders[trader], side, host, f"{name}-{counter}")
        started = time.perf_counter_ns()
        writer.write(request)
        # One read for the whole head, not one per line: the generator shares the cores with the server.
        head = await reader.readuntil(b"\r\n\r\n")
        start = head.lower().find(b"\r\ncontent-length:") + 17
        body = await reader.readexactly(int(head[start:head.index(b"\r\n", start)]) if start > 16 else 0)
        status = head[9:12].decode()  # "HTTP/1.1 201 Created"
        if status[0] == "2":
            latencies.append(time.perf_counter_ns() - started)
        else:  # A refusal: counted by its code, never as an order.
            status = f"{status} {json.loads(body).get('code')}"
        statuses[status] = statuses.get(status, 0) + 1
    writer.close()


async def load(port: int, traders: list[dict], connections: int, seconds: float) -> dict:
    latencies: list[int] = []
    statuses: dict[str, int] = {}
    deadline = time.monotonic() + seconds
    started = time.perf_counter()
    run = uuid.uuid4().hex[:6]
    await asyncio.gather(*(connection(port, traders, deadline, latencies, statuses, f"{run}{i}")
                           for i in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    refused = sum(count for status, count in statuses.items() if status[0] != "2")
    if refused > REFUSED_MAX * (refused + len(latencies)):
        raise SystemExit(f"benchmark invalid: {refused} of {refused + len(latencies)} orders refused: {statuses}")
    return {"requests_s": round(len(latencies) / elapsed), "p50_ms": round(latencies[len(latencies) // 2] / 1e6, 2),
            "p99_ms": round(latencies[int(len(latencies) * 0.99)] / 1e6, 2), "statuses": statuses,
            "accepted": len(latencies)}


def measure(target: Target, traders: list[dict], connections: int, seconds: float) -> dict:
    """`load`, with the CPU time per accepted request of the server and of this generator (microseconds):
    figures that hold on a shared machine, where requests/s move with the neighbours' load."""
    server_s, own_s = target.cpu_s(), time.process_time()
    result = asyncio.run(load(target.port, traders, connections, seconds))
    result["server_cpu_us"] = round(1e6 * (target.cpu_s() - server_s) / result["accepted"])
    result["generator_cpu_us"] = round(1e6 * (time.process_time() - own_s) / result["accepted"])
    return result


def exchange_target(db: str, data_dir: Path) -> tuple[Target, list[dict], str | None]:
    command = [KARAKUM, "serve", "--demo", "--data-dir", str(data_dir)]
    schema = None
    if db == "postgres":
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        subprocess.run([sys.executable, "-c", f"import asyncio, asyncpg\nasync def m():\n c = await asyncpg.connect("
                        f"{POSTGRES_URL!r})\n await c.execute('CREATE SCHEMA {schema}')\n await c.close()\n"
                        f"asyncio.run(m())"], check=True)
        command += ["--db", f"{POSTGRES_URL}?search_path={schema}"]
    env = {**os.environ, "KARAKUM_RATE_LIMITS": "trader=1000000/60000000"}
    target = Target(f"exchange-{db}", command, "/v1/health/ready", env)
    credentials = json.loads((data_dir / "demo-credentials.json").read_text())
    return target, credentials["traders"], schema


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", default="1,64")
    parser.add_argument("--db", default="sqlite,postgres")
    arguments = parser.parse_args()
    connection_counts = [int(c) for c in arguments.connections.split(",")]
    rows, summary = [], {}
    bare = Target("bare", [sys.executable, "-m", "uvicorn", "benchmarks.bare_app:app", "--log-level", "warning",
                           "--no-access-log"], "/ready")
    fake_traders = [{"api_key": "k" * 64, "secret": "s" * 64}] * 2
    try:
        for count in connection_counts:
            result = measure(bare, fake_traders, count, arguments.seconds)
            rows.append(("bare", count, result))
            summary[f"bare_{count}_requests_s"] = result["requests_s"]
            summary[f"bare_{count}_server_cpu_us"] = result["server_cpu_us"]
    finally:
        bare.stop()
    for db in arguments.db.split(","):
        with tempfile.TemporaryDirectory() as scratch:
            target, traders, schema = exchange_target(db, Path(scratch))
            try:
                for count in connection_counts:
                    result = measure(target, traders, count, arguments.seconds)
                    rows.append((db, count, result))
                    summary[f"{db}_{count}_orders_s"] = result["requests_s"]
                    summary[f"{db}_{count}_p99_ms"] = result["p99_ms"]
                    summary[f"{db}_{count}_server_cpu_us"] = result["server_cpu_us"]
                    summary[f"{db}_{count}_ratio_to_bare"] = round(
                        result["requests_s"] / summary[f"bare_{count}_requests_s"], 3)
                    # The ratio both would reach if CPU-bound: steadier than requests/s on a shared machine,
                    # where the neighbours' load and fsync times move the throughput.
                    summary[f"{db}_{count}_cpu_ratio_to_bare"] = round(
                        summary[f"bare_{count}_server_cpu_us"] / result["server_cpu_us"], 3)
            finally:
                target.stop()
                if schema:
                    subprocess.run([sys.executable, "-c", "import asyncio, asyncpg\nasync def m():\n c = await "
                                    f"asyncpg.connect({POSTGRES_URL!r})\n await c.execute('DROP SCHEMA {schema} "
                                    "CASCADE')\n await c.close()\nasyncio.run(m())"], check=True)
    print(f"{'target':<10}{'conns':>6}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'srv us':>8}{'gen us':>8}  statuses")
    for name, count, result in rows:
        print(f"{name:<10}{count:>6}{result['requests_s']:>9}{result['p50_ms']:>9}{result['p99_ms']:>9}"
              f"{result['server_cpu_us']:>8}{result['generator_cpu_us']:>8}  {result['statuses']}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
