"""The password policy's blocklist: common and breached passwords, sequences, and the e-mail's name.

Passwords are long (PASSWORD_MIN_LENGTH), so what makes one weak is the word under it: its letters,
digits and signs set aside, "Motdepasse12!" is "motdepasse". The lists are in forums/data/passwords
(see its README for their source).
"""
import re
from functools import cache
from pathlib import Path

from synthesis.french import strip_accents

LISTS = Path(__file__).parent / "data" / "passwords"
#: Rows of the keyboards and runs of the alphabet and digits: any stretch of them is a sequence.
SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "azertyuiop", "qsdfghjklm", "wxcvbn", "qwertyuiop", "asdfghjkl",
             "zxcvbnm", "qwertzuiop", "01234567890")
#: Fewest different characters a password needs.
MIN_DISTINCT = 5
#: Shortest part of the e-mail's name looked for in the password.
NAME_PART_MIN = 4

_NOT_LETTER = re.compile(r"[^a-z]+")
_NOT_DIGIT = re.compile(r"[^0-9]+")
_NAME_SEPARATOR = re.compile(r"[^a-z]+")

COMMON = ("Ce mot de passe est trop courant : il figure parmi les plus utilisés et les premiers essayés. "
          "Choisissez-en un autre, par exemple une phrase de plusieurs mots.")
ONLY_DIGITS = "Le mot de passe ne peut pas être fait seulement de chiffres et de signes : ajoutez des mots."
SEQUENCE = "Le mot de passe ne peut pas être une suite de touches ou de caractères (abcd, azerty, 1234…)."
REPEATED = "Le mot de passe répète les mêmes caractères : choisissez-en un plus varié."
NAME = "Le mot de passe ne doit pas contenir votre nom ni votre adresse électronique."


@cache
def common_passwords():
    """Return the set of common passwords, folded (lower-case, no accents)."""
    words = set()
    for path in sorted(LISTS.glob("*.txt")):
        words.update(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return frozenset(strip_accents(word) for word in words)


def password_problem(password, email=None):
    """Return why ``password`` is too easy to guess, in French, or None when it is acceptable."""
    folded = strip_accents(password or "")
    letters = _NOT_LETTER.sub("", folded)
    if folded in common_passwords() or (letters and letters in common_passwords()):
        return COMMON
    if not letters:
        return ONLY_DIGITS
    if len(set(folded)) < MIN_DISTINCT or _is_repetition(folded) or (len(letters) >= 4 and _is_repetition(letters)):
        return REPEATED
    digits = _NOT_DIGIT.sub("", folded)
    # A few letters around a run of digits ("ab1234567890") is the run of digits.
    if _is_sequence(letters) or (len(letters) < 4 and _is_sequence(digits)):
        return SEQUENCE
    if email and _contains_name(folded, letters, email):
        return NAME
    return None


def _is_repetition(text):
    """Tell whether ``text`` is one shorter string said again and again ("abcabcabcabc")."""
    return len(text) > 1 and (text + text).find(text, 1) < len(text)


def _is_sequence(text):
    """Tell whether ``text`` is a stretch of a keyboard row or of the alphabet, either way."""
    if len(text) < 4:
        return False
    return any(text in sequence or text in sequence[::-1] for sequence in SEQUENCES)


def _contains_name(folded, letters, email):
    name = strip_accents(email.partition("@")[0])
    parts = [part for part in _NAME_SEPARATOR.split(name) if len(part) >= NAME_PART_MIN]
    whole = _NAME_SEPARATOR.sub("", name)
    if len(whole) >= NAME_PART_MIN:
        parts.append(whole)
    return any(part in folded or part in letters for part in parts)
