"""Money in and out: deposits, withdrawals, corrections. Never from one customer to another.

Deposits are reported by custody (asset, our deposit address, amount, chain
tx id) and credited only to the customer who owns that address, within the
customer's tier limits; a deposit above the limit is NOT credited (custody
keeps it aside for return) and custody gets LIMIT_EXCEEDED with the
remaining allowance. A repeated chain tx id returns the first answer; the
same id with another asset, amount or address is refused.

Withdrawals go only to the customer's own whitelisted external addresses
after the cooling-off period; an address that is any customer's deposit
address is refused as PAYMENT_PROHIBITED (compliance). The funds move to
the customer's pending-withdrawal account at request time and leave custody
only when custody reports completion; a rejection returns them.
"""
from ledger import entries
from ledger.accounts import EXCHANGE_EQUITY, available_account
from ledger.entries import Posting
from exchange.compliance import ApproveWithdrawal, CompleteWithdrawal, RejectWithdrawal, RequestWithdrawal
from exchange.compliance.results import Refusal
from exchange.results import Accepted, VenueCode


class Funding:
    def __init__(self, venue):
        self.venue = venue
        self.deposits_by_tx: dict[str, object] = {}  # chain tx id -> the first answer

    def report_deposit(self, command, sequence: int, timestamp_ns: int, outcome):
        previous = self.deposits_by_tx.get(command.chain_tx_id)
        if previous is not None:
            return previous if self._same_deposit(previous.data, command) else self.venue.refused(
                VenueCode.DEPOSIT_EXISTS_WITH_DIFFERENT_FIELDS,
                f"chain transaction {command.chain_tx_id} was reported with another asset, amount or address")
        result = self._credit(command, sequence, timestamp_ns, outcome)
        if type(result) is Accepted:
            self.deposits_by_tx[command.chain_tx_id] = result
        return result

    def _same_deposit(self, data: dict, command) -> bool:
        address = self.venue.compliance.deposit_address(command.address)
        owner = None if address is None else int(address.customer_id)
        return (data["asset"], data["amount_units"], data["customer_id"]) == (command.asset, command.amount_units,
                                                                              owner)

    def _credit(self, command, sequence: int, timestamp_ns: int, outcome):
        venue = self.venue
        if command.asset not in venue.listing.assets:
            return venue.refused(VenueCode.ASSET_UNKNOWN, f"no asset {command.asset}")
        if command.amount_units <= 0:
            return venue.refused(VenueCode.AMOUNT_MUST_BE_POSITIVE, "a deposit amount must be positive")
        address = venue.compliance.deposit_address(command.address)
        if address is None or address.asset != command.asset:
            return venue.refused(VenueCode.ADDRESS_UNKNOWN, "not one of our deposit addresses for this asset")
        value = venue.listing.value_tmt_units(command.asset, command.amount_units)
        refusal = venue.compliance.check_deposit(address.customer_id, value, timestamp_ns)
        if refusal is not None:
            return venue.refused_by(refusal)
        recorded = venue.compliance.record_deposit(address.customer_id, value, command.chain_tx_id, sequence,
                                                   timestamp_ns)
        if type(recorded) is Refusal:
            return venue.refused_by(recorded)
        customer_id = int(address.customer_id)
        venue.post(entries.deposit(f"d:{command.chain_tx_id}", sequence, customer_id, command.asset,
                                   command.amount_units, command.chain_tx_id), outcome)
        return Accepted(data={"customer_id": customer_id, "asset": command.asset,
                              "amount_units": command.amount_units, "chain_tx_id": command.chain_tx_id})

    def withdraw(self, command, sequence: int, timestamp_ns: int, outcome):
        venue = self.venue
        customer = str(command.account_id)
        if command.asset not in venue.listing.assets:
            return venue.refused(VenueCode.ASSET_UNKNOWN, f"no asset {command.asset}")
        if command.amount_units <= 0:
            return venue.refused(VenueCode.AMOUNT_MUST_BE_POSITIVE, "a withdrawal amount must be positive")
        value = venue.listing.value_tmt_units(command.asset, command.amount_units)
        refusal = venue.compliance.check_withdrawal(customer, command.asset, command.address, value, timestamp_ns)
        if refusal is not None:
            return venue.refused_by(refusal)
        if venue.ledger.available(command.account_id, command.asset) < command.amount_units:
            return venue.refused(VenueCode.INSUFFICIENT_FUNDS, f"not enough {command.asset} available")
        result = venue.compliance.apply(RequestWithdrawal(
            customer_id=customer, asset=command.asset, address=command.address,
            amount_units=command.amount_units, value_tmt_units=value), sequence, timestamp_ns)
        if type(result) is Refusal:
            return venue.refused_by(result)
        withdrawal = result.withdrawal
        venue.post(entries.withdrawal_request(f"w{withdrawal.withdrawal_id}:request", sequence, command.account_id,
                                              command.asset, command.amount_units,
                                              f"withdrawal {withdrawal.withdrawal_id}"), outcome)
        return Accepted(data={"withdrawal": withdrawal})

    def decide(self, command, sequence: int, timestamp_ns: int, outcome):
        """Approve, reject or complete a withdrawal; reject and complete move the pending funds."""
        venue = self.venue
        result = venue.compliance.apply(command, sequence, timestamp_ns)
        if type(result) is Refusal:
            return venue.refused_by(result)
        withdrawal = result.withdrawal
        kind = type(command)
        if kind is RejectWithdrawal or kind is CompleteWithdrawal:
            build, step = ((entries.withdrawal_reject, "reject") if kind is RejectWithdrawal
                           else (entries.withdrawal_complete, "complete"))
            venue.post(build(f"w{withdrawal.withdrawal_id}:{step}", sequence, int(withdrawal.customer_id),
                             withdrawal.asset, withdrawal.amount_units, f"withdrawal {withdrawal.withdrawal_id}"),
                       outcome)
        else:
            assert kind is ApproveWithdrawal
        return Accepted(data={"withdrawal": withdrawal})

    def correct(self, command, sequence: int, timestamp_ns: int, outcome):
        venue = self.venue
        if command.asset not in venue.listing.assets or command.amount_units == 0:
            return venue.refused(VenueCode.CORRECTION_INVALID, "a known asset and a non-zero amount are required")
        account = available_account(command.customer_id)
        amount = abs(command.amount_units)
        debit, credit = (EXCHANGE_EQUITY, account) if command.amount_units > 0 else (account, EXCHANGE_EQUITY)
        entry = entries.correction(f"c{sequence}", sequence, (Posting(debit, credit, command.asset, amount),),
                                   command.reason, (command.actor, command.second_approver), command.ticket)
        rejected = venue.try_post(entry, outcome)
        if rejected is not None:
            return venue.refused(rejected.code.name, rejected.message)
        return Accepted(data={"entry_id": entry.entry_id})
