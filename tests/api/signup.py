"""Sign-ups the way a well-behaved client does them: on 429, wait Retry-After and try again.

A test module's server is shared by its tests, and sign-ups are rate limited per
address (burst 20, then 60 a minute): a module that onboards more than the burst
would otherwise fail or pass depending on how fast the machine runs it.
"""
import time

ATTEMPTS_MAX = 10


def sign_up(server, email: str):
    """The 201 answer of POST /v1/signup for `email`, after honouring any Retry-After."""
    for _ in range(ATTEMPTS_MAX):
        answer = server.client().post("/v1/signup", {"email": email})
        if answer.status_code != 429:
            return answer
        time.sleep(int(answer.headers["Retry-After"]))
    raise AssertionError(f"sign-up still rate limited after {ATTEMPTS_MAX} attempts")
