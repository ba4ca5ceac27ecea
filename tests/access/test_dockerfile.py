"""The Dockerfile: hadolint-clean, non-root, /data volume, and a HEALTHCHECK and CMD that work.

No container engine runs here, so the HEALTHCHECK and CMD are run as the container would run
them: the same argv, the same environment variables, on this machine.
"""
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from api.client import free_port

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
BIN = Path(sys.executable).parent


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined, pending = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1].strip()) for text in joined]


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last_from = max(index for index, (name, _) in enumerate(steps) if name == "FROM")
    return steps[last_from:]


def exec_form(arguments: str) -> list[str]:
    return json.loads(arguments[arguments.index("["):])


def test_hadolint_reports_nothing_at_any_level():
    result = subprocess.run([str(BIN / "hadolint"), "--no-color", "--failure-threshold", "style",
                             str(DOCKERFILE)], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_multi_stage_slim_python_311_non_root_with_a_data_volume():
    steps = instructions()
    bases = [arguments for name, arguments in steps if name == "FROM"]
    assert len(bases) >= 2 and all(base.startswith("python:3.11-slim") for base in bases)
    final = dict(final_stage())
    user = final["USER"].split(":")[0]
    assert user not in ("root", "0")
    assert exec_form(final["VOLUME"]) == ["/data"]
    assert any(name == "COPY" and arguments.startswith("--from=") for name, arguments in final_stage())


def test_the_cmd_is_karakum_serve_on_the_data_dir_bound_by_environment():
    final = dict(final_stage())
    command = exec_form(final["CMD"])
    assert command[:2] == ["sh", "-c"]
    assert command[2].startswith("exec karakum serve ")
    assert '--host "$KARAKUM_HOST"' in command[2] and '--port "$KARAKUM_PORT"' in command[2]
    assert "--data-dir /data" in command[2]
    assert "KARAKUM_HOST=0.0.0.0" in final["ENV"] and "KARAKUM_PORT=8080" in final["ENV"]


class _Ready(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):  # noqa: N802 - the http.server API.
        self.send_response(self.status if self.path == "/v1/health/ready" else 404)
        self.end_headers()

    def log_message(self, *arguments):
        pass


def healthcheck(port: int) -> int:
    command = exec_form(dict(final_stage())["HEALTHCHECK"].split("CMD", 1)[1])
    command[0] = sys.executable  # The image's `python`.
    environment = dict(os.environ, KARAKUM_PORT=str(port))
    return subprocess.run(command, env=environment, capture_output=True, timeout=30).returncode


@pytest.mark.parametrize("status, healthy", [(200, True), (503, False)])
def test_healthcheck_asks_the_readiness_endpoint_on_the_configured_port(status, healthy):
    handler = type("Handler", (_Ready,), {"status": status})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert (healthcheck(server.server_address[1]) == 0) is healthy
    finally:
        server.shutdown()
        server.server_close()


def test_healthcheck_fails_when_nothing_listens():
    port = free_port()
    assert healthcheck(port) != 0


def _serve_registered() -> bool:
    result = subprocess.run([str(BIN / "karakum"), "serve", "--help"], capture_output=True, timeout=60)
    return result.returncode == 0


def test_the_container_cmd_starts_a_ready_server_outside_a_container(tmp_path):
    if not _serve_registered():
        pytest.skip("`karakum serve` is not registered in api/cli.py yet")
    port = free_port()
    command = exec_form(dict(final_stage())["CMD"])
    command[2] = command[2].replace("/data", str(tmp_path))
    environment = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}", KARAKUM_HOST="127.0.0.1",
                       KARAKUM_PORT=str(port), KARAKUM_SERVER_KEY="ab" * 32)
    environment.pop("KARAKUM_DB_URL", None)
    server = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and healthcheck(port) != 0:
            assert server.poll() is None, server.stderr.read().decode()
            time.sleep(0.3)
        assert healthcheck(port) == 0
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/health/ready", timeout=5) as answer:
            assert answer.status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
