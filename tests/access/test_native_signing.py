"""Native scheme: every refusal path, and one-byte changes anywhere are refused."""
import pytest

from api.auth import AuthErrorCode, Authenticated, Authenticator, ReplayGuard, sign_native, verify_native
from exchange.access import Permission, RevokeApiKey, Role

from access_keys import NOW_MS, OTHER_SECRET, TRADER_SECRET

PATH, QUERY, BODY = "/v1/orders", "instrument=BTC-USDT", b'{"side":"buy","price":"100"}'


def headers(timestamp_ms=NOW_MS, key_id="k-trader", secret=TRADER_SECRET, method="POST",
            path=PATH, query=QUERY, body=BODY):
    target = f"{path}?{query}" if query else path
    return {"X-KK-APIKEY": key_id, "X-KK-TIMESTAMP": str(timestamp_ms),
            "X-KK-SIGNATURE": sign_native(secret, timestamp_ms, method, target, body)}


def verify(directory, sent_headers, now_ms=NOW_MS, guard=None, method="POST", path=PATH,
           query=QUERY, body=BODY):
    guard = ReplayGuard() if guard is None else guard
    return verify_native(method, path, query, body, sent_headers, now_ms, directory.lookup, guard)


def code(result):
    assert not isinstance(result, Authenticated), result
    return result.code


def test_a_correctly_signed_request_is_accepted_with_its_owner(directory):
    result = verify(directory, headers())
    assert result == Authenticated(key_id="k-trader", owner_kind="customer", owner_id="101", role=Role.TRADER)


def test_header_names_are_case_insensitive_and_hex_case_is_ignored(directory):
    sent = {name.lower(): value for name, value in headers().items()}
    sent["x-kk-signature"] = sent["x-kk-signature"].upper()
    assert isinstance(verify(directory, sent), Authenticated)


@pytest.mark.parametrize("missing", ["X-KK-APIKEY", "X-KK-TIMESTAMP", "X-KK-SIGNATURE"])
def test_missing_credentials_are_refused(directory, missing):
    sent = headers()
    del sent[missing]
    assert code(verify(directory, sent)) == AuthErrorCode.MISSING_CREDENTIALS


@pytest.mark.parametrize("timestamp", ["17e11", "-1", "１２３", "1" * 17, "12.5"])
def test_a_timestamp_that_is_not_milliseconds_is_malformed(directory, timestamp):
    sent = headers()
    sent["X-KK-TIMESTAMP"] = timestamp
    assert code(verify(directory, sent)) == AuthErrorCode.MALFORMED_REQUEST


def test_tampered_body_query_path_or_method_is_refused(directory):
    sent = headers()
    assert code(verify(directory, sent, body=BODY.replace(b"100", b"900"))) == AuthErrorCode.INVALID_SIGNATURE
    assert code(verify(directory, sent, query="instrument=ETH-USDT")) == AuthErrorCode.INVALID_SIGNATURE
    assert code(verify(directory, sent, path="/v1/withdrawals")) == AuthErrorCode.INVALID_SIGNATURE
    assert code(verify(directory, sent, method="DELETE")) == AuthErrorCode.INVALID_SIGNATURE


def test_a_changed_timestamp_header_breaks_the_signature(directory):
    sent = headers()
    sent["X-KK-TIMESTAMP"] = str(NOW_MS - 1)
    assert code(verify(directory, sent)) == AuthErrorCode.INVALID_SIGNATURE


def test_any_one_character_change_of_the_signature_is_refused(directory):
    good = headers()["X-KK-SIGNATURE"]
    for index in range(len(good)):
        flipped = "0" if good[index] != "0" else "1"
        sent = headers()
        sent["X-KK-SIGNATURE"] = good[:index] + flipped + good[index + 1:]
        assert code(verify(directory, sent)) == AuthErrorCode.INVALID_SIGNATURE, index
    for bad in (good[:-1], good + "0", "", "é" * 64):
        sent = headers()
        sent["X-KK-SIGNATURE"] = bad
        assert code(verify(directory, sent)) in (AuthErrorCode.INVALID_SIGNATURE, AuthErrorCode.MISSING_CREDENTIALS)


def test_signed_with_another_keys_secret_is_refused(directory):
    assert code(verify(directory, headers(secret=OTHER_SECRET))) == AuthErrorCode.INVALID_SIGNATURE


def test_an_unknown_key_is_refused(directory):
    assert code(verify(directory, headers(key_id="k-ghost"))) == AuthErrorCode.UNKNOWN_API_KEY


def test_a_revoked_key_is_refused_on_the_next_request(access, directory):
    assert isinstance(verify(directory, headers(timestamp_ms=NOW_MS - 1)), Authenticated)
    access.apply(RevokeApiKey(key_id="k-trader", actor="op-1", reason="leaked"), 90, 0)
    assert code(verify(directory, headers())) == AuthErrorCode.API_KEY_REVOKED


def test_expired_and_future_timestamps_are_refused_at_the_window_edges(directory):
    assert isinstance(verify(directory, headers(timestamp_ms=NOW_MS - 5000)), Authenticated)
    assert code(verify(directory, headers(timestamp_ms=NOW_MS - 5001))) == AuthErrorCode.TIMESTAMP_OUTSIDE_RECV_WINDOW
    assert isinstance(verify(directory, headers(timestamp_ms=NOW_MS + 1000)), Authenticated)
    assert code(verify(directory, headers(timestamp_ms=NOW_MS + 1001))) == AuthErrorCode.TIMESTAMP_OUTSIDE_RECV_WINDOW


def test_an_exact_replay_is_refused_even_with_the_signature_in_other_case(directory):
    guard, sent = ReplayGuard(), headers()
    assert isinstance(verify(directory, sent, guard=guard), Authenticated)
    assert code(verify(directory, sent, now_ms=NOW_MS + 10, guard=guard)) == AuthErrorCode.REPLAYED_REQUEST
    upper = dict(sent, **{"X-KK-SIGNATURE": sent["X-KK-SIGNATURE"].upper()})
    assert code(verify(directory, upper, now_ms=NOW_MS + 20, guard=guard)) == AuthErrorCode.REPLAYED_REQUEST


def test_a_replay_after_the_window_is_refused_by_the_window(directory):
    guard, sent = ReplayGuard(), headers()
    assert isinstance(verify(directory, sent, guard=guard), Authenticated)
    late = verify(directory, sent, now_ms=NOW_MS + 5001, guard=guard)
    assert code(late) == AuthErrorCode.TIMESTAMP_OUTSIDE_RECV_WINDOW


def test_an_invalid_signature_is_not_remembered_so_it_cannot_block_the_real_request(directory):
    guard, good = ReplayGuard(), headers()
    forged = dict(good, **{"X-KK-SIGNATURE": "0" * 64})
    assert code(verify(directory, forged, guard=guard)) == AuthErrorCode.INVALID_SIGNATURE
    assert len(guard) == 0
    assert isinstance(verify(directory, good, guard=guard), Authenticated)


def test_no_query_signs_the_bare_path(directory):
    sent = headers(method="GET", query="", body=b"")
    assert isinstance(verify(directory, sent, method="GET", query="", body=b""), Authenticated)


def test_the_directory_itself_can_be_the_lookup(directory):
    authenticator = Authenticator(directory)
    result = authenticator.native("POST", PATH, QUERY, BODY, headers(), Permission.TRADE, now_ms=NOW_MS)
    assert isinstance(result, Authenticated) and result.owner_id == "101"
