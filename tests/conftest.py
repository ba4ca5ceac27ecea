"""Shared fixtures. PostgreSQL tests FAIL (never skip) when the server is unreachable."""
import asyncio
import contextlib
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


async def _execute(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextlib.contextmanager
def fresh_postgres_schema():
    """A URL whose search_path is a new, empty schema; the schema is dropped afterwards."""
    if not _postgres_reachable():
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL}: start it, these tests must not skip")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    asyncio.run(_execute(f"CREATE SCHEMA {schema}"))
    try:
        # asyncpg passes unknown query parameters as server settings: search_path selects the schema.
        yield f"{POSTGRES_URL}?search_path={schema}"
    finally:
        asyncio.run(_execute(f"DROP SCHEMA {schema} CASCADE"))


@pytest.fixture
def postgres_url():
    """A fresh, empty PostgreSQL schema for one test."""
    with fresh_postgres_schema() as url:
        yield url


@pytest.fixture(scope="module")
def postgres_url_module():
    """A fresh, empty PostgreSQL schema shared by one test module (e.g. one server process)."""
    with fresh_postgres_schema() as url:
        yield url
