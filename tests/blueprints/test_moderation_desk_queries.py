"""The moderation desk costs the same number of statements whatever the department holds.

Each page is asked on a small department, then again once the department holds five times as
many questions of every kind (waiting, published, refused, exact and near repeats, unrelated
texts): the count must not move. The plans of these statements are pinned on PostgreSQL in
tests/services/test_moderation_plans.py.
"""
from datetime import UTC, datetime, timedelta

import pytest

from forums.models import QuestionStatus, RejectionReason, Role

NOW = datetime.now(UTC)
ASKED = "Que fait la police contre les cambriolages répétés dans le quartier de la gare le samedi soir ?"
NEAR = "Que fait la police contre les cambriolages répétés dans le quartier de la gare le samedi soir tard ?"
TOPICS = ["les caméras du centre-ville", "la vitesse des scooters", "les rodéos urbains", "le bruit des bars",
          "les vols de vélos", "les dépôts sauvages", "le trafic devant le collège", "les tags sur les écoles"]


@pytest.fixture
def grow(create_question):
    """Return a function adding ``times`` of each kind of question to department 13, all earlier than now."""
    counter = iter(range(1, 100_000))

    def add(times):
        for _ in range(times):
            n = next(counter)
            topic = TOPICS[n % len(TOPICS)]
            age = timedelta(days=20, minutes=n)
            create_question(ASKED, status=QuestionStatus.PUBLISHED, submitted_at=NOW - age)
            create_question(NEAR, submitted_at=NOW - age + timedelta(hours=1))
            create_question(f"Que comptez-vous faire contre {topic} dans la commune numéro {n} ?",
                            submitted_at=NOW - age + timedelta(hours=2))
            create_question(f"Pourquoi rien n'est fait contre {topic}, quartier {n} ?",
                            status=QuestionStatus.REJECTED, rejection_reason=RejectionReason.OFF_TOPIC,
                            submitted_at=NOW - age + timedelta(hours=3), moderated_at=NOW - timedelta(minutes=n))
            create_question(ASKED, submitted_at=NOW - age + timedelta(hours=4))

    return add


def statements_of(client, count_queries, method, path, **data):
    with count_queries() as statements:
        response = client.open(path, method=method, data=data or None)
    assert response.status_code in (200, 303), (path, response.status_code)
    return len(statements)


#: The desk's pages: the queue, its pages and filters; the list of all questions, its pages and filters.
PATHS = [
    "/moderation/departements/13",
    "/moderation/departements/13?page=2",
    "/moderation/departements/13?theme=1",
    "/moderation/departements/13/questions",
    "/moderation/departements/13/questions?page=2",
    "/moderation/departements/13/questions?statut=pending",
    "/moderation/departements/13/questions?statut=a-repondre",
]


def test_desk_pages(db, client, create_agent, login, grow, count_queries):
    login(create_agent(Role.MODERATOR, department="13"))
    # Two pages of the queue (50 each) already.
    grow(22)
    few = {path: statements_of(client, count_queries, "GET", path) for path in PATHS}
    grow(88)
    assert {path: statements_of(client, count_queries, "GET", path) for path in PATHS} == few
    assert max(few.values()) <= 13, few


def test_the_question_page(db, client, create_agent, login, grow, create_question, count_queries):
    login(create_agent(Role.MODERATOR, department="13"))
    grow(5)
    question = create_question(NEAR)
    few = statements_of(client, count_queries, "GET", f"/moderation/questions/{question.id}")
    grow(20)
    assert statements_of(client, count_queries, "GET", f"/moderation/questions/{question.id}") == few
    assert few <= 16, f"{few} statements for the question page"


def test_bulk_decisions(db, client, create_agent, login, grow, create_question, count_queries):
    login(create_agent(Role.MODERATOR, department="13"))
    grow(3)

    def decide():
        ids = [str(create_question(f"Une question à publier, la numéro {n} de la série.").id) for n in range(3)]
        return statements_of(client, count_queries, "POST", "/moderation/departements/13/decisions",
                             question_ids=ids, action="approve")

    few = decide()
    grow(15)
    assert decide() == few
