"""Binance scheme: totalParams = raw query + raw body, timestamp and recvWindow as Binance."""
from urllib.parse import urlencode

import pytest

from api.auth import AuthErrorCode, Authenticated, ReplayGuard, sign_binance, verify_binance
from exchange.access import RevokeApiKey

from access_keys import NOW_MS, TRADER_SECRET

ORDER = [("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "LIMIT"), ("quantity", "0.01"),
         ("price", "25000"), ("timeInForce", "GTC"), ("newClientOrderId", "x-TKT5/+=&?")]


def signed(params, secret=TRADER_SECRET, timestamp_ms=NOW_MS, recv_window_ms=10000):
    """Encode as ccxt does: timestamp first, then params, then recvWindow, then signature."""
    pairs = [("timestamp", str(timestamp_ms)), *params]
    if recv_window_ms is not None:
        pairs.append(("recvWindow", str(recv_window_ms)))
    encoded = urlencode(pairs)
    return f"{encoded}&signature={sign_binance(secret, encoded)}"


def verify(query="", body=b"", key_id="k-trader", now_ms=NOW_MS, guard=None, directory=None):
    guard = ReplayGuard() if guard is None else guard
    sent_headers = {"X-MBX-APIKEY": key_id} if key_id else {}
    return verify_binance(query, body, sent_headers, now_ms, directory.lookup, guard)


def code(result):
    assert not isinstance(result, Authenticated), result
    return result.code


def test_post_with_everything_in_the_body_is_accepted(directory):
    result = verify(body=signed(ORDER).encode(), directory=directory)
    assert isinstance(result, Authenticated)
    assert (result.key_id, result.owner_id) == ("k-trader", "101")


def test_get_with_everything_in_the_query_is_accepted(directory):
    assert isinstance(verify(query=signed([("symbol", "BTCUSDT")]), directory=directory), Authenticated)


def test_binance_documented_mixed_query_and_body_example_verifies(directory):
    # Binance's example 3: totalParams is the query string concatenated with the body, no '&'.
    query = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC"
    body = f"quantity=1&price=0.1&recvWindow=5000&timestamp={NOW_MS}"
    signature = sign_binance(TRADER_SECRET, query + body)
    result = verify(query=query, body=f"{body}&signature={signature}".encode(), directory=directory)
    assert isinstance(result, Authenticated)


def test_binance_documented_signature_vector():
    # From Binance's spot API docs (HMAC example): this secret and payload give this signature.
    secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
    payload = ("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
               "&recvWindow=5000&timestamp=1499827319559")
    assert sign_binance(secret, payload) == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"


def test_signature_in_the_middle_of_the_params_is_removed_before_hashing(directory):
    encoded = urlencode([("timestamp", str(NOW_MS)), ("symbol", "BTCUSDT")])
    signature = sign_binance(TRADER_SECRET, encoded)
    query = f"timestamp={NOW_MS}&signature={signature}&symbol=BTCUSDT"
    assert isinstance(verify(query=query, directory=directory), Authenticated)


def test_tampered_body_or_query_is_refused(directory):
    body = signed(ORDER)
    assert code(verify(body=body.replace("25000", "25001").encode(), directory=directory)) == AuthErrorCode.INVALID_SIGNATURE
    assert code(verify(query="symbol=ETHUSDT", body=body.encode(), directory=directory)) == AuthErrorCode.INVALID_SIGNATURE
    reordered = "&".join(reversed(body.split("&")[:-1])) + "&" + body.split("&")[-1]
    assert code(verify(body=reordered.encode(), directory=directory)) == AuthErrorCode.INVALID_SIGNATURE


def test_any_one_byte_change_of_the_signed_body_is_refused(directory):
    body = signed(ORDER)
    cut = body.index("&signature=")
    for index in range(cut):
        changed = body[:index] + ("Z" if body[index] != "Z" else "Y") + body[index + 1:]
        assert not isinstance(verify(body=changed.encode(), directory=directory), Authenticated), index


def test_any_one_character_change_of_the_signature_is_refused(directory):
    body = signed(ORDER)
    cut = body.index("&signature=") + len("&signature=")
    for index in range(cut, len(body)):
        flipped = "0" if body[index] != "0" else "1"
        changed = body[:index] + flipped + body[index + 1:]
        assert code(verify(body=changed.encode(), directory=directory)) == AuthErrorCode.INVALID_SIGNATURE


def test_missing_key_header_or_signature_or_timestamp(directory):
    body = signed(ORDER)
    unsigned = body[:body.index("&signature=")]
    no_timestamp = urlencode(ORDER)
    no_timestamp += "&signature=" + sign_binance(TRADER_SECRET, no_timestamp)
    assert code(verify(body=body.encode(), key_id="", directory=directory)) == AuthErrorCode.MISSING_CREDENTIALS
    assert code(verify(body=unsigned.encode(), directory=directory)) == AuthErrorCode.MISSING_CREDENTIALS
    assert code(verify(body=no_timestamp.encode(), directory=directory)) == AuthErrorCode.MALFORMED_REQUEST


def test_duplicated_signature_or_timestamp_is_malformed(directory):
    body = signed(ORDER)
    twice = body + "&" + body.split("&")[-1]
    assert code(verify(body=twice.encode(), directory=directory)) == AuthErrorCode.MALFORMED_REQUEST
    query = f"timestamp={NOW_MS - 1}"
    assert code(verify(query=query, body=body.encode(), directory=directory)) == AuthErrorCode.MALFORMED_REQUEST


def test_body_that_is_not_utf8_is_malformed(directory):
    assert code(verify(body=b"\xff\xfe", directory=directory)) == AuthErrorCode.MALFORMED_REQUEST


@pytest.mark.parametrize("window", ["0", "60001", "abc", "-5"])
def test_recv_window_outside_one_to_sixty_seconds_is_refused(directory, window):
    encoded = urlencode([("timestamp", str(NOW_MS)), ("recvWindow", window)])
    query = f"{encoded}&signature={sign_binance(TRADER_SECRET, encoded)}"
    assert code(verify(query=query, directory=directory)) == AuthErrorCode.INVALID_RECV_WINDOW


def test_timestamp_window_follows_recv_window_and_the_one_second_future_rule(directory):
    def at(timestamp_ms, window):
        return verify(query=signed([], timestamp_ms=timestamp_ms, recv_window_ms=window), directory=directory)

    assert isinstance(at(NOW_MS - 5000, None), Authenticated)  # Default window: 5000 ms.
    assert code(at(NOW_MS - 5001, None)) == AuthErrorCode.TIMESTAMP_OUTSIDE_RECV_WINDOW
    assert isinstance(at(NOW_MS - 60000, 60000), Authenticated)
    assert code(at(NOW_MS - 60001, 60000)) == AuthErrorCode.TIMESTAMP_OUTSIDE_RECV_WINDOW
    assert isinstance(at(NOW_MS + 999, 60000), Authenticated)
    assert code(at(NOW_MS + 1001, 60000)) == AuthErrorCode.TIMESTAMP_OUTSIDE_RECV_WINDOW


def test_exact_replay_refused_and_moving_the_query_body_split_does_not_help(directory):
    guard, body = ReplayGuard(), signed(ORDER)
    assert isinstance(verify(body=body.encode(), guard=guard, directory=directory), Authenticated)
    assert code(verify(body=body.encode(), guard=guard, now_ms=NOW_MS + 1, directory=directory)) == AuthErrorCode.REPLAYED_REQUEST
    head, tail = body.split("&", 1)
    moved = verify(query=head + "&", body=tail.encode(), guard=guard, now_ms=NOW_MS + 2, directory=directory)
    assert code(moved) in (AuthErrorCode.REPLAYED_REQUEST, AuthErrorCode.INVALID_SIGNATURE)


def test_unknown_and_revoked_keys_are_refused(access, directory):
    body = signed(ORDER).encode()
    assert code(verify(body=body, key_id="k-ghost", directory=directory)) == AuthErrorCode.UNKNOWN_API_KEY
    access.apply(RevokeApiKey(key_id="k-trader", actor="op-1", reason="leaked"), 90, 0)
    assert code(verify(body=body, directory=directory)) == AuthErrorCode.API_KEY_REVOKED


def test_a_signature_by_another_key_is_refused(directory):
    body = signed(ORDER).encode()
    assert code(verify(body=body, key_id="k-other", directory=directory)) == AuthErrorCode.INVALID_SIGNATURE


def test_the_same_parameters_on_two_routes_are_two_requests_but_each_route_refuses_a_replay(directory):
    # Binance signs no method or path: GET and DELETE of one order in one millisecond share a signature.
    guard, headers = ReplayGuard(), {"X-MBX-APIKEY": "k-trader"}
    query = signed([("symbol", "BTCUSDT"), ("orderId", "7")])
    for request_line in ("GET /api/v3/order", "DELETE /api/v3/order"):
        result = verify_binance(query, b"", headers, NOW_MS, directory.lookup, guard, request_line)
        assert isinstance(result, Authenticated), request_line
    again = verify_binance(query, b"", headers, NOW_MS, directory.lookup, guard, "DELETE /api/v3/order")
    assert code(again) is AuthErrorCode.REPLAYED_REQUEST
