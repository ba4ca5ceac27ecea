"""Texts the law requires the exchange to show (account opening, listing info)."""

RISK_WARNING = (
    "Virtual assets are not legal tender, not a means of payment and not backed by the state. "
    "Their value can fall to zero; you may lose all the money you put in. "
    "Using virtual assets to pay for goods or services is prohibited."
)
