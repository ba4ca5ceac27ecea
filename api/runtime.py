"""The running exchange: store, venue, sequencer and authenticator, owned together.

`Runtime.open(db_url, server_key)` opens the store, rebuilds the venue from
the journal, and starts the sequencer. If a commit fails, the sequencer stops
and the runtime rebuilds the venue from the store before accepting commands
again: it never answers from state that is not durable. While a restricted-list
or screening-rule change is re-screening customers (in chunks, see
exchange/compliance/lists.py), the runtime sends the ContinueRescreen commands
that carry it on, one after the other, between other clients' commands.
"""
import asyncio
import logging
import time

from api.auth.authenticator import Authenticator
from api.auth.crypto import ServerKey
from api.auth.keys import KeyDirectory
from api.auth.ratelimit import RateLimiter
from exchange.access.commands import SYSTEM_ACTOR
from exchange.compliance import ContinueRescreen
from exchange.recovery import rebuild
from exchange.sequencer import Sequencer, SequencerStopped
from exchange.store import open_store
from exchange.tuning import tune_gc

log = logging.getLogger("karakum.runtime")
RESTART_POLL_S = 0.1


class Runtime:
    def __init__(self, store, server_key: ServerKey, clock_ns=time.time_ns, rate_limits=None):
        self.store = store
        self.server_key = server_key
        self.clock_ns = clock_ns
        self.venue = None
        self.sequencer: Sequencer | None = None
        self.subscribers: list = []  # Callables given each committed batch's outcomes, in order.
        # Customers whose balances outcomes carry (the account streams' listeners): id as text -> the last
        # sequence applied before watching began; outcomes up to it may lack the customer's balances.
        self.balance_watch: dict[str, int] = {}
        self.authenticator = Authenticator(KeyDirectory(lambda: self.venue.access, server_key),
                                           limiter=RateLimiter(rate_limits))
        self._watch: asyncio.Task | None = None
        self._rescreening: asyncio.Task | None = None
        self._closing = False

    @classmethod
    async def open(cls, db_url: str, server_key: ServerKey, clock_ns=time.time_ns, rate_limits=None) -> "Runtime":
        runtime = cls(await open_store(db_url, separate_writer=True), server_key, clock_ns, rate_limits)
        await runtime._start()
        return runtime

    async def _start(self) -> None:
        self.venue = await rebuild(self.store)
        for customer in self.balance_watch:  # What was applied and lost is applied again, watched.
            self.balance_watch[customer] = min(self.balance_watch[customer], self.venue.sequence)
        self.venue.balance_watch = self.balance_watch
        self.venue.compliance.prepare_screening()  # Its similar-name index now, not at the first sign-up.
        tune_gc()
        self.sequencer = Sequencer(self.venue, self.store, clock_ns=self.clock_ns, publish=self._publish)
        self.sequencer.start()
        self._watch = asyncio.create_task(self._restart_on_failure(self.sequencer))
        self._continue_rescreen_if_pending()  # A re-screen the last run left unfinished.

    async def _restart_on_failure(self, sequencer: Sequencer) -> None:
        try:
            await sequencer._task
        except Exception:  # noqa: BLE001 - the sequencer already failed its callers.
            if self._closing:
                return
            log.exception("sequencer stopped on a failed commit; rebuilding from the store")
            await self._start()

    @property
    def ready(self) -> bool:
        return self.sequencer is not None and self.sequencer.accepting

    async def submit(self, command):
        """Sequence a command; its result once durable. Raises SequencerStopped while restarting."""
        if self.sequencer is None:
            raise SequencerStopped("the exchange is starting")
        return await self.sequencer.submit(command)

    async def durable_view(self):
        """The venue, once everything applied to it is committed: read state only through this."""
        if self.sequencer is None:
            raise SequencerStopped("the exchange is starting")
        await self.sequencer.durable()
        return self.venue

    def watch_balances(self, customer_id: int, watching: bool) -> None:
        """Have outcomes carry this customer's balances from the next command on (or no longer)."""
        if watching:
            self.balance_watch.setdefault(str(customer_id), self.venue.sequence)
        else:
            self.balance_watch.pop(str(customer_id), None)

    def balances_reported(self, customer_id: int, sequence: int) -> bool:
        """Whether the outcome of command `sequence` carries this customer's balances."""
        since = self.balance_watch.get(str(customer_id))
        return since is not None and sequence > since

    def _publish(self, outcomes) -> None:
        for subscriber in list(self.subscribers):
            subscriber(outcomes)
        self._continue_rescreen_if_pending()

    def _continue_rescreen_if_pending(self) -> None:
        if self.venue.compliance.rescreen_pending() and (self._rescreening is None or self._rescreening.done()):
            self._rescreening = asyncio.create_task(self._continue_rescreen())

    async def _continue_rescreen(self) -> None:
        """One ContinueRescreen at a time until the re-screen is done, across a restart (the cursor is state)."""
        while not self._closing and self.venue.compliance.rescreen_pending():
            try:
                await self.submit(ContinueRescreen(actor=SYSTEM_ACTOR))
            except SequencerStopped:
                await asyncio.sleep(RESTART_POLL_S)  # Rebuilding from the store: go on from what is durable.

    async def close(self) -> None:
        self._closing = True
        if self.sequencer is not None:
            await self.sequencer.stop()
        for task in (self._watch, self._rescreening):
            if task is not None:
                task.cancel()
        await self.store.close()
