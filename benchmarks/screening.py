"""What screening costs the single writer: loading a restricted-parties list, and switching to similar names.

    python benchmarks/screening.py [--customers 10000] [--entries 25000,200000] [--min-score 85] [--names FILE]

Verified customers and list entries go straight into a compliance book: no
sequencer, no store. Their names are taken in order from `--names` (one per
line; e.g. made with Faker, see benchmarks/README.md), or else made of random
syllables (seed 7). Per list size:
loading the list and re-screening every customer with equal names only (the
rule of journals written before `SetScreeningRules`), switching to similar
names (`--min-score`: building the blocking index and re-screening everyone),
and loading a new list of that size under similar names (the daily update).
Each step is its command plus the ContinueRescreen commands the runtime sends
after it (exchange/compliance/lists.py): the total seconds, the longest single
command (the venue applies nothing else during one: its longest pause) and
the cases opened. Random syllables
sound alike far more often than real names do: their similar-name figures are
a worst case. Ends with one JSON line.
"""
import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exchange.compliance import (  # noqa: E402
    Compliance,
    ContinueRescreen,
    DocumentType,
    LoadRestrictedParties,
    RestrictedParty,
    SetScreeningRules,
    SignUp,
    SubmitIdentity,
    VerifyCustomer,
)

OFFICER = "bench-officer"
CONSONANTS = ["b", "ch", "d", "f", "g", "gh", "k", "kh", "l", "m", "n", "p", "r", "s", "sh", "t", "v", "y", "z"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ou"]
GIVEN_NAMES = 600  # Lists and customers share first names, as real ones do.


class Names:
    def __init__(self, seed: int, path: Path | None = None) -> None:
        self.random = random.Random(seed)
        self.given = [self.word() for _ in range(GIVEN_NAMES)]
        self.listed = iter(path.read_text(encoding="utf-8").split("\n")) if path else None

    def word(self) -> str:
        syllables = self.random.randint(2, 4)
        return "".join(self.random.choice(CONSONANTS) + self.random.choice(VOWELS) for _ in range(syllables)).title()

    def name(self) -> str:
        if self.listed is not None:
            name = next(self.listed, "").strip()
            if not name:
                raise SystemExit("--names: the file has fewer names than customers and entries need")
            return name
        middle = f" {self.word()}" if self.random.random() < 0.3 else ""
        return f"{self.random.choice(self.given)}{middle} {self.word()}"


def onboarded(customers: int, names: Names) -> tuple[Compliance, int]:
    compliance, sequence = Compliance(), 0

    def apply(command) -> None:
        nonlocal sequence
        sequence += 1
        compliance.apply(command, sequence, 1_767_225_600_000_000_000 + sequence)

    for index in range(customers):
        customer_id = f"c{index}"
        apply(SignUp(customer_id=customer_id, email=f"{customer_id}@example.tm"))
        apply(SubmitIdentity(customer_id=customer_id, full_name=names.name(), document_type=DocumentType.PASSPORT,
                             document_number=f"P{index:08d}", country="TM", date_of_birth="1990-01-01"))
        apply(VerifyCustomer(customer_id=customer_id, actor=OFFICER, reason="benchmark"))
    return compliance, sequence


def timed(compliance: Compliance, sequence: int, command) -> tuple[dict, int]:
    """Apply `command`, then ContinueRescreen until its re-screen is done (as the runtime does): the
    total seconds, the longest single command (the longest pause of the venue) and the cases opened."""
    total, longest, cases = 0.0, 0.0, 0
    while True:
        started = time.perf_counter()
        result = compliance.apply(command, sequence, 1_767_225_600_000_000_000 + sequence)
        elapsed = time.perf_counter() - started
        total, longest, cases = total + elapsed, max(longest, elapsed), cases + len(result.case_ids)
        if not compliance.rescreen_pending():
            return {"s": round(total, 2), "longest_s": round(longest, 2), "cases": cases}, sequence
        sequence += 1
        command = ContinueRescreen(actor=OFFICER)


def measure(customers: int, entries: int, min_score: int, names_path: Path | None) -> dict:
    names = Names(seed=7, path=names_path)
    compliance, sequence = onboarded(customers, names)
    steps = {}
    listed = [RestrictedParty(name=names.name()) for _ in range(entries)]
    steps["load_equal_names"], sequence = timed(
        compliance, sequence + 1, LoadRestrictedParties(actor=OFFICER, list_name="bench", entries=listed))
    steps["similar_names"], sequence = timed(compliance, sequence + 1, SetScreeningRules(
        actor=OFFICER, name_match_min_score=min_score, reason="benchmark"))
    relisted = [RestrictedParty(name=names.name()) for _ in range(entries)]
    steps["reload_similar_names"], sequence = timed(
        compliance, sequence + 1, LoadRestrictedParties(actor=OFFICER, list_name="bench", entries=relisted))
    figures = {"customers": customers, "entries": entries}
    for step, result in steps.items():
        figures.update({f"{step}_{key}": value for key, value in result.items()})
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--entries", default="25000,200000", help="list sizes, comma-separated")
    parser.add_argument("--min-score", type=int, default=85)
    parser.add_argument("--names", type=Path, help="a file of names, one per line (default: random syllables)")
    arguments = parser.parse_args()
    results = [measure(arguments.customers, int(size), arguments.min_score, arguments.names)
               for size in arguments.entries.split(",")]
    print(f"{'customers':>10}{'entries':>9}  {'step':<22}{'total s':>9}{'longest s':>11}{'cases':>8}")
    for r in results:
        for step in ("load_equal_names", "similar_names", "reload_similar_names"):
            print(f"{r['customers']:>10}{r['entries']:>9}  {step:<22}{r[step + '_s']:>9}{r[step + '_longest_s']:>11}"
                  f"{r[step + '_cases']:>8}")
    print(json.dumps({"min_score": arguments.min_score, "names": str(arguments.names or "syllables"),
                      "runs": results}))


if __name__ == "__main__":
    main()
