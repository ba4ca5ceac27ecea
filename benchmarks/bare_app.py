"""The framework's ceiling for benchmarks/api.py: FastAPI, the same JSON body decoded with msgspec, no work."""
import msgspec
from fastapi import FastAPI, Request, Response


class NewOrder(msgspec.Struct, frozen=True):
    symbol: str
    side: str
    type: str
    time_in_force: str
    price: str
    quantity: str
    client_order_id: str


app = FastAPI()
_decode = msgspec.json.Decoder(NewOrder).decode
_encode = msgspec.json.Encoder().encode


@app.get("/ready")
async def ready() -> dict:
    return {"status": "ready"}


@app.post("/v1/orders")
async def place(request: Request) -> Response:
    order = _decode(await request.body())
    return Response(_encode({"symbol": order.symbol, "status": "NEW"}), status_code=201,
                    media_type="application/json")
