"""A small signed client for the native API, and a readiness wait: used by tests, benchmarks and operator scripts."""
import socket
import subprocess
import time
from pathlib import Path

import httpx
import msgspec

from api.auth.signing import sign_native


class KarakumClient:
    """Signs every request with X-KK-APIKEY / X-KK-TIMESTAMP / X-KK-SIGNATURE when a key is given."""

    def __init__(self, base_url: str, api_key: str | None = None, secret: str | None = None,
                 timeout_s: float = 30.0):
        self.api_key = api_key
        self.secret = secret
        self.http = httpx.Client(base_url=base_url, timeout=timeout_s)
        self._last_timestamp_ms = 0

    def request(self, method: str, path: str, body=None, params: dict | None = None) -> httpx.Response:
        content = b"" if body is None else msgspec.json.encode(body)
        query = str(httpx.QueryParams(params or {}))
        path_with_query = f"{path}?{query}" if query else path
        headers = {"content-type": "application/json"}
        if self.api_key is not None:
            # Strictly increasing: two identical requests in one millisecond must not share a signature.
            timestamp_ms = max(time.time_ns() // 1_000_000, self._last_timestamp_ms + 1)
            self._last_timestamp_ms = timestamp_ms
            headers.update({"X-KK-APIKEY": self.api_key, "X-KK-TIMESTAMP": str(timestamp_ms),
                            "X-KK-SIGNATURE": sign_native(self.secret, timestamp_ms, method, path_with_query,
                                                          content)})
        return self.http.request(method, path_with_query, content=content, headers=headers)

    def get(self, path: str, **params) -> httpx.Response:
        return self.request("GET", path, params=params)

    def post(self, path: str, body=None) -> httpx.Response:
        return self.request("POST", path, body=body if body is not None else {})

    def patch(self, path: str, body=None) -> httpx.Response:
        return self.request("PATCH", path, body=body if body is not None else {})

    def delete(self, path: str, **params) -> httpx.Response:
        return self.request("DELETE", path, params=params)

    def close(self) -> None:
        self.http.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now, for a server process about to start."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_ready(url: str, process: subprocess.Popen, timeout_s: float = 120.0, log_path: Path | None = None) -> None:
    """Poll `url` until it answers 200 (a server just started as `process`); raise if it exits or times out.

    The message of a server that exited ends with the last 3,000 characters of `log_path`, if given."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = f": {log_path.read_text()[-3000:]}" if log_path is not None else ""
            raise RuntimeError(f"the server behind {url} exited with {process.returncode}{log}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready in {timeout_s:g} s")
