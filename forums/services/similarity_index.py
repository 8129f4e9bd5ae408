"""The similarity index: which questions of a department may repeat a text, without loading the department.

Each question is stored under a few keys (``question_similarity_keys``): its fingerprint, and the
bands of a MinHash signature of its terms (locality-sensitive hashing). Two term sets with Jaccard
similarity s share a given band with probability s³: texts at the near-duplicate threshold (0.75)
share at least one of the ten bands 99.6 % of the time, identical term sets always, texts sharing
a third of their terms seldom. Every key mixes the consultation and the department, so a lookup
touches only that department's rows, whatever the size of the nation. The index gives candidates;
``services.duplicates`` applies the exact rule to them.

Hashes are BLAKE2 digests, never Python's ``hash()``: keys are the same in every process and release.
The index follows the ORM: a flush that adds a question or changes its terms or fingerprint rewrites
its keys. Bulk writers (the bench seed, migrations) call ``question_keys`` themselves. Texts blanked
by the personal-data purge keep stale keys: a key never decides, the current text does.
"""
from functools import lru_cache
from hashlib import blake2b

from sqlalchemy import delete, event, inspect, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Question, QuestionSimilarityKey

#: Signature = BANDS bands of ROWS minimum hashes each.
BANDS = 10
ROWS = 3
_PRIME = (1 << 61) - 1
#: Changing these, or how keys are hashed, requires rebuilding the index (see the migration).
_WATCHED = ("search_text", "fingerprint", "department_code", "consultation_id")


def _number(label, modulo):
    return int.from_bytes(blake2b(label.encode(), digest_size=8).digest(), "big") % modulo


#: The hash functions h(x) = (a·x + b) mod p of the signature, drawn once and for all from fixed labels.
_PERMUTATIONS = tuple((1 + _number(f"minhash-a-{i}", _PRIME - 1), _number(f"minhash-b-{i}", _PRIME))
                      for i in range(BANDS * ROWS))


@lru_cache(maxsize=65536)
def _term_hash(term):
    return int.from_bytes(blake2b(term.encode(), digest_size=8).digest(), "big")


def signature(terms):
    """Return the MinHash signature of a set of terms (a tuple of BANDS × ROWS numbers); () when empty.

    The signature of a union is the element-wise minimum of the signatures of its parts.
    """
    hashes = [_term_hash(term) for term in set(terms)]
    if not hashes:
        return ()
    return tuple(min((a * h + b) % _PRIME for h in hashes) for a, b in _PERMUTATIONS)


def _key(label):
    return int.from_bytes(blake2b(label.encode(), digest_size=8).digest(), "big", signed=True)


def band_keys(consultation_id, department_code, signature_):
    """Return the keys of the bands of ``signature_`` in the department's index (none for no terms)."""
    return [_key(f"{consultation_id}|{department_code}|{band}|"
                 + ",".join(map(str, signature_[band * ROWS:(band + 1) * ROWS])))
            for band in range(BANDS if signature_ else 0)]


def fingerprint_key(consultation_id, department_code, fingerprint):
    """Return the key under which questions with this fingerprint are found in the department."""
    return _key(f"{consultation_id}|{department_code}|fingerprint|{fingerprint}")


def question_keys(consultation_id, department_code, terms, fingerprint):
    """Return every key of a question with these terms and fingerprint."""
    return band_keys(consultation_id, department_code, signature(terms)) + [
        fingerprint_key(consultation_id, department_code, fingerprint)]


def candidates(keys_by_probe, statuses):
    """Return ({probe: set of question ids}, {question id: row}) for the questions sharing a key of each probe.

    ``keys_by_probe`` maps any hashable to keys. Rows carry id, fingerprint, search_text and
    submitted_at, for questions whose status is among ``statuses``. Two statements, whatever
    the number of probes; rows are the candidates only.
    """
    wanted = {key for keys in keys_by_probe.values() for key in keys}
    if not wanted:
        return {probe: set() for probe in keys_by_probe}, {}
    holders = {}
    for key, question_id in db.session.execute(
            select(QuestionSimilarityKey.key, QuestionSimilarityKey.question_id)
            .where(QuestionSimilarityKey.key.in_(wanted))):
        holders.setdefault(key, set()).add(question_id)
    ids = set().union(*holders.values()) if holders else set()
    rows = {}
    if ids:
        rows = {row.id: row for row in db.session.execute(
            select(Question.id, Question.fingerprint, Question.search_text, Question.submitted_at)
            .where(Question.id.in_(ids), Question.status.in_(statuses)))}
    found = {probe: {question_id for key in keys for question_id in holders.get(key, ())
                     if question_id in rows}
             for probe, keys in keys_by_probe.items()}
    return found, rows


def _keys_of(question):
    return question_keys(question.consultation_id, question.department_code, (question.search_text or "").split(),
                         question.fingerprint)


@event.listens_for(Session, "after_flush")
def _reindex_flushed_questions(session, flush_context):
    """Rewrite the keys of questions added, or whose words changed, in this flush."""
    changed = [obj for obj in session.new if isinstance(obj, Question)]
    changed += [obj for obj in session.dirty if isinstance(obj, Question)
                and any(inspect(obj).attrs[name].history.has_changes() for name in _WATCHED)]
    if not changed:
        return
    connection = session.connection()
    stale = [question.id for question in changed if question not in session.new]
    if stale:
        connection.execute(delete(QuestionSimilarityKey).where(QuestionSimilarityKey.question_id.in_(stale)))
    connection.execute(QuestionSimilarityKey.__table__.insert(), [
        {"key": key, "question_id": question.id} for question in changed for key in _keys_of(question)])
