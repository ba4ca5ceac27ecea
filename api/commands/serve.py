"""`karakum serve`: run the exchange (SQLite under the data dir unless --db says otherwise).

Settings come from flags, else from the environment (KARAKUM_HOST, KARAKUM_PORT,
KARAKUM_DATA_DIR, KARAKUM_DB_URL, KARAKUM_SERVER_KEY, KARAKUM_CPUS, and KARAKUM_RATE_LIMITS, e.g.
"trader=200/6000,auditor=20/300": burst requests / requests per minute per key of a role). Without a server key
in the environment, one is generated on first start into DATA_DIR/server.key
(mode 0600) and reused: losing it makes every stored API secret unreadable.
"""
import os
import sys
from pathlib import Path

from api.auth.crypto import ServerKeyError, generate_server_key, load_server_key, parse_server_key
from exchange.tuning import CPUS_VARIABLE, pin_server


def register(subparsers) -> None:
    parser = subparsers.add_parser("serve", help="run the exchange")
    parser.add_argument("--host", default=os.environ.get("KARAKUM_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("KARAKUM_PORT", "8080")))
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("KARAKUM_DATA_DIR", "./data")))
    parser.add_argument("--db", default=os.environ.get("KARAKUM_DB_URL"),
                        help="postgresql://... (default: sqlite file DATA_DIR/exchange.db)")
    parser.add_argument("--demo", action="store_true", help="demo markets, staff and two funded traders")
    parser.add_argument("--cpus", default=os.environ.get(CPUS_VARIABLE),
                        help="SERVER,WRITER: pin this process and its store writer to one CPU each (e.g. 0,1)")
    parser.set_defaults(handler=serve)


def server_key(data_dir: Path):
    if os.environ.get("KARAKUM_SERVER_KEY", "").strip():
        return load_server_key()
    path = data_dir / "server.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as stream:
            stream.write(generate_server_key())
    return parse_server_key(path.read_text())


def rate_limits(text: str | None):
    """Role limits from "role=burst/per_minute,..." over the defaults; None keeps the defaults."""
    if not text:
        return None
    from api.auth.ratelimit import DEFAULT_LIMITS, RateLimit
    from exchange.access import Role

    limits = dict(DEFAULT_LIMITS)
    for part in text.split(","):
        role, _, numbers = part.partition("=")
        burst, _, per_minute = numbers.partition("/")
        limits[Role(role.strip())] = RateLimit(burst_requests=int(burst), requests_per_minute=int(per_minute))
    return limits


def serve(arguments) -> int:
    import uvicorn

    from api.app import create_app
    from api.bootstrap import bootstrap, demo
    from api.runtime import Runtime

    data_dir = arguments.data_dir.resolve()
    try:
        key = server_key(data_dir)
    except ServerKeyError as error:
        print(f"karakum serve: {error}", file=sys.stderr)
        return 2
    db_url = arguments.db or f"sqlite:///{data_dir / 'exchange.db'}"
    try:
        limits = rate_limits(os.environ.get("KARAKUM_RATE_LIMITS"))
    except ValueError as error:
        print(f"karakum serve: KARAKUM_RATE_LIMITS: {error}", file=sys.stderr)
        return 2
    if arguments.cpus:
        try:
            pin_server(arguments.cpus)
        except ValueError as error:
            print(f"karakum serve: --cpus: {error}", file=sys.stderr)
            return 2

    async def open_runtime():
        runtime = await Runtime.open(db_url, key, rate_limits=limits)
        await bootstrap(runtime, data_dir)
        print(f"admin credentials: {data_dir / 'admin-credentials.json'}", file=sys.stderr)
        if arguments.demo:
            credentials = await demo(runtime, data_dir)
            print(f"demo API keys (secrets in {data_dir / 'demo-credentials.json'}):", file=sys.stderr)
            for who in credentials.get("staff", []) + credentials.get("traders", []):
                name = who.get("staff_id") or f"customer {who.get('customer_id')}"
                print(f"  {name:>16}: {who['api_key']}", file=sys.stderr)
        return runtime

    # No per-message deflate on WebSockets: it roughly doubles the server's CPU per delivered message
    # (benchmarks/results/streams.md), and CPU is what the single writer shares with the streams.
    uvicorn.run(create_app(open_runtime), host=arguments.host, port=arguments.port, log_level="warning",
                access_log=False, ws_per_message_deflate=False)
    return 0
