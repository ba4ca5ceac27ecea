"""Fan-out of book diffs and trades over /v1/ws to many clients on loopback.

    python benchmarks/streams.py [--clients 100,1000] [--orders 300] [--rate 50] [--seconds-max 60]
                                 [--compression off,on]

Per client count, a fresh `karakum serve --demo` (SQLite, durable commits)
gets N WebSocket clients subscribed to `book.BTC-USDT` and `trades.BTC-USDT`;
then one separate load process places `--orders` orders over signed REST at
`--rate` orders/s (two demo traders, passive limits, crossing IOCs that trade,
cancels). Bounded by order count and by `--seconds-max`.

Measured:
- messages/s delivered: messages received by all clients / (last receipt - first receipt);
- delay from commit to client: receipt time minus the message's `published_ns`
  (server clock taken right after the batch's commit; same machine, same
  clock), p50 / p99 / max over every delivered message;
- server CPU per delivered message: utime + stime of the server process from
  /proc/<pid>/stat over the run, divided by messages delivered. The same run
  with 1 client gives the cost of the order flow itself; the marginal figure
  subtracts it.
Each client count runs with clients that do not offer permessage-deflate
and with clients that do (the websockets library and browsers offer it by
default; uvicorn accepts it by default, compressing per client).
Client and server share the machine's 2 cores. The clients are one process
with a minimal WebSocket frame reader (benchmarks/stream_clients.py: a few
microseconds per message, so the figures describe the server); its own lag is
still part of the delay.
Prints a table, writes benchmarks/plots/streams-delay.png, last line JSON.
"""
import argparse
import asyncio
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.client import KarakumClient, free_port, wait_ready  # noqa: E402
from benchmarks.stream_clients import Receiver  # noqa: E402

KARAKUM = str(Path(sys.executable).with_name("karakum"))
CLOCK_TICKS_PER_S = os.sysconf("SC_CLK_TCK")
QUIET_S = 2.0  # The run ends this long after the last message once the load is done.
PLOT = ROOT / "benchmarks" / "plots" / "streams-delay.png"
PLOT_POINTS = 1_000



class Server:
    def __init__(self, data_dir: str):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [KARAKUM, "serve", "--demo", "--data-dir", data_dir, "--port", str(self.port)],
            env={k: v for k, v in os.environ.items() if not k.startswith("KARAKUM_")},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_ready(f"{self.base_url}/v1/health/ready", self.process)
        self.credentials = json.loads((Path(data_dir) / "demo-credentials.json").read_text())

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS_PER_S  # utime, stime (fields 14, 15).

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)


def place_orders(base_url: str, traders: list[dict], orders: int, rate: float, seconds_max: float) -> None:
    """The load process: paced orders; passive limits, crossing IOCs (trades) and cancels."""
    rng = random.Random(7)
    clients = [KarakumClient(base_url, t["api_key"], t["secret"]) for t in traders]
    resting: list[tuple[int, int]] = []
    started = time.monotonic()
    for count in range(orders):
        pause = started + count / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        if time.monotonic() - started > seconds_max:
            return
        index, roll = count % 2, rng.random()
        if roll < 0.1 and resting:
            owner, order_id = resting.pop(rng.randrange(len(resting)))
            clients[owner].delete(f"/v1/orders/{order_id}")
            continue
        side = "BUY" if index == 0 else "SELL"
        if roll < 0.3:
            price, time_in_force = ("100500.00" if side == "BUY" else "99500.00"), "IOC"
        else:
            offset = rng.randint(1, 500)
            price = f"{100_000 - offset if side == 'BUY' else 100_000 + offset}.00"
            time_in_force = "GTC"
        answer = clients[index].post("/v1/orders", {"symbol": "BTC-USDT", "side": side, "type": "LIMIT",
                                                    "price": price, "quantity": "0.0010",
                                                    "time_in_force": time_in_force})
        if answer.status_code == 201 and answer.json()["order"]["status"] == "NEW":
            resting.append((index, answer.json()["order"]["order_id"]))


async def run_scenario(server: Server, clients: int, compression: bool, orders: int, rate: float,
                       seconds_max: float) -> dict:
    receiver = Receiver(server.port, compression)
    sockets = await receiver.connect(clients)
    cpu_before, started_ns = server.cpu_s(), time.time_ns()
    load = multiprocessing.get_context("spawn").Process(
        target=place_orders, args=(server.base_url, server.credentials["traders"], orders, rate, seconds_max))
    load.start()
    while load.is_alive():
        await asyncio.sleep(0.2)
    drain_deadline = time.monotonic() + seconds_max  # The backlog drains in bounded time too.
    while time.time_ns() - max(receiver.last_ns, started_ns) < QUIET_S * 1e9 and time.monotonic() < drain_deadline:
        await asyncio.sleep(0.2)
    cpu_s = server.cpu_s() - cpu_before
    for client in sockets:
        client.close()
    result = summarize(receiver, clients, orders, cpu_s)
    result["compression"] = compression
    return result


def percentile(sorted_values: list[int], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))] / 1e6


def summarize(receiver: Receiver, clients: int, orders: int, cpu_s: float) -> dict:
    delays = sorted(receiver.delays_ns)
    elapsed_s = max(receiver.last_ns - receiver.first_ns, 1) / 1e9
    return {
        "clients": clients, "orders": orders, "messages_delivered": receiver.messages,
        "messages_per_client": receiver.messages / clients, "elapsed_s": round(elapsed_s, 2),
        "messages_per_s": round(receiver.messages / elapsed_s),
        "delay_p50_ms": round(percentile(delays, 0.50), 2), "delay_p99_ms": round(percentile(delays, 0.99), 2),
        "delay_max_ms": round(delays[-1] / 1e6, 2), "server_cpu_s": round(cpu_s, 2),
        "server_cpu_us_per_message": round(cpu_s * 1e6 / max(receiver.messages, 1), 1),
        "clients_dropped": receiver.closed_early, "delays_ns": delays,
    }


def plot(results: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(8, 4.5))
    for result in results:
        delays_ns = result["delays_ns"]
        points = [i / PLOT_POINTS for i in range(PLOT_POINTS + 1)]  # Quantiles: the CDF without 361k points.
        delays = [delays_ns[min(len(delays_ns) - 1, int(q * len(delays_ns)))] / 1e6 for q in points]
        deflate = "permessage-deflate" if result["compression"] else "no compression"
        axis.plot(delays, points,
                  label=f"{result['clients']} clients, {deflate} (p99 {result['delay_p99_ms']} ms)")
    axis.set_xscale("log")
    axis.set_xlabel("delay from commit to client (ms, log scale)")
    axis.set_ylabel("fraction of messages delivered")
    axis.set_title("WebSocket fan-out of book diffs and trades (loopback, 2 shared cores)")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(loc="upper left", fontsize="small")
    PLOT.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(PLOT, dpi=110, bbox_inches="tight")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="100,1000")
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--rate", type=float, default=50.0, help="orders per second")
    parser.add_argument("--seconds-max", type=float, default=60.0)
    parser.add_argument("--compression", default="off,on", help="clients offering permessage-deflate: off, on or both")
    arguments = parser.parse_args()
    scenarios = [(1, False)] + [(int(clients), mode == "on") for mode in arguments.compression.split(",")
                                for clients in arguments.clients.split(",")]
    results = []
    for clients, compression in scenarios:
        with tempfile.TemporaryDirectory() as data_dir:
            server = Server(data_dir)
            try:
                result = asyncio.run(run_scenario(server, clients, compression, arguments.orders, arguments.rate,
                                                  arguments.seconds_max))
            finally:
                server.stop()
        results.append(result)
        print(f"{clients:>5} clients, deflate {'on ' if compression else 'off'}: {result['messages_delivered']:>8} "
              f"messages, {result['messages_per_s']:>7}/s, delay p50 {result['delay_p50_ms']} ms p99 "
              f"{result['delay_p99_ms']} ms max {result['delay_max_ms']} ms, server CPU "
              f"{result['server_cpu_us_per_message']} us/message, dropped {result['clients_dropped']}", flush=True)
    baseline = results[0]
    for result in results[1:]:
        extra_cpu_s = result["server_cpu_s"] - baseline["server_cpu_s"]
        extra_messages = result["messages_delivered"] - baseline["messages_delivered"]
        result["server_cpu_us_per_message_marginal"] = round(extra_cpu_s * 1e6 / max(extra_messages, 1), 1)
    plot(results[1:])
    for result in results:
        del result["delays_ns"]
    print(json.dumps({"benchmark": "streams", "rate_orders_per_s": arguments.rate, "results": results,
                      "plot": str(PLOT.relative_to(ROOT))}))


if __name__ == "__main__":
    main()
