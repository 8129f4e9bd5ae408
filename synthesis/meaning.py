"""What the recurring-concerns engine compares: the content words of a French text, and their meaning.

- **Content words.** A text's words are lemmatised by simplemma ("cambriolées" → "cambrioler",
  "caméras" → "caméra"), accents folded (citizens often type without them), and the words that
  carry no concern dropped: function words, question formulae ("bonjour", "pourriez-vous"),
  quantities. What is left is a list of :class:`Word` with its place in the text, so that labels
  and quotes can be cut from the citizen's own words.
- **Word vectors.** The 300-dimension vectors of spaCy's French model ``fr_core_news_md`` (20,000
  vectors for 500,000 words and forms, slang and typos included: "flics" sits beside "policiers")
  relate words that share no letter. They are read straight from the installed package's files
  — the vector table and its key index — once per process, on first use (0.4 s): loading the
  spaCy pipeline would cost seconds, and the engine needs none of it, nor spaCy itself.

Pure functions of the text, and deterministic: the same words always give the same terms.
"""
import importlib.util
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import simplemma

from .french import CONCERN_STOP_WORDS, STOP_WORDS, strip_accents

#: A run of letters: hyphens, apostrophes and digits separate words ("vidéo-protection" is two).
#: Linear in the text's length whatever it holds.
WORD = re.compile(r"[^\W\d_]+")

#: Words that say when, not what: kept to compare texts, never a concern's label alone or at a
#: label's edge ("fin", "midi" of "après-midi", "soir").
TIME_WORDS = frozenset(strip_accents(word) for word in """
matin matinee midi apres soir soiree nuit nuits journee journees jour jours semaine semaines weekend week end
mois an ans annee annees heure heures minute minutes fin debut hier demain aujourd hui lundi mardi mercredi jeudi
vendredi samedi dimanche janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre
ete hiver printemps automne moment fois toujours jamais souvent tard tot
""".split())

#: Words naming the consultation's subject rather than a concern: part of labels ("police
#: municipale"), never a label alone.
SUBJECT_WORDS = frozenset(strip_accents(word) for word in """
police polices policier policiers policiere gendarme gendarmes gendarmerie securite force forces ordre agent agents
service services commune communes ville villes village villages quartier quartiers habitant habitants citoyen
citoyens citoyenne population personne personnes gens probleme problemes situation etat prefecture mairie maire
rue rues chose choses question questions cas place lieu
""".split())

#: Words that carry no concern: function words, question formulae, quantities (folded).
IGNORED = frozenset(strip_accents(word) for word in STOP_WORDS | CONCERN_STOP_WORDS | frozenset("""
etre avoir faire aller pouvoir vouloir devoir falloir savoir dire voir venir mettre prendre donner rester passer
cela celui ceci quoi quel quelle quels quelles leurs votre notre tout tous toute toutes autre autres chaque meme
tant autant aucun aucune plein simple vrai vraie grand grande petit petite nouveau nouvelle seul seule
comment pourquoi combien ou oui non peut etre ils elles nous vous leur ca cest
test tests essai essais salut bravo exact exacte face rapport mal
""".split()))

#: Connectors a label may hold between two content words: "vie privée", "cambriolages de maisons".
CONNECTORS = frozenset("de du des d à au aux en sur contre pour sans par la le les l".split())


@dataclass(frozen=True)
class Word:
    """One content word of a text: its term (folded lemma), its place, and its lemma as written."""

    term: str
    start: int
    end: int
    #: simplemma's lemma with its accents ("caméra"), lower-cased.
    lemma: str


#: Word as written (lower-cased) → (term or None, accented lemma). A corpus repeats its words, and
#: simplemma costs microseconds a word: each is lemmatised once per process. Emptied past
#: _CACHE_SIZE so that a long-running process keeps a bounded memory.
_cache = {}
_CACHE_SIZE = 500_000


def _analyse(lowered):
    found = _cache.get(lowered)
    if found is None:
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        bare = strip_accents(lowered)
        if bare in IGNORED or len(bare) < 3:
            found = (None, lowered)
        else:
            lemma = simplemma.lemmatize(lowered, lang="fr").casefold()
            term = strip_accents(lemma)
            found = (None if term in IGNORED or len(term) < 3 else term, lemma)
        _cache[lowered] = found
    return found


def content_words(text):
    """Return the :class:`Word` list of ``text``: its content words in order, with their place."""
    found = []
    for match in WORD.finditer(text or ""):
        term, lemma = _analyse(match.group().casefold())
        if term is not None:
            found.append(Word(term, match.start(), match.end(), lemma))
    return found


def terms(text):
    """Return (term, accented lemma) of the content words of ``text``, in order, without their places.

    What comparing texts needs, at a fraction of the cost of :func:`content_words`.
    """
    cache_get = _cache.get
    found = []
    for word in WORD.findall((text or "").casefold()):
        analysed = cache_get(word) or _analyse(word)
        if analysed[0] is not None:
            found.append(analysed)
    return found


def stored_terms(text):
    """Return the content words of ``text`` in the compact form a question can store when published.

    ``"caméras filmées"`` → ``"camera|caméra filmer"``: each word's term, then its accented
    lemma after a bar when it differs, separated by spaces (neither holds a space or a bar). Given
    back to the engine as ``Document.terms``, it saves reading the text again at synthesis time;
    :func:`parse_stored_terms` reads it.
    """
    return " ".join(term if lemma == term else f"{term}|{lemma}" for term, lemma in terms(text))


def parse_stored_terms(stored):
    """Return the (term, accented lemma) pairs of a :func:`stored_terms` value."""
    found = []
    for token in stored.split():
        term, _, lemma = token.partition("|")
        found.append((term, lemma or term))
    return found


def split_words(text):
    """Return every word of ``text`` as (lower-cased word, start, end): what labels are cut from."""
    return [(match.group().casefold(), match.start(), match.end()) for match in WORD.finditer(text or "")]


def analyse_word(lowered):
    """Return (term or None, accented lemma) of one lower-cased word, as :func:`content_words` does."""
    return _analyse(lowered)


# ---------------------------------------------------------------------------------------------
# Word vectors of fr_core_news_md, read from the package's files.

VECTOR_MODEL = "fr_core_news_md"
VECTOR_DIMENSIONS = 300


def _murmurhash64a(data, seed=1):
    """Return MurmurHash64A of ``data``: how spaCy keys its vectors (``spacy.strings.hash_string``)."""
    multiplier, shift, mask = 0xC6A4A7935BD1E995, 47, (1 << 64) - 1
    value = (seed ^ (len(data) * multiplier)) & mask
    blocks = len(data) // 8
    for index in range(blocks):
        block = int.from_bytes(data[8 * index:8 * index + 8], "little")
        block = (block * multiplier) & mask
        block ^= block >> shift
        block = (block * multiplier) & mask
        value = ((value ^ block) * multiplier) & mask
    tail = data[8 * blocks:]
    if tail:
        value = ((value ^ int.from_bytes(tail, "little")) * multiplier) & mask
    value ^= value >> shift
    value = (value * multiplier) & mask
    return value ^ (value >> shift)


class _Vectors:
    """The vector table (rows scaled to unit length) and the key → row index of the model."""

    def __init__(self):
        import srsly

        # Located, not imported: the package's __init__ would import spaCy, which is not needed.
        spec = importlib.util.find_spec(VECTOR_MODEL)
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError(f"the word vectors of {VECTOR_MODEL} are not installed (pip install {VECTOR_MODEL})")
        package = Path(next(iter(spec.submodule_search_locations)))
        vocab = next(package.glob(f"{VECTOR_MODEL}-*")) / "vocab"
        table = np.load(vocab / "vectors", allow_pickle=False)
        self.rows = srsly.read_msgpack(vocab / "key2row")
        norms = np.linalg.norm(table, axis=1, keepdims=True)
        self.table = (table / np.where(norms > 0, norms, 1)).astype(np.float32)

    def row(self, word):
        """Return the row of ``word``'s vector, or None when the model has none."""
        return self.rows.get(_murmurhash64a(word.encode("utf-8")))


_vectors = None
_vectors_lock = threading.Lock()


def vectors():
    """Return the model's vectors, loaded on first use and kept for the process."""
    global _vectors
    if _vectors is None:
        with _vectors_lock:
            if _vectors is None:
                _vectors = _Vectors()
    return _vectors


@lru_cache(maxsize=200_000)
def vector_row(forms):
    """Return the vector row of the first of ``forms`` (words as written, then lemmas) the model knows, or None."""
    table = vectors()
    for form in forms:
        row = table.row(form)
        if row is not None:
            return row
    return None
