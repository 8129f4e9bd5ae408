"""Query plans of the public lists and search on PostgreSQL: every query reads an index, none scans the table.

Enough questions are written in one INSERT … SELECT, and the table analysed, for the planner's
choice to be the one it makes at scale: department 13 holds an eighth of them, seven in ten are
published, a few words are common and one pair is rare.
"""
import re

import pytest
from sqlalchemy import event, text

from forums.services.question_search import LIST_REACH, SEARCH_REACH, search_published

ROWS = 80_000

SEED = text("""
INSERT INTO questions (consultation_id, department_code, theme_id, subtopic_id, reference, text, public_text,
                       search_text, fingerprint, status, rejection_note, support_count, followup_token_hash,
                       submitted_at, moderated_at, answer_text, updated_at)
SELECT :consultation_id,
       (ARRAY['13', '75', '2A', '75', '2A', '75', '2A', '75'])[1 + n % 8],
       (CASE WHEN n / 8 % 4 < 2 THEN :theme_1 ELSE :theme_2 END),
       (ARRAY[:subtopic_1, :subtopic_2, :subtopic_3, :subtopic_4])[1 + n / 8 % 4],
       'T-' || n, 'Question ' || n, 'Question ' || n,
       (ARRAY['polic', 'cambriolag', 'quarti', 'vol', 'voisin'])[1 + n % 5] || ' '
           || (ARRAY['nuit', 'jeun', 'vitess', 'video', 'municipal', 'bruit', 'drogu'])[1 + n % 7]
           || (CASE WHEN n % 997 = 0 THEN ' alert enlev' ELSE '' END),
       md5('f' || n), (CASE WHEN n / 3 % 10 < 7 THEN 'published' ELSE 'pending' END), '', n % 13,
       md5('t' || n), timestamptz '2009-03-16 08:00+00' + n * interval '1 minute',
       timestamptz '2009-03-16 10:00+00' + n * interval '1 minute', '', now()
FROM generate_series(1, :rows) AS n
""")

#: The lists' shapes: filters of the pages and of the API, both orders, first and deep pages, searches.
SHAPES = {
    "department": {"department_code": "13"},
    "department, supported": {"department_code": "13", "order": "supported"},
    "department, deep page": {"department_code": "13", "page": 300},
    "department, theme": {"department_code": "13", "theme": "1"},
    "department, sub-topic, deep page": {"department_code": "13", "subtopic": "2.A.1", "page": 50},
    "department, common word": {"department_code": "13", "text": "police"},
    "department, common word, deep page": {"department_code": "13", "text": "police", "page": 40},
    "department, common word, supported": {"department_code": "13", "text": "police", "order": "supported"},
    "department, rare words": {"department_code": "13", "text": "alerte enlèvement"},
    "department, theme and word": {"department_code": "13", "theme": "2", "text": "vitesse"},
    "nation": {},
    "nation, supported": {"order": "supported"},
    "nation, sub-topic": {"subtopic": "1.A.2"},
    "nation, common word": {"text": "police"},
    "nation, rare words": {"text": "alerte enlèvement"},
}


@pytest.fixture
def seeded(db, territories, subtopics):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    themes = {sub.part.theme.code: sub.part.theme_id for sub in subtopics.values()}
    ids = [subtopics[code].id for code in ("1.A.1", "1.A.2", "2.A.1", "2.A.2")]
    db.session.execute(SEED, {
        "consultation_id": subtopics["1.A.1"].part.theme.consultation_id, "rows": ROWS,
        "theme_1": themes["1"], "theme_2": themes["2"],
        **{f"subtopic_{number}": subtopic_id for number, subtopic_id in enumerate(ids, start=1)},
    })
    db.session.commit()
    db.session.execute(text("ANALYZE questions"))
    db.session.commit()
    return {"themes": themes, "subtopics": {code: sub.id for code, sub in subtopics.items()}}


def run_and_explain(db, **criteria):
    """Run search_published and return (its QuestionPage, the EXPLAIN of each statement it ran)."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        page = search_published(**criteria)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    plans = []
    with db.engine.connect() as connection:
        for statement, parameters in statements:
            if "FROM questions" in statement:
                rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
                plans.append("\n".join(row[0] for row in rows))
    return page, plans


def test_public_lists_and_searches_read_an_index_never_the_whole_table(db, seeded):
    # One test for every shape: the seed is what takes time.
    for shape, given in SHAPES.items():
        criteria = dict(given)
        if "theme" in criteria:
            criteria["theme_id"] = seeded["themes"][criteria.pop("theme")]
        if "subtopic" in criteria:
            criteria["subtopic_id"] = seeded["subtopics"][criteria.pop("subtopic")]

        page, plans = run_and_explain(db, per_page=20, **criteria)

        assert page.items, f"{shape}: the shape must reach a page of questions for its plans to count"
        assert len(plans) == 2, shape
        # Nationwide, a word in one question of five may be counted up to the reach by reading the
        # table in its order (a few thousand rows, then stop): the planner's bounded choice.
        checked = plans if shape.startswith("department") or "text" not in criteria else plans[1:]
        for plan in checked:
            assert "Index" in plan and "Seq Scan on questions" not in plan, f"{shape}:\n{plan}"

    # Counts stop at the reach and say so; a page past the reach is known as such.
    published = db.session.scalar(text(
        "SELECT count(*) FROM questions WHERE department_code = '13' AND status = 'published'"))
    listed = search_published(department_code="13", per_page=20)
    searched = search_published(text="police", per_page=20)
    assert 6000 < published < LIST_REACH
    assert (listed.total, listed.capped, listed.pages) == (published, False, -(-published // 20))
    assert (searched.total, searched.capped) == (SEARCH_REACH, True)
    assert search_published(text="police", page=51, per_page=20).beyond_reach


def test_a_common_word_walks_the_recent_order_and_a_rarer_one_is_searched_once(db, seeded):
    for criteria in ({"text": "police", "page": 5}, {"department_code": "13", "text": "police", "page": 5}):
        page, plans = run_and_explain(db, per_page=20, **criteria)

        # More matches than the reach: the page walks an order (at 1,000,000 questions the recent
        # one, in ix_questions_published_search_recent alone), never the full-text index, which
        # gives every match of the word to read and sort.
        assert page.items and page.capped, criteria
        assert "Index" in plans[-1] and "Seq Scan on questions" not in plans[-1], plans[-1]
        assert not re.search(r"ix_questions_published_search\b", plans[-1]), plans[-1]

    rare, plans = run_and_explain(db, per_page=20, text="alerte enlèvement", page=2)

    # Fewer than the reach: the page's ids come with the count, in one search; the page is read by id.
    assert rare.items and not rare.capped and rare.total > 20
    assert [plan for plan in plans if "@@" in plan] == plans[:1]
