"""Secrets and times shared by the access tests (a unique module name: no clash across test dirs)."""
SERVER_KEY_HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
TRADER_SECRET = "trader-secret-0123456789abcdef"
OTHER_SECRET = "other-trader-secret-fedcba9876543210"
OPERATOR_SECRET = "operator-secret-5555"
AUDITOR_SECRET = "auditor-secret-7777"
NOW_MS = 1_790_000_000_000
