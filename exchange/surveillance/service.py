"""Surveillance beside the running exchange: follows the commits, opens compliance cases.

`on_batch` is a `runtime.subscribers` callback (called right after each
commit, in sequence order): it only enqueues into a bounded queue and never
waits, so the matching path never waits for surveillance. A separate asyncio
task feeds the detector and opens one `OpenCase` per hit and account, through
`runtime.submit` with actor "surveillance": cases are journaled and audited
like any officer's action. Cases never block withdrawals by themselves; a
high-severity rule suggests a restriction in the summary, for an officer to
decide with four eyes.

Start-up, a full queue (the analyser fell `QUEUE_BATCHES_MAX` batches behind)
or a failed case submission all lead to the same resync: a fresh detector
rebuilt from the store up to the committed sequence (rebuild.py), and the
set of keys of cases surveillance already opened, read from the compliance
cases. So a restart neither loses a hit nor opens a case twice.
"""
import asyncio
import logging
import weakref

from exchange.compliance import OpenCase
from exchange.results import Refused
from exchange.surveillance.detector import Detector
from exchange.surveillance.directory import VenueDirectory
from exchange.surveillance.hits import SURVEILLANCE_ACTOR, Hit, case_key, case_summary
from exchange.surveillance.rebuild import rebuild

log = logging.getLogger("karakum.surveillance")

QUEUE_BATCHES_MAX = 1_024
_BY_RUNTIME: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class Surveillance:
    def __init__(self, runtime, queue_batches_max: int = QUEUE_BATCHES_MAX) -> None:
        self.runtime = runtime
        self.detector: Detector | None = None
        self.synced_sequence = 0  # Every committed command up to here has been analysed.
        self.cases_opened = 0
        self.batches_dropped = 0
        self.resyncs = 0
        self._queue: asyncio.Queue = asyncio.Queue(maxsize=queue_batches_max)
        self._resync_needed = True
        self._opened: set[tuple[str, str]] = set()  # (hit key, customer id) of cases already opened
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        """Subscribe and start the analyser task (inside the running event loop)."""
        self.runtime.subscribers.append(self.on_batch)
        self._task = asyncio.get_running_loop().create_task(self._run())

    def on_batch(self, outcomes) -> None:
        """Runtime subscriber: enqueue only; a full queue drops the batch and asks for a resync."""
        try:
            self._queue.put_nowait(outcomes)
        except asyncio.QueueFull:
            self.batches_dropped += 1
            self._resync_needed = True

    @property
    def thresholds(self):
        return self.detector.thresholds if self.detector is not None else None

    async def caught_up(self, timeout_s: float = 10.0) -> bool:
        """Wait until everything committed when called has been analysed and its cases submitted."""
        target = self.runtime.sequencer.committed_sequence
        deadline = asyncio.get_running_loop().time() + timeout_s
        while self.synced_sequence < target or self._resync_needed:
            if asyncio.get_running_loop().time() > deadline:
                return False
            await asyncio.sleep(0.01)
        return True

    async def _run(self) -> None:
        while True:
            try:
                if self._resync_needed:
                    await self._resync()
                    continue
                outcomes = await self._queue.get()
                if not self._resync_needed:
                    await self._analyse(outcomes)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - surveillance must outlive one bad batch: resync from the store.
                log.exception("surveillance failed on a batch; resyncing from the store")
                self._resync_needed = True
                await asyncio.sleep(1)

    async def _analyse(self, outcomes) -> None:
        hits: list[Hit] = []
        for outcome in outcomes:
            if outcome.journal.sequence > self.synced_sequence:
                hits.extend(self.detector.observe(outcome))
        await self._open(hits)
        self.synced_sequence = max(self.synced_sequence, outcomes[-1].journal.sequence)

    async def _resync(self) -> None:
        self._resync_needed = False
        self.resyncs += 1
        while not self._queue.empty():
            self._queue.get_nowait()
        runtime = self.runtime
        until_sequence = runtime.sequencer.committed_sequence  # Later batches are queued from now on.
        venue = runtime.venue
        self._opened = {(case_key(case.summary), case.customer_id) for case in venue.compliance.cases()
                        if case.opened_by == SURVEILLANCE_ACTOR and case_key(case.summary)}
        self.detector = Detector(VenueDirectory(lambda: self.runtime.venue))
        hits = await rebuild(self.detector, runtime.store, venue, until_sequence)
        await self._open(hits)
        self.synced_sequence = until_sequence

    async def _open(self, hits: list[Hit]) -> None:
        commands = []
        for hit in hits:
            for account_id in hit.account_ids:
                opened = (hit.key, str(account_id))
                if opened in self._opened:
                    continue
                self._opened.add(opened)
                commands.append(OpenCase(actor=SURVEILLANCE_ACTOR, customer_id=str(account_id),
                                         summary=case_summary(hit, account_id), blocks_withdrawals=False))
        if not commands:
            return
        results = await asyncio.gather(*(self.runtime.submit(command) for command in commands),
                                       return_exceptions=True)
        for command, result in zip(commands, results):
            if isinstance(result, BaseException):
                raise result  # The resync re-reads the cases, so what did open is not opened again.
            if type(result) is Refused:
                log.warning("surveillance case on account %s refused: %s", command.customer_id, result.code)
                continue
            self.cases_opened += 1
            log.info("surveillance opened a case on account %s: %s", command.customer_id,
                     case_key(command.summary))



def surveillance_of(runtime) -> Surveillance:
    """The runtime's one Surveillance, started on first use (call inside the running event loop)."""
    surveillance = _BY_RUNTIME.get(runtime)
    if surveillance is None:
        surveillance = _BY_RUNTIME[runtime] = Surveillance(runtime)
        surveillance.start()
    return surveillance
