"""Deposit addresses and the withdrawal whitelist.

A deposit address is derived, not random: "kd1" + the first 40 hex digits of
sha256(customer, asset, sequence), so a replay issues the same one. Our
addresses are lower case and compared case-insensitively, so an upper-cased
copy cannot sneak a disguised payment past PAYMENT_PROHIBITED.
"""
import hashlib

from exchange.compliance.cases import blocking_case_ids
from exchange.compliance.codes import ComplianceCode
from exchange.compliance.commands import AddWithdrawalAddress, IssueDepositAddress, RemoveWithdrawalAddress
from exchange.compliance.guards import active_refusal, asset_refusal, find_customer
from exchange.compliance.records import ComplianceBook, Customer, DepositAddress, WhitelistedAddress
from exchange.compliance.results import Accepted, ComplianceResult, Refusal, refuse

ADDRESS_LENGTH_MAX = 128
LABEL_LENGTH_MAX = 100
WHITELIST_MAX = 50  # Per customer: a whitelist is a short list of the customer's own wallets.


def deposit_address_for(customer_id: str, asset: str, sequence: int) -> str:
    digest = hashlib.sha256(f"{customer_id}\x00{asset}\x00{sequence}".encode()).hexdigest()
    return "kd1" + digest[:40]


def address_refusal(address: str) -> Refusal | None:
    printable = all("!" <= c <= "~" for c in address)
    if not address or not printable or len(address) > ADDRESS_LENGTH_MAX:
        return refuse(ComplianceCode.INVALID_ADDRESS,
                      f"address must be 1 to {ADDRESS_LENGTH_MAX} printable ASCII characters without spaces")
    return None


def payment_refusal(book: ComplianceBook, address: str) -> Refusal | None:
    """Withdrawing to any customer's deposit address would be a payment in disguise."""
    if address.lower() in book.deposit_addresses:
        return refuse(ComplianceCode.PAYMENT_PROHIBITED,
                      "the address is a deposit address at this exchange: payments between customers are prohibited")
    return None


def whitelisted(customer: Customer, asset: str, address: str) -> WhitelistedAddress | None:
    for entry in customer.withdrawal_addresses:
        if entry.asset == asset and entry.address == address:
            return entry
    return None


def handle_issue_deposit_address(book: ComplianceBook, command: IssueDepositAddress, sequence: int,
                                 timestamp_ns: int) -> ComplianceResult:
    customer = find_customer(book, command.customer_id)
    if isinstance(customer, Refusal):
        return customer
    refusal = active_refusal(customer) or asset_refusal(command.asset)
    if refusal:
        return refusal
    address = customer.deposit_addresses.get(command.asset)
    if address is None:
        address = deposit_address_for(customer.customer_id, command.asset, sequence)
        assert address not in book.deposit_addresses, "sha256 collision between deposit addresses"
        book.deposit_addresses[address] = DepositAddress(
            address=address, customer_id=customer.customer_id, asset=command.asset, issued_at_ns=timestamp_ns
        )
        customer.deposit_addresses[command.asset] = address
    return Accepted(customer_id=customer.customer_id, deposit_address=address)


def handle_add_withdrawal_address(book: ComplianceBook, command: AddWithdrawalAddress, sequence: int,
                                  timestamp_ns: int) -> ComplianceResult:
    customer = find_customer(book, command.customer_id)
    if isinstance(customer, Refusal):
        return customer
    refusal = (
        active_refusal(customer)
        or asset_refusal(command.asset)
        or address_refusal(command.address)
        or payment_refusal(book, command.address)
    )
    if refusal:
        return refusal
    if len(command.label) > LABEL_LENGTH_MAX:
        return refuse(ComplianceCode.INVALID_ADDRESS, f"label is longer than {LABEL_LENGTH_MAX} characters")
    if blocking_case_ids(book, customer):
        return refuse(ComplianceCode.COMPLIANCE_REVIEW, "the account is under compliance review")
    if whitelisted(customer, command.asset, command.address):
        return refuse(ComplianceCode.ADDRESS_ALREADY_WHITELISTED, "the address is already on the whitelist")
    if len(customer.withdrawal_addresses) >= WHITELIST_MAX:
        return refuse(ComplianceCode.WHITELIST_FULL, f"the whitelist holds at most {WHITELIST_MAX} addresses")
    customer.withdrawal_addresses.append(
        WhitelistedAddress(
            asset=command.asset,
            address=command.address,
            label=command.label,
            added_at_ns=timestamp_ns,
            usable_from_ns=timestamp_ns + book.policy.cooling_off_ns,
        )
    )
    return Accepted(customer_id=customer.customer_id)


def handle_remove_withdrawal_address(book: ComplianceBook, command: RemoveWithdrawalAddress, sequence: int,
                                     timestamp_ns: int) -> ComplianceResult:
    """Allowed in any KYC status: removing a destination only lowers risk."""
    customer = find_customer(book, command.customer_id)
    if isinstance(customer, Refusal):
        return customer
    entry = whitelisted(customer, command.asset, command.address)
    if entry is None:
        return refuse(ComplianceCode.ADDRESS_NOT_WHITELISTED, "the address is not on the whitelist")
    customer.withdrawal_addresses.remove(entry)
    return Accepted(customer_id=customer.customer_id)
