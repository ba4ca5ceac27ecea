"""Sign-up and the customer's own account: profile, identity, balances, addresses, withdrawals, limits, fills.

The customer is always the authenticated key's owner (never a body or URL
field). Least privilege per route: reads need READ_OWN; everything that can
lead to money leaving (whitelist, withdrawals) and the identity that decides
who may withdraw need WITHDRAW_OWN. A deposit address only lets money in and
is the same on every request, so it needs READ_OWN (as on Binance).

Sign-up needs no key, so it is rate limited per client address (burst
`SIGN_UP_LIMIT.burst_requests`, then `requests_per_minute`): every sign-up is
journaled forever. Behind a proxy, run uvicorn with forwarded headers so the
address is the client's.

There is no route that moves funds from one customer to another: the law
forbids payments, and the ledger has no such entry kind.
"""
import decimal

import msgspec
from fastapi import APIRouter, Depends, Query, Request

from api.auth.crypto import encrypt_secret, new_key_id, new_secret
from api.auth.dependency import require
from api.auth.ratelimit import RateLimit, RateLimiter
from api.auth.results import Authenticated
from api.errors import ApiError
from api.http import body_doc, durable_venue, json_response, parse_body, submit
from api.routes.orders import ID_MAX, account_of, fill_json, parse_money_body
from api.symbols import amount_units, format_units, instrument_by_symbol
from exchange import commands as c
from exchange.access import Permission, Role
from exchange.compliance import (
    RISK_WARNING, AddWithdrawalAddress, DocumentType, IssueDepositAddress, RemoveWithdrawalAddress, SubmitIdentity,
)

FILLS_DEFAULT = 100
FILLS_MAX = 1_000
SIGN_UP_LIMIT = RateLimit(burst_requests=20, requests_per_minute=60)


class SignUpRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    email: str


class IdentityRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    full_name: str
    document_type: DocumentType
    document_number: str
    country: str  # Of residence, ISO 3166-1 alpha-2.
    date_of_birth: str  # YYYY-MM-DD.


class AssetRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    asset: str


class WithdrawalAddressRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    asset: str
    address: str
    label: str = ""


class WithdrawalRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    asset: str
    address: str
    amount: str  # Decimal string in the asset's unit, e.g. "0.015".


def _ms(timestamp_ns: int | None) -> int | None:
    return None if timestamp_ns is None else timestamp_ns // 1_000_000


def _tmt(tiyin: int) -> str:
    return format(decimal.Decimal(tiyin).scaleb(-2).quantize(decimal.Decimal("0.01")), "f")


def _customer(venue, customer_id: int):
    customer = venue.compliance.customer(str(customer_id))
    if customer is None:  # A key of a customer that is gone: our bug, but never a 500.
        raise ApiError("CUSTOMER_NOT_FOUND", "no such customer")
    return customer


def _known_asset(venue, asset: str) -> str:
    if asset not in venue.listing.assets:
        raise ApiError("ASSET_UNKNOWN", f"no asset {asset!r}")
    return asset


def withdrawal_json(venue, withdrawal) -> dict:
    return {
        "withdrawal_id": withdrawal.withdrawal_id, "asset": withdrawal.asset, "address": withdrawal.address,
        "amount": format_units(venue, withdrawal.asset, withdrawal.amount_units),
        "amount_units": withdrawal.amount_units, "status": withdrawal.status.value,
        "approvals_required": withdrawal.approvals_required, "approvals": len(withdrawal.approved_by),
        "requested_at_ms": _ms(withdrawal.requested_at_ns), "decided_at_ms": _ms(withdrawal.decided_at_ns),
        "chain_tx_id": withdrawal.chain_tx_id or None,
    }


def whitelist_json(entry, now_ns: int) -> dict:
    return {"asset": entry.asset, "address": entry.address, "label": entry.label,
            "added_at_ms": _ms(entry.added_at_ns), "usable_from_ms": _ms(entry.usable_from_ns),
            "usable": now_ns >= entry.usable_from_ns}


def build(runtime) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["account"])
    reader = require(runtime.authenticator, Permission.READ_OWN)
    withdrawer = require(runtime.authenticator, Permission.WITHDRAW_OWN)
    _profile_routes(router, runtime, reader, withdrawer)
    _funds_routes(router, runtime, reader)
    _address_routes(router, runtime, reader, withdrawer)
    _withdrawal_routes(router, runtime, reader, withdrawer)
    return router


def _profile_routes(router: APIRouter, runtime, reader, withdrawer) -> None:
    # The limiter keys buckets by name and takes limits per role: every address gets the one sign-up limit.
    sign_ups = RateLimiter({Role.TRADER: SIGN_UP_LIMIT})

    @router.post("/signup", status_code=201, tags=["sign-up"], openapi_extra=body_doc(SignUpRequest),
                 summary="Open an account (KYC pending); answers the API key and its secret, shown once")
    async def sign_up(request: Request):
        address = request.client.host if request.client is not None else "unknown"
        retry_after_s = sign_ups.take(address, Role.TRADER, runtime.clock_ns() // 1_000_000)
        if retry_after_s is not None:
            raise ApiError("RATE_LIMITED", "too many sign-ups from this address", 429,
                           headers={"Retry-After": str(retry_after_s)})
        body = await parse_body(request, SignUpRequest)
        key_id, secret = new_key_id(), new_secret()
        opened = await submit(runtime, c.OpenAccount(email=body.email, key_id=key_id,
                                                     secret_ciphertext=encrypt_secret(runtime.server_key, secret)))
        return json_response({"customer_id": opened.data["customer_id"], "kyc_status": opened.data["kyc_status"],
                              "api_key": key_id, "secret": secret, "risk_warning": RISK_WARNING}, 201)

    @router.get("/me", summary="Own profile: KYC status, tier and own identity data")
    async def me(who: Authenticated = Depends(reader)):
        customer_id = account_of(who)
        customer = _customer(await durable_venue(runtime), customer_id)
        return json_response({
            "customer_id": customer_id, "email": customer.email, "kyc_status": customer.kyc_status.value,
            "tier": customer.tier, "signed_up_at_ms": _ms(customer.signed_up_at_ns),
            "verified_at_ms": _ms(customer.verified_at_ns), "identity": msgspec.to_builtins(customer.identity),
        })

    @router.post("/me/identity", summary="Submit identity data for KYC (screened on arrival)",
                 openapi_extra=body_doc(IdentityRequest))
    async def submit_identity(request: Request, who: Authenticated = Depends(withdrawer)):
        customer_id = account_of(who)
        body = await parse_body(request, IdentityRequest)
        result = await submit(runtime, SubmitIdentity(
            customer_id=str(customer_id), full_name=body.full_name, document_type=body.document_type,
            document_number=body.document_number, country=body.country, date_of_birth=body.date_of_birth))
        return json_response({"customer_id": customer_id, "kyc_status": str(result.data["kyc_status"])})

    @router.get("/me/limits", summary="Own tier, its daily / monthly deposit and withdrawal limits in TMT, and what remains")
    async def limits(who: Authenticated = Depends(reader)):
        customer_id = account_of(who)
        venue = await durable_venue(runtime)
        customer = _customer(venue, customer_id)
        tier = venue.compliance.tier_limits(customer.tier)
        used = venue.compliance.used_allowance(str(customer_id), runtime.clock_ns())
        answer = {"tier": customer.tier, "currency": "TMT"}
        for field, used_tiyin in (("daily_deposit", used.day_deposit_tmt_units),
                                  ("monthly_deposit", used.month_deposit_tmt_units),
                                  ("daily_withdrawal", used.day_withdrawal_tmt_units),
                                  ("monthly_withdrawal", used.month_withdrawal_tmt_units)):
            tiyin = getattr(tier, f"{field}_tmt_units")
            remaining = max(tiyin - used_tiyin, 0)  # a lowered limit can leave usage above it
            answer[field], answer[f"{field}_tmt_units"] = _tmt(tiyin), tiyin
            answer[f"{field}_remaining"], answer[f"{field}_remaining_tmt_units"] = _tmt(remaining), remaining
        return json_response(answer)


def _funds_routes(router: APIRouter, runtime, reader) -> None:
    @router.get("/me/balances", summary="Own balances per asset: available, held by open orders, pending withdrawal")
    async def balances(who: Authenticated = Depends(reader)):
        customer_id = account_of(who)
        venue = await durable_venue(runtime)
        ledger, rows = venue.ledger, []
        for asset in sorted(venue.listing.assets):
            units = (ledger.available(customer_id, asset), ledger.held(customer_id, asset),
                     ledger.withdrawing(customer_id, asset))
            rows.append({"asset": asset, "available": format_units(venue, asset, units[0]),
                         "held": format_units(venue, asset, units[1]),
                         "pending_withdrawal": format_units(venue, asset, units[2]),
                         "available_units": units[0], "held_units": units[1], "pending_withdrawal_units": units[2]})
        return json_response({"balances": rows})

    @router.get("/me/fills", summary="Own trades, oldest first, with role and fee; page with after_trade_id")
    async def fills(symbol: str | None = None, after_trade_id: int = Query(0, ge=0, le=ID_MAX),
                    limit: int = Query(FILLS_DEFAULT, ge=1, le=FILLS_MAX), who: Authenticated = Depends(reader)):
        customer_id = account_of(who)
        venue = await durable_venue(runtime)
        instrument_id = None if symbol is None else instrument_by_symbol(venue, symbol).instrument_id
        trades = await runtime.store.read_trades(customer_id, instrument_id, after_trade_id, limit)
        return json_response({"fills": [fill_json(venue, t, customer_id) for t in trades],
                              "next_after_trade_id": trades[-1].trade_id if len(trades) == limit else None})


def _address_routes(router: APIRouter, runtime, reader, withdrawer) -> None:
    @router.post("/me/deposit-addresses", summary="Own deposit address for an asset (the same one every time)",
                 openapi_extra=body_doc(AssetRequest))
    async def issue_deposit_address(request: Request, who: Authenticated = Depends(reader)):
        customer_id = account_of(who)
        body = await parse_body(request, AssetRequest)
        asset = _known_asset(await durable_venue(runtime), body.asset)
        result = await submit(runtime, IssueDepositAddress(customer_id=str(customer_id), asset=asset))
        return json_response({"asset": asset, "address": result.data["deposit_address"]})

    @router.get("/me/deposit-addresses", summary="Own deposit addresses")
    async def deposit_addresses(who: Authenticated = Depends(reader)):
        customer = _customer(await durable_venue(runtime), account_of(who))
        return json_response({"addresses": [{"asset": asset, "address": address}
                                            for asset, address in sorted(customer.deposit_addresses.items())]})

    @router.post("/me/withdrawal-addresses", status_code=201, openapi_extra=body_doc(WithdrawalAddressRequest),
                 summary="Whitelist an own external address; usable after the cooling-off period")
    async def add_withdrawal_address(request: Request, who: Authenticated = Depends(withdrawer)):
        customer_id = account_of(who)
        body = await parse_body(request, WithdrawalAddressRequest)
        asset = _known_asset(await durable_venue(runtime), body.asset)
        await submit(runtime, AddWithdrawalAddress(customer_id=str(customer_id), asset=asset,
                                                   address=body.address, label=body.label))
        customer = _customer(await durable_venue(runtime), customer_id)
        entry = next(e for e in customer.withdrawal_addresses if e.asset == asset and e.address == body.address)
        return json_response(whitelist_json(entry, runtime.clock_ns()), 201)

    @router.delete("/me/withdrawal-addresses", summary="Take an own address off the whitelist (re-adding restarts "
                                                       "the cooling-off period)")
    async def remove_withdrawal_address(asset: str, address: str, who: Authenticated = Depends(withdrawer)):
        customer_id = account_of(who)
        await submit(runtime, RemoveWithdrawalAddress(customer_id=str(customer_id), asset=asset, address=address))
        return json_response({"asset": asset, "address": address, "removed": True})

    @router.get("/me/withdrawal-addresses", summary="Own whitelisted withdrawal addresses")
    async def withdrawal_addresses(who: Authenticated = Depends(reader)):
        customer = _customer(await durable_venue(runtime), account_of(who))
        now_ns = runtime.clock_ns()
        return json_response({"addresses": [whitelist_json(e, now_ns) for e in customer.withdrawal_addresses]})


def _withdrawal_routes(router: APIRouter, runtime, reader, withdrawer) -> None:
    @router.post("/me/withdrawals", status_code=201, openapi_extra=body_doc(WithdrawalRequest),
                 summary="Request a withdrawal to an own whitelisted address (may need operator approval)")
    async def withdraw(request: Request, who: Authenticated = Depends(withdrawer)):
        customer_id = account_of(who)
        body = await parse_money_body(request, WithdrawalRequest)
        venue = await durable_venue(runtime)
        units = amount_units(venue, body.asset, body.amount)
        result = await submit(runtime, c.Withdraw(account_id=customer_id, asset=body.asset, address=body.address,
                                                  amount_units=units))
        return json_response(withdrawal_json(runtime.venue, result.data["withdrawal"]), 201)

    @router.get("/me/withdrawals", summary="Own withdrawals, oldest first")
    async def withdrawals(who: Authenticated = Depends(reader)):
        customer_id = account_of(who)
        venue = await durable_venue(runtime)
        return json_response({"withdrawals": [withdrawal_json(venue, w)
                                              for w in venue.compliance.withdrawals(str(customer_id))]})
