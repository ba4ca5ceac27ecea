"""Similar names for screening: spelling and transliteration variants of one name.

Names are compared as their normalised words (`normalise_name`: case, accents,
punctuation and word order ignored), Cyrillic letters first spelt in Latin
ones (BGN/PCGN-like: "Иван Петров" is "ivan petrov"), so a list written in
Cyrillic meets passports written in Latin. Two words are alike by their Jaro-Winkler
similarity (rapidfuzz, C++). A name's score against another is the mean
similarity of the best one-to-one pairing of the shorter name's words with the
longer name's, floored to a whole percent:

    "Ali Mohammed" / "Muhammad Ali"            92
    "Ivan Petroff" / "Ivan Petrov"             95
    "Ivan Petrov"  / "Ivan Sergeyevich Petrov" 100  (extra names on either side do not count)
    "Aman Amanov"  / "Ivan Petrov"             61   (other people: below any allowed minimum)

A one-word name is compared only with one-word names: otherwise "Ali" would be
every "... Ali ..." on a list.

Candidates come from blocking keys, so a customer is scored against a handful
of entries, not the whole list: each word gets a sound key (its consonants by
Soundex class, vowels and h/w/y dropped, repeats merged: Mohammed, Muhammad and
Mohamed are all "53"), and a name's keys are the pairs of its words' sound keys
(the single key for a one-word name). Two names are compared when they share a
key, i.e. two of their words sound alike. Variants that change a word's
consonants (Hassan / Hussein do share theirs; Yusuf / Iosif do not) are caught
only by loading them as aliases.

Pure and deterministic: the same two names always get the same score.
"""
import functools
import itertools

from rapidfuzz.distance import JaroWinkler

from exchange.compliance.identity import normalise_name

_similarity = JaroWinkler.normalized_similarity

# Russian letters, then those other Cyrillic alphabets of the region add (ә, җ, ң, ө, ү, ғ, қ, ұ, һ, і, ї, є, ў).
_CYRILLIC_TO_LATIN = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
    "ә": "a", "җ": "j", "ң": "n", "ө": "o", "ү": "u", "ғ": "gh", "қ": "q", "ұ": "u", "һ": "h", "і": "i",
    "ї": "yi", "є": "ye", "ў": "w",
})

# Soundex consonant classes; letters not listed (vowels, h, w, y) carry no sound key.
_SOUND_CLASSES = {letter: str(digit) for digit, letters in enumerate(
    ("", "bfpv", "cgjkqsxz", "dt", "l", "mn", "r"), start=0) for letter in letters}
_SOUND_KEY_CHARACTERS_MAX = 4
_KEYED_WORDS_MAX = 10  # A name with more words (hostile input, not a person) is keyed by its first ten.


def name_words(name: str) -> tuple[str, ...]:
    return tuple(normalise_name(name.casefold().translate(_CYRILLIC_TO_LATIN)).split())


@functools.lru_cache(maxsize=65_536)  # Names repeat across lists and customers; a key is pure.
def sound_key(word: str) -> str:
    """"mohammed" -> "53", "petroff" -> "1361"; a word without consonant classes is its own key.

    "kh" sounds as "h" (no key): Akhmed / Ahmed, Mukhammad / Muhammad, as transliterations swap them."""
    digits: list[str] = []
    for position, character in enumerate(word):
        if character == "k" and word[position + 1:position + 2] == "h":
            continue
        digit = _SOUND_CLASSES.get(character)
        if digit is not None and (not digits or digits[-1] != digit):
            digits.append(digit)
    return "".join(digits[:_SOUND_KEY_CHARACTERS_MAX]) or word


def blocking_keys(words: tuple[str, ...]) -> set[tuple[str, ...]]:
    """The keys a name is filed under; names sharing one are compared by `name_score`."""
    keys = sorted({sound_key(word) for word in words[:_KEYED_WORDS_MAX]})
    if len(words) == 1:
        return {(keys[0],)}
    if len(keys) == 1:  # Every word sounds alike ("Anna Ana"): the key paired with itself.
        return {(keys[0], keys[0])}
    return set(itertools.combinations(keys, 2))


def name_score(words: tuple[str, ...], other: tuple[str, ...]) -> int:
    """0-100: the mean Jaro-Winkler similarity of the best pairing of the shorter name's words."""
    if not words or not other or (len(words) == 1) != (len(other) == 1):
        return 0
    shorter, longer = (words, other) if len(words) <= len(other) else (other, words)
    # (-similarity, i, j): sorting the tuples themselves ranks best pairs first, ties by position.
    pairs = sorted([(-_similarity(word, candidate), index, candidate_index)
                    for index, word in enumerate(shorter) for candidate_index, candidate in enumerate(longer)])
    paired, taken, total = set(), set(), 0.0
    for negative, index, candidate_index in pairs:
        if index not in paired and candidate_index not in taken:
            paired.add(index)
            taken.add(candidate_index)
            total -= negative
    return int(total * 100 / len(shorter) + 1e-9)  # Whole percent, floored; 1e-9 keeps 0.95 * 100 at 95.
