"""Small helpers every route uses: msgspec bodies in, msgspec JSON out, submit with refusals as errors."""
from typing import Any

import msgspec
from fastapi import Request, Response

from api.errors import ApiError
from exchange.results import OrderExists, OrderResult, Refused
from exchange.sequencer import SequencerStopped

BODY_BYTES_MAX = 1_000_000


async def parse_body(request: Request, kind: type) -> Any:
    """Decode and validate the JSON body as `kind`; 400 with the field named when it does not fit."""
    return decode_body(await request.body(), kind)


def decode_body(body: bytes, kind: type) -> Any:
    """`parse_body` over bytes already read (api/fastpath.py reads them without a Request)."""
    if len(body) > BODY_BYTES_MAX:
        raise ApiError("INVALID_REQUEST", f"body larger than {BODY_BYTES_MAX} bytes", 413)
    try:
        return msgspec.json.decode(body or b"{}", type=kind)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise ApiError("INVALID_REQUEST", str(error), 400) from None


def body_doc(kind: type) -> dict:
    """`openapi_extra` describing a msgspec body the route parses itself (FastAPI cannot see it)."""
    (schema,), components = msgspec.json.schema_components([kind], ref_template="{name}")
    return {"requestBody": {"required": True,
                            "content": {"application/json": {"schema": _inline(schema, components)}}}}


def _inline(node, components: dict):
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(components[node["$ref"]], components)
        return {key: _inline(value, components) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(value, components) for value in node]
    return node


def json_response(value: Any, status: int = 200) -> Response:
    return Response(msgspec.json.encode(value), status_code=status, media_type="application/json")


async def durable_venue(runtime):
    """The venue for a read: waits until every applied command is committed (no uncommitted state leaks)."""
    try:
        return await runtime.durable_view()
    except SequencerStopped as error:
        raise ApiError("SERVICE_UNAVAILABLE", str(error), 503, headers={"Retry-After": "1"}) from None


async def submit(runtime, command) -> Any:
    """Sequence a command and wait until it is durable; a refusal becomes an ApiError."""
    try:
        result = await runtime.submit(command)
    except SequencerStopped as error:
        raise ApiError("SERVICE_UNAVAILABLE", str(error), 503, headers={"Retry-After": "1"}) from None
    if type(result) is Refused:
        raise ApiError(result.code, result.message, details=result.details)
    if type(result) is OrderExists:
        # A retry (same client order id and order): answer with the original order as it stands now.
        return OrderResult(order=await runtime.store.read_order(result.order_id), fills=[])
    return result
