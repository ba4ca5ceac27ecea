"""Discovery endpoints ccxt's `binance` class calls with its DEFAULT options, answered empty.

`load_markets()` also asks for currencies (capital config), margin pairs and the futures
markets. Karakum has no margin, no futures and no currency-network metadata to give, so
these answer "none" in the exact shape the client expects (never an error, which would make
`load_markets()` fail). No account data is read, so no key is checked. `system/status` says
whether the sequencer accepts commands.
"""
from fastapi import APIRouter

from api.binance.errors import BinanceRoute
from api.http import json_response


def build(runtime) -> APIRouter:
    router = APIRouter(tags=["binance discovery"], route_class=BinanceRoute)

    @router.get("/sapi/v1/capital/config/getall", summary="Currency networks: none published (empty list)")
    async def capital_config():
        return json_response([])

    @router.get("/sapi/v1/margin/allPairs", summary="Cross-margin pairs: no margin trading (empty list)")
    async def margin_pairs():
        return json_response([])

    @router.get("/sapi/v1/margin/isolated/allPairs", summary="Isolated-margin pairs: none (empty list)")
    async def isolated_margin_pairs():
        return json_response([])

    @router.get("/fapi/v1/exchangeInfo", summary="USD-M futures: none listed")
    async def usdm_futures():
        return json_response({"timezone": "UTC", "serverTime": runtime.clock_ns() // 1_000_000, "symbols": []})

    @router.get("/dapi/v1/exchangeInfo", summary="COIN-M futures: none listed")
    async def coinm_futures():
        return json_response({"timezone": "UTC", "serverTime": runtime.clock_ns() // 1_000_000, "symbols": []})

    @router.get("/sapi/v1/system/status", summary="0 normal, 1 maintenance (the exchange is restarting)")
    async def system_status():
        if runtime.ready:
            return json_response({"status": 0, "msg": "normal"})
        return json_response({"status": 1, "msg": "system maintenance"})

    return router
