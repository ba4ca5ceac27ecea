"""`karakum serve --cpus SERVER,WRITER` pins the server and its store writer to one CPU each; bad settings are
refused before anything starts."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.client import free_port, wait_ready
from exchange.tuning import parse_cpus

KARAKUM = str(Path(sys.executable).with_name("karakum"))
CPUS = sorted(os.sched_getaffinity(0))


@pytest.mark.parametrize(("setting", "message"), [
    ("0,0", "two different CPUs"),
    ("0", "two CPU numbers"),
    ("0,1,2", "two CPU numbers"),
    ("a,1", "two CPU numbers"),
    ("-1,0", "two CPU numbers"),
    (f"{CPUS[0]},{max(CPUS) + 1}", "not available here"),
])
def test_a_bad_setting_is_refused_with_what_is_wrong(setting, message):
    with pytest.raises(ValueError, match=message):
        parse_cpus(setting)



def _serve(tmp_path: Path, cpus: str, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KARAKUM_")}
    return subprocess.Popen([KARAKUM, "serve", "--data-dir", str(tmp_path), "--port", str(port), "--cpus", cpus],
                            env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "server.log", "ab"))


def test_serve_refuses_a_bad_setting_before_starting(tmp_path):
    server = _serve(tmp_path, "0,0", free_port())
    assert server.wait(timeout=60) == 2
    assert "--cpus: the server and its writer need two different CPUs" in (tmp_path / "server.log").read_text()


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [int(child) for child in children.read().split()]


def _command_line(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as command:
        return command.read().replace(b"\0", b" ").decode()


@pytest.mark.skipif(len(CPUS) < 2, reason="pinning two processes apart needs two CPUs")
def test_serve_pins_itself_and_its_store_writer_to_one_cpu_each(tmp_path):
    server_cpu, writer_cpu = CPUS[1], CPUS[0]  # Reversed, so the default order cannot pass by accident.
    port = free_port()
    server = _serve(tmp_path, f"{server_cpu},{writer_cpu}", port)
    try:
        wait_ready(f"http://127.0.0.1:{port}/v1/health/ready", server, 60, tmp_path / "server.log")
        writers = [child for child in _children(server.pid) if "exchange.store.writer" in _command_line(child)]
        assert len(writers) == 1, [_command_line(child) for child in _children(server.pid)]
        assert os.sched_getaffinity(server.pid) == {server_cpu}
        assert os.sched_getaffinity(writers[0]) == {writer_cpu}
    finally:
        server.terminate()
        server.wait(timeout=30)
