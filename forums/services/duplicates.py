"""Finding questions already asked: exact and near duplicates within a department.

In the 2019 national debate more than half of the open texts were duplicates or under ten words.
Exact duplicates share a fingerprint (same words, whatever accents, case and punctuation); near
duplicates share most of their French terms (Jaccard similarity of the term sets). Candidates come
from the similarity index (``services.similarity_index``); the rule below decides.
"""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from synthesis import french

from ..extensions import db
from ..models import Question, QuestionStatus
from . import similarity_index

#: Below this many words a question is "very short": the citizen is asked to confirm it.
SHORT_TEXT_WORDS = 10
#: Share of terms two texts must have in common to be near duplicates.
NEAR_DUPLICATE_SIMILARITY = 0.75
#: Texts with fewer distinct terms than this only match when their terms are identical.
MIN_TERMS_FOR_NEAR = 4
#: Candidates of each question whose texts likely_originals reads first, exact repeats and others each.
ORIGINAL_PROBES = 8


def is_short(text):
    """Tell whether ``text`` is too short to say much (fewer than SHORT_TEXT_WORDS words)."""
    return french.word_count(text) < SHORT_TEXT_WORDS


def similarity(terms_a, terms_b):
    """Return the Jaccard similarity of two term sets (0 to 1)."""
    if not terms_a or not terms_b:
        return 0.0
    common = len(terms_a & terms_b)
    return common / (len(terms_a) + len(terms_b) - common)


def _near(terms_a, terms_b):
    if min(len(terms_a), len(terms_b)) < MIN_TERMS_FOR_NEAR:
        return bool(terms_a) and terms_a == terms_b
    return similarity(terms_a, terms_b) >= NEAR_DUPLICATE_SIMILARITY


def similar_questions(department_code, consultation_id, terms, fingerprint=None,
                      statuses=(QuestionStatus.PUBLISHED,), before=None):
    """Return ids of the department's questions that repeat a text: exact repeats first, then near ones.

    ``terms`` are the text's terms, ``fingerprint`` its fingerprint (None: near repeats only);
    only questions whose status is among ``statuses`` count, and with ``before`` (a question)
    only those submitted earlier. Oldest first within each kind. The similarity index gives the
    few candidates; the department is never loaded.
    """
    probe = _Probe(frozenset(terms), fingerprint, before)
    return _similar(department_code, consultation_id, [probe], statuses)[probe]


@dataclass(frozen=True, eq=False)
class _Probe:
    """A text looked for: its terms, its fingerprint, and the question the matches must be earlier than."""

    terms: frozenset
    fingerprint: str | None
    before: Question | None = None


def _similar(department_code, consultation_id, probes, statuses):
    """Return {probe: matching ids, exact first then near, oldest first} for probes of one department."""
    return {probe: [row.id for row in rows]
            for probe, rows in _matching(department_code, consultation_id, probes, statuses).items()}


def _matching(department_code, consultation_id, probes, statuses, min_shared=1):
    """Return {probe: rows of the matching questions, exact first then near, oldest first}."""
    keys = {probe: similarity_index.question_keys(consultation_id, department_code, probe.terms, probe.fingerprint)
            for probe in probes}
    found, rows = similarity_index.candidates(keys, statuses, min_shared)
    matches = {}
    for probe in probes:
        rows_found = sorted((rows[question_id] for question_id in found[probe]), key=_age)
        if probe.before is not None:
            limit = (probe.before.submitted_at, probe.before.id)
            rows_found = [row for row in rows_found if _age(row) < limit]
        exact = [row for row in rows_found if probe.fingerprint and row.fingerprint == probe.fingerprint]
        exact_ids = {row.id for row in exact}
        near = [row for row in rows_found
                if row.id not in exact_ids and _near(probe.terms, set(row.search_text.split()))]
        matches[probe] = exact + near
    return matches


def _age(row):
    return (row.submitted_at, row.id)


def published_duplicates(department_code, consultation_id, text, limit=3, fingerprint=None, terms=None):
    """Return published questions of the department that ``text`` repeats: what a citizen may support instead.

    ``fingerprint`` and ``terms`` are the text's, when the caller already has them.
    """
    ids = similar_questions(department_code, consultation_id, french.terms(text) if terms is None else terms,
                            fingerprint or french.fingerprint(text))[:limit]
    if not ids:
        return []
    found = {q.id: q for q in db.session.scalars(
        select(Question).where(Question.id.in_(ids)).options(selectinload(Question.subtopic))
    )}
    return [found[question_id] for question_id in ids]


def likely_originals(questions):
    """Return {question id: the earlier question it most likely repeats} for questions awaiting moderation.

    The original is an earlier question of the same department and consultation, published or
    still pending, never a rejected or merged one: the oldest exact repeat, else the oldest near
    one. Candidates are read oldest first, with their times only, the ORIGINAL_PROBES oldest holders
    of each key; texts are read for the first ORIGINAL_PROBES of each question, then, for those
    that found none among them, every candidate is read. In a big cluster of repeats the oldest
    one answers at once.
    """
    statuses = [QuestionStatus.PUBLISHED, QuestionStatus.PENDING]
    groups = {}
    for question in questions:
        groups.setdefault((question.department_code, question.consultation_id), []).append(question)
    originals = {}
    for (department_code, consultation_id), members in groups.items():
        probes = [_OriginalProbe.of(question) for question in members]
        until = max(question.submitted_at for question in members)
        holders = _holders(probes, consultation_id, department_code, statuses, until, ORIGINAL_PROBES)
        for probe in probes:
            probe.take(*holders)
        texts = {}
        # Two rounds at most: the first candidates of every question, then all those of the undecided.
        for window in (ORIGINAL_PROBES, None):
            undecided = [probe for probe in probes if not probe.decided]
            if window is None and any(probe.truncated for probe in undecided):
                holders = _holders(undecided, consultation_id, department_code, statuses, until)
                for probe in undecided:
                    probe.take(*holders)
            wanted = {question_id for probe in undecided for question_id in probe.to_read(window)} - set(texts)
            if wanted:
                texts.update((row.id, row) for row in db.session.execute(
                    select(Question.id, Question.fingerprint, Question.search_text)
                    .where(similarity_index.among(Question.id, wanted))))
            for probe in undecided:
                probe.decide(texts, complete=window is None)
        originals.update((probe.question_id, probe.original) for probe in probes if probe.original is not None)
    if not originals:
        return {}
    loaded = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(set(originals.values()))))}
    return {question_id: loaded[original_id] for question_id, original_id in originals.items()}


def _holders(probes, consultation_id, department_code, statuses, until, per_key=None):
    """Return ({key: [(submitted_at, id)]}, {key: age of its last holder read}) for the probes' keys.

    With ``per_key``, only the oldest holders of each key are read; the second dict names the keys
    that may hold more, with the age up to which their holders are all known.
    """
    holders = {}
    for key, question_id, submitted_at in similarity_index.earlier_holders(
            list({key for probe in probes for key in probe.keys}), consultation_id, department_code, statuses,
            until, per_key):
        holders.setdefault(key, []).append((submitted_at, question_id))
    capped = {}
    if per_key is not None:
        capped = {key: max(ages) for key, ages in holders.items() if len(ages) >= per_key}
    return holders, capped


#: Index keys a candidate must share with a text for ``repeats``. Leaving out the candidates that
#: share a single band halves them on the bench; it misses about 3 % of the texts exactly at the
#: near-duplicate threshold (two texts share a band with probability 0.75³), far fewer above it.
REPEATS_MIN_SHARED_KEYS = 2


def repeats(questions, statuses):
    """Return {question id: rows of the other questions it repeats, exact first then near, oldest first}.

    Earlier or later alike; only questions whose status is among ``statuses`` count. Rows carry id,
    fingerprint, search_text, submitted_at and status. Two statements per department and
    consultation, whatever the number of ``questions``. Meant for grouping, where a rare near
    repeat missed costs a decision, not a duplicate published: see REPEATS_MIN_SHARED_KEYS.
    """
    found = {}
    groups = {}
    for question in questions:
        groups.setdefault((question.department_code, question.consultation_id), []).append(question)
    for (department_code, consultation_id), members in groups.items():
        probes = {question.id: _Probe(frozenset(question.search_text.split()), question.fingerprint)
                  for question in members}
        matches = _matching(department_code, consultation_id, list(probes.values()), statuses,
                            REPEATS_MIN_SHARED_KEYS)
        for question_id, probe in probes.items():
            found[question_id] = [row for row in matches[probe] if row.id != question_id]
    return found


class _OriginalProbe:
    """A question looking for its original: its keys, then its earlier candidates oldest first, then the answer."""

    def __init__(self, question, keys, fingerprint_key):
        self.question_id = question.id
        self.limit = (question.submitted_at, question.id)
        self.terms = frozenset(question.search_text.split())
        self.fingerprint = question.fingerprint
        self.keys = keys
        self.fingerprint_key = fingerprint_key
        self.decided = False
        self.original = None
        self.truncated = False
        self.exact_known = True

    @classmethod
    def of(cls, question):
        """Return the probe of a question, with the keys of its text in the similarity index."""
        keys = similarity_index.question_keys(question.consultation_id, question.department_code,
                                              question.search_text.split(), question.fingerprint)
        fingerprint_key = keys[-1] if question.fingerprint else None
        return cls(question, set(keys), fingerprint_key)

    def take(self, holders, capped):
        """Keep the earlier holders of this probe's keys (``holders``: {key: [(submitted_at, id)]}), oldest first.

        Those of its fingerprint apart: they are the exact repeats, but for a collision. ``capped``
        gives, for keys whose oldest holders only were read, the age up to which all are known:
        candidates past the earliest of these ages are left for the second round, so that the ones
        kept are exactly the oldest ones.
        """
        horizon = min((capped[key] for key in self.keys if key in capped), default=None)
        # Truncated: holders of some key earlier than this question may not have been read.
        self.truncated = horizon is not None and horizon < self.limit
        self.exact_known = self.fingerprint_key not in capped or capped[self.fingerprint_key] >= self.limit
        ages, exact = {}, {}
        for key in self.keys:
            for age in holders.get(key, ()):
                if age < self.limit:
                    if key == self.fingerprint_key:
                        exact[age[1]] = age
                    if not self.truncated or age <= horizon:
                        ages[age[1]] = age
        self.exact = sorted(exact, key=exact.get)
        self.candidates = sorted(ages, key=ages.get)

    def to_read(self, window):
        """Return the ids whose texts the decision needs, the first ``window`` of each kind (None: all)."""
        return self.exact[:window] + self.candidates[:window]

    def decide(self, texts, complete):
        """Decide from the texts read, when they suffice (``complete``: every candidate's text was read)."""
        exact = [question_id for question_id in self.exact if question_id in texts]
        found = next((question_id for question_id in exact if texts[question_id].fingerprint == self.fingerprint),
                     None)
        if found is None and not complete and (len(exact) < len(self.exact) or not self.exact_known):
            # An older exact repeat may be among those not read yet.
            return
        if found is None:
            for question_id in self.candidates:
                if question_id not in texts:
                    if not complete:
                        return
                    continue
                if _near(self.terms, set(texts[question_id].search_text.split())):
                    found = question_id
                    break
            if found is None and not complete and self.truncated:
                # An older near repeat may be among the holders not read yet.
                return
        self.decided, self.original = True, found
