"""Why the engine refused a command: stable integer codes, a wire contract.

Append only, never renumber, never reuse a retired number: the codes are in
journals, audit exports and client code. Ranges:
  1xxx  the command is malformed or breaks an instrument rule
  2xxx  reserved for funds and ledger (the exchange owns them, not the engine)
  3xxx  the book or the order refuses it
  4xxx  the instrument or its market state refuses it
Each code is documented in docs/journal-format.md.
"""
import enum


class RejectCode(enum.IntEnum):
    QUANTITY_MUST_BE_POSITIVE = 1001
    PRICE_MUST_BE_POSITIVE = 1002
    PRICE_NOT_ON_TICK = 1003
    QUANTITY_NOT_ON_LOT = 1004
    DECIMAL_MALFORMED = 1005
    PRICE_REQUIRED = 1006
    PRICE_NOT_ALLOWED = 1007
    STOP_PRICE_REQUIRED = 1008
    STOP_PRICE_NOT_ALLOWED = 1009
    TIME_IN_FORCE_NOT_ALLOWED = 1010
    POST_ONLY_REQUIRES_LIMIT_GTC = 1011
    CLIENT_ORDER_ID_INVALID = 1012
    ORDER_REFERENCE_REQUIRED = 1013
    AMEND_NOTHING_TO_CHANGE = 1014
    INSTRUMENT_INVALID = 1015
    QUANTITY_BELOW_MINIMUM = 1016
    QUANTITY_ABOVE_MAXIMUM = 1017
    NOTIONAL_BELOW_MINIMUM = 1018

    ORDER_NOT_FOUND = 3001
    ORDER_ID_IN_USE = 3002
    CLIENT_ORDER_ID_IN_USE = 3003
    POST_ONLY_WOULD_CROSS = 3004
    STOP_WOULD_TRIGGER_IMMEDIATELY = 3005
    AMEND_WOULD_CROSS = 3006
    AMEND_NOT_ALLOWED_FOR_STOP = 3007
    PRICE_OUT_OF_BAND = 3008

    INSTRUMENT_UNKNOWN = 4001
    INSTRUMENT_ID_IN_USE = 4002
    MARKET_HALTED = 4003
    MARKET_CANCEL_ONLY = 4004
    MARKET_POST_ONLY = 4005
    MARKET_AUCTION_LIMIT_ONLY = 4006
