"""`python -m api.auth`: print a fresh server key for KARAKUM_SERVER_KEY."""
from api.auth.crypto import generate_server_key

print(generate_server_key())
