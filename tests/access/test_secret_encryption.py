"""Secrets at rest: AES-256-GCM round trip, wrong key and tampering fail, clear key errors."""
import base64

import pytest

from api.auth import (
    SecretDecryptError, ServerKeyError, decrypt_secret, encrypt_secret, generate_server_key,
    load_server_key, parse_server_key,
)

from access_keys import SERVER_KEY_HEX


def test_round_trip_and_a_fresh_nonce_each_time(server_key):
    first = encrypt_secret(server_key, "s3cret-ü")
    second = encrypt_secret(server_key, "s3cret-ü")
    assert first != second
    assert "s3cret" not in first
    assert decrypt_secret(server_key, first) == decrypt_secret(server_key, second) == "s3cret-ü"


def test_another_server_key_cannot_open_it(server_key):
    sealed = encrypt_secret(server_key, "s3cret")
    with pytest.raises(SecretDecryptError):
        decrypt_secret(parse_server_key(generate_server_key()), sealed)


def test_any_altered_byte_is_detected(server_key):
    sealed = encrypt_secret(server_key, "s3cret")
    blob = bytearray(base64.urlsafe_b64decode(sealed[3:]))
    for index in range(len(blob)):
        altered = bytearray(blob)
        altered[index] ^= 0x01
        with pytest.raises(SecretDecryptError):
            decrypt_secret(server_key, "v1:" + base64.urlsafe_b64encode(bytes(altered)).decode())


@pytest.mark.parametrize("ciphertext", ["", "v2:abc", "v1:!!!", "v1:" + base64.urlsafe_b64encode(b"short").decode()])
def test_malformed_ciphertexts_are_refused(server_key, ciphertext):
    with pytest.raises(SecretDecryptError):
        decrypt_secret(server_key, ciphertext)


def test_server_key_accepts_hex_and_both_base64_alphabets():
    raw = bytes.fromhex(SERVER_KEY_HEX)
    for text in (SERVER_KEY_HEX, base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()):
        assert parse_server_key(f" {text}\n").raw == raw


def test_generated_keys_are_valid_and_distinct():
    first, second = generate_server_key(), generate_server_key()
    assert first != second
    assert len(parse_server_key(first).raw) == 32


def test_missing_or_invalid_server_key_gives_a_clear_error():
    with pytest.raises(ServerKeyError, match="KARAKUM_SERVER_KEY is not set"):
        load_server_key({})
    for bad in ("abc", SERVER_KEY_HEX[:-2], base64.b64encode(b"x" * 16).decode(), "zz" * 32):
        with pytest.raises(ServerKeyError, match="32 bytes"):
            load_server_key({"KARAKUM_SERVER_KEY": bad})
    assert load_server_key({"KARAKUM_SERVER_KEY": SERVER_KEY_HEX}).raw == bytes.fromhex(SERVER_KEY_HEX)
