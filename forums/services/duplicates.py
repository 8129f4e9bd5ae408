"""Finding questions already asked: exact and near duplicates within a department.

In the 2019 national debate more than half of the open texts were duplicates or under ten words.
Exact duplicates share a fingerprint (same words, whatever accents, case and punctuation); near
duplicates share most of their French terms (Jaccard similarity of the term sets).
"""
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from synthesis import french

from ..extensions import db
from ..models import Question, QuestionStatus

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


def _candidates(department_code, consultation_id, statuses):
    # Only the columns needed: a department holds thousands of questions.
    return db.session.execute(
        select(Question.id, Question.fingerprint, Question.search_text, Question.submitted_at)
        .where(Question.department_code == department_code, Question.consultation_id == consultation_id,
               Question.status.in_(statuses))
        .order_by(Question.submitted_at, Question.id)
    ).all()


def _matches(text_fingerprint, terms, candidates, postings, exclude_ids=()):
    """Return candidate ids matching (exact first, then near), oldest first within each kind."""
    exact = [row.id for row in candidates if row.fingerprint == text_fingerprint and row.id not in exclude_ids]
    overlap = Counter(question_id for term in terms for question_id in postings.get(term, ()))
    near = [
        row.id for row in candidates
        if row.id in overlap and row.id not in exclude_ids and row.id not in exact
        and _near(terms, set(row.search_text.split()))
    ]
    return exact + near


def _postings(candidates):
    postings = {}
    for row in candidates:
        for term in set(row.search_text.split()):
            postings.setdefault(term, []).append(row.id)
    return postings


def published_duplicates(department_code, consultation_id, text, limit=3):
    """Return published questions of the department that ``text`` repeats: what a citizen may support instead."""
    candidates = _candidates(department_code, consultation_id, [QuestionStatus.PUBLISHED])
    ids = _matches(french.fingerprint(text), set(french.terms(text)), candidates, _postings(candidates))[:limit]
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
        candidates = _candidates(department_code, consultation_id, [QuestionStatus.PUBLISHED, QuestionStatus.PENDING])
        postings = _postings(candidates)
        for question in members:
            not_earlier = {
                row.id for row in candidates
                if (row.submitted_at, row.id) >= (question.submitted_at, question.id)
            }
            ids = _matches(question.fingerprint, set(question.search_text.split()), candidates, postings,
                           exclude_ids=not_earlier | {question.id})
            if ids:
                originals[question.id] = ids[0]
    if not originals:
        return {}
    loaded = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(set(originals.values()))))}
    return {question_id: loaded[original_id] for question_id, original_id in originals.items()}
