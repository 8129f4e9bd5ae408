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
