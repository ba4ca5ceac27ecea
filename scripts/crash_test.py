"""Kill -9 under load: nothing acknowledged is lost, nothing is settled twice.

    python scripts/crash_test.py [--db sqlite|postgres] [--seconds 60] [--kills 10] [--clients 16]

Starts the real server (`karakum serve --demo`), runs concurrent signed
trading clients that record every acknowledgement, and SIGKILLs the server at
random moments (restarting it each time). Clients retry a request that got no
answer with the SAME client order id, as a real client would after a timeout.
At the end it restarts the server once more and checks:
- every acknowledged order is there with an outcome compatible with its ack
  (an acknowledged cancel stays cancelled, an acknowledged fill stays filled);
- no client order id produced two orders (retries returned the original);
- `karakum verify` passes: the journal replays to exactly the stored postings
  (no trade settled twice, no orphan posting), invariants hold, and the state
  hash equals an independent replay (the final clean-stop snapshot).
Prints one summary line (and JSON): kills, commands acknowledged, lost, duplicates.
"""
import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.client import KarakumClient, free_port, wait_ready  # noqa: E402

KARAKUM = str(Path(sys.executable).with_name("karakum"))
POSTGRES_URL = os.environ.get("KARAKUM_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
PRICE = 10_000_000  # ticks of the demo BTC/USDT market: 100,000.00 USDT, its reference price
FINAL_STATUSES = {"FILLED", "CANCELLED", "EXPIRED"}


class ServerProcess:
    def __init__(self, data_dir: Path, db_url: str | None, port: int):
        self.data_dir, self.db_url, self.port = data_dir, db_url, port
        self.base_url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [KARAKUM, "serve", "--demo", "--data-dir", str(self.data_dir), "--port", str(self.port)]
        if self.db_url:
            command += ["--db", self.db_url]
        log = open(self.data_dir / "server.log", "ab")
        # A durability test, not a rate-limit test: the clients may push as hard as they can.
        env = {**os.environ, "KARAKUM_RATE_LIMITS": "trader=100000/6000000"}
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
                                        env=env)
        wait_ready(f"{self.base_url}/v1/health/ready", self.process, log_path=self.data_dir / "server.log")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


class Ledger:
    """What the clients were told, keyed by client order id."""

    def __init__(self):
        self.lock = threading.Lock()
        self.orders: dict[str, dict] = {}  # client order id -> ack {order_id, status, account}
        self.cancels: dict[int, str] = {}  # order id -> status acknowledged by the cancel
        self.retries = 0
        self.retry_mismatches = 0


def trading_client(server: ServerProcess, trader: dict, name: str, stop: threading.Event, acks: Ledger,
                   seed: int) -> None:
    rng = random.Random(seed)
    client = KarakumClient(server.base_url, trader["api_key"], trader["secret"], timeout_s=5)
    counter = 0
    resting: list[int] = []
    while not stop.is_set():
        if resting and rng.random() < 0.3:
            order_id = resting.pop(rng.randrange(len(resting)))
            answer = _until_answered(client, "DELETE", f"/v1/orders/{order_id}", None, stop)
            if answer is not None and answer.status_code == 200:
                with acks.lock:
                    acks.cancels[order_id] = "CANCELLED"
            continue
        counter += 1
        client_order_id = f"{name}-{counter}"
        side = rng.choice(("BUY", "SELL"))
        price = PRICE + rng.randint(-20, 20)
        body = {"symbol": "BTC-USDT", "side": side, "type": "LIMIT", "time_in_force": "GTC",
                "price": f"{price // 100}.{price % 100:02d}", "quantity": f"0.{rng.randint(1, 50):04d}",
                "client_order_id": client_order_id}
        answer = _until_answered(client, "POST", "/v1/orders", body, stop, acks)
        if answer is None or answer.status_code not in (200, 201):
            continue
        order = answer.json()["order"]
        with acks.lock:
            acks.orders[client_order_id] = {"order_id": order["order_id"], "status": order["status"],
                                            "account": trader["customer_id"]}
        if order["status"] in ("NEW", "PARTIALLY_FILLED"):
            resting.append(order["order_id"])
    client.close()


def _until_answered(client, method, path, body, stop, acks: Ledger | None = None):
    """Send until the server answers (retrying the same request across crashes); None if stopping."""
    attempt = 0
    while not stop.is_set() or attempt == 0:
        attempt += 1
        try:
            answer = client.request(method, path, body=body)
        except httpx.HTTPError:
            answer = None
        if answer is not None and answer.status_code != 503:
            if attempt > 1 and acks is not None:
                with acks.lock:
                    acks.retries += 1
            return answer
        time.sleep(0.05)
    return None


def check(server: ServerProcess, credentials: dict, acks: Ledger) -> dict:
    lost, wrong, duplicates = [], [], 0
    traders = {t["customer_id"]: KarakumClient(server.base_url, t["api_key"], t["secret"])
               for t in credentials["traders"]}
    for client_order_id, ack in acks.orders.items():
        client = traders[ack["account"]]
        answer = _get(client, f"/v1/orders/{ack['order_id']}")
        if answer.status_code != 200:
            lost.append((client_order_id, answer.status_code, answer.text[:200]))
            continue
        status = answer.json()["order"]["status"]
        if ack["status"] == "FILLED" and status != "FILLED":
            wrong.append((client_order_id, ack["status"], status))
        if acks.cancels.get(ack["order_id"]) == "CANCELLED" and status != "CANCELLED":
            wrong.append((client_order_id, "CANCELLED", status))
        by_client = _get(client, f"/v1/orders/by-client-id/{client_order_id}")
        if by_client.status_code == 200:
            duplicates += by_client.json()["order"]["order_id"] != ack["order_id"]
    for client in traders.values():
        client.close()
    duplicates += asyncio.run(_stored_duplicates(server, list(traders)))
    return {"lost": lost, "wrong": wrong, "duplicates": duplicates}


def _get(client, path: str):
    """GET, waiting out rate limits (429) and restarts (503): the check must not mistake them for losses."""
    while True:
        answer = client.get(path)
        if answer.status_code not in (429, 503):
            return answer
        time.sleep(float(answer.headers.get("Retry-After", "1")))


async def _stored_duplicates(server: ServerProcess, accounts: list[int]) -> int:
    """Orders sharing (account, client order id) in the store itself: must be none."""
    from exchange.store import open_store

    store = await open_store(server.db_url or f"sqlite:///{server.data_dir / 'exchange.db'}")
    seen, duplicates = set(), 0
    try:
        for account in accounts:
            for order in await store.read_orders(account, limit=1_000_000):
                if order.client_order_id is None:
                    continue
                key = (order.account_id, order.client_order_id)
                duplicates += key in seen
                seen.add(key)
    finally:
        await store.close()
    return duplicates


def run(db: str, seconds: float, kills: int, clients: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = Path(scratch)
        db_url, schema = None, None
        if db == "postgres":
            schema = f"crash_{uuid.uuid4().hex[:10]}"
            asyncio.run(_execute(f"CREATE SCHEMA {schema}"))
            db_url = f"{POSTGRES_URL}?search_path={schema}"
        try:
            return _run(data_dir, db_url, seconds, kills, clients, rng, seed)
        finally:
            if schema:
                asyncio.run(_execute(f"DROP SCHEMA {schema} CASCADE"))


def _run(data_dir, db_url, seconds, kills, clients, rng, seed) -> dict:
    port = free_port()
    server = ServerProcess(data_dir, db_url, port)
    server.start()
    credentials = json.loads((data_dir / "demo-credentials.json").read_text())
    acks, stop = Ledger(), threading.Event()
    threads = [threading.Thread(target=trading_client, daemon=True,
                                args=(server, credentials["traders"][i % 2], f"c{i}", stop, acks, seed * 100 + i))
               for i in range(clients)]
    for thread in threads:
        thread.start()
    done_kills = 0
    started = time.monotonic()
    while done_kills < kills or time.monotonic() - started < seconds:
        time.sleep(rng.uniform(0.3, max(0.4, seconds / max(kills, 1))))
        server.kill()
        done_kills += 1
        server.start()
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    server.stop()  # a clean stop: the final snapshot
    server.start()
    outcome = check(server, credentials, acks)
    server.stop()
    verify = subprocess.run([KARAKUM, "verify"] + (["--db", db_url] if db_url else ["--data-dir", str(data_dir)]),
                            capture_output=True, text=True, timeout=600)
    return {"db": "postgres" if db_url else "sqlite", "kills": done_kills, "acknowledged": len(acks.orders),
            "cancels_acknowledged": len(acks.cancels), "retried_after_crash": acks.retries,
            "lost": len(outcome["lost"]), "wrong_outcome": len(outcome["wrong"]),
            "duplicates": outcome["duplicates"], "verify_ok": verify.returncode == 0,
            "lost_examples": outcome["lost"][:3], "wrong_examples": outcome["wrong"][:3],
            "verify_output": (verify.stdout + verify.stderr).strip()[-500:]}


async def _execute(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--clients", type=int, default=16)
    arguments = parser.parse_args()
    result = run(arguments.db, arguments.seconds, arguments.kills, arguments.clients)
    print(f"{result['db']}: kills={result['kills']} acknowledged={result['acknowledged']} "
          f"lost={result['lost']} duplicates={result['duplicates']} wrong={result['wrong_outcome']} "
          f"verify={'ok' if result['verify_ok'] else 'FAILED'}")
    print(json.dumps(result))
    healthy = result["lost"] == 0 and result["duplicates"] == 0 and result["wrong_outcome"] == 0
    return 0 if healthy and result["verify_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
