"""Recurring concerns: groups of contributions that say the same thing, as an analyst would list them.

How contributions become concerns:

1. **Units.** A published question is one unit. Other texts — what a forum's minutes record on a
   sub-topic, strengths and weaknesses — are lists: each non-empty line is a unit, and a concern
   counts the distinct sources (questions, minutes) of its units.
2. **Meaning of a unit** (:mod:`synthesis.meaning`): its content words, lemmatised and without
   accents, compared three ways, each scaled to unit length — which words it uses, weighted by
   rarity (TF-IDF); the letter sequences of those words (3 to 5 letters, weighted by rarity too:
   "cambriol" joins "cambriolage" and "cambrioleurs", typos stay close); and the average of their
   word vectors, weighted like the words (fr_core_news_md: "escroquerie" near "arnaque", "flics"
   near "policiers").
   Two units' similarity is WORD_WEIGHT, LETTERS_WEIGHT, VECTOR_WEIGHT of the three cosines.
3. **Grouping.** Average-linkage agglomerative clustering: groups merge while the average
   similarity between their members is at least MIN_SIMILARITY. Units filed under the same
   sub-topic get SAME_SUBTOPIC_BONUS on top: the sub-topic the citizen chose is a hint, not a
   wall, so a burglary filed under "présence sur le terrain" still joins the burglaries. A group
   is a concern when its units come from at least ``min_documents`` sources and its central texts
   share a word; the rest (greetings, tests, off-topic or one-off remarks) is left out. Each unit
   belongs to one group at most.
   Large corpora are grouped in rounds: a sample of SAMPLE_SIZE units (chosen by a hash of their
   content, so the same whatever the input order) is clustered, every other unit joins the group
   it is closest to on average when that is above the threshold — the same rule — and the units
   left over form the next round.
4. **Label.** Phrases of one to three content words, as citizens wrote them, with "de", "à",
   "en"… between them ("vie privée", "cambriolages de maisons"), are scored like class-based
   TF-IDF: squared share of the group's central texts using the phrase times its rarity in the
   corpus; a longer phrase is preferred when nearly as good. A one-word label becomes the phrase it
   heads in a central text when the group repeats that phrase's words ("alcool au volant"), else
   is joined to the next phrase nearly as good ("motos et pétarade"). Time words, function words
   and verbs never start or end a label, nor does half a compound ("vidéo" of "vidéo-protection");
   a label is never only subject words ("police") and never the sub-topic's title or words of it
   alone — unless the texts say nothing else.
5. **Quotes.** From the units closest to the group's centre (not the first ones), one sentence
   each, from distinct sources, short and anonymous as published.

Concerns are ranked by number of sources, then label. A concern spans sub-topics: it is listed
under each sub-topic where at least ``min_documents`` of its sources were filed (with the counts
of that sub-topic), and once over all sub-topics, with the same key and label. The same input, in any order, gives the same
output: units are sorted canonically, similarities rounded before any tie is broken.

Larger scopes (a region, the nation) do not re-read texts: each concern carries a signature —
its most characteristic terms and its average word vector — and :func:`combine_reports` groups the
departments' concerns by signature the same way.
"""
import base64
import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np

from . import sources as refs
from .french import strip_accents
from .meaning import (
    CONNECTORS, SUBJECT_WORDS, TIME_WORDS, VECTOR_DIMENSIONS, analyse_word, content_words, parse_stored_terms,
    split_words, terms, vector_row, vectors,
)
from .typography import natural_key, typeset

#: Bumped whenever the dictionary form changes; from_dict refuses any other version.
SCHEMA_VERSION = 2

#: A concern comes up in at least this many distinct sources: it recurs.
MIN_DOCUMENTS = 2
#: Concerns listed per sub-topic, and over all sub-topics.
PER_SUBTOPIC = 8
OVERALL = 10
#: Quotes kept per concern.
QUOTES = 3

#: Share of each comparison in the similarity of two units (they add up to 1).
WORD_WEIGHT = 0.15
LETTERS_WEIGHT = 0.5
VECTOR_WEIGHT = 0.35
#: Groups merge while their members' average similarity is at least this…
MIN_SIMILARITY = 0.30
#: …counting this much more for two units filed under the same sub-topic.
SAME_SUBTOPIC_BONUS = 0.10
#: Letter sequences compared: 3 to 5 letters of each word, its edges marked.
LETTER_SIZES = (3, 4, 5)
#: Units clustered at once; the others join the groups found, round after round.
SAMPLE_SIZE = 3000
#: Digits kept on similarities, so that ties fall the same way on any machine.
PRECISION = 6

#: Label candidates are looked for in this many units closest to a group's centre…
LABEL_POOL = 20
#: …and their rarity measured on this many units of the corpus.
LABEL_BACKGROUND = 1500
#: Content words in a label, at most.
LABEL_WORDS = 3
#: A longer label phrase is preferred when its score is at least this share of the best one.
LONGER_LABEL_SHARE = 0.3
#: A sentence longer than this is cut around the concern's words when quoted.
QUOTE_MAX_WORDS = 28
QUOTE_CONTEXT_WORDS = 10
#: Quotes never exceed this many characters, whatever a "word" holds.
QUOTE_MAX_CHARACTERS = 320

#: Terms kept in a concern's signature, and digits of their weights.
SIGNATURE_TERMS = 12
SIGNATURE_DIGITS = 3
#: Two departments' concerns are one concern when their signatures are at least this similar
#: (average of the cosines of their terms and of their vectors).
COMBINE_MIN_SIMILARITY = 0.45


def _sparse():
    # SciPy is imported when concerns are computed, not by every web process that imports this
    # module: it weighs 40 MB per process.
    from scipy import sparse

    return sparse


def _average_linkage(condensed, distance):
    """Return the flat clusters of average-linkage clustering of ``condensed``, cut at ``distance``."""
    from scipy.cluster.hierarchy import fcluster, linkage

    return fcluster(linkage(condensed, "average"), distance, "distance")


@dataclass(frozen=True)
class Document:
    """One text analysed: a published question, or what a forum's minutes record on a sub-topic."""

    source: refs.SourceRef
    subtopic_code: str
    text: str
    #: Preference between quotes equally close to a concern's centre: the question's supports.
    weight: int = 0
    #: The text's content words as stored at publication (:func:`synthesis.meaning.stored_terms`),
    #: or None to read them from the text. Only for whole texts (questions, proposals).
    terms: str | None = None


@dataclass(frozen=True)
class Quote:
    """A short excerpt of a text voicing a concern, set in French typography, and where it comes from."""

    text: str
    source: refs.SourceRef


@dataclass(frozen=True)
class Concern:
    """One recurring concern of a sub-topic (or of all sub-topics), with its sources and quotes."""

    #: Stable identifier from the label: no spaces or brackets ("cambriolages-de-maisons").
    key: str
    #: The French phrase shown ("cambriolages de maisons").
    label: str
    #: None for a concern ranked over all sub-topics.
    subtopic_code: str | None
    #: Number of distinct texts voicing it (contributions; nationally, summed over departments).
    documents: int
    #: Every text (question, minutes) or department it comes from, in a stable order.
    sources: tuple[refs.SourceRef, ...]
    quotes: tuple[Quote, ...]
    #: Sub-topics where its texts were filed, with their numbers of texts, most first.
    subtopics: tuple[tuple[str, int], ...] = ()
    #: Its most characteristic terms and their weights: what larger scopes compare.
    terms: tuple[tuple[str, float], ...] = ()
    #: Its average word vector, scaled to unit length and stored as 8-bit integers.
    vector: bytes = b""

    @property
    def ref(self):
        """Return the trace of this concern, ``[Préoccupation 1.B.1:cambriolages-de-maisons]``."""
        return refs.concern(self.subtopic_code, self.key)


@dataclass(frozen=True)
class ConcernReport:
    """The recurring concerns of a corpus (a department, a region, the nation)."""

    #: Sub-topic code → number of texts analysed.
    documents: Mapping[str, int]
    #: Sub-topic code → ranked concerns (sub-topics without any are left out).
    by_subtopic: Mapping[str, tuple[Concern, ...]]
    #: Ranked concerns over all sub-topics.
    overall: tuple[Concern, ...]

    def concern(self, ref):
        """Return the Concern a ``[Préoccupation …]`` trace names, or None when it is not in the report."""
        subtopic, _, key = ref.key.partition(":")
        ranked = self.overall if subtopic == refs.ALL_SUBTOPICS else self.by_subtopic.get(subtopic, ())
        return next((concern for concern in ranked if concern.key == key), None)

    def for_aggregation(self):
        """Return this report as a larger scope adds it up: without source lists, signatures kept.

        A region or the nation cites the department, whose own synthesis keeps the sources;
        quotes keep theirs.
        """
        def bare(concerns):
            return tuple(replace(concern, sources=()) for concern in concerns)

        return replace(self, overall=bare(self.overall),
                       by_subtopic=MappingProxyType({code: bare(ranked) for code, ranked in self.by_subtopic.items()}))

    def to_dict(self):
        """Return a JSON-safe dictionary (see :meth:`from_dict`)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "documents": dict(self.documents),
            "by_subtopic": {code: [_concern_to_dict(c) for c in ranked] for code, ranked in self.by_subtopic.items()},
            "overall": [_concern_to_dict(c) for c in self.overall],
        }

    @classmethod
    def from_dict(cls, data):
        """Return the ConcernReport written by :meth:`to_dict`."""
        if data.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(f"concerns of schema version {data.get('schema_version')!r}, expected {SCHEMA_VERSION}")
        return cls(
            documents=MappingProxyType(dict(data["documents"])),
            by_subtopic=MappingProxyType({
                code: tuple(_concern_from_dict(c) for c in ranked) for code, ranked in data["by_subtopic"].items()
            }),
            overall=tuple(_concern_from_dict(c) for c in data["overall"]),
        )


def _ref_from_text(text):
    (ref,) = refs.parse_refs(text)
    return ref


def _concern_to_dict(concern):
    return {
        "key": concern.key, "label": concern.label, "subtopic": concern.subtopic_code,
        "documents": concern.documents, "sources": [str(ref) for ref in concern.sources],
        "quotes": [{"text": quote.text, "source": str(quote.source)} for quote in concern.quotes],
        "subtopics": [[code, number] for code, number in concern.subtopics],
        "terms": [[term, weight] for term, weight in concern.terms],
        "vector": base64.b64encode(concern.vector).decode("ascii"),
    }


def _concern_from_dict(data):
    return Concern(
        key=data["key"], label=data["label"], subtopic_code=data["subtopic"], documents=data["documents"],
        sources=tuple(_ref_from_text(text) for text in data["sources"]),
        quotes=tuple(Quote(quote["text"], _ref_from_text(quote["source"])) for quote in data["quotes"]),
        subtopics=tuple((code, number) for code, number in data["subtopics"]),
        terms=tuple((term, weight) for term, weight in data["terms"]),
        vector=base64.b64decode(data["vector"]),
    )


def document_order(document):
    """Return the canonical sort key of a document: kind of source, then its key read naturally."""
    return (document.source.kind, natural_key(document.source.key), document.subtopic_code, document.text)


# --- Units and their features ---------------------------------------------------------------------

#: Sources whose texts are lists (minutes, strengths and weaknesses): each line is a unit.
_WHOLE_TEXT_KINDS = (refs.QUESTION, refs.PROPOSAL)


@dataclass(frozen=True)
class _Unit:
    document: int
    text: str
    subtopic_code: str
    terms: str | None = None


def _units(documents):
    """Return the units of canonically ordered documents: whole questions and proposals, lines of the rest."""
    units = []
    for index, document in enumerate(documents):
        if document.source.kind in _WHOLE_TEXT_KINDS:
            if document.text.strip():
                units.append(_Unit(index, document.text.strip(), document.subtopic_code, document.terms))
            continue
        for part in document.text.splitlines():
            if part.strip():
                units.append(_Unit(index, part.strip(), document.subtopic_code))
    return units


def _letter_grams(term):
    """Return the distinct letter sequences of a term, its edges marked, in a fixed order."""
    marked = f" {term} "
    return dict.fromkeys(marked[start:start + size] for size in LETTER_SIZES for start in range(len(marked) - size + 1))


def _normalise_rows(matrix):
    """Return ``matrix`` (sparse or dense) with rows scaled to unit length; empty rows stay empty."""
    if _sparse().issparse(matrix):
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        return _sparse().diags(1 / np.where(norms > 0, norms, 1)) @ matrix
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1)


@dataclass
class _Features:
    """The three views of every unit, rows scaled to unit length times the square root of their
    weight (so that the sum of their dot products is the similarity), and what signatures need."""

    words: "scipy.sparse.csr_matrix"
    letters: "scipy.sparse.csr_matrix"
    vectors: np.ndarray
    subtopics: np.ndarray
    terms: list
    idf: np.ndarray
    has_content: np.ndarray

    def dot(self, left, right):
        """Return the similarity of units ``left`` × ``right`` without the sub-topic bonus (dense)."""
        return ((self.words[left] @ self.words[right].T).toarray()
                + (self.letters[left] @ self.letters[right].T).toarray() + self.vectors[left] @ self.vectors[right].T)


def _features(units):
    """Return the _Features of ``units``: TF-IDF of terms, letter sequences, weighted word vectors."""
    vocabulary = {}
    lemmas = defaultdict(Counter)
    rows, columns = [], []
    for row, unit in enumerate(units):
        seen = set()
        for term, lemma in (terms(unit.text) if unit.terms is None else parse_stored_terms(unit.terms)):
            column = vocabulary.get(term)
            if column is None:
                column = vocabulary[term] = len(vocabulary)
            lemmas[column][lemma] += 1
            if column not in seen:
                seen.add(column)
                rows.append(row)
                columns.append(column)
    count = len(units)
    presence = _sparse().csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(count, len(vocabulary)))
    frequency = np.asarray(presence.sum(axis=0)).ravel()
    idf = np.log((count + 1) / (frequency + 1)) + 1
    vocabulary_terms = [None] * len(vocabulary)
    for term, column in vocabulary.items():
        vocabulary_terms[column] = term
    weighted = (presence @ _sparse().diags(idf)).tocsr()

    # Letter sequences of each term, then of each unit (a sequence counts once per unit).
    grams = {}
    gram_rows, gram_columns = [], []
    for column, term in enumerate(vocabulary_terms):
        for gram in _letter_grams(term):
            gram_rows.append(column)
            gram_columns.append(grams.setdefault(gram, len(grams)))
    term_grams = _sparse().csr_matrix((np.ones(len(gram_rows)), (gram_rows, gram_columns)),
                                   shape=(len(vocabulary_terms), len(grams)))
    letters = (presence @ term_grams).tocsr()
    letters.data[:] = 1.0
    # Weighted by rarity too: long texts share common sequences ("ion", "men") whatever they say.
    gram_frequency = np.asarray((letters > 0).sum(axis=0)).ravel()
    letters = (letters @ _sparse().diags(np.log((count + 1) / (gram_frequency + 1)) + 1)).tocsr()

    # Word vectors: of the lemma as most often written with its accents, else without.
    table = vectors().table if vocabulary_terms else np.zeros((0, VECTOR_DIMENSIONS), np.float32)
    term_vectors = np.zeros((len(vocabulary_terms), VECTOR_DIMENSIONS), np.float32)
    for column, term in enumerate(vocabulary_terms):
        written = lemmas[column]
        ranked = tuple(written) if len(written) == 1 else tuple(
            lemma for lemma, _ in sorted(written.items(), key=lambda item: (-item[1], item[0])))
        found = vector_row(ranked + (term,))
        if found is not None:
            term_vectors[column] = table[found]
    unit_vectors = np.asarray(weighted @ term_vectors, dtype=np.float64)
    return _Features(
        words=(math.sqrt(WORD_WEIGHT) * _normalise_rows(weighted)).tocsr(),
        letters=(math.sqrt(LETTERS_WEIGHT) * _normalise_rows(letters)).tocsr(),
        vectors=math.sqrt(VECTOR_WEIGHT) * _normalise_rows(unit_vectors),
        subtopics=np.array([unit.subtopic_code for unit in units]), terms=vocabulary_terms, idf=idf,
        has_content=np.diff(presence.indptr) > 0,
    )


def _similarity(features, left, right):
    """Return the similarity matrix of units ``left`` × ``right`` (index arrays), sub-topic bonus included."""
    similarity = features.dot(left, right)
    similarity += SAME_SUBTOPIC_BONUS * (features.subtopics[left][:, None] == features.subtopics[right][None, :])
    return np.round(similarity, PRECISION)


def _sample_order(units):
    """Return unit indices ordered by a hash of their content: a sample that is the same in any input order."""
    def digest(index):
        unit = units[index]
        return hashlib.blake2b(f"{unit.subtopic_code}\x00{unit.text}\x00{index}".encode(), digest_size=8).digest()

    return sorted(range(len(units)), key=digest)


def _cluster(features, units):
    """Return the groups of unit indices (each sorted), by average linkage in rounds (see the module)."""
    codes = sorted(set(features.subtopics.tolist()))
    code_index = {code: position for position, code in enumerate(codes)}
    unit_codes = np.array([code_index[code] for code in features.subtopics.tolist()], dtype=np.int64)
    remaining = [index for index in _sample_order(units) if features.has_content[index]]
    groups = []
    while len(remaining) >= 2:
        sample = np.array(sorted(remaining[:SAMPLE_SIZE]))
        rest = np.array(sorted(remaining[SAMPLE_SIZE:]), dtype=np.int64)
        similarity = _similarity(features, sample, sample)
        distance = 1.0 - similarity
        np.fill_diagonal(distance, 0.0)
        condensed = distance[np.triu_indices(len(sample), 1)]
        labels = _average_linkage(np.clip(condensed, 0.0, None), 1.0 - MIN_SIMILARITY) if len(sample) > 1 \
            else np.ones(1)
        members = defaultdict(list)
        for index, label in zip(sample.tolist(), labels.tolist()):
            members[label].append(index)
        found = [sorted(group) for group in members.values() if len(group) >= 2]
        if not found:
            break
        found.sort(key=lambda group: (-len(group), group[0]))
        if len(rest):
            joined = _join(features, unit_codes, len(codes), found, rest)
            left = {index for index, group in zip(rest.tolist(), joined) if group < 0}
            for index, group in zip(rest.tolist(), joined):
                if group >= 0:
                    found[group].append(index)
            remaining = [index for index in remaining if index in left]
        else:
            remaining = []
        groups.extend(sorted(group) for group in found)
    return groups


def _join(features, unit_codes, code_count, groups, rest):
    """Return, for each unit of ``rest``, the group it joins (-1 for none): best average similarity above the threshold."""
    count = len(unit_codes)
    sizes = np.array([len(group) for group in groups], dtype=np.float64)
    membership = _sparse().diags(1 / sizes) @ _sparse().csr_matrix(
        (np.ones(int(sizes.sum())), ([position for position, group in enumerate(groups) for _ in group],
                                     [index for group in groups for index in group])), shape=(len(groups), count))
    # Average similarity to a group = dot product with the group's mean, plus the bonus times the
    # share of the group's units filed under the same sub-topic.
    word_means = (membership @ features.words).tocsr()
    letter_means = (membership @ features.letters).tocsr()
    vector_means = membership @ features.vectors
    shares = (membership @ _sparse().csr_matrix((np.ones(count), (np.arange(count), unit_codes)),
                                             shape=(count, code_count))).toarray()
    chosen = np.full(len(rest), -1)
    for start in range(0, len(rest), 2000):
        block = rest[start:start + 2000]
        scores = ((features.words[block] @ word_means.T).toarray() + (features.letters[block] @ letter_means.T).toarray()
                  + features.vectors[block] @ vector_means.T + SAME_SUBTOPIC_BONUS * shares[:, unit_codes[block]].T)
        scores = np.round(scores, PRECISION)
        best = np.argmax(scores, axis=1)
        ok = scores[np.arange(len(block)), best] >= MIN_SIMILARITY
        chosen[start:start + len(block)] = np.where(ok, best, -1)
    return chosen.tolist()


# --- Labels -----------------------------------------------------------------------------------------

def _is_verb_form(lowered, lemma):
    """Tell whether a word is a verb: conjugated ("armés" → "armer") or an infinitive whose "-ez" form
    simplemma knows ("signaler", since "signalez" → "signaler"; "devenir", since "devenez" →
    "devenir"; not "quartier", nor "loisir")."""
    if lemma != lowered:
        return lemma.endswith(("er", "ir", "re"))
    return lowered.endswith(("er", "ir")) and analyse_word(lowered[:-2] + "ez")[1] == lowered


def _phrases(text):
    """Yield (key, start, end) of the label candidates of ``text``: 1 to LABEL_WORDS content words.

    Between two content words there may be nothing but spaces, a hyphen or an apostrophe, or one
    connector ("de", "à", "en", "la"…). A candidate starts where a phrase does (not right after
    another content word), never starts or ends with a time word and holds no verb form.
    """
    words = split_words(text)
    analysed = [(lowered, start, end, *analyse_word(lowered)) for lowered, start, end in words]
    for first in range(len(analysed)):
        lowered, start, _, term, lemma = analysed[first]
        if term is None or term in TIME_WORDS or _is_verb_form(lowered, lemma):
            continue
        if first and analysed[first - 1][3] is not None and _tight(text, analysed[first - 1][2], start) \
                and not _is_verb_form(analysed[first - 1][0], analysed[first - 1][4]):
            # Inside a phrase ("municipale" of "police municipale"): phrases start at its head,
            # or after a verb ("réserviste" of "devenir réserviste").
            continue
        key = [term]
        position = first
        while True:
            # Never half a compound: "vidéo" of "vidéo-protection" is not a phrase of its own.
            if term not in TIME_WORDS and not _HYPHENATED.match(text, analysed[position][2]):
                yield tuple(key), start, analysed[position][2]
            if len(key) == LABEL_WORDS:
                break
            following = position + 1
            if following < len(analysed) and analysed[following][3] is None and analysed[following][0] in CONNECTORS:
                # One connector, and the gap around it is only spaces, hyphens or apostrophes.
                if not _tight(text, analysed[position][2], analysed[following][1]):
                    break
                following += 1
                if following < len(analysed) and analysed[following][0] in CONNECTORS \
                        and analysed[following][3] is None and _tight(text, analysed[following - 1][2],
                                                                      analysed[following][1]):
                    following += 1  # "de la", "à l'"
            if following >= len(analysed) or not _tight(text, analysed[following - 1][2], analysed[following][1]):
                break
            term = analysed[following][3]
            if term is None or _is_verb_form(analysed[following][0], analysed[following][4]):
                break
            key.append(term)
            position = following


_HYPHENATED = re.compile(r"[-‐‑][^\W\d_]")
_TIGHT = re.compile(r"[ \t\u00a0\u202f'’\-‐‑]{1,3}")


def _tight(text, end, start):
    """Tell whether the gap text[end:start] holds only spaces, a hyphen or an apostrophe."""
    return _TIGHT.fullmatch(text, end, start) is not None


def _title_terms(title):
    return frozenset(word.term for word in content_words(title))


def _written_form(text):
    """Return a label as written: spaces and apostrophes tidied, lower-cased but acronyms."""
    form = re.sub(r"\s+", " ", text).replace("'", "’").strip()
    return form if form.isupper() and len(form) <= 5 else form.lower()


def _accented(text):
    return sum(1 for ch in text if ord(ch) > 127)


def _best_form(forms):
    """Return the label among {form: occurrences}: most frequent, then accented, then alphabetical."""
    return min(forms.items(), key=lambda item: (-item[1], -_accented(item[0]), item[0]))[0]


class _Labeller:
    """Label candidates of units, computed once, and their rarity over a background sample."""

    def __init__(self, units, order):
        self.units = units
        self._cache = {}
        background = order[:LABEL_BACKGROUND]
        self.background_size = len(background)
        self.frequency = Counter()
        for index in background:
            self.frequency.update(self.keys(index))

    def candidates(self, index):
        found = self._cache.get(index)
        if found is None:
            text = self.units[index].text
            found = self._cache[index] = [(key, text[start:end]) for key, start, end in _phrases(text)]
        return found

    def keys(self, index):
        return {key for key, _ in self.candidates(index)}

    def label(self, pool, forbidden, recurring=True, subject=False):
        """Return (label, key terms) for units ``pool`` (closest to the centre first), or None.

        ``forbidden`` is a list of term sets (the titles of the concern's sub-topics): a candidate
        made of their words only is not a label. With ``recurring``, a candidate must come up in
        two units of the pool, else it has two words at most. Only with ``subject`` may it be made
        of subject words only ("gendarmes").
        """
        shares = Counter()
        for index in pool:
            shares.update(self.keys(index))
        scored = []
        for key, count in shares.items():
            if (recurring and count < min(2, len(pool))) or (not recurring and len(key) > 2) \
                    or any(set(key) <= title for title in forbidden) \
                    or (not subject and all(part in SUBJECT_WORDS for part in key)):
                continue
            rarity = math.log((self.background_size + 1) / (self.frequency.get(key, 0) + 1)) + 1
            scored.append((round((count / len(pool)) ** 2 * rarity, PRECISION), key))
        if not scored:
            return None
        # The best phrase, or a longer one nearly as good: "cambriolages de maisons" over "cambriolages".
        best = max(score for score, _ in scored)
        close = [(score, key) for score, key in scored if score >= LONGER_LABEL_SHARE * best]
        _, _, key = min((-len(key), -score, key) for score, key in close)
        label = self._written(pool, key)
        if len(key) == 1 and recurring:
            # One word says little: the phrase it heads in a central text, as a citizen wrote it,
            # when the group repeats its words ("guetteurs du trafic")…
            longer = self._longer(pool, key, shares, forbidden)
            if longer is not None:
                return self._written(pool, longer), longer
            # …else, with the next phrase nearly as good that shares none of its words, both
            # ("caméras et vie privée").
            others = sorted((-score, other) for score, other in close if not set(other) & set(key))
            if others:
                other = others[0][1]
                return f"{label} et {self._written(pool, other)}", key + other
        return label, key

    def _longer(self, pool, key, shares, forbidden):
        """Return a phrase of the pool's texts headed by the one-word ``key``, or None.

        A word alone rarely names a concern ("guetteurs"); the phrase it heads in a central text
        does ("guetteurs pour les trafiquants"): French puts the complements after the noun. The
        phrase must say what the group says, not what one text adds: its other words come up in
        two of the pool's texts on average, or the phrase itself in half of those using ``key``.
        Preferred: the phrase most texts of the pool use, then the one whose other words the pool
        repeats most, then the most central.
        """
        found = []
        for rank, index in enumerate(pool):
            for phrase in self.keys(index):
                if len(phrase) < 2 or phrase[0] != key[0] or set(phrase) & TIME_WORDS \
                        or any(set(phrase) <= title for title in forbidden):
                    continue
                others = [term for term in phrase if term != key[0]]
                if all(term in SUBJECT_WORDS for term in others):
                    continue  # "réactivité des gendarmes" says no more than "réactivité"
                support = sum(shares.get((term,), 0) for term in others) / len(others)
                if support >= 2 or 2 * shares[phrase] >= shares[key]:
                    found.append((-shares[phrase], -support, rank, phrase))
        return min(found)[-1] if found else None

    def _written(self, pool, key):
        """Return how the pool's texts write ``key`` most."""
        return _best_form(Counter(_written_form(form) for index in pool for found, form in self.candidates(index)
                                  if found == key))


# --- Quotes -----------------------------------------------------------------------------------------

# A run of marks is read once, from its first mark: "....x" rescanned from each dot was quadratic.
_SENTENCE_END = re.compile(r"(?<![.!?…])[.!?…]++(?=\s|$)|\n")
_QUOTE_WORD = re.compile(r"\S+")


def _excerpt(text, start, end):
    """Return the sentence of ``text`` around [start, end), cut to a few words each side when long."""
    sentence_start = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        sentence_start = match.end()
    following = _SENTENCE_END.search(text, end)
    sentence_end = following.end() if following else len(text)
    sentence = text[sentence_start:sentence_end]
    words = list(_QUOTE_WORD.finditer(sentence))
    low, high = 0, len(words)
    if len(words) > QUOTE_MAX_WORDS:
        first = next((i for i, word in enumerate(words) if word.end() + sentence_start > start), 0)
        last = next((i for i, word in enumerate(words) if word.end() + sentence_start >= end), len(words) - 1)
        low, high = max(0, first - QUOTE_CONTEXT_WORDS), min(len(words), last + 1 + QUOTE_CONTEXT_WORDS)
    if not words:
        return ""
    excerpt = sentence[words[low].start():words[high - 1].end()]
    if len(excerpt) > QUOTE_MAX_CHARACTERS:
        excerpt, high = excerpt[:QUOTE_MAX_CHARACTERS].rsplit(" ", 1)[0], len(words) + 1
    return ("… " if low > 0 else "") + typeset(excerpt) + (" …" if high < len(words) else "")


def _quote_of(text, key_terms):
    """Return the excerpt of ``text`` around its first word among ``key_terms`` (the whole text if none)."""
    for word in content_words(text):
        if word.term in key_terms:
            return _excerpt(text, word.start, word.end)
    return _excerpt(text, 0, 0)


# --- Finding concerns -------------------------------------------------------------------------------

def _slug(label):
    return re.sub(r"[^a-z0-9]+", "-", strip_accents(label)).strip("-") or "preoccupation"


def _signature(features, members):
    """Return (terms, vector) of a group: its heaviest TF-IDF terms, and its mean vector as 8-bit integers."""
    mean_words = np.asarray(features.words[members].mean(axis=0)).ravel()
    top = sorted(((-round(float(weight), SIGNATURE_DIGITS), features.terms[column])
                  for column, weight in enumerate(mean_words) if weight > 0))[:SIGNATURE_TERMS]
    terms = tuple((term, -weight) for weight, term in top)
    return terms, _quantise(features.vectors[members].mean(axis=0))


def _quantise(vector):
    norm = np.linalg.norm(vector)
    if not norm:
        return b""
    return np.clip(np.round(vector / norm * 127), -127, 127).astype(np.int8).tobytes()


def _dequantise(data):
    if not data:
        return np.zeros(VECTOR_DIMENSIONS)
    vector = np.frombuffer(data, dtype=np.int8).astype(np.float64)
    norm = np.linalg.norm(vector)
    return vector / norm if norm else vector


@dataclass
class _Group:
    members: list
    sources: tuple
    closeness: dict
    #: Sub-topic code → number of the group's documents filed under it.
    filed: Counter


def _central(group):
    """Return the LABEL_POOL units of a group closest to its centre, closest first."""
    return sorted(group.members, key=lambda index: (-group.closeness[index], index))[:LABEL_POOL]


def _centre_dot(features, members):
    """Return each member's dot product with the group's mean: its average similarity to the group."""
    words = np.asarray(features.words[members].mean(axis=0)).ravel()
    letters = np.asarray(features.letters[members].mean(axis=0)).ravel()
    vector = features.vectors[members].mean(axis=0)
    return features.words[members] @ words + features.letters[members] @ letters + features.vectors[members] @ vector


def find_concerns(documents, *, per_subtopic=PER_SUBTOPIC, overall=OVERALL, quotes=QUOTES,
                  min_documents=MIN_DOCUMENTS, subtopic_titles=None):
    """Return the ConcernReport of ``documents`` (an iterable of Document).

    ``subtopic_titles`` maps sub-topic codes to their titles: a concern is never labelled with
    its sub-topic's title or words of it alone.
    """
    documents = sorted(documents, key=document_order)
    analysed = Counter(document.subtopic_code for document in documents)
    units = _units(documents)
    titles = {code: _title_terms(title) for code, title in (subtopic_titles or {}).items()}
    groups = []
    if units:
        features = _features(units)
        labeller = _Labeller(units, _sample_order(units))
        for members in _cluster(features, units):
            sources = tuple(dict.fromkeys(documents[units[index].document].source for index in members))
            if len(sources) < min_documents:
                continue
            # Closeness to the centre: each member's average similarity to the group.
            closeness = np.round(_centre_dot(features, members), PRECISION)
            filed = Counter(documents[index].subtopic_code for index in {units[i].document for i in members})
            group = _Group(members, sources, dict(zip(members, closeness.tolist())), filed)
            # A group whose texts share no word at all is a coincidence of meanings, not a concern
            # anyone would name: left out.
            if (features.words[_central(group)].getnnz(axis=0) >= 2).any():
                groups.append(group)

    labels = {}

    def labelled(group, filed):
        """Return (label, key terms) of a group, the same wherever it is listed."""
        found = labels.get(id(group))
        if found is None:
            # Never the title of a sub-topic it is listed under, nor subject words alone, when
            # anything else is said: a phrase its central texts share, else the most distinctive
            # short phrase of one of them.
            forbidden = [titles[code] for code, number in filed.items() if code in titles and number >= min_documents]
            central = _central(group)
            found = labels[id(group)] = (labeller.label(central, forbidden)
                                         or labeller.label(central, forbidden, recurring=False)
                                         or labeller.label(central, [], subject=True))
        return found

    def build(group, subtopic_code):
        members = group.members if subtopic_code is None else [
            index for index in group.members if units[index].subtopic_code == subtopic_code]
        filed = group.filed
        ranked = sorted(members, key=lambda index: (-group.closeness[index], -documents[units[index].document].weight,
                                                    index))
        label, key_terms = labelled(group, filed)
        terms, vector = _signature(features, group.members)
        # Units follow the documents' canonical order, and so do their sources.
        sources_here = tuple(dict.fromkeys(documents[units[index].document].source for index in sorted(members)))
        return Concern(
            key=_slug(label), label=label, subtopic_code=subtopic_code, documents=len(sources_here),
            sources=sources_here,
            quotes=_choose_quotes(documents, units, ranked, set(key_terms), quotes),
            subtopics=tuple(sorted(filed.items(), key=lambda item: (-item[1], natural_key(item[0])))),
            terms=terms, vector=vector,
        )

    by_subtopic = {}
    for code in sorted(analysed, key=natural_key):
        here = []
        for group in groups:
            filed = {documents[units[index].document].source for index in group.members
                     if units[index].subtopic_code == code}
            if len(filed) >= min_documents:
                here.append((-len(filed), group))
        ranked = _rank([build(group, code) for _, group in sorted(here, key=lambda item: (item[0], item[1].members[0]))
                        [:max(per_subtopic * 2, per_subtopic)]], per_subtopic)
        if ranked:
            by_subtopic[code] = ranked
    everywhere = sorted(groups, key=lambda group: (-len(group.sources), group.members[0]))[:max(overall * 2, overall)]
    return ConcernReport(
        documents=MappingProxyType({code: analysed[code] for code in sorted(analysed, key=natural_key)}),
        by_subtopic=MappingProxyType(by_subtopic),
        overall=_rank([build(group, None) for group in everywhere], overall),
    )


def _rank(concerns, limit):
    """Return the ``limit`` first concerns by number of sources, then label; keys made unique."""
    ranked = sorted(concerns, key=lambda concern: (-concern.documents, strip_accents(concern.label), concern.label,
                                                  concern.sources, concern.key))[:limit]
    seen = Counter()
    unique = []
    for concern in ranked:
        seen[concern.key] += 1
        unique.append(concern if seen[concern.key] == 1 else replace(concern, key=f"{concern.key}-{seen[concern.key]}"))
    return tuple(unique)


def _choose_quotes(documents, units, ranked, key_terms, limit):
    """Return up to ``limit`` quotes from distinct sources, the units closest to the centre first."""
    chosen = []
    seen_sources = set()
    seen_texts = set()
    for index in ranked:
        source = documents[units[index].document].source
        if source in seen_sources:
            continue
        excerpt = _quote_of(units[index].text, key_terms)
        # The same words from two citizens make one quote, not two.
        folded = strip_accents(excerpt)
        if excerpt and folded not in seen_texts:
            seen_sources.add(source)
            seen_texts.add(folded)
            chosen.append(Quote(excerpt, source))
            if len(chosen) == limit:
                break
    return tuple(chosen)


def department_documents(department):
    """Return the Documents of a DepartmentInput: its published questions and its minutes' concerns.

    Only published questions are read: their text was moderated against the charter and is
    public, so every concern and quote can be traced to a page a reader may open. Pending and
    rejected questions stay out, and so do merged ones (they repeat a published question).
    """
    found = []
    for question in department.questions:
        if question.is_published and question.text.strip():
            found.append(Document(refs.question(question.reference), question.subtopic_code,
                                  question.text, question.support_count))
    for forum_id, minutes in department.current_minutes().items():
        # One text per sub-topic and forum, even if the minutes came with the sub-topic twice.
        texts = defaultdict(list)
        for topic in minutes.topics:
            if topic.concerns.strip():
                texts[topic.subtopic_code].append(topic.concerns.strip())
        for code, parts in texts.items():
            found.append(Document(refs.minutes(forum_id), code, "\n".join(parts)))
    return found


def department_concerns(department, **options):
    """Return the ConcernReport of a DepartmentInput (options as for :func:`find_concerns`).

    Concerns are never labelled with the title of their sub-topic (see ``subtopic_titles``).
    """
    options.setdefault("subtopic_titles", {subtopic.code: subtopic.title for subtopic in department.subtopics})
    return find_concerns(department_documents(department), **options)


# --- Larger scopes ----------------------------------------------------------------------------------

def combine_reports(reports, *, per_subtopic=PER_SUBTOPIC, overall=OVERALL, quotes=QUOTES,
                    min_documents=MIN_DOCUMENTS):
    """Return the ConcernReport of a larger scope (a region, the nation) from its parts' reports.

    ``reports`` are (SourceRef, ConcernReport) pairs, one per part (a department). The parts'
    concerns are grouped by signature — average linkage on the mean of the cosines of their terms
    and of their vectors, while at least COMBINE_MIN_SIMILARITY — per sub-topic, and over all
    sub-topics from the parts' overall concerns. A combined concern counts the texts of its
    members, its ``sources`` are the parts it comes from (it is kept when at least
    ``min_documents`` texts voice it), its label is that of its member voiced by most texts, and
    its quotes are taken in turn from the parts voicing it most, so that one department cannot
    fill them all. Texts analysed are added up.
    """
    reports = sorted(reports, key=lambda item: (item[0].kind, natural_key(item[0].key)))
    documents = Counter()
    for _, report in reports:
        documents.update(report.documents)
    by_subtopic = {}
    if per_subtopic:
        for code in sorted(documents, key=natural_key):
            members = [(source, concern) for source, report in reports for concern in report.by_subtopic.get(code, ())]
            ranked = _rank(_combine(members, code, quotes, min_documents), per_subtopic)
            if ranked:
                by_subtopic[code] = ranked
    everywhere = [(source, concern) for source, report in reports for concern in report.overall]
    return ConcernReport(
        documents=MappingProxyType({code: documents[code] for code in sorted(documents, key=natural_key)}),
        by_subtopic=MappingProxyType(by_subtopic),
        overall=_rank(_combine(everywhere, None, quotes, min_documents), overall) if overall else (),
    )


def _signature_similarity(concerns):
    """Return the similarity matrix of concerns' signatures: mean of the cosines of terms and of vectors."""
    vocabulary = {}
    rows, columns, values = [], [], []
    for row, concern in enumerate(concerns):
        for term, weight in concern.terms:
            rows.append(row)
            columns.append(vocabulary.setdefault(term, len(vocabulary)))
            values.append(weight)
    terms = _normalise_rows(_sparse().csr_matrix((values, (rows, columns)),
                                                 shape=(len(concerns), max(1, len(vocabulary)))))
    vectors_ = np.array([_dequantise(concern.vector) for concern in concerns])
    similarity = 0.5 * (terms @ terms.T).toarray() + 0.5 * (vectors_ @ vectors_.T)
    return np.round(similarity, PRECISION)


def signature_groups(concerns):
    """Return the groups of ``concerns`` (a list of Concerns) that :func:`combine_reports` makes one.

    Lists of positions in ``concerns``: average linkage on the mean of the cosines of their terms
    and of their vectors, while at least COMBINE_MIN_SIMILARITY.
    """
    if len(concerns) <= 1:
        return [[0]] if concerns else []
    distance = 1.0 - _signature_similarity(concerns)
    condensed = np.clip(distance[np.triu_indices(len(concerns), 1)], 0.0, None)
    labels = _average_linkage(condensed, 1.0 - COMBINE_MIN_SIMILARITY).tolist()
    grouped = defaultdict(list)
    for position, label in enumerate(labels):
        grouped[label].append(position)
    return list(grouped.values())


def _combine(members, subtopic_code, quotes, min_documents):
    """Return the combined Concerns of (part SourceRef, Concern) pairs."""
    combined = []
    for positions in signature_groups([concern for _, concern in members]):
        group = [members[position] for position in positions]
        total = sum(concern.documents for _, concern in group)
        if total < min_documents:
            continue
        # The member voiced by most texts names the concern.
        _, head = min(group, key=lambda item: (-item[1].documents, item[1].label, item[0]))
        weights = defaultdict(float)
        filed = Counter()
        vector = np.zeros(VECTOR_DIMENSIONS)
        per_part = defaultdict(int)
        for source, concern in group:
            per_part[source] += concern.documents
            for term, weight in concern.terms:
                weights[term] += weight * concern.documents / total
            filed.update(dict(concern.subtopics))
            vector += _dequantise(concern.vector) * concern.documents
        parts = sorted(per_part, key=lambda ref: (-per_part[ref], ref.kind, natural_key(ref.key)))
        candidates = [[quote for _, concern in group if _ == part for quote in concern.quotes] for part in parts]
        top = sorted(((-round(weight, SIGNATURE_DIGITS), term) for term, weight in weights.items()))[:SIGNATURE_TERMS]
        combined.append(Concern(
            key=head.key, label=head.label, subtopic_code=subtopic_code, documents=total,
            sources=tuple(sorted(per_part, key=lambda ref: (ref.kind, natural_key(ref.key)))),
            quotes=_quotes_in_turn(candidates, quotes),
            subtopics=tuple(sorted(filed.items(), key=lambda item: (-item[1], natural_key(item[0])))),
            terms=tuple((term, -weight) for weight, term in top), vector=_quantise(vector),
        ))
    return combined


def _quotes_in_turn(candidates, limit):
    """Return up to ``limit`` quotes taking each part's first quote in turn, then their second…"""
    chosen = []
    seen = set()
    for rank in range(max((len(quotes) for quotes in candidates), default=0)):
        for quotes in candidates:
            if rank < len(quotes) and len(chosen) < limit:
                folded = strip_accents(quotes[rank].text)
                if folded not in seen:
                    seen.add(folded)
                    chosen.append(quotes[rank])
    return tuple(chosen)
