"""A command carrying a NUL character is refused, audited readably, and its batch commits on both stores.

PostgreSQL text columns cannot hold NUL: before this refusal, an operator's reason with one
failed the whole batch's commit and restarted the exchange (found by tests/api/test_hostile_input.py).
"""
import asyncio

import pytest

from exchange import commands as c
from exchange.results import Refused
from exchange.sequencer import Sequencer
from exchange.store import open_store
from tests.exchange.venue_setup import OPERATOR, VenueDriver


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request, tmp_path) -> str:
    return f"sqlite://{tmp_path}/exchange.db" if request.param == "sqlite" else request.getfixturevalue("postgres_url")


def test_a_nul_in_any_text_is_refused_and_audited_with_a_replacement_character(store_url):
    driver = VenueDriver()
    driver.market()
    outcomes = [driver.apply(c.SetFees(actor=OPERATOR, instrument_id=1, maker_fee_bps=5, taker_fee_bps=5)),
                driver.apply(c.DefineAsset(actor=OPERATOR, code="E\x00TH", decimals=8, tmt_units_per_asset=1)),
                driver.apply(c.ProposeCorrection(actor=OPERATOR, customer_id=1, asset="BTC", amount_units=1,
                                                 reason="typo\x00fix", ticket="T-1"))]
    refused = [outcome.result for outcome in outcomes[1:]]
    assert all(type(result) is Refused and result.code == "INVALID_TEXT" for result in refused), refused
    assert "ETH" not in driver.venue.listing.assets and "E\x00TH" not in driver.venue.listing.assets
    audit = [record for outcome in outcomes for record in outcome.audit]
    assert [(record.action, record.target, record.reason) for record in audit[1:]] == [
        ("define_asset", "E\ufffdTH", ""), ("propose_correction", "1", "typo\ufffdfix")]

    async def write_and_read_back():
        store = await open_store(store_url)
        try:
            await store.write_batch(Sequencer._batch(outcomes))
            return [record async for record in store.read_audit(0)]
        finally:
            await store.close()

    stored = asyncio.run(write_and_read_back())
    assert [record.reason for record in stored][-1] == "typo\ufffdfix"
