"""Surveillance benchmark: does the detector keep up with the exchange? And its false-positive rate.

1. Throughput. The shared seeded flow (../shared/bench/flow.py: warm-up, then N
   ops, 55 % passive adds, 30 % cancels, 15 % crossing) is applied through a real
   Venue (funds held, matched, settled; no I/O), giving the committed outcomes the
   runtime would publish. The detector then reads all of them (trades, order
   rows, ledger entries, audit records). Both are timed in the same process run
   (the collector tuned as the runtime tunes it), with the bare engine on the
   same flow for scale:
     engine_ops_s          Engine.apply on PlaceOrder / CancelOrder (benchmarks/engine.py's path)
     venue_commands_s      Venue.apply on SubmitOrder / CancelOrder (the sequencer's work minus I/O)
     surveillance_commands_s, surveillance_events_s   Detector.observe per outcome / per fact
                           (a fact is one trade, order row or deposit / withdrawal request)
2. False positives. A randomized normal-trading session (tests/surveillance/normal_session.py:
   random-walk mid, market makers, customers placing, crossing and cancelling) of
   --session-orders orders per account count; every hit there is a false positive.

    python benchmarks/surveillance.py                     # 200k flow ops, 10,000-order sessions
    python benchmarks/surveillance.py --ops 50000 --session-orders 2000

Last line: one JSON object with every figure.
"""
import argparse
import collections
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED_BENCH = Path(os.environ.get("KARAKUM_SHARED_BENCH", REPO.parent / "shared" / "bench"))
sys.path.insert(0, str(SHARED_BENCH))

import flow  # noqa: E402
from benchmarks.engine import account_of, run_ours, to_commands  # noqa: E402
from engine.commands import CancelOrder, OrderType, Side, TimeInForce  # noqa: E402
from exchange import commands as c  # noqa: E402
from exchange.compliance import AssignTier, DocumentType, IssueDepositAddress, SubmitIdentity, VerifyCustomer  # noqa: E402
from exchange.compliance.commands import SetTierLimits  # noqa: E402
from exchange.surveillance.detector import Detector  # noqa: E402
from exchange.tuning import tune_gc  # noqa: E402
from exchange.surveillance.directory import VenueDirectory  # noqa: E402
from exchange.venue import Venue  # noqa: E402
from exchange.results import Refused  # noqa: E402
from tests.surveillance.normal_session import INSTRUMENT, Session  # noqa: E402

OPERATOR = "bench-operator"
T0 = 1_764_000_000 * 1_000_000_000
NS_PER_COMMAND = 1_000_000  # 1,000 commands a second: a busy day, so the rules' windows fill up.
ACCOUNTS = 1_000  # account_of() in benchmarks/engine.py spreads the flow over 1,000 accounts.
BIG = 10**15


class Applier:
    def __init__(self) -> None:
        self.venue = Venue()
        self.sequence = 0

    def apply(self, command):
        self.sequence += 1
        return self.venue.apply(command, self.sequence, T0 + self.sequence * NS_PER_COMMAND)


def funded_venue() -> tuple[Applier, list, dict[int, int]]:
    """The market and 1,000 verified, funded customers; returns the outcomes and flow account -> customer."""
    applier = Applier()
    outcomes = [applier.apply(command) for command in (
        c.DefineAsset(actor=OPERATOR, code="BTC", decimals=8, tmt_units_per_asset=1),
        c.DefineAsset(actor=OPERATOR, code="USDT", decimals=6, tmt_units_per_asset=1),
        c.ListMarket(actor=OPERATOR, instrument=INSTRUMENT, reference_price_ticks=flow.MID, maker_fee_bps=10,
                     taker_fee_bps=20),
        SetTierLimits(actor=OPERATOR, tier=9, daily_deposit_tmt_units=BIG, monthly_deposit_tmt_units=BIG,
                      daily_withdrawal_tmt_units=BIG, monthly_withdrawal_tmt_units=BIG))]
    customer_of = {}
    for account in range(1, ACCOUNTS + 1):
        opened = applier.apply(c.OpenAccount(email=f"b{account}@example.tm", key_id=f"b-{account}",
                                             secret_ciphertext="x"))
        outcomes.append(opened)
        customer = str(opened.result.data["customer_id"])
        for command in (SubmitIdentity(customer_id=customer, full_name=f"Bench {account}",
                                       document_type=DocumentType.PASSPORT, document_number=f"B{account:07d}",
                                       country="TM", date_of_birth="1990-01-01"),
                        VerifyCustomer(customer_id=customer, actor=OPERATOR, reason="bench"),
                        AssignTier(customer_id=customer, actor=OPERATOR, tier=9, reason="bench")):
            outcomes.append(applier.apply(command))
        for asset in ("BTC", "USDT"):
            address = applier.apply(IssueDepositAddress(customer_id=customer, asset=asset))
            outcomes += [address, applier.apply(c.ReportDeposit(
                actor=OPERATOR, asset=asset, address=address.result.data["deposit_address"], amount_units=10**14,
                chain_tx_id=f"b-{customer}-{asset}"))]
        customer_of[account] = int(customer)
    refused = [outcome.result for outcome in outcomes if type(outcome.result) is Refused]
    assert not refused, refused[:3]
    return applier, outcomes, customer_of


def venue_commands(ops, customer_of: dict[int, int]) -> list:
    sides, commands = {}, []
    for kind, order_id, side, price, quantity in ops:
        if kind == 0:
            sides[order_id] = side
            commands.append(c.SubmitOrder(account_id=customer_of[account_of(order_id, side)], instrument_id=1,
                                          client_order_id=str(order_id), side=Side.BUY if side == 0 else Side.SELL,
                                          order_type=OrderType.LIMIT, time_in_force=TimeInForce.GTC,
                                          price_ticks=price, quantity_lots=quantity))
        else:
            commands.append(CancelOrder(account_id=customer_of[account_of(order_id, sides[order_id])],
                                        instrument_id=1, client_order_id=str(order_id)))
    return commands


def throughput(ops_count: int) -> dict:
    warm, ops = flow.make_flow(ops_count)
    sides: dict[int, int] = {}
    engine_s = run_ours(to_commands(warm, sides), to_commands(ops, sides))
    applier, outcomes, customer_of = funded_venue()
    commands = venue_commands(list(warm) + list(ops), customer_of)
    for command in commands[:len(warm)]:
        outcomes.append(applier.apply(command))
    tune_gc()  # As the runtime does after recovery.
    started = time.perf_counter()
    for command in commands[len(warm):]:
        outcomes.append(applier.apply(command))
    venue_s = time.perf_counter() - started
    refused = sum(1 for outcome in outcomes if type(outcome.result) is Refused)
    detector = Detector(VenueDirectory(lambda: applier.venue))
    tune_gc()  # The runtime drops outcomes after publishing; here they are all kept, so freeze them.
    started = time.perf_counter()
    hits = [hit for outcome in outcomes for hit in detector.observe(outcome)]
    detector_s = time.perf_counter() - started
    trades = sum(len(outcome.trades) for outcome in outcomes)
    return {
        "flow_ops": len(ops), "flow_refused": refused, "commands_analysed": len(outcomes), "trades": trades,
        "events_analysed": detector.facts_processed,
        "engine_ops_s": round(len(ops) / engine_s), "venue_commands_s": round(len(ops) / venue_s),
        "surveillance_commands_s": round(len(outcomes) / detector_s),
        "surveillance_events_s": round(detector.facts_processed / detector_s),
        "surveillance_trades_s": round(trades / detector_s),
        "surveillance_over_venue": round(len(outcomes) / detector_s / (len(ops) / venue_s), 2),
        "flow_hits": dict(collections.Counter(hit.rule.value for hit in hits)),
    }


def false_positives(orders: int, accounts: int, seed: int) -> dict:
    session = Session(accounts, seed)
    detector = Detector(VenueDirectory(lambda: session.venue))
    hits = [hit for outcome in session.setup_outcomes for hit in detector.observe(outcome)]
    trades = 0
    while session.orders < orders:
        for outcome in session.step():
            trades += len(outcome.trades)
            hits += detector.observe(outcome)
    cases = {(hit.key, account) for hit in hits for account in hit.account_ids}
    flagged = {account for _, account in cases}
    return {"accounts": accounts, "orders": session.orders, "trades": trades, "commands": session.sequence,
            "cases": len(cases), "accounts_flagged": len(flagged),
            "false_positive_rate_accounts": round(len(flagged) / accounts, 4),
            "rules": dict(collections.Counter(hit.rule.value for hit in hits))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ops", type=int, default=200_000, help="shared-flow ops after the warm-up")
    parser.add_argument("--session-orders", type=int, default=10_000)
    parser.add_argument("--session-accounts", type=int, nargs="+", default=[200, 50, 20])
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    result = throughput(arguments.ops)
    print(f"flow: {result['flow_ops']:,} ops ({result['flow_refused']:,} refused), {result['trades']:,} trades")
    print(f"  engine        {result['engine_ops_s']:>10,} ops/s")
    print(f"  venue         {result['venue_commands_s']:>10,} commands/s")
    print(f"  surveillance  {result['surveillance_commands_s']:>10,} commands/s, "
          f"{result['surveillance_events_s']:,} events/s, {result['surveillance_trades_s']:,} trades/s "
          f"({result['surveillance_over_venue']}x the venue); hits {result['flow_hits']}")
    sessions = []
    for accounts in arguments.session_accounts:
        session = false_positives(arguments.session_orders, accounts, arguments.seed)
        sessions.append(session)
        print(f"normal session: {session['orders']:,} orders, {accounts} accounts, {session['trades']:,} trades -> "
              f"{session['cases']} cases, {session['accounts_flagged']} accounts flagged {session['rules']}")
    load = [round(value, 2) for value in os.getloadavg()]
    print(f"load average {load} (2 shared cores: figures drift with the other engineers' work)")
    print(json.dumps({**result, "sessions": sessions, "load_average": load}))


if __name__ == "__main__":
    main()
