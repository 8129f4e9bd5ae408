"""Questions sent at the same moment: every one stored once, with its own reference, on SQLite and PostgreSQL."""
import logging
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from forums.extensions import db as _db
from forums.models import OutgoingMail, Question, QuestionCounter
from forums.services.questions import QuestionData, submit_question

from .conftest import new_client

SUBMISSIONS = 200
#: A sentence of more than ten words, so that no question asks for a confirmation.
TEXT = "Combien de patrouilles de nuit sont prévues dans le quartier numéro {n} de la ville cet été ?"


def submit_in_thread(app, data, start):
    """Submit one question in its own request and session, as a server thread would; return its reference."""
    with app.test_request_context("/questions/poser", method="POST"):
        try:
            start.wait()
            question, _ = submit_question(data)
            _db.session.commit()
            return question.reference
        finally:
            _db.session.remove()


def test_200_simultaneous_questions_get_200_distinct_references(app, db, subtopics, territories):
    sub = subtopics["2.A.1"]
    questions = [
        QuestionData(theme_id=sub.part.theme_id, subtopic_id=sub.id, department_code="13",
                     text=TEXT.format(n=n), charter_accepted=True,
                     email=f"citoyen{n}@exemple.fr" if n % 2 else "")
        for n in range(SUBMISSIONS)
    ]
    start = threading.Barrier(SUBMISSIONS)
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=SUBMISSIONS) as pool:
        references = list(pool.map(lambda data: submit_in_thread(app, data, start), questions))
    elapsed = time.perf_counter() - began

    assert sorted(references) == [f"13-{n:06d}" for n in range(1, SUBMISSIONS + 1)]
    db.session.expire_all()
    stored = db.session.execute(db.select(Question.reference, Question.text)).all()
    assert len(stored) == SUBMISSIONS
    assert {text for _, text in stored} == {data.text for data in questions}
    assert db.session.scalar(db.select(QuestionCounter.last_number)) == SUBMISSIONS
    assert db.session.scalar(db.select(db.func.count()).select_from(OutgoingMail)) == SUBMISSIONS // 2
    # Far below what the web server would wait: the allocation does not serialise more than it must.
    assert elapsed < 60, elapsed


def test_a_form_posted_many_times_at_once_is_one_question(app, db, subtopics, territories, caplog):
    sub = subtopics["1.A.1"]
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"',
                      new_client(app).get("/questions/poser?departement=13").get_data(as_text=True)).group(1)
    fields = {"department_code": "13", "theme_id": str(sub.part.theme_id), "subtopic_id": str(sub.id),
              "text": TEXT.format(n=1), "charter_accepted": "y", "nonce": nonce}
    clicks = 8
    start = threading.Barrier(clicks)

    def click(n):
        browser = new_client(app)
        start.wait()
        return browser.post("/questions/poser", data=fields, environ_base={"REMOTE_ADDR": f"192.0.2.{n}"})

    with caplog.at_level(logging.INFO, logger="forums.questions"), ThreadPoolExecutor(max_workers=clicks) as pool:
        responses = list(pool.map(click, range(clicks)))

    assert {response.status_code for response in responses} == {303}
    assert len({response.headers["Location"] for response in responses}) == 1
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 1
    assert db.session.scalar(db.select(QuestionCounter.last_number)) == 1
    messages = [record.getMessage() for record in caplog.records if record.name == "forums.questions"]
    assert messages.count("question received: reference=13-000001 forum=None") == 1
    assert messages.count("question form posted again: reference=13-000001") == clicks - 1
