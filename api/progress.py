"""Progress for long operator commands: a live line on a terminal, silence when piped."""
import sys
import time


class Progress:
    """Report `done` of `total` items on stderr at most every `interval_s` seconds, only on a TTY."""

    def __init__(self, label: str, total: int | None = None, interval_s: float = 0.2, stream=None):
        self.label = label
        self.total = total
        self.interval_s = interval_s
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty()
        self.done = 0
        self._shown_at = 0.0

    def advance(self, count: int = 1) -> None:
        self.done += count
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._shown_at >= self.interval_s:
            self._shown_at = now
            self._show()

    def _show(self) -> None:
        of_total = f"/{self.total}" if self.total is not None else ""
        self.stream.write(f"\r{self.label}: {self.done}{of_total}")
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self._show()
            self.stream.write("\n")
            self.stream.flush()
