"""Exchange commands: everything that changes the venue, journaled as tagged JSON.

The journal holds exactly these commands, in sequence order, so replaying it
rebuilds every part of the venue (books, balances, customers, keys). Engine,
compliance and access commands that need nothing else are journaled as they
are; the ones below add what only the venue knows (assets, fees, funds).

The acting customer or staff member is set by the API from the authenticated
key, never taken from a request body.
"""
import msgspec

from engine.commands import (
    AmendOrder,
    CancelAll,
    CancelOrder,
    MarketState,
    OrderType,
    Side,
    StpMode,
    TimeInForce,
)
from engine.instrument import Instrument
from exchange.access.commands import CreateStaff, IssueApiKey, RevokeApiKey
from exchange.compliance.commands import (
    AddWithdrawalAddress,
    AnnotateCase,
    ApproveWithdrawal,
    AssignTier,
    CloseCase,
    CloseCustomer,
    CompleteWithdrawal,
    ContinueRescreen,
    EscalateCase,
    IssueDepositAddress,
    LoadRestrictedParties,
    OpenCase,
    ReinstateCustomer,
    RejectCustomer,
    RejectWithdrawal,
    RemoveWithdrawalAddress,
    SetRestrictedJurisdictions,
    SetScreeningRules,
    SetTierLimits,
    SetWithdrawalPolicy,
    SubmitIdentity,
    SuspendCustomer,
    VerifyCustomer,
)
from exchange.surveillance.thresholds import Thresholds


class _Command(msgspec.Struct, frozen=True, kw_only=True):
    pass


class DefineAsset(_Command, frozen=True, kw_only=True, tag="define_asset"):
    """An asset the ledger can hold, with its smallest unit and its TMT valuation."""

    actor: str
    code: str
    decimals: int  # 1 whole asset = 10**decimals units.
    tmt_units_per_asset: int  # Tiyin per whole asset: the rate limits are counted in.


class SetAssetValuation(_Command, frozen=True, kw_only=True, tag="set_asset_valuation"):
    """Operator-set TMT rate of an asset for tier limits (capital controls)."""

    actor: str
    code: str
    tmt_units_per_asset: int
    reason: str


class ListMarket(_Command, frozen=True, kw_only=True, tag="list_market"):
    """List an instrument with its fee schedule; its market opens at the reference price."""

    actor: str
    instrument: Instrument
    reference_price_ticks: int
    maker_fee_bps: int
    taker_fee_bps: int


class ChangeMarket(_Command, frozen=True, kw_only=True, tag="change_market"):
    """Open, halt, cancel-only, post-only, auction; `delist` also cancels every order."""

    actor: str
    instrument_id: int
    market_state: MarketState
    reason: str
    delist: bool = False


class SetFees(_Command, frozen=True, kw_only=True, tag="set_fees"):
    """Maker/taker fees of a market, for every tier (tier None) or one tier."""

    actor: str
    instrument_id: int
    maker_fee_bps: int
    taker_fee_bps: int
    tier: int | None = None


class OpenAccount(_Command, frozen=True, kw_only=True, tag="open_account"):
    """Sign-up: a customer in KYC pending, with a first trader API key."""

    email: str
    key_id: str
    secret_ciphertext: str

    def __repr__(self) -> str:
        return f"OpenAccount(key_id={self.key_id!r}, <email and secret masked>)"


class SubmitOrder(_Command, frozen=True, kw_only=True, tag="submit_order"):
    """A customer's order; the venue holds the funds, the engine matches, the ledger settles."""

    account_id: int
    instrument_id: int
    client_order_id: str | None = None
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce = TimeInForce.GTC
    price_ticks: int | None = None
    stop_price_ticks: int | None = None
    quantity_lots: int
    post_only: bool = False
    stp_mode: StpMode = StpMode.EXPIRE_TAKER


class ReportDeposit(_Command, frozen=True, kw_only=True, tag="report_deposit"):
    """Custody saw a confirmed deposit to one of our addresses; idempotent on chain_tx_id."""

    actor: str
    asset: str
    address: str
    amount_units: int
    chain_tx_id: str


class Withdraw(_Command, frozen=True, kw_only=True, tag="withdraw"):
    """A customer asks to send funds to a whitelisted external address."""

    account_id: int
    asset: str
    address: str
    amount_units: int


class ProposeCorrection(_Command, frozen=True, kw_only=True, tag="propose_correction"):
    """An operator proposes a correcting entry on one customer's balance; a second operator applies it.

    The correction id is this command's sequence number.
    """

    actor: str
    customer_id: int
    asset: str
    amount_units: int  # Positive credits the customer, negative debits; never 0.
    reason: str
    ticket: str


class ApproveCorrection(_Command, frozen=True, kw_only=True, tag="approve_correction"):
    """Another operator than the proposer approves: the ledger entry is posted now (four eyes)."""

    actor: str
    correction_id: int


class RejectCorrection(_Command, frozen=True, kw_only=True, tag="reject_correction"):
    """Any operator, the proposer included, withdraws or turns down a pending proposal; nothing is posted."""

    actor: str
    correction_id: int
    reason: str


class SetSurveillanceThresholds(_Command, frozen=True, kw_only=True, tag="set_surveillance_thresholds"):
    """Operator or compliance officer replacing the surveillance thresholds (docs/surveillance.md)."""

    actor: str
    thresholds: Thresholds
    reason: str


VenueCommand = (
    DefineAsset | SetAssetValuation | ListMarket | ChangeMarket | SetFees | OpenAccount | ProposeCorrection
    | ApproveCorrection | RejectCorrection | SetSurveillanceThresholds
)
FundsCommand = SubmitOrder | ReportDeposit | Withdraw
EngineCommand = CancelOrder | CancelAll | AmendOrder
ComplianceCommand = (
    SubmitIdentity | VerifyCustomer | RejectCustomer | SuspendCustomer | ReinstateCustomer | CloseCustomer
    | LoadRestrictedParties | SetRestrictedJurisdictions | SetScreeningRules | ContinueRescreen
    | SetTierLimits | SetWithdrawalPolicy | AssignTier
    | IssueDepositAddress | AddWithdrawalAddress | RemoveWithdrawalAddress | ApproveWithdrawal | RejectWithdrawal | CompleteWithdrawal
    | OpenCase | AnnotateCase | EscalateCase | CloseCase
)
AccessCommand = CreateStaff | IssueApiKey | RevokeApiKey
Command = VenueCommand | FundsCommand | EngineCommand | ComplianceCommand | AccessCommand

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Command)


def encode_command(command) -> bytes:
    return _encoder.encode(command)


def decode_command(data: bytes | str):
    """Decode one journaled command; raises msgspec.ValidationError / DecodeError when malformed."""
    return _decoder.decode(data)
