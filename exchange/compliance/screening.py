"""Sanctions / restricted-parties and restricted-jurisdiction screening.

A restricted-party entry matches an identity when:
- both have a document number and the normalised numbers are equal, or
- the normalised names are equal (case, accents, punctuation and word order
  ignored) and the entry has no date of birth or the same one.
A different document number does not clear a name match: people hold several.
The country of residence matches when it is a restricted jurisdiction.
Hits an officer cleared (closed a case as a false positive) are skipped.
Cost: O(entries matching the keys) per identity, via `party_keys`.
"""
from exchange.compliance.codes import HitSource
from exchange.compliance.commands import RestrictedParty
from exchange.compliance.identity import Identity, normalise_document_number, normalise_name
from exchange.compliance.records import ComplianceBook, ListedParty, ScreeningHit


def listed_party(list_name: str, party: RestrictedParty) -> ListedParty:
    document_key = normalise_document_number(party.document_number) if party.document_number else None
    return ListedParty(
        list_name=list_name,
        name=party.name,
        name_key=normalise_name(party.name),
        date_of_birth=party.date_of_birth,
        document_key=document_key,
        country=party.country,
    )


def rebuild_party_keys(book: ComplianceBook) -> None:
    """Index every loaded entry by name key and document key, lists in name order."""
    keys: dict[str, list[ListedParty]] = {}
    for list_name in sorted(book.restricted_parties):
        for party in book.restricted_parties[list_name]:
            keys.setdefault("n:" + party.name_key, []).append(party)
            if party.document_key:
                keys.setdefault("d:" + party.document_key, []).append(party)
    book.party_keys = keys


def screen(book: ComplianceBook, identity: Identity, cleared_hit_keys: list[str]) -> list[ScreeningHit]:
    """Every uncleared hit for `identity`, in a deterministic order."""
    hits = _party_hits(book, identity) + _jurisdiction_hits(book, identity)
    return [hit for hit in hits if hit.hit_key not in cleared_hit_keys]


def _party_hits(book: ComplianceBook, identity: Identity) -> list[ScreeningHit]:
    candidates = book.party_keys.get("n:" + normalise_name(identity.full_name), []) + book.party_keys.get(
        "d:" + identity.document_number, []
    )
    hits: dict[str, ScreeningHit] = {}
    for party in candidates:
        matched_on = _matched_on(party, identity)
        if matched_on:
            hit_key = f"party:{party.list_name}:{party.name_key}:{party.date_of_birth}:{party.document_key}"
            hits[hit_key] = ScreeningHit(
                hit_key=hit_key,
                source=HitSource.RESTRICTED_PARTY,
                list_name=party.list_name,
                party_name=party.name,
                matched_on=matched_on,
            )
    return [hits[key] for key in sorted(hits)]


def _matched_on(party: ListedParty, identity: Identity) -> tuple[str, ...]:
    matched: list[str] = []
    document_matches = party.document_key is not None and party.document_key == identity.document_number
    birth_matches = party.date_of_birth is not None and party.date_of_birth == identity.date_of_birth
    name_matches = party.name_key == normalise_name(identity.full_name)
    if name_matches and (party.date_of_birth is None or birth_matches):
        matched.append("name")
        if birth_matches:
            matched.append("date_of_birth")
    if document_matches:
        matched.append("document_number")
    return tuple(matched)


def _jurisdiction_hits(book: ComplianceBook, identity: Identity) -> list[ScreeningHit]:
    if identity.country not in book.restricted_jurisdictions:
        return []
    return [
        ScreeningHit(
            hit_key=f"jurisdiction:{identity.country}",
            source=HitSource.RESTRICTED_JURISDICTION,
            list_name="",
            party_name=identity.country,
            matched_on=("country",),
        )
    ]
