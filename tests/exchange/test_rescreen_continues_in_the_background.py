"""The runtime carries a chunked re-screen to its end, one ContinueRescreen command after another,
also across a restart after a failed commit."""
import asyncio

import pytest

from api.auth.crypto import generate_server_key, parse_server_key
from api.runtime import Runtime
from exchange import commands as c
from exchange.compliance import DocumentType, LoadRestrictedParties, RestrictedParty, SubmitIdentity, VerifyCustomer
from exchange.compliance.lists import RESCREEN_CUSTOMERS_PER_COMMAND
from exchange.store import open_store

CUSTOMERS = RESCREEN_CUSTOMERS_PER_COMMAND + 5
OFFICER = "officer-1"


async def _onboard(runtime: Runtime) -> list[str]:
    opened = await asyncio.gather(*(runtime.submit(c.OpenAccount(
        email=f"person{index}@example.tm", key_id=f"key-{index}", secret_ciphertext="not-a-secret"))
        for index in range(CUSTOMERS)))
    ids = [str(result.data["customer_id"]) for result in opened]
    await asyncio.gather(*(runtime.submit(SubmitIdentity(
        customer_id=customer_id, full_name=f"Person Number {customer_id}", document_type=DocumentType.PASSPORT,
        document_number=f"P{customer_id}", country="TM", date_of_birth="1990-01-01")) for customer_id in ids))
    await asyncio.gather(*(runtime.submit(VerifyCustomer(customer_id=customer_id, actor=OFFICER, reason="ok"))
                           for customer_id in ids))
    return sorted(ids)  # The order a re-screen goes in.


class FailingOnRequest:
    """The real SQLite store; the write after `fail_next` is set fails once (a disk error, a lost connection)."""

    def __init__(self, store):
        self.store = store
        self.fail_next = False

    async def write_batch(self, batch):
        if self.fail_next:
            self.fail_next = False
            raise OSError("injected: disk I/O error")
        await self.store.write_batch(batch)

    def __getattr__(self, name):
        return getattr(self.store, name)


async def _scenario(path, fail_after_the_change: bool) -> None:
    store = FailingOnRequest(await open_store(f"sqlite:///{path}"))
    runtime = Runtime(store, parse_server_key(generate_server_key()))
    await runtime._start()
    try:
        ids = await _onboard(runtime)
        first, last = ids[0], ids[-1]
        entries = [RestrictedParty(name=f"Person Number {first}"), RestrictedParty(name=f"Person Number {last}")]
        await runtime.submit(LoadRestrictedParties(actor=OFFICER, list_name="un", entries=entries))
        store.fail_next = fail_after_the_change  # The first ContinueRescreen's commit fails: a restart.
        for _ in range(500):
            if runtime.ready and not runtime.venue.compliance.rescreen_pending():
                break
            await asyncio.sleep(0.01)
        await runtime.durable_view()
        assert not store.fail_next  # With the failure asked for, a commit did fail and the runtime rebuilt.
        assert not runtime.venue.compliance.rescreen_pending()
        assert {case.customer_id for case in runtime.venue.compliance.cases()} == {first, last}
        continued = [record async for record in runtime.store.read_audit(0) if record.action == "continue_rescreen"]
        assert len(continued) == 1  # One chunk at the change, the rest by one (durable) command.
    finally:
        await runtime.close()


@pytest.mark.parametrize("fail_after_the_change", [False, True], ids=["steady", "restart"])
def test_the_runtime_finishes_a_rescreen_the_change_started(tmp_path, fail_after_the_change):
    asyncio.run(_scenario(tmp_path / "exchange.db", fail_after_the_change))
