"""Recurring concerns: what citizens' questions and the forums' minutes keep coming back to, per sub-topic.

How a text becomes counted terms:

1. Words are reduced to terms by :func:`synthesis.french.concern_term`: accents folded, plural and
   singular folded, stop words and question formulae ("bonjour", "pourriez-vous") dropped.
2. **Phrases.** Two words make a phrase candidate when both are terms and they are adjacent in
   the original text — nothing but spaces, one hyphen or an elided article between them
   ("violences conjugales", "vidéo-protection", "sentiment d'insécurité"); a stop word or a
   punctuation mark in between breaks the pair, so "police de proximité" is not taken for
   "police proximité" and "police, gendarmerie" is no phrase. A candidate is kept when it occurs
   in at least MIN_DOCUMENTS distinct texts **and** more often than chance: Dunning's
   log-likelihood ratio G² of the pair against its words' frequencies (over all adjacent pairs of
   the corpus) is at least PHRASE_MIN_G2 = 10.83, the 0.1 % threshold of a χ² with one degree of
   freedom, with more co-occurrences than expected. A word written as one with a kept phrase
   ("vidéoprotection") counts as that phrase.
3. **Absorption.** A kept phrase takes its words' occurrences: in "violences conjugales" neither
   "violences" nor "conjugales" is counted alone; "violences urbaines" elsewhere still counts
   "violences". Where two kept phrases overlap ("police municipale armée"), the stronger wins.
4. **Subject words** ("police", "gendarmerie", "sécurité", "quartier"…) name the consultation's
   subject rather than a concern: they are not listed alone, but form phrases ("police
   municipale", "personnes âgées").

A concern is a term found in at least MIN_DOCUMENTS texts. Concerns are ranked per sub-topic by
the number of distinct texts mentioning them, then by occurrences, phrases before single words,
then by label and key: the same input gives the same output, whatever its order. Each is labelled
with its most frequent written form (accents kept), and keeps its sources and up to three short
anonymous quotes, from published questions and minutes only.

The report keeps a table of every term's counts per sub-topic, so that regions and the nation
add departments' tables without reading the texts again.
"""
import math
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from . import sources as refs
from .french import concern_term, concern_tokens, strip_accents
from .typography import typeset

#: Bumped whenever the dictionary form changes; from_dict refuses any other version.
SCHEMA_VERSION = 1

#: A concern, or a phrase, must come up in at least this many distinct texts: it recurs.
MIN_DOCUMENTS = 2
#: G² threshold for a phrase: the pair is associated at the 0.1 % level (χ², 1 degree of freedom).
PHRASE_MIN_G2 = 10.83
#: Concerns listed per sub-topic, and over all sub-topics.
PER_SUBTOPIC = 8
OVERALL = 10
#: Quotes kept per concern.
QUOTES = 3
#: A sentence longer than this is cut around the term when quoted.
QUOTE_MAX_WORDS = 28
QUOTE_CONTEXT_WORDS = 10
#: Quotes are looked for among this many texts, the most supported first: enough to skip repeats.
QUOTE_CANDIDATES = 50

#: Words naming the consultation's subject: too general to be a concern alone, but part of many.
SUBJECT_WORDS = """
police polices policier policiers policiere policieres gendarme gendarmes gendarmerie gendarmeries
securite force forces ordre agent agents service services commune communes ville villes village
villages quartier quartiers habitant habitants citoyen citoyens citoyenne citoyennes population
populations personne personnes gens probleme problemes situation situations etat prefecture
""".split()


def subject_terms(words=SUBJECT_WORDS):
    """Return the terms of ``words``, for the ``subject`` argument of :func:`find_concerns`."""
    return frozenset(filter(None, map(concern_term, words)))


_SUBJECT_TERMS = subject_terms()


@dataclass(frozen=True)
class Document:
    """One text analysed: a published question, or what a forum's minutes record on a sub-topic."""

    source: refs.SourceRef
    subtopic_code: str
    text: str
    #: Preference when choosing quotes: the question's supports.
    weight: int = 0


@dataclass(frozen=True)
class Quote:
    """A short excerpt of a text mentioning a concern, set in French typography, and where it comes from."""

    text: str
    source: refs.SourceRef


@dataclass(frozen=True)
class TermStats:
    """The counts of one term in a corpus: written forms, and per sub-topic (texts, occurrences)."""

    key: str
    is_phrase: bool
    #: Written form (lower-cased, accents kept) → occurrences.
    forms: Mapping[str, int]
    #: Sub-topic code → (number of texts mentioning the term, occurrences).
    by_subtopic: Mapping[str, tuple[int, int]]

    @property
    def label(self):
        """Return the most frequent written form; ties go to the accented form, then alphabetical order."""
        return _best_form(self.forms.items())

    def totals(self, subtopic_code=None):
        """Return (texts, occurrences) in one sub-topic, or over all with None."""
        if subtopic_code is not None:
            return self.by_subtopic.get(subtopic_code, (0, 0))
        return (sum(d for d, _ in self.by_subtopic.values()), sum(o for _, o in self.by_subtopic.values()))


def _best_form(forms):
    """Return the label among (form, occurrences) pairs: most frequent, then accented, then alphabetical."""
    return min(forms, key=lambda item: (-item[1], -_accented(item[0]), item[0]))[0]


class TermTable(Mapping):
    """Term key → TermStats of a corpus, every term seen (recurring or not): what larger scopes add up.

    Held as compact rows ``(is phrase, (form, n, form, n…), (sub-topic, texts, occurrences, …))``
    — flat sequences, as JSON writes them — so that loading a department's thousands of terms
    creates no object per term and adding up a hundred tables reads them as they are. Reading
    ``table[key]`` gives the TermStats view.
    """

    __slots__ = ("_rows",)

    def __init__(self, rows=()):
        self._rows = dict(rows)

    def __getitem__(self, key):
        phrase, forms, counts = self._rows[key]
        by_subtopic = {code: (texts, times) for code, texts, times in zip(counts[::3], counts[1::3], counts[2::3])}
        forms = dict(zip(forms[::2], forms[1::2]))
        return TermStats(key, phrase, MappingProxyType(forms), MappingProxyType(by_subtopic))

    def __iter__(self):
        return iter(self._rows)

    def __len__(self):
        return len(self._rows)

    def __contains__(self, key):
        return key in self._rows

    def __eq__(self, other):
        if not isinstance(other, TermTable):
            return NotImplemented
        return self._normalised() == other._normalised()

    __hash__ = None

    def __repr__(self):
        return f"<TermTable {len(self._rows)} terms>"

    def _normalised(self):
        return {key: (bool(phrase), tuple(forms), tuple(counts)) for key, (phrase, forms, counts) in self._rows.items()}

    def rows(self):
        """Return the (key, row) pairs, rows as described in the class docstring."""
        return self._rows.items()

    def row(self, key):
        """Return the row of ``key``, or None."""
        return self._rows.get(key)


def _row_totals(row, subtopic_code=None):
    """Return (texts, occurrences) of a table row in one sub-topic, or over all with None."""
    counts = row[2]
    if subtopic_code is None:
        return sum(counts[1::3]), sum(counts[2::3])
    for index in range(0, len(counts), 3):
        if counts[index] == subtopic_code:
            return counts[index + 1], counts[index + 2]
    return 0, 0


def _row_label(row):
    forms = row[1]
    return _best_form(zip(forms[::2], forms[1::2]))


def _row(is_phrase, forms, counts):
    """Return a table row from {form: occurrences} and {sub-topic: (texts, occurrences)}."""
    return (is_phrase, tuple(item for pair in sorted(forms.items()) for item in pair),
            tuple(item for code in sorted(counts, key=_natural) for item in (code, *counts[code])))


@dataclass(frozen=True)
class Concern:
    """One recurring concern of a sub-topic (or of all sub-topics), with its sources and quotes."""

    key: str
    label: str
    is_phrase: bool
    #: None for a concern ranked over all sub-topics.
    subtopic_code: str | None
    #: Number of distinct texts mentioning it (or of departments, nationally: see ``sources``).
    documents: int
    occurrences: int
    #: Every text (question, minutes) or department it comes from, in a stable order.
    sources: tuple[refs.SourceRef, ...]
    quotes: tuple[Quote, ...]

    @property
    def ref(self):
        """Return the trace of this concern, ``[Préoccupation 1.B.1:cambriolag]``."""
        return refs.concern(self.subtopic_code, self.key)


@dataclass(frozen=True)
class ConcernReport:
    """The recurring concerns of a corpus (a department, a region, the nation), and its term table."""

    #: Sub-topic code → number of texts analysed.
    documents: Mapping[str, int]
    #: Sub-topic code → ranked concerns (sub-topics without any are left out).
    by_subtopic: Mapping[str, tuple[Concern, ...]]
    #: Ranked concerns over all sub-topics.
    overall: tuple[Concern, ...]
    #: The terms seen and their counts, what larger scopes add up: every term in a department's
    #: report, the recurring ones in what it hands to the nation (see for_aggregation).
    table: TermTable

    def concern(self, ref):
        """Return the Concern a ``[Préoccupation …]`` trace names, or None when it is not in the report."""
        subtopic, _, key = ref.key.partition(":")
        ranked = self.overall if subtopic == refs.ALL_SUBTOPICS else self.by_subtopic.get(subtopic, ())
        return next((concern for concern in ranked if concern.key == key), None)

    def for_aggregation(self, min_documents=MIN_DOCUMENTS):
        """Return this report as a larger scope adds it up: lighter, the counts it keeps unchanged.

        The concerns lose their source lists (a region or the nation cites the department, whose
        own synthesis keeps them; quotes keep their source), and the table keeps the terms found
        in at least ``min_documents`` texts. Terms a department mentions once would be a
        department's worth of rows each — most of its vocabulary — and can add at most one text
        per department to a national count: they are left out.
        """
        def bare(concerns):
            return tuple(replace(concern, sources=()) for concern in concerns)

        return replace(
            self,
            overall=bare(self.overall),
            by_subtopic=MappingProxyType({code: bare(ranked) for code, ranked in self.by_subtopic.items()}),
            table=TermTable((key, row) for key, row in self.table.rows() if _row_totals(row)[0] >= min_documents),
        )

    def to_dict(self):
        """Return a JSON-safe dictionary (see :meth:`from_dict`).

        The term table is written as rows ``[key, is phrase, [form, n, …], [sub-topic, texts,
        occurrences, …]]``: a department has thousands of terms, and the nation reads a hundred tables.
        """
        return {
            "schema_version": SCHEMA_VERSION,
            "documents": dict(self.documents),
            "by_subtopic": {code: [_concern_to_dict(c) for c in ranked] for code, ranked in self.by_subtopic.items()},
            "overall": [_concern_to_dict(c) for c in self.overall],
            "table": [[key, phrase, list(forms), list(counts)] for key, (phrase, forms, counts) in self.table.rows()],
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
            table=TermTable((key, (phrase, forms, counts)) for key, phrase, forms, counts in data["table"]),
        )


def _ref_from_text(text):
    (ref,) = refs.parse_refs(text)
    return ref


def _concern_to_dict(concern):
    return {
        "key": concern.key, "label": concern.label, "phrase": concern.is_phrase,
        "subtopic": concern.subtopic_code, "documents": concern.documents, "occurrences": concern.occurrences,
        "sources": [str(ref) for ref in concern.sources],
        "quotes": [{"text": quote.text, "source": str(quote.source)} for quote in concern.quotes],
    }


def _concern_from_dict(data):
    return Concern(
        key=data["key"], label=data["label"], is_phrase=data["phrase"], subtopic_code=data["subtopic"],
        documents=data["documents"], occurrences=data["occurrences"],
        sources=tuple(_ref_from_text(text) for text in data["sources"]),
        quotes=tuple(Quote(quote["text"], _ref_from_text(quote["source"])) for quote in data["quotes"]),
    )


def _accented(text):
    return sum(1 for ch in text if ord(ch) > 127)


_NUMBER = re.compile(r"(\d+)")


def _natural(text):
    """Return a sort key reading digits as numbers: forum "9" before forum "12", "1.B.2" before "1.B.10"."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in _NUMBER.split(text) if part)


def document_order(document):
    """Return the canonical sort key of a document: kind of source, then its key read naturally."""
    return (document.source.kind, _natural(document.source.key), document.subtopic_code, document.text)


def _g2(pair_count, left_count, right_count, total):
    """Return Dunning's log-likelihood ratio of a pair against chance, 0 when it is rarer than chance."""
    if pair_count * total <= left_count * right_count:
        return 0.0
    cells = (
        (pair_count, left_count, right_count),
        (left_count - pair_count, left_count, total - right_count),
        (right_count - pair_count, total - left_count, right_count),
        (total - left_count - right_count + pair_count, total - left_count, total - right_count),
    )
    return 2.0 * sum(k * math.log(k * total / (row * column)) for k, row, column in cells if k > 0)


def _find_phrases(tokenised, min_documents):
    """Return {(left term, right term): G²} for the adjacent pairs kept as phrases."""
    pair_counts = defaultdict(int)
    pair_documents = defaultdict(int)
    last_seen = {}
    left_counts = defaultdict(int)
    right_counts = defaultdict(int)
    total = 0
    for index, tokens in enumerate(tokenised):
        previous = None
        for term, _, _, glued in tokens:
            if glued and term != previous:
                pair = (previous, term)
                pair_counts[pair] += 1
                left_counts[previous] += 1
                right_counts[term] += 1
                total += 1
                if last_seen.get(pair) != index:
                    last_seen[pair] = index
                    pair_documents[pair] += 1
            previous = term
    phrases = {}
    for pair, documents in pair_documents.items():
        if documents >= min_documents:
            score = _g2(pair_counts[pair], left_counts[pair[0]], right_counts[pair[1]], total)
            if score >= PHRASE_MIN_G2:
                phrases[pair] = score
    return phrases


def _occurrences(tokens, phrases, joined, subject):
    """Yield (key, is phrase, start, end) for each term counted in one text's tokens."""
    count = len(tokens)
    index = 0
    while index < count:
        term, start, end, _ = tokens[index]
        if index + 1 < count and tokens[index + 1][3]:
            following = tokens[index + 1][0]
            score = phrases.get((term, following))
            # Of two kept phrases overlapping ("police municipale armée"), the stronger wins.
            if score is not None and not (index + 2 < count and tokens[index + 2][3]
                                          and phrases.get((following, tokens[index + 2][0]), 0.0) > score):
                yield f"{term}+{following}", True, start, tokens[index + 1][2]
                index += 2
                continue
        if term in joined:
            yield joined[term], True, start, end
        elif term not in subject:
            yield term, False, start, end
        index += 1


_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"\s*[-‐‑]\s*")


def _written_form(text):
    """Return how a term is written, for its label: spaces and apostrophes tidied, lower-cased but acronyms."""
    form = _DASHES.sub("-", _SPACES.sub(" ", text)).replace("'", "’")
    return form if form.isupper() and len(form) <= 5 else form.lower()


_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)|\n")
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
    if len(words) <= QUOTE_MAX_WORDS:
        return typeset(sentence)
    first = next(i for i, word in enumerate(words) if word.end() + sentence_start > start)
    last = next((i for i, word in enumerate(words) if word.end() + sentence_start >= end), len(words) - 1)
    low, high = max(0, first - QUOTE_CONTEXT_WORDS), min(len(words), last + 1 + QUOTE_CONTEXT_WORDS)
    excerpt = sentence[words[low].start():words[high - 1].end()]
    return ("… " if low > 0 else "") + typeset(excerpt) + (" …" if high < len(words) else "")


def find_concerns(documents, *, per_subtopic=PER_SUBTOPIC, overall=OVERALL, quotes=QUOTES,
                  min_documents=MIN_DOCUMENTS, subject=_SUBJECT_TERMS):
    """Return the ConcernReport of ``documents`` (an iterable of Document).

    ``subject`` is the set of terms not listed alone (see :func:`subject_terms`).
    """
    documents = sorted(documents, key=document_order)
    tokenised = [concern_tokens(document.text) for document in documents]
    phrases = _find_phrases(tokenised, min_documents)
    joined = {left + right: f"{left}+{right}" for left, right in phrases}

    is_phrase = {}
    # Flat dictionaries keyed by tuples: this loop runs once per term of every text.
    forms = {}
    texts = {}
    occurrences = {}
    # (key, sub-topic) → [(document index, start, end)]: the first occurrence in each text, in
    # canonical order, for sources and quotes.
    postings = defaultdict(list)
    analysed = defaultdict(int)
    for index, document in enumerate(documents):
        text = document.text
        code = document.subtopic_code
        analysed[code] += 1
        seen = {}
        for key, phrase, start, end in _occurrences(tokenised[index], phrases, joined, subject):
            form = (key, text[start:end])
            forms[form] = forms.get(form, 0) + 1
            if key in seen:
                seen[key] += 1
            else:
                seen[key] = 1
                is_phrase[key] = phrase
                postings[key, code].append((index, start, end))
        for key, number in seen.items():
            slot = (key, code)
            texts[slot] = texts.get(slot, 0) + 1
            occurrences[slot] = occurrences.get(slot, 0) + number

    written = defaultdict(lambda: defaultdict(int))
    for (key, raw), number in forms.items():
        written[key][_written_form(raw)] += number
    by_subtopic = defaultdict(dict)
    for slot, number in texts.items():
        by_subtopic[slot[0]][slot[1]] = (number, occurrences[slot])
    table = TermTable((key, _row(is_phrase[key], written[key], by_subtopic[key])) for key in sorted(by_subtopic))

    def concern_of(key, subtopic_code):
        row = table.row(key)
        if subtopic_code is None:
            postings_here = sorted(posting for code in by_subtopic[key] for posting in postings[key, code])
        else:
            postings_here = postings[key, subtopic_code]
        texts, occurrences = _row_totals(row, subtopic_code)
        return Concern(
            key=key, label=_row_label(row), is_phrase=row[0], subtopic_code=subtopic_code,
            documents=texts, occurrences=occurrences,
            sources=tuple(dict.fromkeys(documents[index].source for index, _, _ in postings_here)),
            quotes=_choose_quotes(documents, postings_here, quotes),
        )

    ranked_by_subtopic = {}
    for code in sorted(analysed, key=_natural):
        ranked = rank_terms(table, code, per_subtopic, min_documents)
        if ranked:
            ranked_by_subtopic[code] = tuple(concern_of(key, code) for key in ranked)
    return ConcernReport(
        documents=MappingProxyType({code: analysed[code] for code in sorted(analysed, key=_natural)}),
        by_subtopic=MappingProxyType(ranked_by_subtopic),
        overall=tuple(concern_of(key, None) for key in rank_terms(table, None, overall, min_documents)),
        table=table,
    )


def rank_terms(table, subtopic_code=None, limit=PER_SUBTOPIC, min_documents=MIN_DOCUMENTS):
    """Return the keys of the ``limit`` most recurring terms of a TermTable in a sub-topic (or over all).

    By number of texts, then occurrences, phrases first, then label and key: never by chance.
    """
    candidates = []
    for key, row in table.rows():
        texts, occurrences = _row_totals(row, subtopic_code)
        if texts >= min_documents:
            label = _row_label(row)
            candidates.append(((-texts, -occurrences, not row[0], strip_accents(label), label, key), key))
    candidates.sort()
    return [key for _, key in candidates[:limit]]


def _choose_quotes(documents, postings, limit):
    """Return up to ``limit`` quotes from distinct sources: most supported first, then in canonical order."""
    chosen = []
    seen_sources = set()
    seen_texts = set()
    candidates = sorted(postings, key=lambda posting: (-documents[posting[0]].weight, posting[0]))
    for index, start, end in candidates[:QUOTE_CANDIDATES]:
        source = documents[index].source
        if source in seen_sources:
            continue
        excerpt = _excerpt(documents[index].text, start, end)
        # The same words from two citizens make one quote, not two.
        folded = strip_accents(excerpt)
        if folded not in seen_texts:
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
    """Return the ConcernReport of a DepartmentInput (options as for :func:`find_concerns`)."""
    return find_concerns(department_documents(department), **options)


def combine_reports(reports, *, per_subtopic=PER_SUBTOPIC, overall=OVERALL, quotes=QUOTES,
                    min_documents=MIN_DOCUMENTS):
    """Return the ConcernReport of a larger scope (a region, the nation) from its parts' reports.

    ``reports`` are (SourceRef, ConcernReport) pairs, one per part (a department). Term tables
    and analysed texts are added up, not re-read; a concern's ``documents`` is the number of texts
    over all parts, its ``sources`` the parts where it occurs, and its quotes are taken in turn
    from the parts that mention it most (their own quotes), so that one department cannot fill
    them all. Phrases are those each part found: a pair kept in one department and not in
    another is counted as a phrase where it was kept and as its words elsewhere.
    """
    reports = sorted(reports, key=lambda item: (item[0].kind, _natural(item[0].key)))
    documents = defaultdict(int)
    # Flat dictionaries keyed by tuples: a hundred tables of thousands of rows go through here.
    forms = {}
    texts = {}
    occurrences = {}
    phrases = set()
    for _, report in reports:
        for code, number in report.documents.items():
            documents[code] += number
        for key, (phrase, key_forms, counts) in report.table.rows():
            if phrase:
                phrases.add(key)
            for form, number in zip(key_forms[::2], key_forms[1::2]):
                slot = (key, form)
                forms[slot] = forms.get(slot, 0) + number
            for code, number, times in zip(counts[::3], counts[1::3], counts[2::3]):
                slot = (key, code)
                texts[slot] = texts.get(slot, 0) + number
                occurrences[slot] = occurrences.get(slot, 0) + times
    forms_by_key = defaultdict(dict)
    for (key, form), number in forms.items():
        forms_by_key[key][form] = number
    counts_by_key = defaultdict(dict)
    for slot, number in texts.items():
        counts_by_key[slot[0]][slot[1]] = (number, occurrences[slot])
    table = TermTable((key, _row(key in phrases, forms_by_key[key], counts_by_key[key]))
                      for key in sorted(counts_by_key))

    def concern_of(key, subtopic_code):
        row = table.row(key)
        texts, occurrences = _row_totals(row, subtopic_code)
        # The parts mentioning the term, most texts first: their quotes come in that order.
        present = []
        for source, report in reports:
            part = report.table.row(key)
            if part is not None:
                part_texts = _row_totals(part, subtopic_code)[0]
                if part_texts:
                    present.append((-part_texts, source, report))
        present.sort(key=lambda item: (item[0], item[1].kind, _natural(item[1].key)))
        candidates = [_part_quotes(report, key, subtopic_code) for _, _, report in present]
        return Concern(
            key=key, label=_row_label(row), is_phrase=row[0], subtopic_code=subtopic_code,
            documents=texts, occurrences=occurrences,
            sources=tuple(sorted((source for _, source, _ in present), key=lambda ref: (ref.kind, _natural(ref.key)))),
            quotes=_quotes_in_turn(candidates, quotes),
        )

    ranked_by_subtopic = {}
    if per_subtopic:
        for code in sorted(documents, key=_natural):
            ranked = rank_terms(table, code, per_subtopic, min_documents)
            if ranked:
                ranked_by_subtopic[code] = tuple(concern_of(key, code) for key in ranked)
    return ConcernReport(
        documents=MappingProxyType({code: documents[code] for code in sorted(documents, key=_natural)}),
        by_subtopic=MappingProxyType(ranked_by_subtopic),
        overall=tuple(concern_of(key, None) for key in rank_terms(table, None, overall, min_documents)),
        table=table,
    )


def _part_quotes(report, key, subtopic_code):
    """Return the quotes a part's report keeps for a term: in that sub-topic, or anywhere for all."""
    if subtopic_code is not None:
        ranked = report.by_subtopic.get(subtopic_code, ())
    else:
        ranked = (*report.overall, *(concern for code in report.by_subtopic for concern in report.by_subtopic[code]))
    found = next((concern for concern in ranked if concern.key == key), None)
    return found.quotes if found else ()


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
