"""The ministry reads a departmental synthesis, downloads it, and reopens it with a reason.

Department 13 of the fixture has submitted its synthesis; 75 has a draft; 2A has not started.
"""
import html
import io
import re
import zipfile

import pytest

from forums.models import AuditEvent, DepartmentSynthesis, ForumStatus, Role, SynthesisStatus
from forums.services.syntheses import prepare_draft, submit_synthesis, transmit_addendum

from ..conftest import PASSWORD, new_client, paris_time, second_step
from ..services.synthesis_data import A, add_minutes, build_department

SUBMITTED_AT = paris_time(2009, 5, 21, 16)
REASON = "Les propositions du forum d'Arles manquent : merci de les ajouter."
EARLY = "Le forum de mai est reporté à l'automne."


@pytest.fixture
def world(db, consultation, create_forum, create_question, subtopics, create_agent):
    """Submit department 13's synthesis (every held forum has its minutes) and prepare 75's."""
    made = build_department(create_forum, create_question, subtopics)
    add_minutes(made.forums["berre"], {A.PUBLIC: 30})
    prefect = create_agent(Role.PREFECTURE, department="13")
    prefect.full_name = "Claire Préfète"
    submit_synthesis(prepare_draft(consultation, "13", prefect, now=SUBMITTED_AT), prefect, now=SUBMITTED_AT,
                     early_reason=EARLY)
    prepare_draft(consultation, "75", create_agent(Role.PREFECTURE, department="75"), now=SUBMITTED_AT)
    db.session.commit()
    return made


@pytest.fixture
def ministry(db, create_agent, login):
    agent = create_agent(Role.MINISTRY)
    agent.full_name = "Marc Ministère"
    db.session.commit()
    login(agent)
    return agent


def text(response):
    return html.unescape(response.get_data(as_text=True))


def snapshot(db):
    """Return what a refused request must leave unchanged: every synthesis' state, and the journal."""
    db.session.expire_all()
    syntheses = db.session.execute(
        db.select(DepartmentSynthesis.department_code, DepartmentSynthesis.status, DepartmentSynthesis.reopen_reason)
        .order_by(DepartmentSynthesis.department_code)).all()
    return syntheses, db.session.scalar(db.select(db.func.count(AuditEvent.id)))


def status_of(db, code):
    db.session.expire_all()
    return db.session.scalar(db.select(DepartmentSynthesis.status).where(DepartmentSynthesis.department_code == code))


READS = ["/ministry/departements/13/synthese", "/ministry/departements/13/synthese/document.html",
         "/ministry/departements/13/synthese/document.odt", "/ministry/departements/13/synthese/document.zip",
         "/ministry/departements/13/synthese/rouvrir"]
REOPEN = "/ministry/departements/13/synthese/rouvrir"


# --- who gets in ----------------------------------------------------------------------------------

def test_anonymous_visitors_are_sent_to_login_and_change_nothing(client, db, world):
    before = snapshot(db)
    for path in READS:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/auth/login?next=")
    response = client.post(REOPEN, data={"reason": REASON})
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login?next=")
    assert snapshot(db) == before


@pytest.mark.parametrize("role, department, arrondissement", [
    (Role.PREFECTURE, "13", None),
    (Role.SUBPREFECTURE, None, "131"),
    (Role.MODERATOR, "13", None),
    (Role.PREFECTURE, "75", None),
    (Role.ADMIN, None, None),
])
def test_other_agents_are_refused_and_change_nothing(client, db, login, create_agent, world, role, department,
                                                     arrondissement):
    # The department's own prefecture reads its synthesis on its own pages, not the ministry's; the
    # administrators manage accounts and never read syntheses.
    login(create_agent(role, department=department, arrondissement=arrondissement))
    before = snapshot(db)
    assert {path: client.get(path).status_code for path in READS} == dict.fromkeys(READS, 403)
    assert client.post(REOPEN, data={"reason": REASON}).status_code == 403
    assert snapshot(db) == before


@pytest.mark.parametrize("path", ["/ministry/departements/99/synthese", "/ministry/departements/99/synthese/rouvrir",
                                  "/ministry/departements/99/synthese/document.odt",
                                  "/ministry/departements/13/synthese?consultation=1789",
                                  "/ministry/departements/13/synthese/rouvrir?consultation=1789"])
def test_unknown_department_or_consultation_is_not_found(client, db, ministry, world, path):
    before = snapshot(db)
    assert client.get(path).status_code == 404
    assert client.post(path, data={"reason": REASON}).status_code in (404, 405)
    assert snapshot(db) == before


def test_a_forged_reopening_without_csrf_token_is_refused(db, other_app, create_agent, world):
    protected = other_app(WTF_CSRF_ENABLED=True)
    agent = create_agent(Role.MINISTRY)
    browser = new_client(protected)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      browser.get("/auth/login").get_data(as_text=True)).group(1)
    browser.post("/auth/login", data={"email": agent.email, "password": PASSWORD, "csrf_token": token})
    second_step(browser, agent, csrf_token=re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                                                     browser.get("/auth/code").get_data(as_text=True)).group(1))
    before = snapshot(db)

    response = browser.post(REOPEN, data={"reason": REASON})

    assert response.status_code == 400
    assert "formulaire a expiré" in response.get_data(as_text=True)
    assert snapshot(db) == before
    # With the page's token the same request goes through: only the token was missing.
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', browser.get(REOPEN).get_data(as_text=True)).group(1)
    assert browser.post(REOPEN, data={"reason": REASON, "csrf_token": token}).status_code == 302
    assert status_of(db, "13") is SynthesisStatus.REOPENED


# --- reading --------------------------------------------------------------------------------------

def test_page_shows_the_status_the_three_parts_figures_and_annexes(client, ministry, world):
    page = text(client.get("/ministry/departements/13/synthese"))

    assert "<h1>Synthèse départementale — 13 – Bouches-du-Rhône</h1>" in page
    assert "Transmise</p>" in page
    assert "le jeudi 21 mai 2009, 16 h 30, par Claire Préfète" in page
    for number, title in enumerate(("Éclairage de proximité sur les problématiques dégagées",
                                    "Diagnostic : points forts et points faibles",
                                    "Propositions pour renforcer le lien de confiance"), start=1):
        assert re.search(rf'<h2 id="partie-{number}-titre">{number}\. {re.escape(title)}', page.replace("\u00a0", " "))
    figures = re.search(r'<section class="fr-mb-6w" id="chiffres".*?</section>', page, re.S).group(0)
    assert "<table>" in figures and "Chiffres arrêtés le jeudi 21 mai 2009" in figures
    annexes = re.search(r'<section class="fr-mb-6w" id="annexes".*?</section>', page, re.S).group(0)
    assert len(re.findall(r'<a href="/comptes-rendus/forums/(\d+)">', annexes)) == 3
    assert "compte-rendu non saisi" not in annexes
    for extension in ("html", "odt", "zip"):
        assert f'href="/ministry/departements/13/synthese/document.{extension}"' in page
    assert f'href="{REOPEN}"' in page
    # Transmitted early: the ministry reads why.
    assert f"motif : « {EARLY} »" in page
    assert 'id="chiffres-forums-held"' in page and 'href="#chiffres-forums-held"' in page
    assert "source:" not in page and "[Chiffre" not in page


def test_an_addendum_shows_on_the_page_and_the_dashboard(client, db, ministry, world):
    forum = world.forums["next"]
    forum.status = ForumStatus.HELD
    add_minutes(forum, {A.PUBLIC: 52})
    synthesis = db.session.scalar(db.select(DepartmentSynthesis).where(DepartmentSynthesis.department_code == "13"))
    transmit_addendum(synthesis, [forum.id], synthesis.submitted_by, now=paris_time(2009, 5, 26, 9))
    db.session.commit()
    page = re.sub(r"\s+", " ", text(client.get("/ministry/departements/13/synthese")))
    assert "Compléments reçus" in page and "le mardi 26 mai 2009, 9 h 30" in page
    assert "compte-rendu du forum d’Aix-en-Provence du 12 mai 2009</a>" in page
    dashboard = re.sub(r"\s+", " ", text(client.get("/ministry/tableau-de-bord")))
    assert "Complément reçu le 26/05/2009" in dashboard
    assert "Par anticipation" in dashboard


def test_draft_page_has_no_reopening(client, ministry, world):
    page = text(client.get("/ministry/departements/75/synthese"))
    assert "Projet</p>" in page
    assert "/rouvrir" not in page
    assert "Projet de synthèse : document de travail, non transmis au ministère" in page


def test_a_department_that_has_not_started(client, ministry, world):
    page = text(client.get("/ministry/departements/2A/synthese"))
    assert "Synthèse non commencée" in page and "Non commencée</p>" in page
    assert "document." not in page
    for extension in ("html", "odt", "zip"):
        response = client.get(f"/ministry/departements/2A/synthese/document.{extension}")
        assert response.status_code == 404
        assert "n'a pas encore préparé la synthèse" in text(response)
    assert client.get("/ministry/departements/2A/synthese/rouvrir").status_code == 404


def test_downloads(client, ministry, world):
    base = "/ministry/departements/13/synthese/document"

    page = client.get(f"{base}.html")
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.headers["Content-Disposition"] == 'attachment; filename="synthese-13-2009.html"'
    assert "Transmise au ministère le" in page.get_data(as_text=True)

    odt = client.get(f"{base}.odt")
    assert odt.mimetype == "application/vnd.oasis.opendocument.text"
    assert odt.headers["Content-Disposition"] == 'attachment; filename="synthese-13-2009.odt"'
    with zipfile.ZipFile(io.BytesIO(odt.data)) as archive:
        assert archive.namelist()[0] == "mimetype"
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.text"

    bundle = client.get(f"{base}.zip")
    assert bundle.mimetype == "application/zip"
    assert bundle.headers["Content-Disposition"] == 'attachment; filename="synthese-13-2009.zip"'
    with zipfile.ZipFile(io.BytesIO(bundle.data)) as archive:
        names = archive.namelist()
    assert {"synthese-13.odt", "synthese-13.html", "questions.csv", "propositions.csv"} <= set(names)
    assert len([name for name in names if re.fullmatch(r"annexes/\d+-forum-\d+-compte-rendu\.html", name)]) == 3


def test_another_consultation_is_read_by_its_slug(client, ministry, world, consultation, db):
    consultation.is_current = False
    db.session.commit()
    assert client.get("/ministry/departements/13/synthese").status_code == 404
    page = client.get("/ministry/departements/13/synthese?consultation=2009").get_data(as_text=True)
    assert 'href="/ministry/departements/13/synthese/document.odt?consultation=2009"' in page
    assert f'href="{REOPEN}?consultation=2009"' in page


# --- reopening ------------------------------------------------------------------------------------

def test_reopening_requires_a_reason_next_to_its_field(client, db, ministry, world):
    form = text(client.get(REOPEN))
    assert 'name="csrf_token"' in form and '<label class="fr-label" for="reason">Motif de la réouverture' in form
    before = snapshot(db)

    for reason, message in (("", "Indiquez le motif de la réouverture : la préfecture le lira."),
                            ("   ", "Indiquez le motif de la réouverture : la préfecture le lira."),
                            ("Oui", "Indiquez le motif de la réouverture : la préfecture le lira."),
                            ("x" * 2001, "Le motif ne doit pas dépasser 2000 caractères.")):
        response = client.post(REOPEN, data={"reason": reason})
        page = text(response)
        assert response.status_code == 400, reason
        messages = re.search(r'<div class="fr-messages-group" id="reason-messages"[^>]*>(.*?)</div>', page, re.S)
        assert message in messages.group(1), reason
        assert 'aria-invalid="true"' in page
    assert snapshot(db) == before


def test_reopening_a_submitted_synthesis(client, db, ministry, world):
    response = client.post(REOPEN, data={"reason": f"  {REASON}  "})

    assert response.status_code == 302
    assert response.headers["Location"] == "/ministry/departements/13/synthese"
    db.session.expire_all()
    synthesis = db.session.scalar(db.select(DepartmentSynthesis).where(DepartmentSynthesis.department_code == "13"))
    assert (synthesis.status, synthesis.reopen_reason, synthesis.reopened_by_id) == (
        SynthesisStatus.REOPENED, REASON, ministry.id)
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "synthesis.reopen"))
    assert (event.agent_id, event.department_code, event.changes["reason"]) == (ministry.id, "13", [REASON])

    page = text(client.get(response.headers["Location"]))
    assert "est rouverte : la préfecture peut la modifier" in page
    assert "Rouverte</p>" in page
    assert f"par Marc Ministère — motif : « {REASON} »" in page
    assert "/rouvrir" not in page


def test_only_a_submitted_synthesis_can_be_reopened(client, db, ministry, world):
    before = snapshot(db)
    for method in ("get", "post"):
        response = getattr(client, method)("/ministry/departements/75/synthese/rouvrir", data={"reason": REASON})
        assert response.status_code == 409
        assert ("Seule une synthèse transmise au ministère peut être rouverte : celle-ci est à l'état « Projet »"
                in text(response))
    client.post(REOPEN, data={"reason": REASON})
    # Reopened already: a second reopening is refused the same way.
    after_first = snapshot(db)
    response = client.post(REOPEN, data={"reason": REASON})
    assert response.status_code == 409 and "« Rouverte »" in text(response)
    assert snapshot(db) == after_first != before
