"""Builders for venue tests: a BTC/USDT market and verified, funded customers."""
from engine.commands import OrderType, Side, TimeInForce
from engine.instrument import Instrument
from exchange import commands as c
from exchange.compliance import AssignTier, DocumentType, IssueDepositAddress, SubmitIdentity, VerifyCustomer
from exchange.venue import Venue

OPERATOR = "staff:op1"
BTC_USDT = Instrument(
    instrument_id=1, symbol="BTC/USDT", base="BTC", quote="USDT", tick_size="0.01", lot_size="0.0001",
    base_units_per_lot=10_000, quote_units_per_tick_lot=1, min_quantity_lots=1, max_quantity_lots=1_000_000,
    min_notional_tick_lots=0, price_band_bps=2_000)


class VenueDriver:
    """Applies commands with consecutive sequence numbers and a fixed clock step."""

    def __init__(self):
        self.venue = Venue()
        self.sequence = 0
        self.timestamp_ns = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z
        self.journal = []

    def apply(self, command):
        self.sequence += 1
        self.timestamp_ns += 1_000_000
        outcome = self.venue.apply(command, self.sequence, self.timestamp_ns)
        self.journal.append(outcome.journal)
        self.venue.check()
        return outcome

    def result(self, command):
        return self.apply(command).result

    def market(self, reference_price_ticks=10_000_000, maker_fee_bps=10, taker_fee_bps=20):
        self.result(c.DefineAsset(actor=OPERATOR, code="BTC", decimals=8, tmt_units_per_asset=35_000_000))
        self.result(c.DefineAsset(actor=OPERATOR, code="USDT", decimals=6, tmt_units_per_asset=350))
        return self.result(c.ListMarket(actor=OPERATOR, instrument=BTC_USDT,
                                        reference_price_ticks=reference_price_ticks,
                                        maker_fee_bps=maker_fee_bps, taker_fee_bps=taker_fee_bps))

    def customer(self, email, document_number, verify=True, tier=3):
        opened = self.result(c.OpenAccount(email=email, key_id=f"k-{email}", secret_ciphertext="x"))
        customer_id = opened.data["customer_id"]
        self.result(SubmitIdentity(customer_id=str(customer_id), full_name=f"Person {document_number}",
                                   document_type=DocumentType.PASSPORT, document_number=document_number,
                                   country="TM", date_of_birth="1990-01-01"))
        if verify:
            self.result(VerifyCustomer(customer_id=str(customer_id), actor="staff:co1", reason="documents checked"))
            self.result(AssignTier(customer_id=str(customer_id), actor="staff:co1", tier=tier, reason="enhanced"))
        return customer_id

    def fund(self, customer_id, asset, amount_units, tx):
        address = self.result(IssueDepositAddress(customer_id=str(customer_id), asset=asset)).data["deposit_address"]
        return self.result(c.ReportDeposit(actor="custody", asset=asset, address=address,
                                           amount_units=amount_units, chain_tx_id=tx))

    def order(self, account_id, side, price_ticks, quantity_lots, order_type=OrderType.LIMIT,
              time_in_force=TimeInForce.GTC, **fields):
        return self.result(c.SubmitOrder(account_id=account_id, instrument_id=1, side=Side(side),
                                         order_type=order_type, time_in_force=time_in_force,
                                         price_ticks=price_ticks, quantity_lots=quantity_lots, **fields))


def buyer_and_seller(reference_price_ticks=10_000_000):
    """A market and two verified customers: one with USDT to buy, one with BTC to sell; (driver, buyer, seller)."""
    driver = VenueDriver()
    driver.market(reference_price_ticks=reference_price_ticks)
    a, b = driver.customer("a@x.tm", "AA0000001"), driver.customer("b@x.tm", "BB0000001")
    driver.fund(a, "USDT", 50_000_000_000, "t1")
    driver.fund(b, "BTC", 200_000_000, "t2")
    return driver, a, b


def recorded_session():
    """A session with customers, deposits, resting orders, trades and cancels; its journal."""
    driver = VenueDriver()
    driver.market()
    alice = driver.customer("alice@example.tm", "AA1111111")
    bob = driver.customer("bob@example.tm", "BB2222222")
    driver.fund(alice, "USDT", 50_000_000_000, "tx-a")
    driver.fund(bob, "BTC", 200_000_000, "tx-b")
    for index in range(40):
        side, account = ("BUY", alice) if index % 2 else ("SELL", bob)
        driver.order(account, side, 10_000_000 + (index % 5) * 100, 50 + index, client_order_id=f"c{index}")
    driver.alice, driver.bob = alice, bob
    return driver


def commands_of(driver):
    return [c.decode_command(record.command) for record in driver.journal]
