"""A compliance desk for tests: numbers commands, keeps a clock and a journal."""
import datetime

from exchange.compliance import (
    Accepted,
    AddWithdrawalAddress,
    Compliance,
    ComplianceCode,
    DocumentType,
    Refusal,
    SignUp,
    SubmitIdentity,
    VerifyCustomer,
)

NS_PER_HOUR = 3_600 * 1_000_000_000
NS_PER_DAY = 24 * NS_PER_HOUR
OFFICER = "officer-ayna"
SECOND_OFFICER = "officer-merdan"


def utc_ns(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    moment = datetime.datetime(year, month, day, hour, minute, tzinfo=datetime.UTC)
    return int(moment.timestamp()) * 1_000_000_000


class Desk:
    def __init__(self, now_ns: int = utc_ns(2026, 3, 10, 9)) -> None:
        self.compliance = Compliance()
        self.sequence = 0
        self.now_ns = now_ns
        self.journal: list[tuple[object, int, int]] = []

    def do(self, command):
        self.sequence += 1
        self.journal.append((command, self.sequence, self.now_ns))
        return self.compliance.apply(command, self.sequence, self.now_ns)

    def ok(self, command) -> Accepted:
        result = self.do(command)
        assert isinstance(result, Accepted), result
        return result

    def refused(self, command, code: ComplianceCode) -> Refusal:
        result = self.do(command)
        assert isinstance(result, Refusal), result
        assert result.code is code, result
        return result

    def advance(self, ns: int) -> None:
        self.now_ns += ns

    def identity(self, customer_id: str, full_name: str = "", document_number: str = "", country: str = "TM",
                 date_of_birth: str = "1990-05-17") -> SubmitIdentity:
        return SubmitIdentity(
            customer_id=customer_id,
            full_name=full_name or f"Customer {customer_id}",
            document_type=DocumentType.PASSPORT,
            document_number=document_number or f"P{customer_id.upper()}",
            country=country,
            date_of_birth=date_of_birth,
        )

    def sign_up(self, customer_id: str, **identity) -> None:
        self.ok(SignUp(customer_id=customer_id, email=f"{customer_id}@example.com"))
        self.ok(self.identity(customer_id, **identity))

    def onboard(self, customer_id: str, **identity) -> None:
        self.sign_up(customer_id, **identity)
        self.ok(VerifyCustomer(customer_id=customer_id, actor=OFFICER, reason="documents checked"))

    def whitelist(self, customer_id: str, asset: str, address: str) -> None:
        """Whitelist an address and wait out the cooling-off period."""
        self.ok(AddWithdrawalAddress(customer_id=customer_id, asset=asset, address=address, label="my wallet"))
        self.advance(self.compliance_cooling_off_ns())

    def compliance_cooling_off_ns(self) -> int:
        return 24 * NS_PER_HOUR
