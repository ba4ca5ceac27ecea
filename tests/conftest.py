"""Shared fixtures. PostgreSQL tests FAIL (never skip) when the server is unreachable."""
import os
import socket
import uuid

import pytest

POSTGRES_URL = os.environ.get("KARAKUM_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_reachable(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture
def postgres_url():
    """A fresh, empty PostgreSQL schema for one test; dropped afterwards."""
    import asyncio

    import asyncpg

    if not _postgres_reachable():
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL}: start it, these tests must not skip")
    schema = f"t_{uuid.uuid4().hex[:12]}"

    async def run(sql: str) -> None:
        connection = await asyncpg.connect(POSTGRES_URL)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(run(f"CREATE SCHEMA {schema}"))
    # asyncpg passes unknown query parameters as server settings: search_path selects the schema.
    yield f"{POSTGRES_URL}?search_path={schema}"
    asyncio.run(run(f"DROP SCHEMA {schema} CASCADE"))
