"""The groups page of the moderation desk through the browser: groups shown, decided at once, refusals."""
import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from forums.models import AuditEvent, OutgoingMail, Question, QuestionStatus, QuestionSupport, Role

from ..conftest import PASSWORD, new_client

NOW = datetime.now(UTC)
REPEATED = "Pourquoi les patrouilles de gendarmerie ont-elles disparu des villages du plateau depuis deux ans ?"
ASKED = "Que fait la police contre les cambriolages répétés dans le quartier de la gare le samedi soir ?"
ALONE = "Les policiers municipaux de Marseille pourront-ils verbaliser les rodéos urbains sur les plages du Prado ?"
URL = "/moderation/departements/13/groupes"


def text(response):
    return html.unescape(response.get_data(as_text=True))


def ago(hours):
    return NOW - timedelta(hours=hours)


def snapshot(db):
    db.session.expire_all()
    questions = [(q.id, q.status, q.merged_into_id, q.support_count, q.rejection_reason)
                 for q in db.session.scalars(db.select(Question).order_by(Question.id))]
    count = db.func.count()
    return (questions, db.session.scalar(db.select(count).select_from(QuestionSupport)),
            db.session.scalar(db.select(count).select_from(AuditEvent)),
            db.session.scalar(db.select(count).select_from(OutgoingMail)))


def section(page, question):
    found = re.search(rf'<section[^>]*id="groupe-{question.id}"(.*?)</section>', page, re.S)
    assert found, f"no group shown by {question.reference}"
    return found.group(1)


def decide(client, group, action, **fields):
    prefix = f"groupe-{group[0].id}"
    data = {f"{prefix}-question_ids": [str(q.id) for q in group], f"{prefix}-action": action}
    data.update({f"{prefix}-{name}": str(value) for name, value in fields.items()})
    return client.post(f"{URL}/{group[0].id}", data=data)


@pytest.fixture
def moderator(db, create_agent, login):
    agent = create_agent(Role.MODERATOR, department="13")
    login(agent)
    return agent


@pytest.fixture
def queue(db, create_question):
    original = create_question(ASKED, status=QuestionStatus.PUBLISHED, submitted_at=ago(200))
    repeats = [create_question(ASKED, submitted_at=ago(100), email="repete@exemple.fr"),
               create_question(ASKED, submitted_at=ago(99))]
    exact = [create_question(REPEATED, submitted_at=ago(90 - n), email=f"citoyen{n}@exemple.fr" if n else None)
             for n in range(3)]
    shorts = [create_question("Caméras ?", submitted_at=ago(80)), create_question("Plus de police !",
                                                                                    submitted_at=ago(79))]
    alone = create_question(ALONE, submitted_at=ago(70))
    return {"original": original, "repeats": repeats, "exact": exact, "shorts": shorts, "alone": alone}


def test_the_groups_page_shows_each_group_with_its_size_representative_and_folded_others(
        db, client, moderator, queue):
    page = text(client.get(URL))
    assert "4 groupes réunissant 8 questions, sur 8 en attente" in page
    repeats = section(page, queue["repeats"][0])
    assert "Groupe 1 sur 4 – Répète une question publiée : 2 questions" in repeats
    assert f"Question d'origine probable : <a href=\"/moderation/questions/{queue['original'].id}\">" \
           f"{queue['original'].reference}</a>" in repeats
    assert f"Regrouper les 2 questions avec {queue['original'].reference}" in repeats
    assert re.search(r"<details[^>]*>\s*<summary>Voir l'autre question du groupe</summary>", repeats)
    exact = section(page, queue["exact"][0])
    assert "Doublons exacts : 3 questions" in exact and "Regrouper" not in exact
    assert "Publier la question choisie et y regrouper les autres" in exact
    assert "Voir les 2 autres questions du groupe" in exact
    assert exact.count('type="radio"') == 3
    shorts = section(page, queue["shorts"][0])
    assert "Textes très courts : 2 questions" in shorts and "Publier" not in shorts
    assert "Question seule : 1 question" in section(page, queue["alone"])
    assert 'data-keyboard-item tabindex="-1"' in exact
    assert 'id="keyboard-help"' in page and 'aria-live="polite"' in page


def test_the_queue_links_to_the_groups_page(db, client, moderator, queue):
    page = text(client.get("/moderation/departements/13"))
    assert f'id="groups-link" href="{URL}"' in page and 'id="keyboard-help"' in page


def test_publishing_the_chosen_one_merges_the_others_and_tells_each_citizen(db, client, moderator, queue):
    exact = queue["exact"]
    response = decide(client, exact, "publish", keep=exact[1].id)
    assert response.status_code == 303 and response.headers["Location"] == URL
    db.session.expire_all()
    kept = db.session.get(Question, exact[1].id)
    assert kept.status is QuestionStatus.PUBLISHED and kept.support_count == 2
    for other in (exact[0], exact[2]):
        other = db.session.get(Question, other.id)
        assert (other.status, other.merged_into_id) == (QuestionStatus.MERGED, kept.id)
    mails = {mail.recipient: mail for mail in db.session.scalars(db.select(OutgoingMail))}
    assert set(mails) == {"citoyen1@exemple.fr", "citoyen2@exemple.fr"}
    assert mails["citoyen1@exemple.fr"].subject == f"Votre question {kept.reference} est publiée"
    assert f"/questions/{kept.reference}" in mails["citoyen1@exemple.fr"].body
    page = text(client.get(URL))
    assert f"Question {kept.reference} publiée ; 2 autres regroupées avec elle. 2 citoyens prévenus par courriel." \
        in page
    assert f'id="groupe-{exact[0].id}"' not in page and "3 groupes réunissant 5 questions" in page
    followup = text(new_client(client.application).get(f"/questions/suivi/{exact[0].followup_token}"))
    assert kept.reference in followup


def test_merging_a_group_into_its_published_original(db, client, moderator, queue):
    response = decide(client, queue["repeats"], "merge", original=queue["original"].id)
    assert response.status_code == 303
    db.session.expire_all()
    assert [db.session.get(Question, q.id).merged_into_id for q in queue["repeats"]] == [queue["original"].id] * 2
    assert db.session.get(Question, queue["original"].id).support_count == 2


def test_rejecting_a_group_needs_a_reason_shown_next_to_the_field(db, client, moderator, queue):
    before = snapshot(db)
    response = decide(client, queue["shorts"], "reject")
    assert response.status_code == 422
    group = section(text(response), queue["shorts"][0])
    assert re.search(r'fr-message--error[^>]*>Choisissez le motif de la charte de modération.<', group)
    assert snapshot(db) == before
    response = decide(client, queue["shorts"], "reject", reason="hors_sujet", note="Trop court pour être lu.")
    assert response.status_code == 303
    assert "2 questions refusées : " in text(client.get(URL))


def test_a_group_changed_by_a_colleague_is_refused_with_what_changed(db, client, moderator, queue):
    exact = queue["exact"]
    exact[2].status = QuestionStatus.REJECTED
    db.session.commit()
    before = snapshot(db)
    response = decide(client, exact, "publish", keep=exact[0].id)
    assert response.status_code == 409
    page = text(response)
    assert f"Le groupe a changé depuis l'affichage de la page : {exact[2].reference} (non publiée). " \
           "Aucune décision n'a été enregistrée" in page
    assert snapshot(db) == before


@pytest.mark.parametrize("case", ["empty", "other department", "garbage"])
def test_bad_groups_get_a_french_400_and_change_nothing(db, client, moderator, queue, create_question, case):
    paris = create_question(REPEATED, department="75")
    group = {"empty": [], "other department": queue["exact"] + [paris], "garbage": None}[case]
    before = snapshot(db)
    if group is None:
        key = queue["exact"][0].id
        response = client.post(f"{URL}/{key}", data={f"groupe-{key}-question_ids": ["1; DROP"],
                                                     f"groupe-{key}-action": "reject",
                                                     f"groupe-{key}-reason": "hors_sujet"})
    elif not group:
        key = queue["exact"][0].id
        response = client.post(f"{URL}/{key}", data={f"groupe-{key}-action": "reject",
                                                     f"groupe-{key}-reason": "hors_sujet"})
    else:
        response = decide(client, group, "reject", reason="hors_sujet")
    assert response.status_code == 400
    assert "Décision non enregistrée" in text(response)
    assert snapshot(db) == before


def test_the_groups_page_costs_the_same_queries_whatever_the_queue(db, client, moderator, create_question,
                                                                   count_queries):
    def add(count, start):
        for n in range(count):
            create_question(REPEATED, submitted_at=ago(start + n))
            create_question(ASKED, status=QuestionStatus.PUBLISHED, submitted_at=ago(1000 + start + n))
            create_question(ASKED, submitted_at=ago(start + n))
            create_question(f"{ALONE} {' '.join(['encore'] * n)}", submitted_at=ago(start + n))

    def queries():
        with count_queries() as statements:
            assert client.get(URL).status_code == 200
        return len(statements)

    add(3, 10)
    few = queries()
    add(25, 100)
    assert queries() == few
    assert few <= 16, f"{few} queries for the groups page"


def test_a_group_decision_without_csrf_token_is_refused(db, other_app, create_agent, queue):
    protected = other_app(WTF_CSRF_ENABLED=True)
    agent = create_agent(Role.MODERATOR, department="13")
    browser = new_client(protected)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', browser.get("/auth/login").get_data(as_text=True))
    browser.post("/auth/login", data={"email": agent.email, "password": PASSWORD, "csrf_token": token.group(1)})
    before = snapshot(db)
    response = decide(browser, queue["exact"], "reject", reason="hors_sujet")
    assert response.status_code == 400 and "formulaire a expiré" in text(response)
    assert snapshot(db) == before
    key = queue["exact"][0].id
    token = re.search(rf'name="groupe-{key}-csrf_token" type="hidden" value="([^"]+)"',
                      browser.get(URL).get_data(as_text=True)).group(1)
    response = decide(browser, queue["exact"], "reject", reason="hors_sujet", csrf_token=token)
    assert response.status_code == 303


def test_a_merge_into_a_question_withdrawn_meanwhile_is_refused_in_the_alert(db, client, moderator, queue):
    queue["original"].status = QuestionStatus.REJECTED
    db.session.commit()
    before = snapshot(db)
    response = decide(client, queue["repeats"], "merge", original=queue["original"].id)
    assert response.status_code == 400
    alert = re.search(r'id="decision-error"[^>]*>(.*?)</div>', text(response), re.S).group(1)
    assert f"La question {queue['original'].reference} est « non publiée »" in alert
    assert snapshot(db) == before
