"""Long adversarial texts (runs of punctuation or spaces) go through every text path in linear time.

Before the fix, a run of dots not followed by a space made the sentence search of the concerns'
quotes quadratic (8,000 characters: 3 s; two 10,000-character fields: 34 s), and runs of spaces
did the same to the French typography. Each case here would take minutes then; a guard stops a
hang instead of a timing: the figures are printed by scripts/bench_adversarial_text.py.
"""
import signal
from contextlib import contextmanager

import pytest

from forums.services.questions import clean_text
from synthesis import french, meaning, sources as refs
from synthesis.concerns import Document, find_concerns
from synthesis.drafting import plain, quote_text
from synthesis.typography import NBSP, NNBSP, typeset

LONG = 100_000
#: A hang guard, far above what the linear code takes (milliseconds): never a measured figure.
GUARD_SECONDS = 20


@contextmanager
def no_hang():
    def stop(signum, frame):
        raise TimeoutError(f"still running after {GUARD_SECONDS} s: the work is not linear")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(GUARD_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


ADVERSARIAL = {
    "dots then a letter": "Que fait la police" + "." * LONG + "x",
    "marks then a letter": "Pourquoi" + "!?…" * (LONG // 3) + "a",
    "semicolons then a letter": "Pourquoi" + ";" * LONG + "a",
    "spaces then a letter": "Vidéo" + " \u00a0" * (LONG // 2) + "x»",
    "spaces then a colon": "Vidéo" + " \u00a0" * (LONG // 2) + ":x",
}


@pytest.mark.parametrize("text", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
@pytest.mark.parametrize("path", [clean_text, french.terms, french.fingerprint, meaning.stored_terms, typeset,
                                  quote_text, plain], ids=lambda f: f.__qualname__)
def test_text_paths_are_linear(path, text):
    with no_hang():
        path(text)


@pytest.mark.parametrize("text", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_concern_quotes_are_linear(text):
    documents = [Document(refs.SourceRef(refs.QUESTION, f"13-00000{i}"), "1.A.1",
                          f"Les caméras de la gare ne servent à rien {text}") for i in range(3)]
    with no_hang():
        report = find_concerns(documents, min_documents=2)
    assert report.overall
    # The quote stops at its sentence's few words, whatever follows.
    assert all(len(quote.text) < 1000 for concern in report.overall for quote in concern.quotes)


@pytest.mark.parametrize("text, expected", [
    ("Vraiment ?!", f"Vraiment{NNBSP}?!"),
    ("Vraiment   ?", f"Vraiment{NNBSP}?"),
    ("a ;; ;", f"a{NNBSP};;{NNBSP};"),
    ("a;;;;x", "a;;;;x"),
    ("page?id=3 et 14:30", "page?id=3 et 14:30"),
    ("Note : voir", f"Note{NBSP}: voir"),
    ("« oui »", f"«{NBSP}oui{NBSP}»"),
    ("«oui»", f"«{NBSP}oui{NBSP}»"),
    ("oui   »", f"oui{NBSP}»"),
    ("&lt;b&gt; ; fin", f"&lt;b&gt;{NNBSP}; fin"),
])
def test_typography_is_unchanged(text, expected):
    assert typeset(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Les vidéoprotections de l'école", ["videoprotect", "ecol"]),
    ("Que fait la police contre les cambriolages ?", ["polic", "cambriolag"]),
    ("La sécurité... routière!!! 30 km/h", ["securit", "routier", "30", "km"]),
    ("Aujourd’hui, jusqu'à quand ?", ["aujourd", "hui"]),
])
def test_french_terms_are_unchanged(text, expected):
    assert french.terms(text) == expected
