"""The similarity index: which questions of a department may repeat a text, without loading the department.

Each question is stored under a few keys (``question_similarity_keys``): its fingerprint, and the
bands of a MinHash signature of its terms (locality-sensitive hashing). Two term sets with Jaccard
similarity s share a given band with probability s³: texts at the near-duplicate threshold (0.75)
share at least one of the ten bands 99.6 % of the time, identical term sets always, texts sharing
a third of their terms seldom. Every key mixes the consultation and the department, so a lookup
touches only that department's rows, whatever the size of the nation. The index gives candidates;
``services.duplicates`` applies the exact rule to them.

Signatures are MinHash with a fixed seed, computed exactly as datasketch's ``MinHash`` does (SHA-1
of each term, universal hashing modulo the Mersenne prime 2⁶¹ − 1, seeded ``RandomState``
permutations); importing datasketch would cost each server process 64 MB (it loads SciPy) for
these few lines. Keys are BLAKE2 digests and splitmix64 mixes of them, never Python's ``hash()``:
the same in every process and release.
The index follows the ORM: a flush that adds a question or changes its terms or fingerprint rewrites
its keys. Bulk writers (the bench seed, migrations) call ``question_keys`` themselves. Texts blanked
by the personal-data purge keep stale keys: a key never decides, the current text does.
"""
from collections import Counter
from functools import lru_cache
from hashlib import blake2b, sha1

import numpy as np
from sqlalchemy import String, bindparam, cast, delete, event, func, inspect, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Question, QuestionSimilarityKey

#: Signature = BANDS bands of ROWS minimum hashes each.
BANDS = 10
ROWS = 3
#: Changing these, the seed or how keys are hashed requires rebuilding the index (see the migration).
_SEED = 20261207
_MERSENNE_PRIME = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)


def _permutations(count, seed):
    # Drawn in datasketch's order: (a, b) per permutation, a ≥ 1.
    generator = np.random.RandomState(seed)
    pairs = [(generator.randint(1, _MERSENNE_PRIME, dtype=np.uint64),
              generator.randint(0, _MERSENNE_PRIME, dtype=np.uint64)) for _ in range(count)]
    return np.array(pairs, dtype=np.uint64).T


_PERMUTATIONS = _permutations(BANDS * ROWS, _SEED)
_BAND_SALTS = np.array([int.from_bytes(blake2b(f"band-{band}".encode(), digest_size=8).digest(), "big")
                        for band in range(BANDS)], dtype=np.uint64)
_WATCHED = ("search_text", "fingerprint", "department_code", "consultation_id")


@lru_cache(maxsize=65536)
def _term_signature(term):
    hashed = np.uint64(int.from_bytes(sha1(term.encode()).digest()[:4], "little"))
    a, b = _PERMUTATIONS
    values = np.bitwise_and((a * hashed + b) % _MERSENNE_PRIME, _MAX_HASH)
    values.flags.writeable = False
    return values


def signature(terms):
    """Return the MinHash signature of a set of terms (BANDS × ROWS numbers), or None when there are none.

    The signature of a union is the element-wise minimum of the signatures of its parts.
    """
    parts = [_term_signature(term) for term in set(terms)]
    return np.minimum.reduce(parts) if parts else None


def _mix(values):
    """Return splitmix64's finalizer of unsigned 64-bit values: every input bit moves every output bit."""
    values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def _salt(consultation_id, department_code):
    return int.from_bytes(blake2b(f"{consultation_id}|{department_code}".encode(), digest_size=8).digest(), "big")


def band_keys(consultation_id, department_code, signatures):
    """Return the keys of the bands of ``signatures`` (an array of N signatures) in the department's index.

    One row of BANDS keys per signature, as signed 64-bit numbers.
    """
    bands = np.asarray(signatures, dtype=np.uint64).reshape(-1, BANDS, ROWS)
    keys = np.uint64(_salt(consultation_id, department_code)) ^ _BAND_SALTS[np.newaxis, :]
    for row in range(ROWS):
        keys = _mix(keys ^ bands[:, :, row])
    return keys.view(np.int64)


def _key(label):
    return int.from_bytes(blake2b(label.encode(), digest_size=8).digest(), "big", signed=True)


def fingerprint_key(consultation_id, department_code, fingerprint):
    """Return the key under which questions with this fingerprint are found in the department."""
    return _key(f"{consultation_id}|{department_code}|fingerprint|{fingerprint}")


def question_keys(consultation_id, department_code, terms, fingerprint):
    """Return every key of a text with these terms and fingerprint (None: its bands only), as plain numbers."""
    found = signature(terms)
    bands = [] if found is None else band_keys(consultation_id, department_code, found)[0].tolist()
    return bands + ([fingerprint_key(consultation_id, department_code, fingerprint)] if fingerprint else [])


def candidates(keys_by_probe, statuses, min_shared=1):
    """Return ({probe: set of question ids}, {question id: row}) for the questions sharing keys with each probe.

    ``keys_by_probe`` maps any hashable to keys; a question is a candidate of a probe when it shares
    at least ``min_shared`` of them. Rows carry id, fingerprint, search_text, submitted_at and
    status, for questions whose status is among ``statuses``. One statement, whatever the number
    of probes; rows are the candidates only.
    """
    wanted = {key for keys in keys_by_probe.values() for key in keys}
    if not wanted:
        return {probe: set() for probe in keys_by_probe}, {}
    # One row per candidate with the keys it holds, not one per key held: a templated text shares
    # most of its keys with thousands of others, and each of those rows would carry the whole text.
    # Counted on the keys alone, before any question is read: a candidate sharing fewer keys with
    # all the probes together shares fewer with each.
    held = (select(QuestionSimilarityKey.question_id,
                   func.aggregate_strings(cast(QuestionSimilarityKey.key, String), ",").label("held"))
            .where(among(QuestionSimilarityKey.key, wanted))
            .group_by(QuestionSimilarityKey.question_id).having(func.count() >= min_shared).subquery())
    holders = {}
    rows = {}
    for row in db.session.execute(
            select(Question.id, Question.fingerprint, Question.search_text, Question.submitted_at, Question.status,
                   held.c.held)
            .join(held, held.c.question_id == Question.id).where(Question.status.in_(statuses))):
        for key in row.held.split(","):
            holders.setdefault(int(key), set()).add(row.id)
        rows[row.id] = row
    shared = {probe: Counter(question_id for key in keys for question_id in holders.get(key, ()))
              for probe, keys in keys_by_probe.items()}
    found = {probe: {question_id for question_id, count in counts.items() if count >= min_shared}
             for probe, counts in shared.items()}
    rows = {question_id: rows[question_id] for question_id in set().union(*found.values())}
    return found, rows


def among(column, values):
    """Return ``column IN values``; on PostgreSQL as one array parameter.

    Candidates run to thousands of ids: thousands of bind parameters cost PostgreSQL more to parse
    and plan than the lookup itself (four times more for the Nord at 1,000,000 questions).
    """
    if db.session.get_bind().dialect.name == "postgresql":
        return column == func.any(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def earlier_holders(keys, consultation_id, department_code, statuses, until, per_key=None):
    """Return (key, question id, submitted_at) of the department's questions holding one of ``keys``.

    Only questions whose status is among ``statuses``, submitted at ``until`` or before; with
    ``per_key``, only the ``per_key`` oldest holders of each key. One statement; the holders'
    submission times come from the department's index of questions
    (``ix_questions_department_submitted``), the rows themselves are not read: the earliest
    questions of a department are few, and the queue is worked oldest first.
    """
    if not keys:
        return []
    holders = (
        select(QuestionSimilarityKey.key, Question.id, Question.submitted_at)
        .join(Question, Question.id == QuestionSimilarityKey.question_id)
        .where(among(QuestionSimilarityKey.key, keys), Question.consultation_id == consultation_id,
               Question.department_code == department_code, Question.status.in_(statuses),
               Question.submitted_at <= until)
    )
    if per_key is not None:
        # A templated text's keys are held by thousands of earlier questions: the oldest answer.
        ranked = holders.add_columns(func.row_number().over(
            partition_by=QuestionSimilarityKey.key, order_by=(Question.submitted_at, Question.id)).label("rank")
        ).subquery()
        holders = select(ranked.c.key, ranked.c.id, ranked.c.submitted_at).where(ranked.c.rank <= per_key)
    # Plain rows, through the connection: the ORM's result machinery would cost more than the query.
    return db.session.connection().execute(holders).all()


def index_rows(questions):
    """Return the rows of ``question_similarity_keys`` for questions (or rows with their columns), in bulk.

    Each needs id, consultation_id, department_code, search_text and fingerprint.
    """
    rows = []
    groups = {}
    for question in questions:
        groups.setdefault((question.consultation_id, question.department_code), []).append(question)
    for (consultation_id, department_code), members in groups.items():
        signatures = [signature((question.search_text or "").split()) for question in members]
        indexed = [found for found in signatures if found is not None]
        bands = iter(band_keys(consultation_id, department_code, np.stack(indexed)).tolist() if indexed else ())
        for question, found in zip(members, signatures):
            keys = next(bands) if found is not None else []
            if question.fingerprint:
                keys.append(fingerprint_key(consultation_id, department_code, question.fingerprint))
            rows += [{"key": key, "question_id": question.id} for key in keys]
    return rows


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
    connection.execute(QuestionSimilarityKey.__table__.insert(), index_rows(changed))
