"""A connection's outbox never grows past its limits: the client is dropped instead, and stays dropped."""
import asyncio

from api.streams.connection import Connection
from api.streams.protocol import OUTBOX_BYTES_MAX, OUTBOX_MESSAGES_MAX


def test_one_message_past_the_count_limit_drops_the_client_and_frees_its_outbox():
    async def scenario():
        connection = Connection(websocket=None)
        for _ in range(OUTBOX_MESSAGES_MAX):
            connection.send("m")
        assert not connection.dropped
        assert len(connection.outbox) == OUTBOX_MESSAGES_MAX
        connection.send("one too many")
        assert connection.dropped
        assert len(connection.outbox) == 0 and connection.outbox_bytes == 0
        connection.send("after the drop")
        assert len(connection.outbox) == 0

    asyncio.run(scenario())


def test_the_byte_limit_drops_a_client_before_the_count_limit():
    async def scenario():
        connection = Connection(websocket=None)
        big = "x" * (OUTBOX_BYTES_MAX // 4)
        for _ in range(4):
            connection.send(big)
        assert not connection.dropped and connection.outbox_bytes == 4 * len(big)
        connection.send("x")
        assert connection.dropped and connection.outbox_bytes == 0

    asyncio.run(scenario())


def test_a_drop_cancels_a_writer_stuck_on_a_socket_that_never_drains():
    class NeverDrains:
        async def send_text(self, message):
            await asyncio.Event().wait()  # Like a socket whose peer stopped reading.

    async def scenario():
        connection = Connection(NeverDrains())
        writer = connection.start_writer()
        connection.send("first")
        await asyncio.sleep(0.01)
        connection.drop()
        await asyncio.wait_for(asyncio.gather(writer, return_exceptions=True), 1)
        assert writer.done()

    asyncio.run(scenario())
