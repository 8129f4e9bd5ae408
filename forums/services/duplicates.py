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
    keys = {probe: similarity_index.question_keys(consultation_id, department_code, probe.terms, probe.fingerprint)
            for probe in probes}
    found, rows = similarity_index.candidates(keys, statuses)
    matches = {}
    for probe in probes:
        rows_found = sorted((rows[question_id] for question_id in found[probe]), key=_age)
        if probe.before is not None:
            limit = (probe.before.submitted_at, probe.before.id)
            rows_found = [row for row in rows_found if _age(row) < limit]
        exact = [row.id for row in rows_found if probe.fingerprint and row.fingerprint == probe.fingerprint]
        near = [row.id for row in rows_found
                if row.id not in exact and _near(probe.terms, set(row.search_text.split()))]
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
    still pending, never a rejected or merged one.
    """
    originals = {}
    groups = {}
    for question in questions:
        groups.setdefault((question.department_code, question.consultation_id), []).append(question)
    for (department_code, consultation_id), members in groups.items():
        probes = {question.id: _Probe(frozenset(question.search_text.split()), question.fingerprint, question)
                  for question in members}
        matches = _similar(department_code, consultation_id, list(probes.values()),
                           [QuestionStatus.PUBLISHED, QuestionStatus.PENDING])
        for question_id, probe in probes.items():
            if matches[probe]:
                originals[question_id] = matches[probe][0]
    if not originals:
        return {}
    loaded = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(set(originals.values()))))}
    return {question_id: loaded[original_id] for question_id, original_id in originals.items()}
