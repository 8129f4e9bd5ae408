"""Duplicate detection answers from the similarity index, whatever the size of the department."""
import hashlib
import random
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import event, select

from forums.models import Question, QuestionCounter, QuestionSimilarityKey, QuestionStatus, Role
from forums.services import duplicates, moderation
from forums.services.questions import QuestionData, submit_question
from forums.services import similarity_index
from forums.services.similarity_index import question_keys
from synthesis import french

NOW = datetime(2009, 4, 1, 12, 0, tzinfo=UTC)
ASKED = "Que fait la police contre les cambriolages répétés dans le quartier de la gare le samedi soir ?"
#: Same terms but one more: Jaccard 7/8 with ASKED.
NEAR = "Que fait la police contre les cambriolages répétés dans le quartier de la gare le samedi soir tard ?"


@contextmanager
def rows_fetched(db):
    """Record, per statement the session runs, the number of rows it returned."""
    counts = []

    def count(state):
        frozen = state.invoke_statement().freeze()
        counts.append(len(frozen().all()))
        return frozen()

    event.listen(db.session, "do_orm_execute", count)
    try:
        yield counts
    finally:
        event.remove(db.session, "do_orm_execute", count)


def _seed_department(db, subtopic, count, department="13"):
    """Write ``count`` published questions of made-up words, with their keys, in bulk.

    Their terms are their words (no stemming: it would take longer than the rest).
    """
    rng = random.Random(4)
    syllables = ["ba", "do", "ki", "lu", "mer", "nor", "pa", "ri", "so", "tu", "vel", "zo", "cra", "fli", "gon"]
    consultation_id = subtopic.part.theme.consultation_id
    questions, signatures = [], []
    for n in range(1, count + 1):
        words = ["".join(rng.choices(syllables, k=3)) for _ in range(9)]
        text = " ".join(words)
        questions.append({
            "id": n, "consultation_id": consultation_id, "department_code": department,
            "theme_id": subtopic.part.theme_id, "subtopic_id": subtopic.id, "reference": f"{department}-B{n:06d}",
            "text": text, "public_text": text, "search_text": text,
            "fingerprint": hashlib.sha256(text.encode()).hexdigest(),
            "status": QuestionStatus.PUBLISHED, "rejection_note": "", "support_count": 0, "answer_text": "",
            "followup_token_hash": hashlib.sha256(f"bulk-{n}".encode()).hexdigest(),
            "submitted_at": NOW - timedelta(days=30, seconds=n), "updated_at": NOW,
        })
        signatures.append(similarity_index.signature(words))
    bands = similarity_index.band_keys(consultation_id, department, np.stack(signatures)).tolist()
    keys = [{"key": key, "question_id": row["id"]}
            for row, row_bands in zip(questions, bands)
            for key in row_bands + [similarity_index.fingerprint_key(consultation_id, department, row["fingerprint"])]]
    connection = db.session.connection()
    connection.execute(Question.__table__.insert(), questions)
    connection.execute(QuestionSimilarityKey.__table__.insert(), keys)
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SELECT setval(pg_get_serial_sequence('questions', 'id'), "
                                   "(SELECT max(id) FROM questions))")
    db.session.commit()


def test_duplicate_detection_answers_on_a_department_of_50000_questions_without_loading_them(
        db, subtopics, create_question):
    subtopic = subtopics["1.A.1"]
    _seed_department(db, subtopic, 50_000)
    consultation_id = subtopic.part.theme.consultation_id
    exact = create_question(ASKED, status=QuestionStatus.PUBLISHED, submitted_at=NOW - timedelta(days=2))
    near = create_question(NEAR, status=QuestionStatus.PUBLISHED, submitted_at=NOW - timedelta(days=3))
    create_question(ASKED, status=QuestionStatus.REJECTED, submitted_at=NOW - timedelta(days=4))
    pending = create_question(ASKED, submitted_at=NOW - timedelta(days=1))
    db.session.expire_all()

    with rows_fetched(db) as counts:
        found = duplicates.published_duplicates("13", consultation_id, ASKED)
    assert [q.id for q in found] == [exact.id, near.id], "the exact repeat first, then the near one"
    assert len(counts) == 3, "candidates by their keys, the questions shown and their sub-topics"
    assert sum(counts) < 100, f"{counts} rows fetched from a department of 50,000 questions"

    with rows_fetched(db) as counts:
        originals = duplicates.likely_originals([pending])
    assert originals == {pending.id: exact}
    assert sum(counts) < 100, f"{counts} rows fetched for the moderation queue"


def test_similar_questions_keeps_todays_rule(db, subtopics, create_question):
    consultation_id = subtopics["1.A.1"].part.theme.consultation_id
    old = create_question(ASKED, status=QuestionStatus.PUBLISHED, submitted_at=NOW - timedelta(days=5))
    near = create_question(NEAR, status=QuestionStatus.PENDING, submitted_at=NOW - timedelta(days=6))
    far = create_question("Que fait la police contre les cambriolages des caves et des garages ?",
                          status=QuestionStatus.PUBLISHED, submitted_at=NOW - timedelta(days=7))
    create_question(ASKED, department="75", status=QuestionStatus.PUBLISHED)
    short = create_question("Caméras gare ?", status=QuestionStatus.PUBLISHED, submitted_at=NOW - timedelta(days=2))
    create_question("Caméras gare ville ?", status=QuestionStatus.PUBLISHED, submitted_at=NOW - timedelta(days=1))

    def similar(text, **options):
        return duplicates.similar_questions("13", consultation_id, french.terms(text), french.fingerprint(text),
                                            **options)

    assert similar(ASKED) == [old.id], "pending and other departments' questions are not offered"
    assert similar(ASKED, statuses=[QuestionStatus.PUBLISHED, QuestionStatus.PENDING]) == [old.id, near.id]
    assert similar(ASKED, statuses=[QuestionStatus.PENDING, QuestionStatus.PUBLISHED], before=old) == [near.id]
    assert far.id not in similar("Que fait la police contre les cambriolages ?")
    assert similar("Des caméras à la gare ?") == [short.id], "fewer than four terms: identical terms only"


def test_the_index_follows_new_edited_and_deleted_questions(db, subtopics, create_question, create_agent):
    moderator = create_agent(Role.MODERATOR, department="13")
    consultation_id = subtopics["1.A.1"].part.theme.consultation_id
    question = create_question(ASKED, status=QuestionStatus.PUBLISHED)

    def keys():
        return set(db.session.scalars(select(QuestionSimilarityKey.key)
                                      .where(QuestionSimilarityKey.question_id == question.id)))

    assert keys() == set(question_keys(consultation_id, "13", french.terms(ASKED), french.fingerprint(ASKED)))
    edited = "Que fait la gendarmerie pour les vols de vélos devant le lycée et le collège du centre ?"
    moderation.edit_public_text(question, edited, moderator)
    db.session.commit()
    assert keys() == set(question_keys(consultation_id, "13", french.terms(edited), french.fingerprint(ASKED)))
    assert duplicates.published_duplicates("13", consultation_id, edited) == [question]
    assert duplicates.published_duplicates("13", consultation_id, NEAR) == [], "the old words are gone"
    db.session.delete(question)
    db.session.commit()
    assert db.session.scalar(select(QuestionSimilarityKey).limit(1)) is None


def test_a_submission_runs_the_same_statements_whatever_the_department_holds(app, db, subtopics, territories,
                                                                             create_question, count_queries):
    sub = subtopics["1.A.1"]

    def submit(n):
        text = f"Combien de patrouilles de nuit sont prévues dans le quartier {n} de la ville cet été ?"
        data = QuestionData(theme_id=sub.part.theme_id, subtopic_id=sub.id, department_code="13", text=text,
                            charter_accepted=True, email=f"citoyen{n}@exemple.fr", form_nonce=f"nonce-of-the-form-{n}")
        with app.test_request_context("/questions/poser", method="POST"), count_queries() as statements:
            submit_question(data)
            db.session.commit()
        return len(statements)

    def publish(count, start):
        for n in range(start, start + count):
            create_question(f"Que fait la police municipale contre le bruit {n} des scooters devant chez nous ?",
                            status=QuestionStatus.PUBLISHED, submitted_at=NOW - timedelta(days=1, seconds=n))

    # Past the references the factory gives.
    db.session.add(QuestionCounter(department_code="13", last_number=1000))
    publish(3, 0)
    # Its keys are those of the next ones: every counted submission looks up candidates.
    submit(0)
    few = submit(1)
    publish(40, 100)
    assert submit(2) == few
    assert few <= 14, f"{few} statements for one submission"


def test_signatures_stay_those_the_stored_keys_were_made_with():
    # Values computed with datasketch 1.6's MinHash (seed 20261207, 30 permutations): a change here
    # would leave every stored key stale until the index is rebuilt.
    assert [int(value) for value in similarity_index.signature(["cambriol"])[:5]] == [
        1672701885, 3699026622, 3658614259, 2960980676, 3073586797]
    assert [int(value) for value in similarity_index.signature(["2026"])[:5]] == [
        2028111487, 67597633, 1086700213, 680449302, 4163686477]


def test_likely_originals_look_past_the_oldest_holders_of_a_crowded_key(db, subtopics, create_question):
    """Older questions crowding a key (a templated text) hide neither the exact repeat nor the near one behind them."""
    consultation_id = subtopics["1.A.1"].part.theme.consultation_id
    crowd = [create_question(f"Question sans rapport numéro {n} sur le stationnement des autocars scolaires",
                             status=QuestionStatus.PUBLISHED, submitted_at=NOW - timedelta(days=30, hours=n))
             for n in range(duplicates.ORIGINAL_PROBES + 4)]
    keys = question_keys(consultation_id, "13", french.terms(ASKED), french.fingerprint(ASKED))
    # The crowd holds a band and the fingerprint key of ASKED, as collisions would: the keys never decide.
    db.session.execute(QuestionSimilarityKey.__table__.insert(), [
        {"key": key, "question_id": question.id} for question in crowd for key in (keys[0], keys[-1])])
    # The near repeat older than the crowd, the exact one later: the exact one still wins.
    near = create_question(NEAR, status=QuestionStatus.PUBLISHED, submitted_at=NOW - timedelta(days=40))
    exact = create_question(ASKED, status=QuestionStatus.PUBLISHED, submitted_at=NOW - timedelta(days=5))
    pending = create_question(ASKED, submitted_at=NOW - timedelta(days=1))
    db.session.commit()

    assert duplicates.likely_originals([pending]) == {pending.id: exact}, "an exact repeat first, however late"
    exact.status = QuestionStatus.REJECTED
    db.session.commit()
    assert duplicates.likely_originals([pending]) == {pending.id: near}
    near.status = QuestionStatus.REJECTED
    later = create_question(NEAR, status=QuestionStatus.PUBLISHED, submitted_at=NOW - timedelta(days=6))
    db.session.commit()
    assert duplicates.likely_originals([pending]) == {pending.id: later}, "a near repeat behind the crowd"
