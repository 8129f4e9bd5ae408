"""Throughput of moderation queues: the promised delay in working days, what waits, the last hour's pace."""
from datetime import UTC, datetime, timedelta

import pytest

from forums.models import QuestionStatus
from forums.services.moderation_throughput import (
    Pace, department_pace, furthest_behind, handling_cutoff, national_pace, paces,
)

from ..conftest import paris_time

#: A Wednesday afternoon, in Paris.
NOW = paris_time(2009, 4, 15, 15, 0)


@pytest.mark.parametrize("now, days, cutoff", [
    # Ten working days back from a Wednesday: the Wednesday two weeks before is the tenth day, not late.
    (paris_time(2009, 4, 15, 15, 0), 10, paris_time(2009, 4, 1, 0, 0)),
    # From a Monday: the Monday two weeks before; the weekend before it counts for nothing.
    (paris_time(2009, 4, 20, 9, 0), 10, paris_time(2009, 4, 4, 0, 0)),
    # A Saturday or a Sunday adds no day to the wait.
    (paris_time(2009, 4, 18, 12, 0), 10, paris_time(2009, 4, 4, 0, 0)),
    (paris_time(2009, 4, 19, 23, 0), 10, paris_time(2009, 4, 4, 0, 0)),
    # One day promised: a question of Tuesday is due on Wednesday, late on Thursday.
    (paris_time(2009, 4, 15, 15, 0), 1, paris_time(2009, 4, 14, 0, 0)),
    # Paris days, not UTC ones: 00:30 in Paris on Thursday is still Wednesday in UTC.
    (paris_time(2009, 4, 16, 0, 30), 1, paris_time(2009, 4, 15, 0, 0)),
])
def test_the_handling_cutoff_counts_working_days_in_paris(now, days, cutoff):
    assert handling_cutoff(now, days) == cutoff


def test_a_question_sent_on_a_monday_is_late_from_the_tuesday_two_weeks_later():
    submitted = paris_time(2009, 3, 30, 10, 0)
    assert not submitted < handling_cutoff(paris_time(2009, 4, 13, 23, 59), 10)
    assert submitted < handling_cutoff(paris_time(2009, 4, 14, 0, 1), 10)


def test_a_department_pace(db, app, consultation, create_question):
    for days in (1, 16, 30):
        create_question(submitted_at=NOW - timedelta(days=days))
    create_question(department="75", submitted_at=NOW - timedelta(days=40))
    create_question(status=QuestionStatus.PUBLISHED, submitted_at=NOW - timedelta(days=50))
    for minutes in (5, 50, 59):
        create_question(status=QuestionStatus.PUBLISHED, moderated_at=NOW - timedelta(minutes=minutes))
    create_question(status=QuestionStatus.REJECTED, moderated_at=NOW - timedelta(minutes=61))
    create_question(department="75", status=QuestionStatus.MERGED, moderated_at=NOW - timedelta(minutes=1))

    pace = department_pace("13", now=NOW)

    assert (pace.pending, pace.overdue, pace.decided_last_hour) == (3, 2, 3)
    assert pace.oldest_wait == timedelta(days=30)
    # Three decisions an hour: one hour for three questions.
    assert pace.clearing_time == timedelta(hours=1)


def test_the_promised_delay_is_the_setting(db, app, consultation, create_question, monkeypatch):
    create_question(submitted_at=NOW - timedelta(days=3))
    assert department_pace("13", now=NOW).overdue == 0
    monkeypatch.setitem(app.config, "QUESTION_HANDLING_DAYS", 1)
    assert department_pace("13", now=NOW).overdue == 1


def test_an_empty_queue_and_a_queue_nobody_works_on(db, consultation, create_question):
    empty = department_pace("13", now=NOW)
    assert (empty.pending, empty.oldest_wait, empty.clearing_time) == (0, None, timedelta(0))
    create_question(submitted_at=NOW - timedelta(hours=2))
    idle = department_pace("13", now=NOW)
    assert (idle.pending, idle.decided_last_hour, idle.clearing_time) == (1, 0, None)


def test_only_the_consultation_counts(db, consultation, create_question):
    create_question(submitted_at=NOW - timedelta(days=20))
    assert paces(consultation.id + 1, ["13"], now=NOW)["13"].pending == 0
    assert paces(consultation.id, ["13"], now=NOW)["13"].pending == 1


def test_the_nation_and_the_departments_furthest_behind():
    def pace(pending, oldest_days, overdue, decided):
        oldest = NOW - timedelta(days=oldest_days) if oldest_days is not None else None
        return Pace(pending, oldest, overdue, decided, NOW)

    by_department = {"13": pace(40, 20, 5, 10), "59": pace(900, 30, 300, 20), "75": pace(10, 25, 5, 0),
                     "2A": pace(3, 2, 0, 1), "972": pace(0, None, 0, 0)}

    nation = national_pace(by_department)

    assert (nation.pending, nation.overdue, nation.decided_last_hour) == (953, 310, 31)
    assert nation.oldest_wait == timedelta(days=30)
    # Same number late: the longest wait first; on time departments are not listed.
    assert [code for code, _ in furthest_behind(by_department)] == ["59", "75", "13"]
    assert [code for code, _ in furthest_behind(by_department, limit=1)] == ["59"]
    assert national_pace({}, now=NOW) == Pace(0, None, 0, 0, NOW)


def test_two_queries_whatever_the_number_of_departments(db, consultation, create_question, count_queries):
    for department in ("13", "75", "2A"):
        create_question(department=department, submitted_at=NOW - timedelta(days=15))
    consultation_id = consultation.id
    with count_queries() as statements:
        found = paces(consultation_id, ["13", "75", "2A", "972"], now=NOW)
    assert len(statements) == 2
    assert {code: pace.overdue for code, pace in found.items()} == {"13": 1, "75": 1, "2A": 1, "972": 0}
    assert datetime(2009, 1, 1, tzinfo=UTC) < found["13"].oldest_submitted_at
