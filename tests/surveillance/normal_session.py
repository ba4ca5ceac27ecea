"""A randomized normal-trading session through a real Venue: committed outcomes for the detector.

Nobody here abuses anything, so every case the detector would open is a false
positive. The session is what an ordinary day looks like: a mid price that
random-walks, a few market makers quoting both sides and replacing quotes,
many customers placing limit orders near the mid, some crossing the spread,
cancelling some; every customer deposits once per asset at onboarding.
Seeded `random.Random`, so a session is the same on every run.
"""
import random

from engine.commands import CancelOrder, OrderType, Side, TimeInForce
from engine.instrument import Instrument
from exchange import commands as c
from exchange.compliance import AssignTier, DocumentType, IssueDepositAddress, SubmitIdentity, VerifyCustomer
from exchange.compliance.commands import SetTierLimits
from exchange.venue import Venue

OPERATOR = "session-operator"
SECOND = 1_000_000_000
T0 = 1_764_000_000 * SECOND
INSTRUMENT = Instrument(instrument_id=1, symbol="BTC/USDT", base="BTC", quote="USDT", tick_size="0.01",
                        lot_size="0.0001", base_units_per_lot=10_000, quote_units_per_tick_lot=1,
                        min_quantity_lots=1, max_quantity_lots=10**9, min_notional_tick_lots=0, price_band_bps=1_000)
MID_TICKS = 10_000_000  # 100,000.00 USDT
BIG = 10**15
MAKER_SHARE = 0.1  # of the accounts
MAKER_ACTIVITY = 0.4  # of the orders


class Session:
    def __init__(self, accounts: int, seed: int, seconds_per_command: float = 2.0) -> None:
        self.venue = Venue()
        self.rng = random.Random(seed)
        self.sequence = 0
        self.seconds_per_command = seconds_per_command
        self.mid_ticks = MID_TICKS
        self.accounts: list[int] = []
        self.live: dict[int, list[str]] = {}  # account -> client order ids that may still rest
        self.orders = 0
        self.setup_outcomes = self._setup(accounts)

    def apply(self, command):
        self.sequence += 1
        timestamp_ns = T0 + int(self.sequence * self.seconds_per_command * SECOND)
        return self.venue.apply(command, self.sequence, timestamp_ns)

    def _setup(self, accounts: int) -> list:
        commands = [
            c.DefineAsset(actor=OPERATOR, code="BTC", decimals=8, tmt_units_per_asset=35_000_000),
            c.DefineAsset(actor=OPERATOR, code="USDT", decimals=6, tmt_units_per_asset=350),
            c.ListMarket(actor=OPERATOR, instrument=INSTRUMENT, reference_price_ticks=MID_TICKS, maker_fee_bps=10,
                         taker_fee_bps=20),
            SetTierLimits(actor=OPERATOR, tier=9, daily_deposit_tmt_units=BIG, monthly_deposit_tmt_units=BIG,
                          daily_withdrawal_tmt_units=BIG, monthly_withdrawal_tmt_units=BIG),
        ]
        outcomes = [self.apply(command) for command in commands]
        for index in range(accounts):
            outcomes += self._onboard(index)
        return outcomes

    def _onboard(self, index: int) -> list:
        opened = self.apply(c.OpenAccount(email=f"s{index}@example.tm", key_id=f"s-{index}", secret_ciphertext="x"))
        customer = str(opened.result.data["customer_id"])
        rng = self.rng
        outcomes = [opened] + [self.apply(command) for command in (
            SubmitIdentity(customer_id=customer, full_name=f"Session Trader {index}",
                           document_type=DocumentType.PASSPORT, document_number=f"SES{index:07d}", country="TM",
                           date_of_birth=f"19{rng.randint(50, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"),
            VerifyCustomer(customer_id=customer, actor=OPERATOR, reason="session"),
            AssignTier(customer_id=customer, actor=OPERATOR, tier=9, reason="session"))]
        for asset, units in (("BTC", rng.randint(1, 50) * 10**8), ("USDT", rng.randint(50, 5_000) * 10**9)):
            address = self.apply(IssueDepositAddress(customer_id=customer, asset=asset))
            outcomes += [address, self.apply(c.ReportDeposit(
                actor=OPERATOR, asset=asset, address=address.result.data["deposit_address"], amount_units=units,
                chain_tx_id=f"s-{customer}-{asset}"))]
        self.accounts.append(int(customer))
        self.live[int(customer)] = []
        return outcomes

    def step(self) -> list:
        """One customer action (order or cancel); returns its outcomes."""
        rng = self.rng
        self.mid_ticks = max(1, round(self.mid_ticks * (1 + rng.gauss(0, 0.0003))))
        makers = max(1, int(len(self.accounts) * MAKER_SHARE))
        maker = rng.random() < MAKER_ACTIVITY
        account = rng.choice(self.accounts[:makers] if maker else self.accounts[makers:])
        live = self.live[account]
        if live and rng.random() < (0.45 if maker else 0.25):
            client_order_id = live.pop(rng.randrange(len(live)))
            return [self.apply(CancelOrder(account_id=account, instrument_id=1, client_order_id=client_order_id))]
        return [self._order(account, maker)]

    def _order(self, account: int, maker: bool):
        rng = self.rng
        side = Side.BUY if rng.random() < 0.5 else Side.SELL
        crossing = not maker and rng.random() < 0.3
        offset_bps = -rng.uniform(0, 10) if crossing else rng.uniform(1, 40 if maker else 60)
        direction = -1 if side is Side.BUY else 1
        price_ticks = round(self.mid_ticks * (1 + direction * offset_bps / 10_000))
        quantity_lots = rng.randint(5, 20) if maker else rng.choice((1, 1, 2, 2, 3, 5, 8, 10, rng.randint(1, 30)))
        self.orders += 1
        client_order_id = f"o{self.sequence + 1}"
        self.live[account].append(client_order_id)
        if len(self.live[account]) > 50:
            self.live[account].pop(0)
        return self.apply(c.SubmitOrder(account_id=account, instrument_id=1, client_order_id=client_order_id,
                                        side=side, order_type=OrderType.LIMIT, time_in_force=TimeInForce.GTC,
                                        price_ticks=price_ticks, quantity_lots=quantity_lots))
