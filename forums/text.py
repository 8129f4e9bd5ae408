"""Text normalisation shared by comparisons and searches, identical on every database.

Place names sort with :func:`synthesis.typography.natural_key`, re-exported here: the web app and
the synthesis engine order cantons and communes the same way.
"""
import re
import unicodedata

from synthesis.typography import natural_key

__all__ = ["fold", "natural_key", "search_key", "single_line"]

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


def single_line(text):
    """Return ``text`` as one line: line breaks, tabs, control and format characters become spaces, runs one.

    For the fields shown on one line and copied into mail headers (a forum's title, a name): a
    line break there would break the header, and with it every message that quotes the field.
    """
    text = unicodedata.normalize("NFC", text or "")
    spaced = "".join(" " if char.isspace() or unicodedata.category(char).startswith("C") else char for char in text)
    return " ".join(spaced.split())
