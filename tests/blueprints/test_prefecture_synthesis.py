"""The departmental synthesis pages: prepare, write section by section, preview, download, readiness,
transmit (early with a reason), addenda, lock, reopen."""
import html
import io
import json
import re
import zipfile
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from forums.models import (
    AttendanceCategory, AuditEvent, DepartmentSynthesis, ForumStatus, Role, SynthesisAnnex, SynthesisStatus,
)
from forums.services import syntheses
from forums.services.syntheses import reopen_synthesis
from forums.services.synthesis_content import SECTION_MAX_LENGTH, read_generated, read_texts
from synthesis.document import DIAGNOSIS, INSIGHT, PROPOSALS
from synthesis.drafting import PART_TITLES

from ..conftest import paris_time
from ..documents.reading import ODT_MIMETYPE, odt_text
from ..services.synthesis_data import add_minutes, build_department

BASE = "/prefecture/departements/13/synthese"
PART_PAGES = {INSIGHT: f"{BASE}/modifier/eclairage", DIAGNOSIS: f"{BASE}/modifier/diagnostic",
              PROPOSALS: f"{BASE}/modifier/propositions"}
REASON = "Le forum de mai est reporté à l'automne."
#: What a reader must never see in a document: a stored source or a link target of the engine.
INTERNAL = re.compile(r"source:|\[(?:Q|CR forum|Forum|Proposition|Chiffre|Préoccupation|Département) [^\]\s]+\]")


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


def part_form(client, part):
    """Return (section keys, form data as the page wrote it) of a part's edit page."""
    page = client.get(PART_PAGES[part]).get_data(as_text=True)
    based_on = html.unescape(re.search(r'name="based_on"[^>]*value="([^"]*)"', page).group(1))
    keys = list(json.loads(based_on))
    data = {"based_on": based_on, "action": "save"}
    for index, _ in enumerate(keys):
        found = re.search(rf'<textarea[^>]*name="texts-{index}"[^>]*>(.*?)</textarea>', page, re.S)
        data[f"texts-{index}"] = html.unescape(found.group(1)).strip()
    return keys, data


def write(client, part, texts, action="save"):
    """Post ``texts`` ({section key: Markdown}) on a part's edit page, the others as they were."""
    keys, data = part_form(client, part)
    for key, value in texts.items():
        data[f"texts-{keys.index(key)}"] = value
    data["action"] = action
    return client.post(PART_PAGES[part], data=data)


def test_the_whole_journey(db, client, consultation, department, prefecture, create_agent, create_question):
    page = client.get(BASE)
    assert page.status_code == 200
    assert "Non commencée" in words(page) and "Préparer le projet de synthèse" in words(page)

    # Prepare: the generated content, nothing of the prefecture's yet.
    response = prepare(client)
    assert response.status_code == 302 and response.headers["Location"] == BASE
    synthesis = stored(db)
    assert synthesis.status is SynthesisStatus.DRAFT and synthesis.created_by_id == prefecture.id
    overview = words(client.get(BASE))
    assert "Le projet de synthèse est préparé" in overview and "Projet en cours de rédaction" in overview
    assert "Forums annoncés (publiés, reportés ou tenus)" in overview and "Forums tenus sans compte-rendu" in overview
    assert "Forum de Berre" in overview and "compte-rendu non saisi" in overview
    assert "aucun texte de la préfecture" in overview
    assert 'id="chiffres-forums-held"' in client.get(BASE).get_data(as_text=True)

    # Write section by section: the generated block read-only beside the text area.
    edit = client.get(PART_PAGES[INSIGHT])
    assert edit.status_code == 200
    body = words(edit)
    assert "Texte calculé à partir des données du département" in body and "Les citoyens ont adressé 10 questions" in body
    assert "Votre texte — Éclairage de la préfecture" in body and "[^e" not in body
    response = write(client, INSIGHT, {"insight.analysis": "Les habitants d'Aix parlent surtout de **vidéo-protection**, "
                                                           "124 participants au total."})
    assert response.status_code == 302 and response.headers["Location"] == PART_PAGES[INSIGHT]
    assert read_texts(stored(db)).text("insight.analysis").startswith("Les habitants d'Aix")
    assert len(actions(db, "synthesis.edit")) == 1

    # The data change: the generated content follows by itself, the text stays, the cited number is flagged.
    create_question("Une nouvelle question sur la vidéo-protection ?", subtopic="1.A.1")
    complete_minutes(department)
    body = words(client.get(PART_PAGES[INSIGHT])).replace("\u00a0", " ")
    assert "Les citoyens ont adressé 11 questions" in body
    assert "Vous citez « 124 » : c’était la valeur du tableau « Participation d’après les comptes-rendus », " \
           "ligne « Total » quand vous l’avez écrit ; elle est maintenant de 154." in body
    assert read_generated(stored(db).generated).figures.questions.total.received.value == 11

    # Preview: the print-ready document, with readable, linked sources.
    preview = client.get(f"{BASE}/apercu")
    assert preview.status_code == 200 and preview.mimetype == "text/html"
    assert "attachment" not in preview.headers.get("Content-Disposition", "")
    document = text(preview)
    assert "<strong>vidéo-protection</strong>" in document
    assert not INTERNAL.search(document), INTERNAL.search(document)
    assert "Tableau « Forums et couverture », ligne « Forums tenus »" in words(preview).replace("\u00a0", " ")
    assert 'href="#chiffres-forums-held"' in document and 'id="chiffres-forums-held"' in document
    for title in PART_TITLES.values():
        assert title in document

    # Downloads.
    odt = client.get(f"{BASE}.odt")
    assert odt.status_code == 200 and odt.mimetype == "application/vnd.oasis.opendocument.text"
    assert odt.headers["Content-Disposition"] == 'attachment; filename="synthese-13.odt"'
    with zipfile.ZipFile(io.BytesIO(odt.data)) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and archive.read(first) == ODT_MIMETYPE
    assert "Les habitants d'Aix parlent surtout de vidéo-protection" in odt_text(odt.data)
    assert not INTERNAL.search(odt_text(odt.data))
    bundle = client.get(f"{BASE}.zip")
    assert bundle.headers["Content-Disposition"] == 'attachment; filename="synthese-13.zip"'
    with zipfile.ZipFile(io.BytesIO(bundle.data)) as archive:
        names = archive.namelist()
        inside = archive.read("synthese-13.html").decode()
    assert {"synthese-13.odt", "synthese-13.html", "questions.csv", "propositions.csv",
            "preoccupations.csv"} <= set(names)
    assert any(name.endswith("compte-rendu.html") for name in names if name.startswith("annexes/"))
    assert re.search(r'href="annexes/\d+-forum-\d+-compte-rendu\.html"', inside)

    # Transmit: the checklist, the early confirmation and its reason.
    checklist = words(client.get(f"{BASE}/transmettre"))
    assert "1 forum reste à tenir" in checklist and "Forum de mai" in checklist
    assert "Couverture incomplète : 2 sur 3" in checklist and "Non couverts : Berre-l'Étang." in checklist
    assert "4 questions attendent une décision de modération" in checklist
    assert "Votre texte cite des chiffres qui ont changé" in checklist
    refused = client.post(f"{BASE}/transmettre", data={"confirm": "y"})
    assert refused.status_code == 400
    assert "Des forums restent à tenir ou la période des réunions n'est pas close" in words(refused)
    refused = client.post(f"{BASE}/transmettre", data={"confirm": "y", "early_confirm": "y", "early_reason": ""})
    assert refused.status_code == 400
    assert "Indiquez pourquoi vous transmettez avant la fin des forums" in words(refused)
    assert stored(db).status is SynthesisStatus.DRAFT
    on_time(db, consultation)
    response = client.post(f"{BASE}/transmettre", data={"confirm": "y", "early_confirm": "y", "early_reason": REASON})
    assert response.status_code == 302 and response.headers["Location"] == BASE
    synthesis = stored(db)
    assert synthesis.status is SynthesisStatus.SUBMITTED and synthesis.is_early and synthesis.early_reason == REASON
    overview = words(client.get(BASE))
    assert "Transmise par anticipation" in overview and REASON in overview
    assert "Rédiger le texte de la préfecture" not in overview and "Prévisualiser le document" in overview

    # Locked: every change is refused with the reason, nothing is written.
    events = db.session.scalar(select(db.func.count()).select_from(AuditEvent))
    for method, path, data in (("get", "/modifier", None), ("get", "/modifier/eclairage", None),
                               ("post", "/modifier/eclairage", {"texts-0": "Changé."}),
                               ("get", "/transmettre", None), ("post", "/transmettre", {"confirm": "y"})):
        response = getattr(client, method)(BASE + path, data=data)
        assert response.status_code == 409, path
        assert "La synthèse a été transmise au ministère le" in words(response)
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == events

    # The forum of May is held: its minutes are no locked, and go as an addendum.
    forum = department.forums["next"]
    forum.status = ForumStatus.HELD
    db.session.commit()
    add_minutes(forum, {AttendanceCategory.PUBLIC: 52})
    overview = client.get(BASE)
    assert "Comptes-rendus à transmettre en complément" in words(overview)
    response = client.post(f"{BASE}/complement", data={"forum_ids": [str(forum.id)]})
    assert response.status_code == 302
    assert "Le complément est transmis au ministère (1 compte-rendu)" in words(client.get(BASE))
    annexes = db.session.scalars(select(SynthesisAnnex).where(SynthesisAnnex.is_addendum.is_(True))).all()
    assert [annex.forum_id for annex in annexes] == [forum.id]
    assert "Complément transmis le" in words(client.get(f"{BASE}/apercu"))

    # The ministry reopens it: editable again, and the page says why.
    ministry = create_agent(Role.MINISTRY)
    reopen_synthesis(stored(db), "Merci de préciser les propositions d'Arles.", ministry)
    db.session.commit()
    overview = words(client.get(BASE))
    assert "Rouverte par le ministère" in overview and "Merci de préciser les propositions d'Arles." in overview
    assert write(client, PROPOSALS, {"proposals.own": "Propositions précisées."}).status_code == 302
    assert read_texts(stored(db)).text("proposals.own") == "Propositions précisées."
    assert client.post(f"{BASE}/transmettre", data={"confirm": "y"}).status_code == 302
    assert stored(db).status is SynthesisStatus.SUBMITTED and not stored(db).is_early


def test_held_forums_without_minutes_block_the_transmission(db, client, consultation, department, prefecture):
    prepare(client)
    page = client.get(f"{BASE}/transmettre")
    body = words(page)
    assert "1 forum tenu n'a pas de compte-rendu — la transmission est impossible" in body
    assert "Je confirme la transmission" not in body
    refused = client.post(f"{BASE}/transmettre", data={"confirm": "y", "early_confirm": "y", "early_reason": REASON})
    assert refused.status_code == 409
    assert "Le forum suivant s'est tenu mais n'a pas de compte-rendu : forum de Berre-l'Étang du 2 avril 2009" in \
        words(refused)
    assert stored(db).status is SynthesisStatus.DRAFT


def test_a_late_submission_is_accepted_and_flagged(db, client, consultation, department, prefecture):
    complete_minutes(department)
    prepare(client)
    overview = words(client.get(BASE))
    assert "Date limite dépassée" in overview and "signalée en retard" in overview
    assert "sera acceptée, mais signalée en retard" in words(client.get(f"{BASE}/transmettre"))
    response = client.post(f"{BASE}/transmettre", data={"confirm": "y", "early_confirm": "y", "early_reason": REASON},
                           follow_redirects=True)
    assert response.status_code == 200
    body = words(response)
    assert "Elle est signalée en retard : la date limite était le vendredi 22 mai 2009." in body
    assert "Transmise en retard" in body
    assert stored(db).is_late is True


def test_submitting_twice_says_it_was_already_submitted(db, client, consultation, department, prefecture):
    complete_minutes(department)
    prepare(client)
    data = {"confirm": "y", "early_confirm": "y", "early_reason": REASON}
    assert client.post(f"{BASE}/transmettre", data=data).status_code == 302
    again = client.post(f"{BASE}/transmettre", data=data)
    assert again.status_code == 409
    assert "La synthèse a été transmise au ministère le" in words(again)
    assert len(actions(db, "synthesis.submit")) == 1


def test_submission_needs_the_confirmation(db, client, consultation, department, prefecture):
    complete_minutes(department)
    prepare(client)
    response = client.post(f"{BASE}/transmettre", data={"early_confirm": "y", "early_reason": REASON})
    assert response.status_code == 400
    assert re.search(r'<p class="fr-message fr-message--error" id="confirm-message-error">\s*'
                     r"Cochez cette case pour confirmer la transmission.", text(response))
    assert stored(db).status is SynthesisStatus.DRAFT


def test_edit_errors_stay_next_to_their_section_and_keep_the_text(db, client, consultation, department, prefecture):
    prepare(client)
    too_long = "x" * (SECTION_MAX_LENGTH + 1)
    response = write(client, DIAGNOSIS, {"diagnosis.analysis": too_long, "diagnosis.strengths": "Gardé."})
    assert response.status_code == 400
    page = text(response)
    assert "Votre texte n'est pas enregistré" in page
    assert "Ce texte dépasse 50\u202f000 caractères" in page
    assert too_long in page and "Gardé." in page
    assert read_texts(stored(db)).markdowns() == {}
    assert actions(db, "synthesis.edit") == []


def test_a_section_a_colleague_changed_meanwhile_is_refused_with_both_texts(db, client, consultation, department,
                                                                            prefecture, create_agent):
    prepare(client)
    keys, data = part_form(client, INSIGHT)
    colleague = create_agent(Role.PREFECTURE, department="13")
    syntheses.update_texts(stored(db), {"insight.analysis": "Texte du collègue."}, {}, colleague)
    db.session.commit()
    data[f"texts-{keys.index('insight.analysis')}"] = "Mon texte à moi."
    response = client.post(PART_PAGES[INSIGHT], data=data)
    assert response.status_code == 409
    body = words(response)
    assert "Un autre agent a modifié cette section" in body
    assert "Texte du collègue." in body and "Mon texte à moi." in body
    assert read_texts(stored(db)).text("insight.analysis") == "Texte du collègue."


def test_preview_of_a_part_saves_nothing(db, client, consultation, department, prefecture):
    prepare(client)
    response = write(client, INSIGHT, {"insight.analysis": "Texte en **aperçu**."}, action="preview")
    assert response.status_code == 200
    body = text(response)
    assert "Aperçu de la partie" in body and "<strong>aperçu</strong>" in body
    assert read_texts(stored(db)).markdowns() == {}


def test_a_tampered_edit_form_is_refused_in_french(db, client, consultation, department, prefecture):
    prepare(client)
    for based_on in ("", "pas du json", "[1, 2]", '{"insight.analysis": "x"}'):
        response = client.post(PART_PAGES[INSIGHT], data={"based_on": based_on, "texts-0": "Texte."})
        assert response.status_code == 400, based_on
        assert "Le formulaire est incomplet" in words(response)
    response = client.post(PART_PAGES[INSIGHT], data={"based_on": '{"insight.analysis": 0}', "texts-0": "A",
                                                       "texts-1": "B"})
    assert response.status_code == 400
    assert "Les sections de cette partie ont changé" in words(response)
    assert client.get(f"{BASE}/modifier/inconnue").status_code == 404
    assert read_texts(stored(db)).markdowns() == {}


def test_scripts_in_markdown_are_neutralised(db, client, consultation, department, prefecture):
    prepare(client)
    write(client, INSIGHT, {"insight.analysis": 'Avant <script>alert("x")</script> après, '
                                                '<img src=x onerror="alert(1)"> **gras** [^e1]'})
    for url in (f"{BASE}/apercu", f"{BASE}.html"):
        page = client.get(url).get_data(as_text=True)
        assert "<script" not in page and "alert(" not in page and "onerror" not in page, url
        assert "<strong>gras</strong>" in page
    edit = client.get(PART_PAGES[INSIGHT]).get_data(as_text=True)
    assert "&lt;script&gt;alert" in edit and "<script>alert" not in edit


def test_addendum_refusals(db, client, consultation, department, prefecture):
    complete_minutes(department)
    prepare(client)
    assert client.post(f"{BASE}/complement", data={"forum_ids": ["1"]}).status_code == 409
    client.post(f"{BASE}/transmettre", data={"confirm": "y", "early_confirm": "y", "early_reason": REASON})
    for forum_ids in ([str(department.forums["paris"].id)], ["abc"], [], [str(department.forums["aix"].id)]):
        response = client.post(f"{BASE}/complement", data={"forum_ids": forum_ids})
        assert response.status_code == 400, forum_ids
        assert ("Seuls les comptes-rendus" in words(response) or "Cochez" in words(response)
                or "Choix invalide" in words(response)), forum_ids
    assert db.session.scalars(select(SynthesisAnnex).where(SynthesisAnnex.is_addendum.is_(True))).all() == []


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
    assert db.session.scalars(select(DepartmentSynthesis.id)).all() == [first]


def test_pages_before_the_draft_is_prepared(db, client, consultation, department, prefecture):
    for path in ("/modifier", "/modifier/eclairage", "/transmettre"):
        response = client.get(BASE + path)
        assert response.status_code == 302 and response.headers["Location"] == BASE, path
    assert "Préparez-le d'abord" in text(client.get(BASE))
    for path in ("/apercu", ".odt", ".zip"):
        response = client.get(BASE + path)
        assert response.status_code == 404
        assert "Le projet de synthèse de ce département n'a pas encore été préparé." in text(response)
    assert stored(db) is None


def test_without_a_current_consultation(db, client, territories, prefecture):
    page = client.get(BASE)
    assert page.status_code == 200
    assert "Aucune consultation n'est en cours" in text(page) and "Préparer" not in text(page)
    response = prepare(client)
    assert response.status_code == 409
    assert "Aucune consultation n'est en cours" in text(response)


@pytest.mark.parametrize("role, arrondissement", [(Role.SUBPREFECTURE, "132"), (Role.MINISTRY, None)])
def test_readers_see_the_synthesis_without_any_button_to_change_it(db, client, consultation, department,
                                                                   create_agent, login, role, arrondissement):
    syntheses.prepare_draft(consultation, "13", create_agent(Role.PREFECTURE, department="13"))
    db.session.commit()
    login(create_agent(role, arrondissement=arrondissement))
    page = client.get(BASE)
    assert page.status_code == 200
    body = words(page)
    assert "Projet en cours de rédaction" in body and "Forums tenus" in body and "Forum de Berre" in body
    for label in ("Préparer le projet", "Rédiger le texte de la préfecture", "Transmettre au ministère"):
        assert label not in body
    assert "Prévisualiser le document" in body
    assert client.get(f"{BASE}/apercu").status_code == 200


def test_department_page_links_to_the_synthesis(db, client, consultation, territories, create_agent, login):
    login(create_agent(Role.PREFECTURE, department="13"))
    page = client.get("/prefecture/departements/13").get_data(as_text=True)
    assert re.search(r'id="synthesis-link" href="/prefecture/departements/13/synthese">Synthèse départementale', page)


@pytest.mark.parametrize("code", ["99", "x" * 300])
def test_unknown_or_malformed_departments_are_not_found(db, client, consultation, territories, prefecture, code):
    assert client.get(f"/prefecture/departements/{code}/synthese").status_code == 404
    assert client.post(f"/prefecture/departements/{code}/synthese/preparer").status_code == 404


def test_overview_query_count_does_not_grow_with_the_department(db, client, consultation, department, prefecture,
                                                                create_forum, count_queries):
    prepare(client)
    client.get(BASE)

    def statements():
        with count_queries() as seen:
            assert client.get(BASE).status_code == 200
        return seen

    first = statements()
    for day in range(5):
        create_forum(cantons=["1306"], status=ForumStatus.HELD, starts_at=paris_time(2009, 4, 20 + day),
                     title=f"Forum supplémentaire {day}", commune="13004")
    client.get(BASE)  # the content follows the new forums once
    second = statements()
    # The agent, the department, the consultation, the synthesis and its annexes, the data's stamp (one query:
    # nothing changed, nothing recomputed); the readiness: held forums without minutes, forums to hold,
    # coverage (4), questions to moderate, unsigned minutes; the menu's moderation count.
    assert len(first) == len(second) == 15, "\n".join(second)


def test_a_long_text_of_punctuation_and_brackets_is_stored_and_rendered(db, client, consultation, department,
                                                                         prefecture):
    prepare(client)
    adversarial = "[]()" * 2500 + ".;" * 2000 + "<a " * 1000
    assert write(client, INSIGHT, {"insight.analysis": adversarial}).status_code == 302
    assert read_texts(stored(db)).text("insight.analysis") == adversarial.strip()
    for url in (f"{BASE}/apercu", PART_PAGES[INSIGHT], f"{BASE}.odt"):
        assert client.get(url).status_code == 200, url
