"""Money columns on PostgreSQL read and write as exact ints through our binary NUMERIC codec,
checked against the server's own text form of the same numbers."""
import asyncio

import asyncpg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exchange.store import pg_numeric

NUMERIC_39 = 10**39 - 1
EDGES = [0, 1, -1, 9_999, 10_000, 10_001, 10**8, 2**63 - 1, 2**63, 2**64 + 1, 10**30, -(10**30) - 7, NUMERIC_39,
         -NUMERIC_39]
amounts = st.lists(st.integers(min_value=-NUMERIC_39, max_value=NUMERIC_39), min_size=1, max_size=40)


def round_trip(postgres_url: str, values: list[int]) -> tuple[list[str], list[int]]:
    """(the server's text for each value we sent, each value as we read back the server's numeric)."""
    async def main():
        connection = await asyncpg.connect(postgres_url)
        try:
            await pg_numeric.use_for(connection)
            sent = await connection.fetchval("SELECT array_agg(v::text) FROM unnest($1::numeric(39, 0)[]) AS v", values)
            read = await connection.fetchval("SELECT array_agg(v::numeric(39, 0)) FROM unnest($1::text[]) AS v",
                                             [str(value) for value in values])
            return sent, read
        finally:
            await connection.close()

    return asyncio.run(main())


def test_edge_amounts_reach_the_server_and_come_back_exactly(postgres_url):
    assert round_trip(postgres_url, EDGES) == ([str(value) for value in EDGES], EDGES)


@settings(max_examples=40, deadline=None)
@given(values=amounts)
def test_any_whole_amount_reaches_the_server_and_comes_back_exactly(postgres_url_module, values):
    sent, read = round_trip(postgres_url_module, values)
    assert sent == [str(value) for value in values]
    assert read == values and all(type(value) is int for value in read)


def test_what_is_not_a_whole_amount_is_refused_before_the_server():
    with pytest.raises(TypeError):
        pg_numeric.encode(1.5)
    with pytest.raises(TypeError):
        pg_numeric.encode(True)
    with pytest.raises(OverflowError):
        pg_numeric.encode(10**48)


def test_a_fraction_or_nan_read_from_a_money_column_is_an_error(postgres_url):
    async def main():
        connection = await asyncpg.connect(postgres_url)
        try:
            await pg_numeric.use_for(connection)
            for literal in ("1.5", "NaN"):
                with pytest.raises(ValueError):
                    await connection.fetchval(f"SELECT '{literal}'::numeric")
        finally:
            await connection.close()

    asyncio.run(main())
