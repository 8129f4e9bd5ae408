"""Text normalisation shared by comparisons and searches, identical on every database."""
import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+")


def fold(text):
    """Return ``text`` lower-cased, without accents, punctuation or repeated spaces.

    "  Salle  des Fêtes " and "salle des fetes" fold to the same string.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", bare.casefold()).strip()


#: Abbreviations people type for the words that begin so many French place names.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def search_key(text):
    """Return the form under which place names are stored and searched.

    Folded like ``fold``, with "St"/"Ste" written out: "St-Étienne" and "saint etienne" match.
    """
    return " ".join(_ABBREVIATIONS.get(word, word) for word in fold(text).split())


_DIGIT_RUNS = re.compile(r"([0-9]+)")


def natural_key(text):
    """Return the key that sorts place names as people read them.

    Numbers count as numbers and accents, case and punctuation are ignored: "Marseille-2" comes
    before "Marseille-10", "Paris 9e Arrondissement" before "Paris 10e Arrondissement", and
    "Éguilles" among the E. Every place name of the application is sorted with this key.
    """
    parts = _DIGIT_RUNS.split(fold(text))
    # re.split with a group alternates text and digits, so parts at the same place compare alike.
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts)), text or ""
