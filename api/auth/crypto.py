"""API-key secrets at rest: AES-256-GCM under one server key, plus key and secret generation.

The server key comes from the environment (`KARAKUM_SERVER_KEY`: 32 bytes as 64 hex digits
or as base64), never from the database, so a copy of the database alone reveals no secret.
Each ciphertext carries its own random 96-bit nonce; GCM's tag makes any tampering or a wrong
server key fail loudly (`SecretDecryptError`) instead of yielding a wrong secret.
Format: "v1:" + urlsafe base64 of (nonce || ciphertext || tag).
"""
import base64
import binascii
import os
import secrets
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SERVER_KEY_ENV = "KARAKUM_SERVER_KEY"
SERVER_KEY_BYTES = 32
_NONCE_BYTES = 12
_FORMAT_PREFIX = "v1:"


class ServerKeyError(ValueError):
    """The server key is missing or is not 32 bytes in hex or base64."""


class SecretDecryptError(ValueError):
    """A ciphertext is malformed, was altered, or was made under another server key."""


class ServerKey:
    """The 32-byte AES key; its repr never shows the bytes."""

    __slots__ = ("raw",)

    def __init__(self, raw: bytes) -> None:
        if len(raw) != SERVER_KEY_BYTES:
            raise ServerKeyError(f"the server key must be {SERVER_KEY_BYTES} bytes, got {len(raw)}")
        self.raw = raw

    def __repr__(self) -> str:
        return "ServerKey(***)"


def generate_server_key() -> str:
    """A fresh server key as 64 hex digits, ready for KARAKUM_SERVER_KEY."""
    return secrets.token_hex(SERVER_KEY_BYTES)


def parse_server_key(text: str) -> ServerKey:
    """Accept 64 hex digits or base64 (standard or urlsafe) of exactly 32 bytes."""
    text = text.strip()
    if len(text) == 2 * SERVER_KEY_BYTES:
        try:
            return ServerKey(bytes.fromhex(text))
        except ValueError:
            pass
    try:
        raw = base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != SERVER_KEY_BYTES:
        raise ServerKeyError(
            f"{SERVER_KEY_ENV} must be {SERVER_KEY_BYTES} bytes as 64 hex digits or base64; "
            "generate one with: python -m api.auth")
    return ServerKey(raw)


def load_server_key(environ: Mapping[str, str] = os.environ) -> ServerKey:
    """The server key from KARAKUM_SERVER_KEY; a clear ServerKeyError when missing or invalid."""
    text = environ.get(SERVER_KEY_ENV, "")
    if not text.strip():
        raise ServerKeyError(
            f"{SERVER_KEY_ENV} is not set: API-key secrets are encrypted with it; "
            "generate one with: python -m api.auth")
    return parse_server_key(text)


def encrypt_secret(server_key: ServerKey, plaintext: str) -> str:
    """Encrypt an API secret for storage in the journal. A new random nonce each call."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(server_key.raw).encrypt(nonce, plaintext.encode("utf-8"), None)
    return _FORMAT_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt_secret(server_key: ServerKey, ciphertext: str) -> str:
    """Recover an API secret; SecretDecryptError on a wrong key or an altered ciphertext."""
    if not ciphertext.startswith(_FORMAT_PREFIX):
        raise SecretDecryptError("unknown secret ciphertext format")
    try:
        blob = base64.urlsafe_b64decode(ciphertext[len(_FORMAT_PREFIX):].encode("ascii"))
    except (binascii.Error, ValueError) as error:
        raise SecretDecryptError("secret ciphertext is not valid base64") from error
    if len(blob) <= _NONCE_BYTES:
        raise SecretDecryptError("secret ciphertext is too short")
    try:
        plain = AESGCM(server_key.raw).decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], None)
    except InvalidTag as error:
        raise SecretDecryptError("secret ciphertext does not open with this server key") from error
    return plain.decode("utf-8")


def new_key_id() -> str:
    """A public API-key id: 64 alphanumerics, the shape Binance clients expect."""
    return secrets.token_hex(32)


def new_secret() -> str:
    """An API secret: 256 random bits as 64 hex digits. Shown to its owner once."""
    return secrets.token_hex(32)
