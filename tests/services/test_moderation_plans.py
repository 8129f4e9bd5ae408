"""Query plans of the moderation desk on PostgreSQL: the queue, the list, the pace and the dashboard read an index.

Enough questions are written in one INSERT … SELECT, and the table analysed, for the planner's
choice to be the one it makes at scale: department 13 holds a sixteenth of them (the Nord holds a
twenty-sixth of the bench; with an eighth the planner hesitated between two indexes from one run to
the next); seven in ten are published, fifteen in a hundred wait, the rest are refused or merged, as
in the bench.
"""
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import BigInteger, event, func, literal, select, text
from sqlalchemy.dialects.postgresql import ARRAY

from forums.models import Question, QuestionSimilarityKey, QuestionStatus
from forums.services import duplicates, moderation, moderation_throughput, similarity_index

ROWS = 160_000
NOW = datetime(2009, 5, 20, 12, 0, tzinfo=UTC)

SEED = text("""
INSERT INTO questions (consultation_id, department_code, theme_id, subtopic_id, reference, text, public_text,
                       search_text, fingerprint, status, rejection_note, support_count, followup_token_hash,
                       submitted_at, moderated_at, answered_at, answer_text, updated_at)
SELECT :consultation_id,
       (ARRAY['13', '75', '2A', '75', '2A', '75', '2A', '75', '2A', '75', '2A', '75', '2A', '75', '2A', '75'])[1 + n % 16],
       (CASE WHEN n / 16 % 4 < 2 THEN :theme_1 ELSE :theme_2 END),
       (ARRAY[:subtopic_1, :subtopic_2, :subtopic_3, :subtopic_4])[1 + n / 16 % 4],
       'T-' || n, 'Question ' || n, 'Question ' || n, 'question', md5('f' || n),
       (CASE WHEN n / 3 % 20 < 14 THEN 'published' WHEN n / 3 % 20 < 17 THEN 'pending'
             WHEN n / 3 % 20 < 19 THEN 'rejected' ELSE 'merged' END),
       '', n % 13, md5('t' || n), timestamptz '2009-03-16 08:00+00' + n * interval '1 minute',
       (CASE WHEN n / 3 % 20 BETWEEN 14 AND 16 THEN NULL
             ELSE timestamptz '2009-03-16 10:00+00' + n * interval '1 minute' END),
       (CASE WHEN n % 3 = 0 THEN timestamptz '2009-03-17 10:00+00' + n * interval '1 minute' END),
       '', now()
FROM generate_series(1, :rows) AS n
""")


@pytest.fixture
def seeded(db, territories, subtopics):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    themes = {sub.part.theme.code: sub.part.theme_id for sub in subtopics.values()}
    ids = [subtopics[code].id for code in ("1.A.1", "1.A.2", "2.A.1", "2.A.2")]
    consultation_id = subtopics["1.A.1"].part.theme.consultation_id
    db.session.execute(SEED, {
        "consultation_id": consultation_id, "rows": ROWS, "theme_1": themes["1"], "theme_2": themes["2"],
        **{f"subtopic_{number}": subtopic_id for number, subtopic_id in enumerate(ids, start=1)},
    })
    # Every question of department 13 says the same: one cluster of repeats, the worst case of the index.
    keys = similarity_index.question_keys(consultation_id, "13", ["question"], None)
    db.session.execute(QuestionSimilarityKey.__table__.insert().from_select(
        ["key", "question_id"],
        select(func.unnest(literal(keys, ARRAY(BigInteger))), Question.id).where(Question.department_code == "13")))
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # Vacuumed, as autovacuum keeps a live table: the visibility map lets counts read the index alone.
        # Statistics from every row, not a random sample of 30,000: the same plans on every run.
        connection.execute(text("SET default_statistics_target = 1000"))
        connection.execute(text("VACUUM ANALYZE questions"))
        connection.execute(text("VACUUM ANALYZE question_similarity_keys"))
    return {"themes": themes, "consultation_id": consultation_id}


def explained(db, call):
    """Run ``call`` and return (its result, the EXPLAIN of each statement it ran that reads questions)."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        result = call()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    plans = []
    with db.engine.connect() as connection:
        for statement, parameters in statements:
            if re.search(r"(FROM|JOIN) questions\b", statement):
                rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
                plans.append("\n".join(row[0] for row in rows))
    return result, plans


#: The indexes the queue's statements read (its page, its count), and the list's.
QUEUE = ("ix_questions_pending", "ix_questions_pending")
LIST = ("ix_questions_department_submitted", "ix_questions_department_submitted")


def test_the_desk_reads_its_indexes_never_the_whole_table(db, seeded):
    pending = db.session.scalar(
        db.select(Question).where(Question.department_code == "13", Question.status == QuestionStatus.PENDING)
        .order_by(Question.submitted_at.desc()).limit(1))
    queue = [item.question for item in moderation.moderation_queue("13", page=20).items]
    shapes = {
        "queue": (lambda: moderation.moderation_queue("13").items, QUEUE),
        "queue, page 20": (lambda: moderation.moderation_queue("13", page=20).items, QUEUE),
        "queue, theme": (lambda: moderation.moderation_queue("13", theme_id=seeded["themes"]["2"]).items, QUEUE),
        "queue, department target": (lambda: moderation.moderation_queue("13", forum_id=0).items, QUEUE),
        "list": (lambda: moderation.department_questions("13").items, LIST),
        "list, page 20": (lambda: moderation.department_questions("13", page=20).items, LIST),
        "list, refused, page 20": (lambda: moderation.department_questions(
            "13", status=QuestionStatus.REJECTED, page=20).items, LIST),
        "list, awaiting an answer": (lambda: moderation.department_questions("13", awaiting_answer=True).items, LIST),
        "list, reference": (lambda: moderation.department_questions("13", reference=pending.reference).items,
                            ("uq_questions_reference", "uq_questions_reference")),
        # The newest: none comes after it, the oldest is next.
        "next pending": (lambda: [moderation.next_pending(pending)], QUEUE),
        "pace": (lambda: [moderation_throughput.department_pace("13", now=NOW)], ("ix_questions_pending",)),
        # Keys of the cluster, the texts of the first candidates, the originals.
        "likely originals": (lambda: list(duplicates.likely_originals(queue).values()),
                             ("ix_questions_department_submitted", "pk_questions", "pk_questions")),
        "paces of the dashboard": (lambda: list(moderation_throughput.paces(
            seeded["consultation_id"], ["13", "75", "2A", "972"], now=NOW).values()),
            ("ix_questions_pending", "ix_questions_moderated")),
    }
    for shape, (call, indexes) in shapes.items():
        found, plans = explained(db, call)
        assert found and found[0] is not None, f"{shape}: the shape must find something for its plans to count"
        assert len(plans) == len(indexes), shape
        for plan, index in zip(plans, indexes):
            assert index in plan and "Seq Scan on questions" not in plan, f"{shape}:\n{plan}"
