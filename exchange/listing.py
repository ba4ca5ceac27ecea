"""Assets, markets and fee schedules: what may be held and traded, and at what cost.

An instrument's integer grid must agree exactly with its assets' smallest
units: `base_units_per_lot == lot_size * 10**base_decimals` and
`quote_units_per_tick_lot == tick_size * lot_size * 10**quote_decimals`, both
whole numbers; anything else would make a fill unsettleable, so it is refused
at listing time.
"""
import decimal

import msgspec

from engine.commands import CancelAll, DefineInstrument, MarketState, SetMarketState
from engine.events import OrderRejected
from exchange.results import Accepted, VenueCode

FEE_BPS_MAX = 1_000  # 10 %: anything above is a typo, not a fee.
DECIMALS_MAX = 18
ASSET_CODE_LENGTH_MAX = 12


class Asset(msgspec.Struct, kw_only=True):
    code: str
    decimals: int
    tmt_units_per_asset: int  # Tiyin per whole asset, for tier limits.


class FeeSchedule:
    """Maker/taker rates per instrument, with optional per-tier overrides."""

    def __init__(self) -> None:
        self.by_instrument: dict[int, tuple[int, int]] = {}
        self.by_tier: dict[tuple[int, int], tuple[int, int]] = {}

    def rates(self, instrument_id: int, tier: int | None = None) -> tuple[int, int]:
        if tier is not None:
            rates = self.by_tier.get((instrument_id, tier))
            if rates is not None:
                return rates
        return self.by_instrument[instrument_id]

    def to_builtins(self) -> dict:
        return {"instrument": sorted(self.by_instrument.items()),
                "tier": sorted((list(k), v) for k, v in self.by_tier.items())}

    @classmethod
    def from_builtins(cls, data: dict) -> "FeeSchedule":
        schedule = cls()
        schedule.by_instrument = {int(k): tuple(v) for k, v in data["instrument"]}
        schedule.by_tier = {(int(k[0]), int(k[1])): tuple(v) for k, v in data["tier"]}
        return schedule


def _fee_problem(maker_fee_bps: int, taker_fee_bps: int) -> str | None:
    if not (0 <= maker_fee_bps <= FEE_BPS_MAX and 0 <= taker_fee_bps <= FEE_BPS_MAX):
        return f"fees must be within 0..{FEE_BPS_MAX} bps"
    return None


def _exact(text: str, decimals: int) -> int | None:
    value = decimal.Decimal(text).scaleb(decimals)
    return int(value) if value == value.to_integral_value() else None


class Listing:
    def __init__(self, venue):
        self.venue = venue
        self.assets: dict[str, Asset] = {}
        self.fees = FeeSchedule()
        self.delisted: set[int] = set()

    def value_tmt_units(self, asset: str, amount_units: int) -> int:
        """What an amount is worth in tiyin at the operator-set rate (rounded up: limits err strict)."""
        info = self.assets[asset]
        return -(-amount_units * info.tmt_units_per_asset // 10 ** info.decimals)

    def define_asset(self, command, sequence: int, timestamp_ns: int, outcome):
        venue = self.venue
        code = command.code
        if not (code.isalnum() and code.isupper() and 0 < len(code) <= ASSET_CODE_LENGTH_MAX):
            return venue.refused(VenueCode.ASSET_INVALID, "asset code: 1-12 upper-case letters or digits")
        if not (0 <= command.decimals <= DECIMALS_MAX) or command.tmt_units_per_asset < 0:
            return venue.refused(VenueCode.ASSET_INVALID, f"decimals must be 0..{DECIMALS_MAX}, rate >= 0")
        if code in self.assets:
            return venue.refused(VenueCode.ASSET_EXISTS, f"asset {code} is already defined")
        self.assets[code] = Asset(code=code, decimals=command.decimals,
                                  tmt_units_per_asset=command.tmt_units_per_asset)
        venue.ledger.define_asset(code, command.decimals)
        return Accepted(data={"asset": code})

    def set_valuation(self, command, sequence: int, timestamp_ns: int, outcome):
        asset = self.assets.get(command.code)
        if asset is None:
            return self.venue.refused(VenueCode.ASSET_UNKNOWN, f"no asset {command.code}")
        if command.tmt_units_per_asset < 0:
            return self.venue.refused(VenueCode.ASSET_INVALID, "rate must not be negative")
        asset.tmt_units_per_asset = command.tmt_units_per_asset
        return Accepted(data={"asset": asset.code})

    def list_market(self, command, sequence: int, timestamp_ns: int, outcome):
        venue = self.venue
        problem = self._instrument_problem(command.instrument) or _fee_problem(command.maker_fee_bps,
                                                                               command.taker_fee_bps)
        if problem is not None:
            return venue.refused(VenueCode.INSTRUMENT_INVALID, problem)
        events = venue.engine.apply(DefineInstrument(instrument=command.instrument,
                                                     reference_price_ticks=command.reference_price_ticks),
                                    sequence, timestamp_ns)
        outcome.events = events
        if type(events[0]) is OrderRejected:
            return venue.refused(events[0].code.name, f"listing refused: {events[0].code.name}")
        self.fees.by_instrument[command.instrument.instrument_id] = (command.maker_fee_bps, command.taker_fee_bps)
        return Accepted(data={"instrument_id": command.instrument.instrument_id})

    def _instrument_problem(self, instrument) -> str | None:
        base, quote = self.assets.get(instrument.base), self.assets.get(instrument.quote)
        if base is None or quote is None:
            return f"assets {instrument.base} and {instrument.quote} must be defined first"
        try:
            lot_units = _exact(instrument.lot_size, base.decimals)
            tick_lot_units = _exact(str(decimal.Decimal(instrument.tick_size) * decimal.Decimal(instrument.lot_size)),
                                    quote.decimals)
        except decimal.InvalidOperation:
            return "tick_size and lot_size must be decimal strings"
        if lot_units != instrument.base_units_per_lot:
            return f"base_units_per_lot must be lot_size * 10**{base.decimals} = {lot_units}"
        if tick_lot_units != instrument.quote_units_per_tick_lot:
            return f"quote_units_per_tick_lot must be tick_size * lot_size * 10**{quote.decimals} = {tick_lot_units}"
        return None

    def change_market(self, command, sequence: int, timestamp_ns: int, outcome):
        venue = self.venue
        if venue.engine.instrument(command.instrument_id) is None:
            return venue.refused(VenueCode.INSTRUMENT_UNKNOWN, f"no instrument {command.instrument_id}")
        if command.instrument_id in self.delisted and command.market_state is not MarketState.HALTED:
            return venue.refused(VenueCode.INSTRUMENT_INVALID, "a delisted market stays halted")
        events = venue.engine.apply(SetMarketState(instrument_id=command.instrument_id,
                                                   market_state=command.market_state), sequence, timestamp_ns)
        if events and type(events[0]) is OrderRejected:
            return venue.refused(events[0].code.name, f"market change refused: {events[0].code.name}")
        venue.trading.apply_events(events, sequence, timestamp_ns, outcome)
        if command.delist:
            self.delisted.add(command.instrument_id)
            cancelled = venue.engine.apply(CancelAll(account_id=None, instrument_id=command.instrument_id),
                                           sequence, timestamp_ns)
            venue.trading.apply_events(cancelled, sequence, timestamp_ns, outcome)
        return Accepted(data={"instrument_id": command.instrument_id, "market_state": command.market_state.value,
                              "delisted": command.instrument_id in self.delisted})

    def set_fees(self, command, sequence: int, timestamp_ns: int, outcome):
        venue = self.venue
        if command.instrument_id not in self.fees.by_instrument:
            return venue.refused(VenueCode.INSTRUMENT_UNKNOWN, f"no instrument {command.instrument_id}")
        problem = _fee_problem(command.maker_fee_bps, command.taker_fee_bps)
        if problem is not None:
            return venue.refused(VenueCode.FEE_INVALID, problem)
        rates = (command.maker_fee_bps, command.taker_fee_bps)
        if command.tier is None:
            self.fees.by_instrument[command.instrument_id] = rates
        else:
            self.fees.by_tier[(command.instrument_id, command.tier)] = rates
        return Accepted(data={"instrument_id": command.instrument_id, "maker_fee_bps": rates[0],
                              "taker_fee_bps": rates[1], "tier": command.tier})
