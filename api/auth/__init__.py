"""Request authentication: API-key secrets at rest, HMAC signing schemes, replay memory,
rate limits, and the FastAPI dependency. See docs/security.md.
"""
from api.auth.authenticator import Authenticator, wall_clock_ms
from api.auth.crypto import (
    SERVER_KEY_ENV, SecretDecryptError, ServerKey, ServerKeyError, decrypt_secret,
    encrypt_secret, generate_server_key, load_server_key, new_key_id, new_secret,
    parse_server_key,
)
from api.auth.dependency import AuthFailed, Scheme, auth_error_response, auth_failed_handler, require
from api.auth.keys import Credential, KeyDirectory, KeyLookup
from api.auth.ratelimit import DEFAULT_LIMITS, RateLimit, RateLimiter
from api.auth.replay import ReplayGuard
from api.auth.results import BINANCE_CODE, HTTP_STATUS, AuthError, AuthErrorCode, Authenticated
from api.auth.signing import (
    DEFAULT_RECV_WINDOW_MS, MAX_RECV_WINDOW_MS, sign_binance, sign_native, verify_binance,
    verify_native,
)

__all__ = [
    "BINANCE_CODE", "DEFAULT_LIMITS", "DEFAULT_RECV_WINDOW_MS", "HTTP_STATUS",
    "MAX_RECV_WINDOW_MS", "SERVER_KEY_ENV", "AuthError", "AuthErrorCode", "AuthFailed",
    "Authenticated", "Authenticator", "Credential", "KeyDirectory", "KeyLookup", "RateLimit",
    "RateLimiter", "ReplayGuard", "Scheme", "SecretDecryptError", "ServerKey", "ServerKeyError",
    "auth_error_response", "auth_failed_handler", "decrypt_secret", "encrypt_secret",
    "generate_server_key", "load_server_key", "new_key_id", "new_secret", "parse_server_key",
    "require", "sign_binance", "sign_native", "verify_binance", "verify_native",
    "wall_clock_ms",
]
