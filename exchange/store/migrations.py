"""Versioned schema migrations for both adapters: append a version, never edit a shipped one.

Each adapter keeps a `schema_version` table and applies, in one transaction per
version, every migration above the recorded one; reopening a migrated database
applies nothing. Money columns hold arbitrarily large integers: NUMERIC(39,0)
in PostgreSQL, an untyped column in SQLite (declared types there would turn an
integer above 2**63 into a lossy REAL; the adapter stores such values as text).
"""

_APPEND_ONLY_TABLES = ("journal", "entries", "postings", "trades", "audit")

_SQLITE_TABLES = (
    "CREATE TABLE journal (sequence INTEGER PRIMARY KEY, timestamp_ns INTEGER NOT NULL, command BLOB NOT NULL)",
    """CREATE TABLE entries (
        entry_number INTEGER PRIMARY KEY, entry_id TEXT NOT NULL UNIQUE, sequence INTEGER NOT NULL,
        kind TEXT NOT NULL, cause TEXT NOT NULL, reason TEXT, approvers TEXT NOT NULL, parties TEXT NOT NULL)""",
    "CREATE INDEX entries_by_sequence ON entries (sequence)",
    """CREATE TABLE postings (
        entry_id TEXT NOT NULL, posting_index INTEGER NOT NULL, debit_account TEXT NOT NULL,
        credit_account TEXT NOT NULL, asset TEXT NOT NULL, amount_units NOT NULL,
        PRIMARY KEY (entry_id, posting_index)) WITHOUT ROWID""",
    """CREATE TABLE trades (
        trade_id INTEGER PRIMARY KEY, sequence INTEGER NOT NULL, timestamp_ns INTEGER NOT NULL,
        instrument_id INTEGER NOT NULL, price_ticks INTEGER NOT NULL, quantity_lots INTEGER NOT NULL,
        taker_side TEXT NOT NULL, maker_order_id INTEGER NOT NULL, taker_order_id INTEGER NOT NULL,
        maker_account_id INTEGER NOT NULL, taker_account_id INTEGER NOT NULL,
        maker_fee_units NOT NULL, taker_fee_units NOT NULL)""",
    "CREATE INDEX trades_by_maker ON trades (maker_account_id, trade_id)",
    "CREATE INDEX trades_by_taker ON trades (taker_account_id, trade_id)",
    "CREATE INDEX trades_by_instrument ON trades (instrument_id, trade_id)",
    """CREATE TABLE orders (
        order_id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, instrument_id INTEGER NOT NULL,
        client_order_id TEXT, side TEXT NOT NULL, order_type TEXT NOT NULL, time_in_force TEXT NOT NULL,
        price_ticks INTEGER, stop_price_ticks INTEGER, quantity_lots INTEGER NOT NULL,
        filled_lots INTEGER NOT NULL, status TEXT NOT NULL, created_sequence INTEGER NOT NULL,
        updated_sequence INTEGER NOT NULL, created_ns INTEGER NOT NULL, updated_ns INTEGER NOT NULL)""",
    "CREATE INDEX orders_by_account ON orders (account_id, order_id)",
    """CREATE TABLE audit (
        audit_number INTEGER PRIMARY KEY, sequence INTEGER NOT NULL, timestamp_ns INTEGER NOT NULL,
        actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, reason TEXT NOT NULL,
        payload BLOB NOT NULL, previous_hash TEXT NOT NULL, hash TEXT NOT NULL UNIQUE)""",
    "CREATE INDEX audit_by_sequence ON audit (sequence)",
    "CREATE TABLE snapshots (sequence INTEGER PRIMARY KEY, state_hash TEXT NOT NULL, data BLOB NOT NULL)",
)

_SQLITE_APPEND_ONLY = tuple(
    f"CREATE TRIGGER {table}_refuse_{verb.lower()} BEFORE {verb} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
    for table in _APPEND_ONLY_TABLES
    for verb in ("UPDATE", "DELETE")
)

SQLITE_MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, _SQLITE_TABLES + _SQLITE_APPEND_ONLY),
    (2, ("ALTER TABLE orders ADD COLUMN post_only INTEGER NOT NULL DEFAULT 0",)),
    (3, ("ALTER TABLE orders ADD COLUMN stp_mode TEXT NOT NULL DEFAULT 'EXPIRE_TAKER'",)),
)

_POSTGRES_TABLES = (
    "CREATE TABLE journal (sequence BIGINT PRIMARY KEY, timestamp_ns BIGINT NOT NULL, command BYTEA NOT NULL)",
    """CREATE TABLE entries (
        entry_number BIGSERIAL PRIMARY KEY, entry_id TEXT NOT NULL UNIQUE, sequence BIGINT NOT NULL,
        kind TEXT NOT NULL, cause TEXT NOT NULL, reason TEXT, approvers TEXT NOT NULL, parties TEXT NOT NULL)""",
    "CREATE INDEX entries_by_sequence ON entries (sequence)",
    """CREATE TABLE postings (
        entry_id TEXT NOT NULL, posting_index INTEGER NOT NULL, debit_account TEXT NOT NULL,
        credit_account TEXT NOT NULL, asset TEXT NOT NULL, amount_units NUMERIC(39, 0) NOT NULL,
        PRIMARY KEY (entry_id, posting_index))""",
    """CREATE TABLE trades (
        trade_id BIGINT PRIMARY KEY, sequence BIGINT NOT NULL, timestamp_ns BIGINT NOT NULL,
        instrument_id BIGINT NOT NULL, price_ticks BIGINT NOT NULL, quantity_lots BIGINT NOT NULL,
        taker_side TEXT NOT NULL, maker_order_id BIGINT NOT NULL, taker_order_id BIGINT NOT NULL,
        maker_account_id BIGINT NOT NULL, taker_account_id BIGINT NOT NULL,
        maker_fee_units NUMERIC(39, 0) NOT NULL, taker_fee_units NUMERIC(39, 0) NOT NULL)""",
    "CREATE INDEX trades_by_maker ON trades (maker_account_id, trade_id)",
    "CREATE INDEX trades_by_taker ON trades (taker_account_id, trade_id)",
    "CREATE INDEX trades_by_instrument ON trades (instrument_id, trade_id)",
    """CREATE TABLE orders (
        order_id BIGINT PRIMARY KEY, account_id BIGINT NOT NULL, instrument_id BIGINT NOT NULL,
        client_order_id TEXT, side TEXT NOT NULL, order_type TEXT NOT NULL, time_in_force TEXT NOT NULL,
        price_ticks BIGINT, stop_price_ticks BIGINT, quantity_lots BIGINT NOT NULL,
        filled_lots BIGINT NOT NULL, status TEXT NOT NULL, created_sequence BIGINT NOT NULL,
        updated_sequence BIGINT NOT NULL, created_ns BIGINT NOT NULL, updated_ns BIGINT NOT NULL)""",
    "CREATE INDEX orders_by_account ON orders (account_id, order_id)",
    """CREATE TABLE audit (
        audit_number BIGSERIAL PRIMARY KEY, sequence BIGINT NOT NULL, timestamp_ns BIGINT NOT NULL,
        actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, reason TEXT NOT NULL,
        payload BYTEA NOT NULL, previous_hash TEXT NOT NULL, hash TEXT NOT NULL UNIQUE)""",
    "CREATE INDEX audit_by_sequence ON audit (sequence)",
    "CREATE TABLE snapshots (sequence BIGINT PRIMARY KEY, state_hash TEXT NOT NULL, data BYTEA NOT NULL)",
    """CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation'; END $$""",
)

_POSTGRES_APPEND_ONLY = tuple(
    statement
    for table in _APPEND_ONLY_TABLES
    for statement in (
        f"CREATE TRIGGER {table}_refuse_change BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION refuse_change()",
        f"CREATE TRIGGER {table}_refuse_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()",
    )
)

POSTGRES_MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, _POSTGRES_TABLES + _POSTGRES_APPEND_ONLY),
    (2, ("ALTER TABLE orders ADD COLUMN post_only BOOLEAN NOT NULL DEFAULT false",)),
    (3, ("ALTER TABLE orders ADD COLUMN stp_mode TEXT NOT NULL DEFAULT 'EXPIRE_TAKER'",)),
    (4, (
        # Room on each page for an order's updates (fills, cancels): in place, without new index entries.
        "ALTER TABLE orders SET (fillfactor = 85)",
        # Entry ids are ASCII identifiers: their unique indexes compare bytes, not the database's locale.
        'ALTER TABLE entries ALTER COLUMN entry_id TYPE TEXT COLLATE "C"',
        'ALTER TABLE postings ALTER COLUMN entry_id TYPE TEXT COLLATE "C"',
    )),
)
