"""First start and demo set-up, both through the sequencer (journaled like any command).

On an empty journal, `bootstrap` sets the screening rule of a new exchange
(similar names match from NEW_EXCHANGE_NAME_MATCH_MIN_SCORE; journals written
before the rule existed keep equal names only until an officer changes it),
then creates the first operator ("admin") with a key and writes its
credentials to DATA_DIR/admin-credentials.json (mode 0600): the only way in
for a fresh venue. `--demo` adds assets, markets, staff of every
role and two verified, funded traders, and writes every key to
DATA_DIR/demo-credentials.json. Both run once: a second start finds them done
and changes nothing.
"""
import json
import os
from decimal import Decimal
from pathlib import Path

from api.auth.crypto import encrypt_secret, new_key_id, new_secret
from api.http import submit
from engine.instrument import Instrument
from exchange import commands as c
from exchange.access import CreateStaff, IssueApiKey, OwnerKind, Role
from exchange.access.commands import SYSTEM_ACTOR
from exchange.compliance import (
    AssignTier,
    DocumentType,
    IssueDepositAddress,
    SetScreeningRules,
    SubmitIdentity,
    VerifyCustomer,
)

ADMIN = "admin"
# "Muammar Gaddafi" / "Moammar Qadhafi" scores 86, "John Smith" / "Jane Smith" 83 (docs/compliance.md).
NEW_EXCHANGE_NAME_MATCH_MIN_SCORE = 85
DEMO_STAFF = (("operator-1", "Demo Operator One", Role.OPERATOR), ("operator-2", "Demo Operator Two", Role.OPERATOR),
              ("compliance-1", "Demo Compliance Officer", Role.COMPLIANCE),
              ("auditor-1", "Demo Auditor", Role.AUDITOR))
DEMO_ASSETS = (("BTC", 8, 35_000_000), ("ETH", 8, 1_200_000), ("USDT", 6, 350), ("TMT", 2, 100))
DEMO_MARKETS = (
    # id, base, quote, tick size, lot size, reference price in ticks
    (1, "BTC", "USDT", "0.01", "0.0001", 10_000_000),
    (2, "ETH", "USDT", "0.01", "0.0001", 350_000),
    (3, "USDT", "TMT", "0.01", "1", 350),
)


def _write_private(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as stream:
        json.dump(data, stream, indent=2)


async def _staff_key(runtime, staff_id: str, name: str, role: Role, actor: str) -> dict:
    await submit(runtime, CreateStaff(staff_id=staff_id, name=name, role=role, actor=actor))
    key_id, secret = new_key_id(), new_secret()
    await submit(runtime, IssueApiKey(key_id=key_id, owner_kind=OwnerKind.STAFF, owner_id=staff_id, role=role,
                                      secret_ciphertext=encrypt_secret(runtime.server_key, secret),
                                      label="bootstrap", actor=actor))
    return {"staff_id": staff_id, "role": role.value, "api_key": key_id, "secret": secret}


async def bootstrap(runtime, data_dir: Path) -> None:
    """Create the first operator on an empty venue."""
    if runtime.venue.access.staff(ADMIN) is not None:
        return
    await submit(runtime, SetScreeningRules(actor=SYSTEM_ACTOR, name_match_min_score=NEW_EXCHANGE_NAME_MATCH_MIN_SCORE,
                                            reason="a new exchange: similar names match"))
    credentials = await _staff_key(runtime, ADMIN, "Administrator", Role.OPERATOR, SYSTEM_ACTOR)
    _write_private(data_dir / "admin-credentials.json", credentials)


async def demo(runtime, data_dir: Path) -> dict:
    """Demo markets, staff and two funded traders; returns (and saves) their credentials."""
    path = data_dir / "demo-credentials.json"
    if runtime.venue.listing.assets:
        return json.loads(path.read_text()) if path.exists() else {}
    staff = [await _staff_key(runtime, staff_id, name, role, ADMIN) for staff_id, name, role in DEMO_STAFF]
    for code, decimals, rate in DEMO_ASSETS:
        await submit(runtime, c.DefineAsset(actor=ADMIN, code=code, decimals=decimals, tmt_units_per_asset=rate))
    for instrument_id, base, quote, tick, lot, reference in DEMO_MARKETS:
        instrument = _instrument(runtime, instrument_id, base, quote, tick, lot)
        await submit(runtime, c.ListMarket(actor=ADMIN, instrument=instrument, reference_price_ticks=reference,
                                           maker_fee_bps=10, taker_fee_bps=20))
    traders = [await _trader(runtime, index) for index in (1, 2)]
    credentials = {"base_url_hint": "http://127.0.0.1:8080", "staff": staff, "traders": traders}
    _write_private(path, credentials)
    return credentials


def _instrument(runtime, instrument_id, base, quote, tick, lot) -> Instrument:
    assets = runtime.venue.listing.assets
    base_per_lot = int(Decimal(lot).scaleb(assets[base].decimals))
    quote_per_tick_lot = int((Decimal(tick) * Decimal(lot)).scaleb(assets[quote].decimals))
    return Instrument(instrument_id=instrument_id, symbol=f"{base}/{quote}", base=base, quote=quote,
                      tick_size=tick, lot_size=lot, base_units_per_lot=base_per_lot,
                      quote_units_per_tick_lot=quote_per_tick_lot, min_quantity_lots=1,
                      max_quantity_lots=100_000_000, min_notional_tick_lots=0, price_band_bps=1_000)


async def _trader(runtime, index: int) -> dict:
    key_id, secret = new_key_id(), new_secret()
    opened = await submit(runtime, c.OpenAccount(email=f"trader{index}@demo.karakum.example", key_id=key_id,
                                                 secret_ciphertext=encrypt_secret(runtime.server_key, secret)))
    customer = str(opened.data["customer_id"])
    await submit(runtime, SubmitIdentity(customer_id=customer, full_name=f"Demo Trader {index}",
                                         document_type=DocumentType.PASSPORT, document_number=f"DEMO{index:06d}",
                                         country="TM", date_of_birth="1990-01-01"))
    await submit(runtime, VerifyCustomer(customer_id=customer, actor="compliance-1", reason="demo customer"))
    await submit(runtime, AssignTier(customer_id=customer, actor="compliance-1", tier=3, reason="demo customer"))
    for asset, amount in (("USDT", 100_000 * 10**6), ("BTC", 1 * 10**8), ("ETH", 10 * 10**8)):
        address = await submit(runtime, IssueDepositAddress(customer_id=customer, asset=asset))
        await submit(runtime, c.ReportDeposit(actor="operator-1", asset=asset,
                                              address=address.data["deposit_address"], amount_units=amount,
                                              chain_tx_id=f"demo-{customer}-{asset}"))
    return {"customer_id": int(customer), "api_key": key_id, "secret": secret}
