"""The national-scale bench generator: counts, coherence with the app's own rules, determinism, refusals."""
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from synthesis import french

from forums.models import (
    Canton, CantonKind, Consultation, Forum, ForumStatus, Minutes, MinutesTopic, MinutesVersion, Proposal,
    Question, QuestionCounter, QuestionSimilarityKey, QuestionStatus, Speaker,
)
from forums.models.forums import forum_cantons, forum_communes
from forums.services.bench_seed import BENCH_MARK, BenchError, seed_bench
from forums.services.coverage import national_coverage
from forums.services.similarity_index import index_rows
from forums.services.territories import load_territories
from forums.timeutils import PARIS


def count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def texts(db, consultation):
    """Return what a seed wrote, without the ids and references that depend on the database's history."""
    questions = db.session.execute(
        select(Question.department_code, Question.text, Question.status, Question.submitted_at)
        .where(Question.consultation_id == consultation.id).order_by(Question.id)).all()
    forums = db.session.execute(
        select(Forum.department_code, Forum.title, Forum.status, Forum.starts_at)
        .where(Forum.consultation_id == consultation.id).order_by(Forum.id)).all()
    proposals = db.session.scalars(
        select(Proposal.text).where(Proposal.consultation_id == consultation.id).order_by(Proposal.id)).all()
    return questions, forums, proposals


def test_small_seed_writes_the_expected_counts(db, territories):
    report = seed_bench(questions=400, minutes=12, seed=1)

    consultation = report.consultation
    assert consultation.slug == "bench" and consultation.name.endswith(BENCH_MARK)
    assert not consultation.is_current
    assert len(consultation.themes) == 2 and report.consultation_created
    assert count(db, Question, Question.consultation_id == consultation.id) == 400
    assert sum(report.questions.values()) == 400
    assert count(db, Minutes) == report.minutes == 12
    assert count(db, Forum, Forum.status == ForumStatus.HELD) == report.forums[ForumStatus.HELD] == 12
    assert count(db, Forum) == sum(report.forums.values())
    assert set(report.forums) <= {ForumStatus.HELD, ForumStatus.PUBLISHED, ForumStatus.CANCELLED}
    assert count(db, MinutesTopic) == report.topics and count(db, Proposal) == report.proposals
    assert count(db, MinutesVersion) == 12
    assert count(db, Speaker) == 2 * count(db, Forum)
    # Every held forum has its minutes, with 3 to 6 topics and 2 to 6 proposals.
    held = set(db.session.scalars(select(Forum.id).where(Forum.status == ForumStatus.HELD)))
    assert set(db.session.scalars(select(Minutes.forum_id))) == held
    per_minutes = Counter(db.session.scalars(select(Proposal.minutes_id)))
    assert all(2 <= number <= 6 for number in per_minutes.values()) and len(per_minutes) == 12
    topics = Counter(db.session.scalars(select(MinutesTopic.minutes_id)))
    assert all(3 <= number <= 6 for number in topics.values())
    assert report.elapsed > 0


def test_questions_follow_the_app_rules(db, territories):
    consultation = seed_bench(questions=600, minutes=8, seed=2).consultation

    questions = db.session.scalars(select(Question).where(Question.consultation_id == consultation.id)).all()
    for question in questions:
        assert question.search_text == french.search_text(question.public_text)
        assert question.fingerprint == french.fingerprint(question.text)
        assert question.subtopic.part.theme_id == question.theme_id
    # References are unique and numbered per department; the counters carry on after them.
    by_department = Counter(question.department_code for question in questions)
    counters = dict(db.session.execute(select(QuestionCounter.department_code, QuestionCounter.last_number)).all())
    assert counters == dict(by_department)
    for department, number in by_department.items():
        references = sorted(q.reference for q in questions if q.department_code == department)
        assert references == [f"{department}-{n:06d}" for n in range(1, number + 1)]
    # The most populous department (Paris, in the fixture) gets the most questions.
    assert by_department.most_common(1)[0][0] == "75"
    statuses = Counter(question.status for question in questions)
    assert set(statuses) == set(QuestionStatus)
    assert statuses[QuestionStatus.PUBLISHED] > statuses[QuestionStatus.PENDING] > statuses[QuestionStatus.MERGED]
    window_start = datetime(2009, 2, 23, tzinfo=UTC)
    window_end = datetime(2009, 5, 19, tzinfo=UTC)
    for question in questions:
        assert window_start <= question.submitted_at <= window_end + timedelta(days=5)
        if question.forum_id is not None:
            assert question.forum.department_code == question.department_code
            assert question.submitted_at < question.forum.starts_at or question.status is QuestionStatus.MERGED
        if question.status is QuestionStatus.MERGED:
            target = question.merged_into
            assert target.status is QuestionStatus.PUBLISHED
            assert (target.department_code, target.fingerprint) == (question.department_code, question.fingerprint)
        if question.status is QuestionStatus.PENDING:
            assert question.moderated_at is None and not question.answer_text
        if question.status is QuestionStatus.REJECTED:
            assert question.rejection_reason is not None
        if question.addressed_forum_id is not None:
            assert question.addressed_forum.status is ForumStatus.HELD
        if question.answered_at is not None:
            assert question.status is QuestionStatus.PUBLISHED and question.answer_text
    assert any(q.answered_at for q in questions) and any(q.addressed_forum_id for q in questions)
    # The vocabulary gives the concerns a synthesis is expected to find.
    assert any("cambriolages" in question.text for question in questions)


def test_forums_cover_every_department(db, territories):
    consultation = seed_bench(questions=100, minutes=10, seed=3).consultation

    covered = set(db.session.scalars(select(forum_cantons.c.canton_code)))
    cantons = set(db.session.scalars(select(Canton.code).where(Canton.kind == CantonKind.CANTON)))
    assert covered == cantons
    # Martinique has no cantons: its forums cover communes.
    assert set(db.session.scalars(select(forum_communes.c.commune_code))) == {"97209"}
    coverage = national_coverage(consultation)
    assert {code: result.percentage for code, result in coverage.items()} == {
        "13": 100, "2A": 100, "75": 100, "972": 100}
    for forum in db.session.scalars(select(Forum)):
        assert date(2009, 3, 16) <= forum.starts_at.astimezone(PARIS).date() <= date(2009, 5, 18)
        assert forum.commune.department_code == forum.department_code
        assert forum.published_at < forum.starts_at < forum.ends_at
        assert (forum.cancellation_reason != "") == (forum.status is ForumStatus.CANCELLED)


def test_same_seed_gives_the_same_data_and_seeding_again_replaces_it(db, territories):
    first = seed_bench(questions=300, minutes=6, seed=5)
    before = texts(db, first.consultation)

    again = seed_bench(questions=300, minutes=6, seed=5)

    assert again.consultation.id == first.consultation.id and not again.consultation_created
    assert again.purged == {"synthèses": 0, "questions": 300, "propositions": first.proposals,
                            "comptes-rendus": 6, "forums": sum(first.forums.values())}
    assert texts(db, again.consultation) == before
    assert count(db, Question) == 300 and count(db, Minutes) == 6

    other = seed_bench(questions=300, minutes=6, seed=6)
    assert texts(db, other.consultation)[0] != before[0]


def test_ids_given_by_the_seed_leave_room_for_the_app(db, territories):
    consultation = seed_bench(questions=50, minutes=3, seed=1).consultation
    last = db.session.scalar(select(func.max(Forum.id)))

    forum = Forum(consultation_id=consultation.id, department_code="13", title="Forum ajouté ensuite")
    db.session.add(forum)
    db.session.flush()

    assert forum.id > last


def test_postgresql_gets_the_statistics_of_what_was_written(db, territories):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("ANALYZE is PostgreSQL's")
    seed_bench(questions=321, minutes=3, seed=1)

    # Only ANALYZE (or VACUUM) sets the planner's row estimates; it counts this transaction's rows.
    estimated = dict(db.session.execute(text(
        "SELECT relname, reltuples FROM pg_class WHERE relname IN ('questions', 'forums')")).all())
    assert estimated == {"questions": 321, "forums": count(db, Forum)}


def test_refuses_without_territories(db):
    with pytest.raises(BenchError, match="Chargez d'abord les territoires : flask territories load"):
        seed_bench(questions=10, minutes=1)
    assert count(db, Consultation) == 0


def test_refuses_in_production(db, territories, app, monkeypatch):
    monkeypatch.setitem(app.config, "ENV", "production")

    with pytest.raises(BenchError, match="jamais en production"):
        seed_bench(questions=10, minutes=1)
    assert count(db, Consultation) == 0


def test_refuses_to_empty_a_real_consultation(db, territories, consultation):
    with pytest.raises(BenchError, match="n'a pas été créée par le banc d'essai"):
        seed_bench(questions=10, minutes=1, slug="2009")


@pytest.mark.slow
def test_whole_country(db):
    load_territories()
    report = seed_bench(questions=20_000, minutes=300, seed=1)

    assert report.departments == 101
    assert count(db, Question) == 20_000 and count(db, Minutes) == 300
    coverage = national_coverage(report.consultation)
    assert len(coverage) == 101
    assert all(result.percentage == 100 for result in coverage.values())
    # Paris by its 20 arrondissements; the Rhône by its cantons and the Métropole de Lyon's communes.
    assert (coverage["75"].unit_kind, coverage["75"].total) == ("commune", 20)
    assert coverage["69"].unit_kind == "mixte"
    assert {unit.kind for unit in coverage["69"].covered} == {"canton", "commune"}
    departments = set(db.session.scalars(select(Question.department_code).distinct()))
    assert len(departments) == 101


def test_seeded_questions_have_the_similarity_keys_the_app_gives(db, territories):
    consultation = seed_bench(questions=300, minutes=4, seed=4).consultation
    questions = db.session.scalars(select(Question).where(Question.consultation_id == consultation.id)).all()
    stored = Counter()
    for key, question_id in db.session.execute(select(QuestionSimilarityKey.key, QuestionSimilarityKey.question_id)):
        stored[question_id, key] += 1
    expected = Counter((row["question_id"], row["key"]) for row in index_rows(questions))
    assert stored == expected and len(expected) > 300
