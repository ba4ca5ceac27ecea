"""Order rows through group commits, against a reference of one upsert per record.

The stores write an order once per batch and created orders by plain INSERT
(rows.orders_by_creation); whatever the batching, what reads back must be what
writing every record one by one as an upsert would leave: the mutable columns
of its last record, everything else from its first.
"""
import asyncio
import itertools

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from exchange.store import Batch, JournalRecord, OrderRecord, open_store
from exchange.store.rows import ORDER_MUTABLE_COLUMNS

STATUSES = ("NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED", "EXPIRED")


def placed(order_id: int, sequence: int, account_id: int) -> OrderRecord:
    return OrderRecord(order_id, account_id, 1, f"c{order_id}", "BUY", "LIMIT", "GTC", 100, None, 10, 0, "NEW",
                       sequence, sequence, sequence, sequence, False, "EXPIRE_TAKER")


def changed(record: OrderRecord, sequence: int, status: str, filled_lots: int, price_ticks: int) -> OrderRecord:
    # A record that also claims other created_* and client ids: only the mutable columns may win.
    return msgspec.structs.replace(record, status=status, filled_lots=filled_lots, price_ticks=price_ticks,
                                   updated_sequence=sequence, updated_ns=sequence, created_ns=sequence,
                                   client_order_id=f"later{sequence}")


# Each command places a new order or changes an earlier one; each batch takes the next `size` commands.
commands = st.lists(
    st.one_of(
        st.tuples(st.just("place"), st.integers(1, 3)),
        st.tuples(st.just("change"), st.integers(0, 10**6), st.sampled_from(STATUSES), st.integers(0, 10),
                  st.integers(90, 110)),
    ),
    min_size=1, max_size=60,
)


def records_and_reference(script, first_sequence: int = 1) -> tuple[list[list[OrderRecord]], dict[int, OrderRecord]]:
    """Each command's records (by sequence, from `first_sequence`) and the rows one upsert per record would leave."""
    per_command, reference, orders = [], {}, []
    for sequence, step in enumerate(script, start=first_sequence):
        if step[0] == "place" or not orders:
            record = placed(1000 + sequence, sequence, account_id=step[1] if step[0] == "place" else 1)
            orders.append(record)
        else:
            _, pick, status, filled_lots, price_ticks = step
            record = changed(orders[pick % len(orders)], sequence, status, filled_lots, price_ticks)
        per_command.append([record])
        first = reference.get(record.order_id)
        reference[record.order_id] = record if first is None else msgspec.structs.replace(
            first, **{column: getattr(record, column) for column in ORDER_MUTABLE_COLUMNS})
    return per_command, reference


def write_and_read(url: str, per_command: list[list[OrderRecord]], batch_size: int, order_ids,
                   first_sequence: int = 1) -> dict:
    async def main():
        store = await open_store(url)
        try:
            for start in range(0, len(per_command), batch_size):
                chunk = range(start, min(start + batch_size, len(per_command)))
                await store.write_batch(Batch(
                    journal=[JournalRecord(first_sequence + index, first_sequence + index, b"c") for index in chunk],
                    orders=[record for index in chunk for record in per_command[index]]))
            return {order_id: await store.read_order(order_id) for order_id in order_ids}
        finally:
            await store.close()

    return asyncio.run(main())


@settings(max_examples=60, deadline=None)
@given(script=commands, batch_size=st.integers(1, 25))
def test_any_batching_leaves_the_rows_one_upsert_per_record_would_leave(tmp_path_factory, script, batch_size):
    per_command, reference = records_and_reference(script)
    url = f"sqlite://{tmp_path_factory.mktemp('orders')}/exchange.db"
    assert write_and_read(url, per_command, batch_size, reference) == reference


_postgres_examples = itertools.count()


@settings(max_examples=15, deadline=None)
@given(script=commands, batch_size=st.integers(1, 25))
def test_postgres_too(postgres_url_module, script, batch_size):
    first_sequence = 1 + 100 * next(_postgres_examples)  # One schema for all examples: each writes new rows.
    per_command, reference = records_and_reference(script, first_sequence)
    assert write_and_read(postgres_url_module, per_command, batch_size, reference, first_sequence) == reference
