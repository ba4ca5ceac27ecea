"""Secrets mask themselves: repr, str, f-strings and logging never show them."""
import logging

from api.auth import Credential, encrypt_secret, parse_server_key
from exchange.access import ApiKey, IssueApiKey, OwnerKind, Role

from access_keys import SERVER_KEY_HEX, TRADER_SECRET


def rendered(value) -> str:
    return repr(value) + str(value) + f"{value}{value!r}" + repr([value]) + repr({"v": value})


def test_server_key_is_masked():
    key = parse_server_key(SERVER_KEY_HEX)
    text = rendered(key)
    assert SERVER_KEY_HEX not in text
    assert repr(key.raw)[2:10] not in text
    assert "***" in text


def test_ciphertext_is_masked_in_the_command_and_the_stored_key(server_key):
    sealed = encrypt_secret(server_key, TRADER_SECRET)
    command = IssueApiKey(key_id="k", owner_kind=OwnerKind.CUSTOMER, owner_id="1",
                          role=Role.TRADER, secret_ciphertext=sealed, label="bot")
    key = ApiKey(key_id="k", owner_kind=OwnerKind.CUSTOMER, owner_id="1", role=Role.TRADER,
                 secret_ciphertext=sealed, label="bot", issued_sequence=1, issued_timestamp_ns=1)
    for value in (command, key):
        text = rendered(value)
        assert sealed not in text and sealed[3:20] not in text
        assert "key_id='k'" in text


def test_plaintext_secret_in_a_credential_is_masked_even_when_logged(caplog, directory):
    credential = directory.lookup("k-trader")
    assert isinstance(credential, Credential)
    assert credential.secret == TRADER_SECRET.encode()
    with caplog.at_level(logging.INFO):
        logging.getLogger("karakum.test").info("authenticated %r %s", credential, credential)
    assert TRADER_SECRET not in caplog.text + rendered(credential) + repr(directory)
    assert "k-trader" in caplog.text
