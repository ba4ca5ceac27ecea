"""A real `karakum serve --demo` process per test module, on SQLite or PostgreSQL.

`exchange_server` yields a Server with the base URL, the demo credentials and
signed clients for every demo role. PostgreSQL runs FAIL when it is down.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.client import KarakumClient, free_port, wait_ready

KARAKUM = str(Path(sys.executable).with_name("karakum"))



class Server:
    def __init__(self, data_dir: Path, db_url: str | None, environment: dict[str, str] | None = None):
        self.data_dir = data_dir
        self.db_url = db_url
        self.environment = environment or {}  # KARAKUM_* settings for this server; the caller's are dropped.
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.clients: list[KarakumClient] = []

    def start(self) -> None:
        command = [KARAKUM, "serve", "--demo", "--data-dir", str(self.data_dir), "--port", str(self.port)]
        if self.db_url:
            command += ["--db", self.db_url]
        env = {k: v for k, v in os.environ.items() if not k.startswith("KARAKUM_")} | self.environment
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                        stderr=open(self.data_dir / "server.log", "ab"))
        try:
            wait_ready(f"{self.base_url}/v1/health/ready", self.process, 60, self.data_dir / "server.log")
        except BaseException:
            self.stop()  # A server that never became ready must not outlive the test run.
            raise
        self.credentials = json.loads((self.data_dir / "demo-credentials.json").read_text())
        self.admin = json.loads((self.data_dir / "admin-credentials.json").read_text())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        for client in self.clients:
            client.close()

    def client(self, who: dict | None = None) -> KarakumClient:
        client = KarakumClient(self.base_url, who["api_key"] if who else None, who["secret"] if who else None)
        self.clients.append(client)
        return client

    def staff(self, staff_id: str) -> KarakumClient:
        if staff_id == "admin":
            return self.client(self.admin)
        return self.client(next(s for s in self.credentials["staff"] if s["staff_id"] == staff_id))

    def trader(self, index: int) -> KarakumClient:
        return self.client(self.credentials["traders"][index])

    def trader_id(self, index: int) -> int:
        return self.credentials["traders"][index]["customer_id"]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def exchange_server(request, tmp_path_factory):
    server = server_for(request, tmp_path_factory)
    server.start()
    yield server
    server.stop()


def server_for(request, tmp_path_factory, environment: dict[str, str] | None = None) -> Server:
    """A Server (not started) on the database `request.param` names: "sqlite" or "postgres"."""
    db_url = request.getfixturevalue("postgres_url_module") if request.param == "postgres" else None
    return Server(tmp_path_factory.mktemp(f"exchange-{request.param}"), db_url, environment)
