"""Sanctions / restricted-parties and restricted-jurisdiction screening.

A restricted-party entry matches an identity when:
- both have a document number and the normalised numbers are equal, or
- the names match and the entry has no date of birth or the same one. Names
  match when their normalised forms are equal (case, accents, punctuation and
  word order ignored), or, when the screening rules allow similar names
  (`name_match_min_score` below 100, `SetScreeningRules`), when their score
  (`name_matching.name_score`) reaches that minimum.
A different document number does not clear a name match: people hold several.
The country of residence matches when it is a restricted jurisdiction.
Hits an officer cleared (closed a case as a false positive) are skipped.
Cost: O(entries matching the keys) per identity, via `party_keys` and, for
similar names, an index of the lists' blocking keys built once per set of
loaded lists (memoised outside the book: it is derived, not state).
"""
from collections import OrderedDict

from exchange.compliance.codes import HitSource
from exchange.compliance.commands import RestrictedParty
from exchange.compliance.identity import Identity, normalise_document_number, normalise_name
from exchange.compliance.name_matching import blocking_keys, name_score, name_words
from exchange.compliance.records import EXACT_NAMES_ONLY, ComplianceBook, ListedParty, ScreeningHit

_INDEXES_KEPT = 2  # Venues alive at once in one process (the exchange, a replay beside it); each ~100 MB at 200k.
_similar_name_indexes: OrderedDict = OrderedDict()  # id()s of the lists -> (the lists, their index)


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


def prepare(book: ComplianceBook) -> None:
    """Build the similar-name index now (after a restore) rather than at the next sign-up: ~1 s at 200k entries."""
    if book.name_match_min_score < EXACT_NAMES_ONLY:
        _similar_name_index(book)


def screen(book: ComplianceBook, identity: Identity, cleared_hit_keys: list[str]) -> list[ScreeningHit]:
    """Every uncleared hit for `identity`, in a deterministic order."""
    hits = _party_hits(book, identity) + _jurisdiction_hits(book, identity)
    return [hit for hit in hits if hit.hit_key not in cleared_hit_keys]


def _party_hits(book: ComplianceBook, identity: Identity) -> list[ScreeningHit]:
    name_key = normalise_name(identity.full_name)
    candidates = book.party_keys.get("n:" + name_key, []) + book.party_keys.get("d:" + identity.document_number, [])
    scores: dict[int, int] = {}  # id(party) -> score of a similar, not equal, name
    if book.name_match_min_score < EXACT_NAMES_ONLY:
        words = name_words(identity.full_name)
        index = _similar_name_index(book)
        compared: set[int] = set()  # An entry shares several keys with a name at most once worth scoring.
        for key in sorted(blocking_keys(words)):
            for party, party_words in index.get(key, ()):
                if id(party) in compared or party.name_key == name_key:
                    continue
                compared.add(id(party))
                score = name_score(words, party_words)
                if score >= book.name_match_min_score:
                    scores[id(party)] = score
                    candidates.append(party)
    hits: dict[str, ScreeningHit] = {}
    for party in candidates:
        score = scores.get(id(party))
        matched_on = _matched_on(party, identity, name_key, score is not None)
        if matched_on:
            hit_key = f"party:{party.list_name}:{party.name_key}:{party.date_of_birth}:{party.document_key}"
            hits[hit_key] = ScreeningHit(
                hit_key=hit_key,
                source=HitSource.RESTRICTED_PARTY,
                list_name=party.list_name,
                party_name=party.name,
                matched_on=matched_on,
                name_score=score if "similar_name" in matched_on else None,
            )
    return [hits[key] for key in sorted(hits)]


def _matched_on(party: ListedParty, identity: Identity, name_key: str, similar: bool) -> tuple[str, ...]:
    matched: list[str] = []
    document_matches = party.document_key is not None and party.document_key == identity.document_number
    birth_matches = party.date_of_birth is not None and party.date_of_birth == identity.date_of_birth
    if (party.name_key == name_key or similar) and (party.date_of_birth is None or birth_matches):
        matched.append("name" if party.name_key == name_key else "similar_name")
        if birth_matches:
            matched.append("date_of_birth")
    if document_matches:
        matched.append("document_number")
    return tuple(matched)


def _similar_name_index(book: ComplianceBook) -> dict[tuple[str, ...], list[tuple[ListedParty, tuple[str, ...]]]]:
    """Blocking key -> (entry, its words), in list-name then list order. Loading a list replaces its list
    object, so the identities of the lists say whether the index built for them still holds."""
    lists = tuple(book.restricted_parties[name] for name in sorted(book.restricted_parties))
    identities = tuple(map(id, lists))
    cached = _similar_name_indexes.get(identities)
    if cached is not None and all(kept is current for kept, current in zip(cached[0], lists)):
        _similar_name_indexes.move_to_end(identities)
        return cached[1]
    index: dict[tuple[str, ...], list[tuple[ListedParty, tuple[str, ...]]]] = {}
    for entries in lists:
        for party in entries:
            words = name_words(party.name)
            for key in blocking_keys(words):
                index.setdefault(key, []).append((party, words))
    _similar_name_indexes[identities] = (lists, index)  # Holding the lists keeps their ids from being reused.
    while len(_similar_name_indexes) > _INDEXES_KEPT:
        _similar_name_indexes.popitem(last=False)
    return index


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
