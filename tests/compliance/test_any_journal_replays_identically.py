"""Property: any journal, however malformed its commands, applies without raising and
replays (whole, or from a snapshot taken anywhere) to the same results and state hash."""
from hypothesis import given, settings
from hypothesis import strategies as st

from exchange.compliance import (
    AddWithdrawalAddress,
    AnnotateCase,
    ApproveWithdrawal,
    AssignTier,
    CaseResolution,
    CloseCase,
    CloseCustomer,
    CompleteWithdrawal,
    Compliance,
    DocumentType,
    EscalateCase,
    IssueDepositAddress,
    LoadRestrictedParties,
    OpenCase,
    RecordDeposit,
    ReinstateCustomer,
    RejectCustomer,
    RejectWithdrawal,
    RemoveWithdrawalAddress,
    RequestWithdrawal,
    RestrictedParty,
    SetRestrictedJurisdictions,
    SetTierLimits,
    SetWithdrawalPolicy,
    SignUp,
    SubmitIdentity,
    SuspendCustomer,
    VerifyCustomer,
)

customer_ids = st.sampled_from(["c1", "c2", "c3", ""])
actors = st.sampled_from(["officer-1", "officer-2", ""])
reasons = st.sampled_from(["checked", ""])
names = st.sampled_from(["Ivan Petrov", "petrov ivan", "Aman Amanov", ""])
documents = st.sampled_from(["A-1", "a1", "B2", "--"])
countries = st.sampled_from(["TM", "IR", "tm", "XX"])
births = st.sampled_from(["1970-01-01", "1990-06-30", "2015-01-01", "1990-02-30"])
assets = st.sampled_from(["BTC", "ETH", "btc"])
addresses = st.sampled_from(["bc1qmine", "bc1qyours", "kd1notissued", ""])
values = st.integers(-1, 3_000_000)
ids = st.integers(0, 4)
decisions = st.sampled_from([VerifyCustomer, RejectCustomer, SuspendCustomer, ReinstateCustomer, CloseCustomer])

commands = st.one_of(
    st.builds(SignUp, customer_id=customer_ids, email=st.sampled_from(["a@x.tm", "b@x.tm", "nope"])),
    st.builds(SubmitIdentity, customer_id=customer_ids, full_name=names, document_type=st.sampled_from(DocumentType),
              document_number=documents, country=countries, date_of_birth=births),
    decisions.flatmap(lambda kind: st.builds(kind, customer_id=customer_ids, actor=actors, reason=reasons)),
    st.builds(LoadRestrictedParties, actor=actors, list_name=st.sampled_from(["un", "eu"]), entries=st.lists(
        st.builds(RestrictedParty, name=names, date_of_birth=st.none() | births, document_number=st.none() | documents,
                  country=st.none() | countries), max_size=3)),
    st.builds(SetRestrictedJurisdictions, actor=actors, countries=st.lists(countries, max_size=2)),
    st.builds(SetTierLimits, actor=actors, tier=ids, daily_deposit_tmt_units=values, monthly_deposit_tmt_units=values,
              daily_withdrawal_tmt_units=values, monthly_withdrawal_tmt_units=values),
    st.builds(SetWithdrawalPolicy, actor=actors, cooling_off_ns=st.integers(-1, 10**14),
              four_eyes_threshold_tmt_units=values, reason=reasons),
    st.builds(AssignTier, actor=actors, customer_id=customer_ids, tier=ids, reason=reasons),
    st.builds(IssueDepositAddress, customer_id=customer_ids, asset=assets),
    st.builds(AddWithdrawalAddress, customer_id=customer_ids, asset=assets, address=addresses, label=st.just("w")),
    st.builds(RemoveWithdrawalAddress, customer_id=customer_ids, asset=assets, address=addresses),
    st.builds(RecordDeposit, customer_id=customer_ids, value_tmt_units=values, chain_tx_id=st.sampled_from("xyz")),
    st.builds(RequestWithdrawal, customer_id=customer_ids, asset=assets, address=addresses, amount_units=values,
              value_tmt_units=values),
    st.builds(ApproveWithdrawal, actor=actors, withdrawal_id=ids),
    st.builds(RejectWithdrawal, actor=actors, withdrawal_id=ids, reason=reasons),
    st.builds(CompleteWithdrawal, actor=actors, withdrawal_id=ids, chain_tx_id=st.sampled_from(["t1", "t2", ""])),
    st.builds(OpenCase, actor=actors, customer_id=customer_ids, summary=reasons, blocks_withdrawals=st.booleans()),
    st.builds(AnnotateCase, actor=actors, case_id=ids, note=reasons),
    st.builds(EscalateCase, actor=actors, case_id=ids, escalated_to=st.just("fiu"), reason=reasons),
    st.builds(CloseCase, actor=actors, case_id=ids, resolution=st.sampled_from(CaseResolution), reason=reasons),
)
START_NS = 1_780_000_000 * 10**9


def _onboarded(customer_id: str, document_number: str) -> list:
    return [
        SignUp(customer_id=customer_id, email=f"{customer_id}@x.tm"),
        SubmitIdentity(customer_id=customer_id, full_name=f"Person {customer_id}", document_type=DocumentType.PASSPORT,
                       document_number=document_number, country="TM", date_of_birth="1980-01-01"),
        VerifyCustomer(customer_id=customer_id, actor="officer-1", reason="checked"),
        IssueDepositAddress(customer_id=customer_id, asset="BTC"),
        AddWithdrawalAddress(customer_id=customer_id, asset="BTC", address="bc1qmine", label="w"),
    ]


# Two verified customers with a whitelisted address, so random tails reach deep states.
PREFIX = [(command, 0) for command in [
    SetWithdrawalPolicy(actor="officer-1", cooling_off_ns=3_600 * 10**9, four_eyes_threshold_tmt_units=1_000_000,
                        reason="test"),
    *_onboarded("c1", "P1"),
    *_onboarded("c2", "P2"),
    RequestWithdrawal(customer_id="c1", asset="BTC", address="bc1qmine", amount_units=1, value_tmt_units=10),
]]
journals = st.lists(st.tuples(commands, st.integers(0, 30 * 3_600 * 10**9)), max_size=40).map(
    lambda tail: PREFIX + tail)


def run(compliance: Compliance, journal, start: int = 0) -> list:
    results = []
    timestamp_ns = START_NS + sum(step for _, step in journal[:start])
    for sequence, (command, step) in enumerate(journal[start:], start=start + 1):
        timestamp_ns += step
        results.append(compliance.apply(command, sequence, timestamp_ns))
    return results


@settings(max_examples=80, deadline=None)
@given(journal=journals, cut=st.integers(0, 60))
def test_any_journal_replays_to_the_same_state(journal, cut):
    cut = min(cut, len(journal))
    first, second = Compliance(), Compliance()
    results = run(first, journal)
    assert run(second, journal) == results
    assert first.state_hash() == second.state_hash()
    head = Compliance()
    head_results = run(head, journal[:cut])
    restored = Compliance.restore(head.snapshot())
    assert head_results + run(restored, journal, start=cut) == results
    assert restored.state_hash() == first.state_hash()
