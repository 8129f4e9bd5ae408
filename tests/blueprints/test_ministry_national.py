"""The ministry's national synthesis pages: who gets in, the national figures, the document's round trip
(prepare, write section by section, preview, downloads) and the proposals catalogue.

Bouches-du-Rhône (13) and Paris (75) have submitted their syntheses; Corse-du-Sud (2A) has a draft
and Martinique (972) was submitted then reopened: neither counts until it is submitted.
"""
import html
import io
import json
import re
import zipfile

import pytest

import forums.services.national_synthesis as national_service
from forums.models import (
    AttendanceCategory, AuditEvent, ForumStatus, NationalSynthesis, ProposalOrigin, QuestionStatus, Role,
)
from forums.services.national_synthesis import national_synthesis, prepare_national, update_national_texts
from forums.services.syntheses import department_synthesis, prepare_draft, reopen_synthesis, submit_synthesis
from forums.services.synthesis_content import read_generated, read_texts
from forums.services.synthesis_inputs import compile_department
from synthesis.drafting import PART_TITLES
from synthesis.typography import format_number

from ..conftest import PASSWORD, new_client, paris_time, second_step
from ..documents.reading import ODT_MIMETYPE, odt_text, read_csv
from ..services.synthesis_data import EXPECTED, add_minutes, build_department

ON_TIME = paris_time(2009, 5, 20, 12)
#: The fixture department still has a forum to hold: transmitting is early.
EARLY = "Le forum de mai est reporté."
BASE = "/ministry/synthese-nationale/2009"
#: The sections of the national insight, in order, as its edit form sends them.
INSIGHT_SECTIONS = ("insight.forums", "insight.questions", "insight.subtopics", "insight.concerns",
                    "insight.regions", "insight.analysis")

#: Every route of the national synthesis: method, path, whether the national synthesis must exist first,
#: and the rule it falls under ("read" and "write": the ministry only, not the administrators).
ROUTES = {
    "ministry.national": ("GET", "/ministry/synthese-nationale", False, "read"),
    "ministry.national_overview": ("GET", BASE, False, "read"),
    "ministry.national_prepare": ("POST", f"{BASE}/preparer", False, "write"),
    "ministry.national_edit": ("GET", f"{BASE}/modifier", True, "write"),
    "ministry.national_edit_part": ("GET", f"{BASE}/modifier/eclairage", True, "write"),
    "ministry.national_edit_part:post": ("POST", f"{BASE}/modifier/eclairage", True, "write"),
    "ministry.national_preview": ("GET", f"{BASE}/apercu", True, "read"),
    "ministry.national_download:html": ("GET", f"{BASE}/document.html", True, "read"),
    "ministry.national_download:odt": ("GET", f"{BASE}/document.odt", True, "read"),
    "ministry.national_download:zip": ("GET", f"{BASE}/document.zip", True, "read"),
    "ministry.national_proposals": ("GET", f"{BASE}/propositions", False, "read"),
}
EDIT_DATA = {"based_on": "{" + ", ".join(f'"{key}": 0' for key in INSIGHT_SECTIONS) + "}", "action": "save",
             **{f"texts-{index}": "" for index in range(len(INSIGHT_SECTIONS))},
             f"texts-{len(INSIGHT_SECTIONS) - 1}": "Éclairage national modifié."}


def text(response):
    return html.unescape(response.get_data(as_text=True))


def squash(value):
    return " ".join(value.split())


@pytest.fixture
def prefect(create_agent):
    return create_agent(Role.PREFECTURE, department="13")


@pytest.fixture
def submitted(db, consultation, create_forum, create_question, subtopics, prefect, create_agent):
    """Submit 13 and 75; 2A keeps a draft, 972 is submitted then reopened."""
    made = build_department(create_forum, create_question, subtopics)
    add_minutes(made.forums["berre"], {AttendanceCategory.PUBLIC: 30})
    create_question("Les caméras du métro sont-elles utiles ?", subtopic="1.A.1", status=QuestionStatus.PUBLISHED,
                    forum=made.forums["paris"])
    corsica = create_forum(cantons=["2A01"], department="2A", status=ForumStatus.HELD,
                           starts_at=paris_time(2009, 4, 1), commune="2A004")
    add_minutes(corsica, {AttendanceCategory.PUBLIC: 1000})
    made.forums["corsica"] = corsica
    martinique = create_forum(cantons=[], communes=["97209"], department="972", status=ForumStatus.HELD,
                              starts_at=paris_time(2009, 4, 2), commune="97209")
    add_minutes(martinique, {AttendanceCategory.PUBLIC: 2000})
    for code in ("13", "75", "972"):
        submit_synthesis(prepare_draft(consultation, code, prefect, now=ON_TIME), prefect, now=ON_TIME,
                         early_reason=EARLY)
    prepare_draft(consultation, "2A", prefect, now=ON_TIME)
    reopen_synthesis(department_synthesis(consultation, "972"), "Chiffres à revoir.", create_agent(Role.MINISTRY))
    db.session.commit()
    return made


@pytest.fixture
def ministry(create_agent, login):
    agent = create_agent(Role.MINISTRY)
    login(agent)
    return agent


@pytest.fixture
def prepared(db, consultation, submitted, create_agent):
    """The national synthesis, prepared by another ministry agent."""
    national = prepare_national(consultation, create_agent(Role.MINISTRY), now=ON_TIME)
    db.session.commit()
    return national


def call(client, endpoint, data=None):
    method, path, _, _ = ROUTES[endpoint]
    if method == "GET":
        return client.get(path)
    return client.post(path, data=EDIT_DATA if data is None else data)


def snapshot(db):
    db.session.expire_all()
    rows = db.session.scalars(db.select(NationalSynthesis).order_by(NationalSynthesis.id)).all()
    return ([(row.id, row.texts, row.text_version) for row in rows],
            db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)))


def world(db, consultation, endpoint, create_agent):
    """Prepare the national synthesis when the route needs it."""
    if ROUTES[endpoint][2]:
        prepare_national(consultation, create_agent(Role.MINISTRY), now=ON_TIME)
        db.session.commit()


def submit_again(db, consultation, prefect, code="972"):
    submit_synthesis(department_synthesis(consultation, code), prefect, now=ON_TIME, early_reason=EARLY)
    db.session.commit()


# --- who gets in ---------------------------------------------------------------------------------------

def test_every_national_route_is_in_the_table(app):
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("ministry.national"):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                found.add((rule.endpoint, method))
    listed = {(endpoint.partition(":")[0], method) for endpoint, (method, *_) in ROUTES.items()}
    assert found == listed


@pytest.mark.parametrize("endpoint", ROUTES)
def test_anonymous_visitors_are_sent_to_login(db, client, consultation, submitted, create_agent, endpoint):
    world(db, consultation, endpoint, create_agent)
    before = snapshot(db)

    response = call(client, endpoint)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
    assert snapshot(db) == before


@pytest.mark.parametrize("endpoint", ROUTES)
@pytest.mark.parametrize("role, department, arrondissement", [
    (Role.PREFECTURE, "13", None),
    (Role.SUBPREFECTURE, None, "131"),
    (Role.MODERATOR, "13", None),
])
def test_territorial_agents_are_refused(db, client, login, create_agent, consultation, submitted, endpoint, role,
                                        department, arrondissement):
    world(db, consultation, endpoint, create_agent)
    login(create_agent(role, department=department, arrondissement=arrondissement))
    before = snapshot(db)

    assert call(client, endpoint).status_code == 403
    assert snapshot(db) == before


@pytest.mark.parametrize("endpoint", ROUTES)
def test_administrators_neither_read_nor_write(db, client, login, create_agent, consultation, submitted, endpoint):
    # Administration is about accounts: the national synthesis, its documents and the proposals it
    # gathers from the minutes are the ministry's.
    world(db, consultation, endpoint, create_agent)
    login(create_agent(Role.ADMIN))
    before = snapshot(db)

    response = call(client, endpoint)

    assert response.status_code == 403
    assert snapshot(db) == before


def test_administrators_home_does_not_offer_the_national_synthesis(client, login, create_agent, consultation):
    login(create_agent(Role.ADMIN))
    assert "/ministry/synthese-nationale" not in client.get("/ministry/").get_data(as_text=True)


@pytest.mark.parametrize("endpoint", [e for e in ROUTES if e != "ministry.national"])
def test_an_unknown_consultation_is_not_found(db, client, ministry, consultation, submitted, create_agent, endpoint):
    world(db, consultation, endpoint, create_agent)
    method, path, _, _ = ROUTES[endpoint]
    before = snapshot(db)

    path = path.replace("/2009", "/1789", 1)
    response = client.get(path) if method == "GET" else client.post(path, data=EDIT_DATA)

    assert response.status_code == 404
    assert snapshot(db) == before


@pytest.mark.parametrize("endpoint", [e for e in ROUTES if ROUTES[e][0] == "POST"])
def test_a_forged_form_without_csrf_token_is_refused(db, other_app, create_agent, consultation, submitted, endpoint):
    world(db, consultation, endpoint, create_agent)
    protected = other_app(WTF_CSRF_ENABLED=True)
    agent = create_agent(Role.MINISTRY)
    browser = new_client(protected)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', browser.get("/auth/login").get_data(as_text=True))
    browser.post("/auth/login", data={"email": agent.email, "password": PASSWORD, "csrf_token": token.group(1)})
    second_step(browser, agent, csrf_token=re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                                                     browser.get("/auth/code").get_data(as_text=True)).group(1))
    before = snapshot(db)

    response = call(browser, endpoint)

    assert response.status_code == 400
    assert "formulaire a expiré" in response.get_data(as_text=True)
    assert snapshot(db) == before
    # The same request with the page's token goes through: only the token was missing.
    page = browser.get(BASE).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = EDIT_DATA | {"csrf_token": token}
    assert call(browser, endpoint, data=data).status_code == 302
    assert snapshot(db) != before


# --- the overview --------------------------------------------------------------------------------------

def test_home_links_to_the_national_synthesis(client, ministry):
    assert 'href="/ministry/synthese-nationale"' in client.get("/ministry/").get_data(as_text=True)


def test_the_entry_opens_the_current_consultation(client, ministry, consultation):
    response = client.get("/ministry/synthese-nationale")

    assert response.status_code == 302
    assert response.headers["Location"] == BASE


def test_without_a_current_consultation_the_page_says_so(db, client, ministry, consultation):
    consultation.is_current = False
    db.session.commit()

    page = text(client.get("/ministry/synthese-nationale"))

    assert "Aucune consultation n'est ouverte" in page
    assert f'href="{BASE}"' in page


def test_the_nation_is_the_sum_of_its_submitted_departments(db, client, ministry, consultation, submitted):
    page = squash(text(client.get(BASE)))
    parts = [compile_department(consultation, code).figures for code in ("13", "75")]

    def total(path):
        return format_number(sum(figures.count(path).value for figures in parts))

    assert "2 synthèses départementales transmises sur 4 départements" in re.sub(r"<[^>]+>", "", page)
    for element, path in (("forums-held", "forums/held"), ("attendance-total", "attendance/total"),
                          ("questions-received", "questions/received"),
                          ("questions-published", "questions/published"), ("proposals-total", "proposals")):
        assert f'id="{element}">{total(path)}<' in page, path
    assert total("attendance/total") == format_number(EXPECTED["attendance/total"] + 30 + 500)
    assert total("questions/received") == format_number(EXPECTED["questions/received"] + 2)
    # Departments compared: the two submitted ones only.
    assert 'id="department-13"' in page and 'id="department-75"' in page
    assert 'id="department-2A"' not in page and 'id="department-972"' not in page
    row = re.search(r'<tr id="department-13">(.*?)</tr>', page).group(1)
    # squash() folded the non-breaking space before "%".
    assert re.findall(r"<td>([^<]*)</td>", row)[:4] == ["4", "3", "66,7 %", "154"]


def test_the_overview_shows_rankings_concerns_and_regions(client, ministry, submitted):
    page = squash(text(client.get(BASE)))

    ranking = re.search(r'id="theme-ranking">(.*?)</table>', page).group(1)
    assert re.findall(r'<th scope="row" class="fr-cell--multiline">Thème (\d)', ranking) == ["1", "2"]
    subtopics = re.search(r'id="subtopic-ranking">(.*?)</table>', page).group(1)
    assert re.findall(r'<th scope="row" class="fr-cell--multiline">(\d\.A\.\d)', subtopics)[0] == "1.A.1"
    regions = re.search(r'id="region-concerns">(.*?)</table>', page).group(1)
    assert re.findall(r'<th scope="row">([^<]*)</th>', regions) == ["Île-de-France", "Provence-Alpes-Côte d'Azur"]
    assert "Préoccupations récurrentes" in page and "À l'échelle nationale" in page
    assert f'href="{BASE}/propositions"' in page


def test_before_any_submission_there_is_nothing_to_prepare(db, client, ministry, consultation, territories):
    page = text(client.get(BASE))
    assert "Aucune synthèse départementale n'a encore été transmise" in page
    assert "Préparer la synthèse nationale" not in page
    before = snapshot(db)

    response = client.post(f"{BASE}/preparer")

    assert response.status_code == 409
    assert "Aucune synthèse départementale n'a encore été transmise" in text(response)
    assert snapshot(db) == before


def test_the_overview_runs_a_fixed_number_of_queries(db, client, ministry, consultation, submitted, prefect,
                                                    create_agent, count_queries):
    def query_count():
        db.session.expire_all()
        with count_queries() as statements:
            assert client.get(BASE).status_code == 200
        return len(statements)

    before = query_count()
    submit_again(db, consultation, prefect)
    submit_synthesis(department_synthesis(consultation, "2A"), prefect, now=ON_TIME, early_reason=EARLY)
    db.session.commit()
    # The agent; the consultations; the submitted results (one query, whatever their number); the
    # national synthesis; the number of departments.
    assert query_count() == before == 5
    prepare_national(consultation, create_agent(Role.MINISTRY), now=ON_TIME)
    db.session.commit()
    assert query_count() == 7


# --- the document --------------------------------------------------------------------------------------

def edit_form(client, part="eclairage"):
    """Return the form data of a part's edit page as the page wrote it."""
    page = client.get(f"{BASE}/modifier/{part}").get_data(as_text=True)
    based_on = html.unescape(re.search(r'name="based_on"[^>]*value="([^"]*)"', page).group(1))
    data = {"based_on": based_on, "action": "save"}
    for index in range(len(json.loads(based_on))):
        found = re.search(rf'<textarea[^>]*name="texts-{index}"[^>]*>(.*?)</textarea>', page, re.S)
        data[f"texts-{index}"] = html.unescape(found.group(1)).strip()
    return data


def test_prepare_write_preview_and_download(db, client, ministry, consultation, submitted, prefect):
    page = text(client.get(BASE))
    assert "Préparer la synthèse nationale" in page

    response = client.post(f"{BASE}/preparer")

    assert response.status_code == 302 and response.headers["Location"] == BASE
    national = national_synthesis(consultation)
    assert [annex.ref.key for annex in read_generated(national.generated).draft.annexes] == ["13", "75"]
    assert national.created_by_id == ministry.id
    page = text(client.get(BASE))
    assert "Le projet de synthèse nationale est prêt" in page
    assert "Préparer la synthèse nationale" not in page
    assert f'href="{BASE}/document.odt"' in page

    # Write: each section shows its generated block; the ministry's text is kept as typed (trimmed).
    form = words = text(client.get(f"{BASE}/modifier/eclairage"))
    assert "Texte calculé à partir des données du département" in words and "Votre texte — Analyse du ministère" in form
    insight = "#### Ce que disent les Français\n\nUne **attente forte** de présence.\n\n<script>alert('x')</script>"
    data = edit_form(client)
    data[f"texts-{len(INSIGHT_SECTIONS) - 1}"] = insight
    response = client.post(f"{BASE}/modifier/eclairage", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert read_texts(national_synthesis(consultation)).text("insight.analysis") == insight

    # Martinique submits again: the national content counts it at once, the text stays.
    submit_again(db, consultation, prefect)
    page = squash(text(client.get(BASE)))
    assert "à partir de 3 synthèses départementales transmises" in page
    db.session.expire_all()
    national = national_synthesis(consultation)
    assert [annex.ref.key for annex in read_generated(national.generated).draft.annexes] == ["13", "75", "972"]
    assert read_texts(national).text("insight.analysis") == insight

    # Preview: the print-ready document, the script neutralised, the sources named in words.
    preview = client.get(f"{BASE}/apercu")
    assert preview.status_code == 200 and preview.mimetype == "text/html"
    body = preview.get_data(as_text=True)
    assert "<strong>attente forte</strong>" in body and "Ce que disent les Français" in body
    assert "<script" not in body.lower() and "alert(" not in body
    assert "Martinique" in body and "source:" not in body and "[Département" not in body

    # Downloads.
    page_html = client.get(f"{BASE}/document.html")
    assert page_html.headers["Content-Disposition"] == 'attachment; filename="synthese-nationale-2009.html"'
    assert "<strong>attente forte</strong>" in page_html.get_data(as_text=True)

    odt = client.get(f"{BASE}/document.odt")
    assert odt.mimetype == ODT_MIMETYPE.decode()
    assert odt.headers["Content-Disposition"] == 'attachment; filename="synthese-nationale-2009.odt"'
    with zipfile.ZipFile(io.BytesIO(odt.data)) as archive:
        assert archive.infolist()[0].filename == "mimetype"
        assert archive.read("mimetype") == ODT_MIMETYPE
        assert "alert" not in archive.read("content.xml").decode()
    document = odt_text(odt.data)
    for number, title in enumerate(PART_TITLES.values(), 1):
        assert f"{number}. {title}" in document
    assert "Une attente forte de présence." in document

    bundle = client.get(f"{BASE}/document.zip")
    assert bundle.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(bundle.data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    assert set(members) == {"synthese-nationale.odt", "synthese-nationale.html", "departements.csv",
                            "propositions.csv"}
    assert "Une attente forte de présence." in odt_text(members["synthese-nationale.odt"])
    assert [row[0] for row in read_csv(members["departements.csv"])[1:]] == ["13", "75", "972"]
    assert len(read_csv(members["propositions.csv"])) == 1 + 4

    actions = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.object_type == "national_synthesis")
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["national_synthesis.prepare", "national_synthesis.edit"]


@pytest.mark.parametrize("endpoint", [e for e in ROUTES if ROUTES[e][2]])
def test_the_document_pages_wait_for_the_synthesis_to_be_prepared(db, client, ministry, submitted, endpoint):
    before = snapshot(db)

    response = call(client, endpoint)

    assert response.status_code == 404
    assert "n'a pas encore été préparée" in text(response)
    assert snapshot(db) == before


def test_preparing_twice_is_refused(db, client, ministry, prepared):
    before = snapshot(db)

    response = client.post(f"{BASE}/preparer")

    assert response.status_code == 409
    assert "La synthèse nationale existe déjà" in text(response)
    assert snapshot(db) == before


def test_a_concurrent_double_submit_creates_one_synthesis_and_no_error(db, client, ministry, consultation, prepared,
                                                                       monkeypatch):
    # The other request's row is not visible when this one checks: its insert meets the unique constraint.
    monkeypatch.setattr(national_service, "national_synthesis", lambda consultation: None)
    before = snapshot(db)

    response = client.post(f"{BASE}/preparer")

    assert response.status_code == 409
    assert "vient d'être préparée par une autre demande" in text(response)
    assert snapshot(db) == before
    monkeypatch.undo()
    assert client.get(BASE).status_code == 200


def test_an_edit_too_long_is_refused_next_to_its_section(db, client, ministry, consultation, prepared):
    data = edit_form(client)
    data["texts-0"] = "Texte conservé."
    data[f"texts-{len(INSIGHT_SECTIONS) - 1}"] = "x" * 50_001
    before = snapshot(db)

    response = client.post(f"{BASE}/modifier/eclairage", data=data)

    assert response.status_code == 400
    page = text(response)
    assert "Ce texte dépasse 50\u202f000 caractères" in page
    assert "Texte conservé." in page
    assert snapshot(db) == before


def test_an_edit_made_meanwhile_by_another_agent_is_not_overwritten(db, client, ministry, consultation, prepared,
                                                                    create_agent):
    data = edit_form(client)
    update_national_texts(prepared, {"insight.analysis": "Texte de ma collègue."}, {}, create_agent(Role.MINISTRY))
    db.session.commit()
    data[f"texts-{len(INSIGHT_SECTIONS) - 1}"] = "Mon texte."

    response = client.post(f"{BASE}/modifier/eclairage", data=data)

    assert response.status_code == 409
    page = text(response)
    assert "Un autre agent a modifié cette section" in page and "Mon texte." in page
    assert "Texte de ma collègue." in page
    db.session.expire_all()
    assert read_texts(national_synthesis(consultation)).text("insight.analysis") == "Texte de ma collègue."
    # Saving again from that page is a decision taken knowingly: it goes through.
    raw = response.get_data(as_text=True)
    based_on = html.unescape(re.search(r'name="based_on"[^>]*value="([^"]*)"', raw).group(1))
    assert json.loads(based_on)["insight.analysis"] == 1
    assert client.post(f"{BASE}/modifier/eclairage", data=data | {"based_on": based_on}).status_code == 302
    db.session.expire_all()
    assert read_texts(national_synthesis(consultation)).text("insight.analysis") == "Mon texte."


# --- the proposals catalogue ---------------------------------------------------------------------------

def proposals_listed(response):
    assert response.status_code == 200
    table = re.search(r'id="catalogue">(.*?)</table>', text(response), re.S).group(1)
    return re.findall(r'<tr>\s*<td class="fr-cell--multiline">([^<]*)</td>', table)


def option(page, name, value):
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.search(rf'<option[^>]*value="{re.escape(value)}"[^>]*>([^<]*)</option>', select).group(1)


@pytest.mark.parametrize("query, expected", [
    ("", {"Afficher qui consulte les images.", "Tenir une permanence mensuelle en mairie.",
          "Patrouilles de police municipale le soir.", "Former les agents de sécurité privée."}),
    ("theme=2", {"Tenir une permanence mensuelle en mairie.", "Patrouilles de police municipale le soir.",
                 "Former les agents de sécurité privée."}),
    ("theme=2&sous_theme=2.A.2&region=93", {"Former les agents de sécurité privée."}),
    ("origine=forces_ordre", {"Tenir une permanence mensuelle en mairie."}),
    ("region=11", set()),
    ("theme=&sous_theme=&origine=&region=", {"Afficher qui consulte les images.",
                                              "Tenir une permanence mensuelle en mairie.",
                                              "Patrouilles de police municipale le soir.",
                                              "Former les agents de sécurité privée."}),
])
def test_the_catalogue_filters(client, ministry, submitted, query, expected):
    assert set(proposals_listed(client.get(f"{BASE}/propositions?{query}"))) == expected


def test_the_catalogue_counts_what_each_choice_would_give(client, ministry, submitted):
    page = text(client.get(f"{BASE}/propositions?theme=2"))

    # The theme's own choices keep the other filters only: theme 1 would give one proposal.
    assert option(page, "theme", "1").endswith("(1)") and option(page, "theme", "2").endswith("(3)")
    assert [option(page, "origine", origin.value)[-3:] for origin in ProposalOrigin] == ["(0)", "(1)", "(1)", "(1)"]
    assert option(page, "region", "93").endswith("(3)") and option(page, "region", "11").endswith("(0)")
    assert option(page, "sous_theme", "2.A.1").endswith("(1)")
    assert "3 propositions sur 4" in page
    assert "Aucune proposition ne correspond" in text(client.get(f"{BASE}/propositions?region=11"))


@pytest.mark.parametrize("query, message", [
    ("theme=9", "Thème (paramètre « theme ») : Thème inconnu : « 9 »"),
    ("sous_theme=9.Z.9", "Sous-thème (paramètre « sous_theme ») : Sous-thème inconnu : « 9.Z.9 »"),
    ("theme=2&sous_theme=1.A.1", "Le sous-thème « 1.A.1 » n'appartient pas au thème « 2 »"),
    ("origine=martiens", "Origine (paramètre « origine ») : Origine inconnue : « martiens »"),
    ("origine=forces_de_l_ordre", "Origine inconnue"),
    ("region=99", "Région (paramètre « region ») : Région inconnue : « 99 »"),
    ("origine=public&origine=elu", "Origine (paramètre « origine ») : Un seul choix par filtre"),
    ("page=0", "Page (paramètre « page ») : Le numéro de page commence à 1"),
    ("page=deux", "Page (paramètre « page ») : N'est pas un entier valide"),
])
def test_bad_catalogue_filters_get_a_400_naming_the_parameter(client, ministry, submitted, query, message):
    response = client.get(f"{BASE}/propositions?{query}")

    assert response.status_code == 400
    assert message in text(response)


def test_the_catalogue_is_paginated_in_a_fixed_number_of_queries(db, client, ministry, consultation, submitted,
                                                                 create_forum, subtopics, prefect, count_queries):
    def query_count(url):
        db.session.expire_all()
        with count_queries() as statements:
            response = client.get(url)
        assert response.status_code == 200
        return len(statements), response

    few, _ = query_count(f"{BASE}/propositions")
    # Corse-du-Sud holds a second forum with 60 proposals, and submits.
    forum = create_forum(cantons=["2A01"], department="2A", status=ForumStatus.HELD,
                         starts_at=paris_time(2009, 4, 8), commune="2A004")
    theme2 = subtopics["2.A.1"].part.theme
    add_minutes(forum, {AttendanceCategory.PUBLIC: 50}, proposals=[
        (subtopics["2.A.1"], theme2, ProposalOrigin.PUBLIC, f"Proposition corse n° {number:02d}.")
        for number in range(60)])
    submit_synthesis(department_synthesis(consultation, "2A"), prefect, now=ON_TIME, early_reason=EARLY)
    db.session.commit()

    # The agent; the consultation; its themes and sub-topics; the regions; the submitted results.
    many, first = query_count(f"{BASE}/propositions?theme=2")
    assert few == many == 5
    assert len(proposals_listed(first)) == 50
    page = text(first)
    assert "63 propositions sur 64 — page 1 sur 2" in page
    assert f'href="{BASE}/propositions?page=2&theme=2"' in page
    second = client.get(f"{BASE}/propositions?theme=2&page=2")
    assert len(proposals_listed(second)) == 13
    assert client.get(f"{BASE}/propositions?theme=2&page=3").status_code == 404
