"""The departmental synthesis pages: prepare, edit, regenerate, preview, download, submit, lock, reopen."""
import html
import io
import re
import zipfile
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from forums.models import AttendanceCategory, AuditEvent, DepartmentSynthesis, ForumStatus, Role, SynthesisStatus
from forums.services import syntheses
from forums.services.syntheses import PART_MAX_LENGTH, reopen_synthesis
from synthesis.drafting import DIAGNOSIS, INSIGHT, PART_TITLES, PROPOSALS

from ..conftest import paris_time
from ..documents.reading import ODT_MIMETYPE, odt_text
from ..services.synthesis_data import add_minutes, build_department

BASE = "/prefecture/departements/13/synthese"
PART_LABELS = {
    "local_insight": f"1. {PART_TITLES[INSIGHT]}",
    "diagnosis": f"2. {PART_TITLES[DIAGNOSIS]}",
    "proposals": f"3. {PART_TITLES[PROPOSALS]}",
}
TEXTS = {
    "local_insight": "Les habitants d'Aix parlent surtout de **vidéo-protection**.",
    "diagnosis": "### Points forts\n\n- Écoute des habitants\n\n### Points faibles\n\n- Salles trop petites",
    "proposals": "1. Afficher qui consulte les images.\n2. Patrouilles du soir.",
}


def text(response):
    return html.unescape(response.get_data(as_text=True))


def squash(value):
    """Collapse runs of spaces and line breaks, keeping the non-breaking spaces of French typography."""
    return re.sub(r"[ \t\r\n]+", " ", value)


def words(response):
    """Return what a reader sees of a page: its text without tags, spaces collapsed."""
    return squash(re.sub(r"<[^>]+>", " ", text(response)))


@pytest.fixture
def department(create_forum, create_question, subtopics):
    """Department 13 of tests/services/synthesis_data.py: three held forums, the one of Berre without minutes."""
    return build_department(create_forum, create_question, subtopics)


@pytest.fixture
def prefecture(create_agent, login):
    agent = create_agent(Role.PREFECTURE, department="13")
    login(agent)
    return agent


def stored(db):
    db.session.expire_all()
    return db.session.scalar(select(DepartmentSynthesis).where(DepartmentSynthesis.department_code == "13"))


def actions(db, name):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == name)).all()


def prepare(client):
    return client.post(f"{BASE}/preparer")


def on_time(db, consultation):
    """Move the deadline for syntheses a month ahead, so that a submission today is on time."""
    consultation.synthesis_due_on = date.today() + timedelta(days=30)
    db.session.commit()


def complete_minutes(department):
    add_minutes(department.forums["berre"], {AttendanceCategory.PUBLIC: 30})


def test_the_whole_journey(db, client, consultation, department, prefecture, create_agent, create_question):
    page = client.get(BASE)
    assert page.status_code == 200
    body = squash(text(page))
    assert "Non commencée" in body and "Préparer le projet de synthèse" in body
    assert f'href="/comptes-rendus/forums/{department.forums["berre"].id}"' in page.get_data(as_text=True)

    # Prepare: a pre-filled draft.
    response = prepare(client)
    assert response.status_code == 302 and response.headers["Location"] == BASE
    synthesis = stored(db)
    assert synthesis.status is SynthesisStatus.DRAFT and synthesis.created_by_id == prefecture.id
    assert "Former les agents de sécurité privée" in synthesis.proposals
    overview = words(client.get(BASE))
    assert "Le projet de synthèse est préparé" in overview
    assert "Projet en cours de rédaction" in overview
    assert "Forums annoncés (publiés, reportés ou tenus)" in overview and "Public 100" in overview
    assert "Forum de Berre" in overview and "compte-rendu non saisi" in overview

    # Edit the three parts.
    form = text(client.get(f"{BASE}/modifier"))
    for column, label in PART_LABELS.items():
        assert f'<label class="fr-label" for="{column}">{label}' in form
    assert "Former les agents de sécurité privée" in form
    response = client.post(f"{BASE}/modifier", data=TEXTS)
    assert response.status_code == 302
    assert {column: getattr(stored(db), column) for column in TEXTS} == TEXTS

    # Regenerate: new figures, same text.
    create_question("Une nouvelle question sur la vidéo-protection ?", subtopic="1.A.1")
    assert client.post(f"{BASE}/regenerer").status_code == 302
    synthesis = stored(db)
    assert synthesis.figures["figures"]["questions"]["total"]["received"]["value"] == 11
    assert {column: getattr(synthesis, column) for column in TEXTS} == TEXTS
    assert "le texte des trois parties est conservé" in words(client.get(BASE))
    assert len(actions(db, "synthesis.regenerate")) == 1

    # Preview: the print-ready document.
    preview = client.get(f"{BASE}/apercu")
    assert preview.status_code == 200 and preview.mimetype == "text/html"
    assert "attachment" not in preview.headers.get("Content-Disposition", "")
    document = squash(text(preview))
    assert "<strong>vidéo-protection</strong>" in document
    for title in PART_TITLES.values():
        assert title in document

    # Downloads.
    odt = client.get(f"{BASE}.odt")
    assert odt.status_code == 200 and odt.mimetype == "application/vnd.oasis.opendocument.text"
    assert odt.headers["Content-Disposition"] == 'attachment; filename="synthese-13.odt"'
    with zipfile.ZipFile(io.BytesIO(odt.data)) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and archive.read(first) == ODT_MIMETYPE
    assert "Les habitants d'Aix parlent surtout de vidéo-protection." in odt_text(odt.data)
    page = client.get(f"{BASE}.html")
    assert page.mimetype == "text/html"
    assert page.headers["Content-Disposition"] == 'attachment; filename="synthese-13.html"'
    assert "<strong>vidéo-protection</strong>" in text(page)
    bundle = client.get(f"{BASE}.zip")
    assert bundle.mimetype == "application/zip"
    assert bundle.headers["Content-Disposition"] == 'attachment; filename="synthese-13.zip"'
    with zipfile.ZipFile(io.BytesIO(bundle.data)) as archive:
        names = archive.namelist()
    assert {"synthese-13.odt", "synthese-13.html", "questions.csv", "propositions.csv"} <= set(names)
    annexes = [name for name in names if name.startswith("annexes/")]
    assert any(name.endswith("compte-rendu.html") for name in annexes)
    assert any(name.endswith("compte-rendu-manquant.txt") for name in annexes)

    # Submit: refused while the minutes of Berre are missing.
    confirmation = squash(text(client.get(f"{BASE}/transmettre")))
    assert "Forum de Berre" in confirmation and "Je confirme la transmission" in confirmation
    refused = client.post(f"{BASE}/transmettre", data={"confirm": "y"})
    assert refused.status_code == 409
    body = squash(text(refused))
    assert "La synthèse n'est pas transmise" in body
    assert "Le forum suivant s'est tenu mais n'a pas de compte-rendu : forum du 2 avril 2009 — Berre-l'Étang" in body
    assert stored(db).status is SynthesisStatus.DRAFT

    # Submit, on time, once the minutes are in.
    complete_minutes(department)
    on_time(db, consultation)
    response = client.post(f"{BASE}/transmettre", data={"confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"] == BASE
    synthesis = stored(db)
    assert synthesis.status is SynthesisStatus.SUBMITTED and synthesis.is_late is False
    assert synthesis.submitted_by_id == prefecture.id and synthesis.submitted_result is not None
    overview = squash(text(client.get(BASE)))
    assert "La synthèse est transmise au ministère" in overview and "signalée en retard" not in overview
    assert "Transmise au ministère le" in overview and "Agent Préfecture" in overview
    assert "Modifier les trois parties" not in overview and "Régénérer les chiffres" not in overview
    assert "Transmettre au ministère" not in overview and "Prévisualiser le document" in overview

    # Locked: every change is refused with the reason, nothing is written.
    events = db.session.scalar(select(db.func.count()).select_from(AuditEvent))
    for method, path, data in (("get", "/modifier", None), ("post", "/modifier", {"local_insight": "Changé."}),
                               ("post", "/regenerer", None), ("get", "/transmettre", None),
                               ("post", "/transmettre", {"confirm": "y"})):
        response = getattr(client, method)(BASE + path, data=data)
        assert response.status_code == 409, path
        assert "La synthèse a été transmise au ministère le" in squash(text(response))
        assert "demandez au ministère de la rouvrir" in text(response)
    assert stored(db).local_insight == TEXTS["local_insight"]
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == events
    assert client.get(f"{BASE}/apercu").status_code == 200

    # The ministry reopens it: editable again, and the page says why.
    ministry = create_agent(Role.MINISTRY)
    reopen_synthesis(stored(db), "Merci de préciser les propositions d'Arles.", ministry)
    db.session.commit()
    overview = squash(text(client.get(BASE)))
    assert "Rouverte par le ministère" in overview and "Merci de préciser les propositions d'Arles." in overview
    assert client.get(f"{BASE}/modifier").status_code == 200
    assert client.post(f"{BASE}/modifier", data=dict(TEXTS, proposals="Propositions précisées.")).status_code == 302
    assert stored(db).proposals == "Propositions précisées."
    assert client.post(f"{BASE}/transmettre", data={"confirm": "y"}).status_code == 302
    assert stored(db).status is SynthesisStatus.SUBMITTED


def test_a_late_submission_is_accepted_and_flagged(db, client, consultation, department, prefecture):
    complete_minutes(department)
    prepare(client)
    overview = squash(text(client.get(BASE)))
    assert "Date limite dépassée" in overview and "signalée en retard" in overview
    assert "sera acceptée, mais signalée en retard" in squash(text(client.get(f"{BASE}/transmettre")))

    response = client.post(f"{BASE}/transmettre", data={"confirm": "y"}, follow_redirects=True)

    assert response.status_code == 200
    body = squash(text(response))
    assert "Elle est signalée en retard : la date limite était le vendredi 22 mai 2009." in body
    assert "Transmise en retard" in body and "après la date limite du vendredi 22 mai 2009" in body
    assert "Date limite dépassée" not in body
    synthesis = stored(db)
    assert synthesis.status is SynthesisStatus.SUBMITTED and synthesis.is_late is True


def test_submitting_twice_says_it_was_already_submitted(db, client, consultation, department, prefecture):
    complete_minutes(department)
    prepare(client)
    assert client.post(f"{BASE}/transmettre", data={"confirm": "y"}).status_code == 302
    submitted_at = stored(db).submitted_at

    again = client.post(f"{BASE}/transmettre", data={"confirm": "y"})

    assert again.status_code == 409
    assert "La synthèse a été transmise au ministère le" in squash(text(again))
    assert stored(db).submitted_at == submitted_at
    assert len(actions(db, "synthesis.submit")) == 1


def test_submission_needs_the_confirmation(db, client, consultation, department, prefecture):
    complete_minutes(department)
    prepare(client)

    response = client.post(f"{BASE}/transmettre", data={})

    assert response.status_code == 400
    assert re.search(r'<p class="fr-message fr-message--error" id="confirm-message-error">\s*'
                     r"Cochez cette case pour confirmer la transmission.", text(response))
    assert stored(db).status is SynthesisStatus.DRAFT


def test_submission_with_an_empty_part_names_the_part(db, client, consultation, department, prefecture):
    complete_minutes(department)
    prepare(client)
    client.post(f"{BASE}/modifier", data=dict(TEXTS, diagnosis="   "))

    response = client.post(f"{BASE}/transmettre", data={"confirm": "y"})

    assert response.status_code == 409
    body = squash(text(response))
    assert f"« {PART_LABELS['diagnosis']} » : Rédigez le diagnostic avant de transmettre la synthèse." in body
    assert f'href="{BASE}/modifier"' in response.get_data(as_text=True)
    assert stored(db).status is SynthesisStatus.DRAFT


def test_edit_errors_stay_next_to_their_part_and_keep_the_text(db, client, consultation, department, prefecture):
    prepare(client)
    before = stored(db).diagnosis
    too_long = "x" * (PART_MAX_LENGTH + 1)

    response = client.post(f"{BASE}/modifier", data=dict(TEXTS, diagnosis=too_long))

    assert response.status_code == 400
    page = text(response)
    assert "La synthèse n'est pas enregistrée" in page
    assert re.search(r'id="diagnosis-message-error">Ce texte dépasse 100\u202f000 caractères', page)
    assert 'aria-invalid="true"' in re.search(r'<textarea[^>]*id="diagnosis"[^>]*>', page).group(0)
    assert too_long in page and TEXTS["local_insight"] in page
    synthesis = stored(db)
    assert synthesis.diagnosis == before and synthesis.local_insight != TEXTS["local_insight"]
    assert actions(db, "synthesis.edit") == []


def test_scripts_in_markdown_are_neutralised(db, client, consultation, department, prefecture):
    prepare(client)
    client.post(f"{BASE}/modifier", data=dict(
        TEXTS, local_insight='Avant <script>alert("x")</script> après, <img src=x onerror="alert(1)"> **gras**'))
    assert "<script>" in stored(db).local_insight

    for url in (f"{BASE}/apercu", f"{BASE}.html"):
        page = client.get(url).get_data(as_text=True)
        assert "<script" not in page and "alert(" not in page and "onerror" not in page, url
        assert "<strong>gras</strong>" in page
    edit = client.get(f"{BASE}/modifier").get_data(as_text=True)
    assert "&lt;script&gt;alert" in edit and "<script>alert" not in edit


def test_preparing_twice_shows_the_existing_draft(db, client, consultation, department, prefecture):
    prepare(client)
    first = stored(db).id

    response = prepare(client)

    assert response.status_code == 302 and response.headers["Location"] == BASE
    assert "Un projet de synthèse existe déjà pour ce département" in text(client.get(BASE))
    assert stored(db).id == first and len(actions(db, "synthesis.prepare")) == 1


def test_two_simultaneous_prepares_keep_one_draft(db, client, consultation, department, prefecture, monkeypatch):
    prepare(client)
    first = stored(db).id
    real = syntheses.department_synthesis
    calls = []

    def not_seen_yet(consultation, code):
        # The second click checked before the first one was saved: it finds nothing, once.
        calls.append(code)
        return None if len(calls) == 1 else real(consultation, code)

    monkeypatch.setattr(syntheses, "department_synthesis", not_seen_yet)
    response = prepare(client)
    monkeypatch.undo()

    assert response.status_code == 302 and response.headers["Location"] == BASE
    assert "Un projet de synthèse venait d'être préparé pour ce département : le voici." in text(client.get(BASE))
    assert len(calls) == 2
    assert db.session.scalars(select(DepartmentSynthesis.id)).all() == [first]
    assert len(actions(db, "synthesis.prepare")) == 1


def test_pages_before_the_draft_is_prepared(db, client, consultation, department, prefecture):
    response = client.get(f"{BASE}/modifier")
    assert response.status_code == 302 and response.headers["Location"] == BASE
    assert "Préparez-le d'abord" in text(client.get(BASE))
    for path in ("/apercu", ".odt", ".zip"):
        response = client.get(BASE + path)
        assert response.status_code == 404
        assert "Le projet de synthèse de ce département n'a pas encore été préparé." in text(response)
    assert client.post(f"{BASE}/regenerer").status_code == 302
    assert stored(db) is None


def test_without_a_current_consultation(db, client, territories, prefecture):
    page = client.get(BASE)
    assert page.status_code == 200
    assert "Aucune consultation n'est en cours" in text(page) and "Préparer" not in text(page)

    response = prepare(client)

    assert response.status_code == 409
    assert "Aucune consultation n'est en cours" in text(response)
    assert stored(db) is None


@pytest.mark.parametrize("role, arrondissement", [(Role.SUBPREFECTURE, "132"), (Role.MINISTRY, None)])
def test_readers_see_the_synthesis_without_any_button_to_change_it(db, client, consultation, department,
                                                                   create_agent, login, role, arrondissement):
    synthesis = syntheses.prepare_draft(consultation, "13", create_agent(Role.PREFECTURE, department="13"))
    db.session.commit()
    login(create_agent(role, arrondissement=arrondissement))

    page = client.get(BASE)

    assert page.status_code == 200
    body = squash(text(page))
    assert "Projet en cours de rédaction" in body and "Forums tenus" in body and "Forum de Berre" in body
    # A sub-prefect does not see the department's page: the breadcrumb does not lead there.
    assert ('href="/prefecture/departements/13"' in body) is (role is Role.MINISTRY)
    for label in ("Préparer le projet", "Modifier les trois parties", "Régénérer les chiffres",
                  "Transmettre au ministère"):
        assert label not in body
    assert "Prévisualiser le document" in body and 'href="/prefecture/departements/13/synthese.zip"' in body
    assert client.get(f"{BASE}/apercu").status_code == 200
    assert synthesis.id == stored(db).id


def test_department_page_links_to_the_synthesis(db, client, consultation, territories, create_agent, login):
    login(create_agent(Role.PREFECTURE, department="13"))
    page = client.get("/prefecture/departements/13").get_data(as_text=True)
    assert re.search(r'id="synthesis-link" href="/prefecture/departements/13/synthese">Synthèse départementale', page)

    client.post("/auth/logout")
    login(create_agent(Role.MODERATOR, department="13"))
    assert 'id="synthesis-link"' not in client.get("/prefecture/departements/13").get_data(as_text=True)


@pytest.mark.parametrize("code", ["99", "13%00", "x" * 300])
def test_unknown_or_malformed_departments_are_not_found(db, client, consultation, territories, prefecture, code):
    assert client.get(f"/prefecture/departements/{code}/synthese").status_code == 404
    assert client.post(f"/prefecture/departements/{code}/synthese/preparer").status_code == 404


def test_overview_query_count_does_not_grow_with_the_department(db, client, consultation, department, prefecture,
                                                                create_forum, count_queries):
    prepare(client)

    def statements():
        with count_queries() as seen:
            assert client.get(BASE).status_code == 200
        return seen

    first = statements()
    for day in range(5):
        create_forum(cantons=["1306"], status=ForumStatus.HELD, starts_at=paris_time(2009, 4, 20 + day),
                     title=f"Forum supplémentaire {day}", commune="13004")
    client.post(f"{BASE}/regenerer")
    second = statements()

    # The agent, the moderation count of the menu, the department, the consultation, the synthesis with
    # the agents it names, the held forums without minutes.
    assert len(first) == len(second) == 6, "\n".join(second)
