"""Forum pages of the back office: lists with coverage, the form, the life cycle, the history."""
import html
import re

import pytest

from forums.models import Arrondissement, AuditEvent, Commune, Forum, ForumStatus, Role

from ..conftest import PASSWORD, new_client, paris_time


def form_data(**changes):
    """Return the fields of a complete forum in Aix-en-Provence on 17 March 2009, 18:30–20:30."""
    data = {
        "title": "Forum du canton d'Aix-en-Provence-1", "day": "2009-03-17", "start_time": "18:30",
        "end_time": "20:30", "venue_name": "Salle des fêtes", "address": "1 place de la Mairie",
        "commune_code": "13001", "canton_codes": ["1301"], "accessibility": "Salle de plain-pied.",
        "capacity": "200", "animator_name": "Jean Dupont", "animator_function": "Sous-préfet d'Aix-en-Provence",
        "description": "Venez **nombreux**.", "speakers-0-kind": "gendarmerie",
        "speakers-0-name": "Capitaine Martin", "speakers-0-function": "Commandant de compagnie",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def text(response):
    return html.unescape(response.get_data(as_text=True))


def field_messages(page, field_id):
    """Return the error messages shown in the messages group of a field."""
    group = re.search(rf'id="{re.escape(field_id)}-messages"[^>]*>(.*?)</div>', page, re.S)
    assert group, f"no messages group for {field_id}"
    return re.findall(r'fr-message--error[^>]*>([^<]+)<', group.group(1))


def forums_in(db):
    db.session.expire_all()
    return db.session.scalars(db.select(Forum).order_by(Forum.id)).all()


def snapshot(db):
    """Return what a refused request must leave untouched: forums, their statuses and the audit log."""
    db.session.expire_all()
    return ([(f.id, f.status, f.title, f.starts_at) for f in db.session.scalars(db.select(Forum))],
            db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)))


@pytest.fixture
def prefect(db, create_agent, login):
    agent = create_agent(Role.PREFECTURE, department="13")
    agent.full_name = "Claire Préfète"
    db.session.commit()
    login(agent)
    return agent


# --- happy paths ----------------------------------------------------------------------------------

def test_create_edit_publish_postpone_hold(db, client, consultation, prefect):
    page = text(client.get("/prefecture/departements/13/forums/nouveau"))
    assert "Aix-en-Provence (13080)" in page and 'value="1305"' in page and "Touche aussi : Arles" in page

    response = client.post("/prefecture/departements/13/forums/nouveau", data=form_data())
    [forum] = forums_in(db)
    assert response.status_code == 302 and response.headers["Location"] == f"/prefecture/forums/{forum.id}"
    assert forum.status is ForumStatus.DRAFT and forum.starts_at == paris_time(2009, 3, 17, 18, 30)
    assert [s.name for s in forum.speakers] == ["Capitaine Martin"]

    page = text(client.get(f"/prefecture/forums/{forum.id}"))
    assert "Le brouillon « Forum du canton d'Aix-en-Provence-1 » est enregistré." in page
    assert "mardi 17 mars 2009, 18 h 30" in page and "<strong>nombreux</strong>" in page
    assert "Capitaine Martin, Commandant de compagnie (Gendarmerie nationale)" in page
    assert f"/prefecture/forums/{forum.id}/invites" in page

    page = text(client.get(f"/prefecture/forums/{forum.id}/modifier"))
    assert 'value="2009-03-17"' in page and 'value="18:30"' in page and 'value="1301" checked' in page
    response = client.post(f"/prefecture/forums/{forum.id}/modifier",
                           data=form_data(title="Forum de sécurité d'Aix", canton_codes=["1301", "1305"]))
    assert response.status_code == 302
    forum = forums_in(db)[0]
    assert forum.title == "Forum de sécurité d'Aix" and [c.code for c in forum.cantons] == ["1301", "1305"]

    assert client.post(f"/prefecture/forums/{forum.id}/publier").status_code == 302
    assert forums_in(db)[0].status is ForumStatus.PUBLISHED

    page = text(client.get(f"/prefecture/forums/{forum.id}/reporter"))
    assert 'value="2009-03-17"' in page
    response = client.post(f"/prefecture/forums/{forum.id}/reporter",
                           data={"day": "2009-03-24", "start_time": "19:00", "end_time": "21:00",
                                 "reason": "Salle indisponible."})
    assert response.status_code == 302
    forum = forums_in(db)[0]
    assert forum.status is ForumStatus.POSTPONED and forum.starts_at == paris_time(2009, 3, 24, 19, 0)

    page = text(client.get(f"/prefecture/forums/{forum.id}"))
    assert "Le forum est reporté au mardi 24 mars 2009, 19 h 00." in page
    assert "du mardi 17 mars 2009, 18 h 30 au mardi 24 mars 2009, 19 h 00. Motif : Salle indisponible." in page
    # The history: who, what, and the changed fields in words.
    assert "Claire Préfète" in page
    assert "Titre : Forum du canton d'Aix-en-Provence-1 → Forum de sécurité d'Aix" in page
    assert "Cantons couverts : Aix-en-Provence-1 → Aix-en-Provence-1, Berre-l'Étang" in page
    assert "État : Brouillon → Publié" in page and "État : Publié → Reporté" in page
    assert "Début : mardi 17 mars 2009, 18 h 30 → mardi 24 mars 2009, 19 h 00" in page
    assert "Marquer comme tenu" in page

    assert client.post(f"/prefecture/forums/{forum.id}/tenu").status_code == 302
    assert forums_in(db)[0].status is ForumStatus.HELD
    page = text(client.get(f"/prefecture/forums/{forum.id}"))
    assert "Forum tenu" in page and ">Modifier<" not in page and "Reporter" not in page


def test_create_publish_cancel(db, client, consultation, prefect):
    client.post("/prefecture/departements/13/forums/nouveau", data=form_data())
    [forum] = forums_in(db)
    client.post(f"/prefecture/forums/{forum.id}/publier")
    assert "Annuler le forum" in text(client.get(f"/prefecture/forums/{forum.id}"))

    response = client.post(f"/prefecture/forums/{forum.id}/annuler", data={"reason": "Intempéries."})

    assert response.status_code == 302
    forum = forums_in(db)[0]
    assert (forum.status, forum.cancellation_reason) == (ForumStatus.CANCELLED, "Intempéries.")
    page = text(client.get(f"/prefecture/forums/{forum.id}"))
    assert "Forum annulé" in page and "Motif affiché au public : Intempéries." in page
    assert 'id="forum-actions"' not in page


def test_delete_a_draft(db, client, create_forum, prefect):
    forum = create_forum()
    assert "Supprimer le brouillon" in text(client.get(f"/prefecture/forums/{forum.id}"))

    response = client.post(f"/prefecture/forums/{forum.id}/supprimer")

    assert response.status_code == 302 and response.headers["Location"] == "/prefecture/departements/13/forums"
    assert forums_in(db) == []
    assert "Le brouillon « Forum de sécurité » est supprimé." in text(client.get(response.headers["Location"]))


# --- validation -----------------------------------------------------------------------------------

def test_errors_are_shown_next_to_their_fields_and_the_input_is_kept(db, client, consultation, prefect):
    response = client.post("/prefecture/departements/13/forums/nouveau", data=form_data(
        title="", end_time="17:00", capacity="beaucoup", canton_codes=["1301", "7501"],
        **{"speakers-1-kind": "gendarmerie", "speakers-1-function": "Adjudant"},
    ))

    assert response.status_code == 200
    page = text(response)
    assert field_messages(page, "title") == ["Saisissez le titre du forum."]
    assert field_messages(page, "capacity") == ["Saisissez le nombre de places en chiffres, par exemple 150."]
    assert field_messages(page, "end_time") == ["L'heure de fin doit être postérieure à l'heure de début."]
    assert field_messages(page, "canton_codes") == ["Ces cantons n'appartiennent pas au département : Paris-1."]
    assert field_messages(page, "speakers") == ["Intervenant 2 : indiquez son nom."]
    assert "Le forum n'est pas enregistré" in page
    # Nothing typed is lost.
    assert 'value="Salle des fêtes"' in page and 'value="beaucoup"' in page and 'value="17:00"' in page
    assert 'value="1301" checked' in page and 'value="Adjudant"' in page
    assert '<option selected value="13001">' in page
    assert forums_in(db) == []


def test_dates_outside_the_window_and_a_missing_time(db, client, consultation, prefect):
    page = text(client.post("/prefecture/departements/13/forums/nouveau", data=form_data(day="2009-06-02")))
    assert field_messages(page, "day") == [
        "Le forum doit se tenir entre le 16 mars 2009 et le 18 mai 2009, période fixée pour la consultation."]

    page = text(client.post("/prefecture/departements/13/forums/nouveau", data=form_data(start_time="")))
    assert field_messages(page, "start_time") == ["Indiquez l'heure de début."]
    assert forums_in(db) == []


def test_a_shared_canton_needs_a_confirmation(db, client, create_forum, prefect):
    create_forum(cantons=["1301"], status=ForumStatus.PUBLISHED, title="Forum déjà prévu",
                 venue_name="Autre salle", animator_name="Autre animateur", starts_at=paris_time(2009, 4, 2))

    page = text(client.post("/prefecture/departements/13/forums/nouveau", data=form_data()))

    assert "Le canton Aix-en-Provence-1 est déjà couvert(e) par le forum « Forum déjà prévu »" in page
    assert "Je confirme : plusieurs forums couvriront ces cantons" in page
    assert len(forums_in(db)) == 1

    response = client.post("/prefecture/departements/13/forums/nouveau", data=form_data(confirm_shared="y"))

    assert response.status_code == 302
    assert len(forums_in(db)) == 2


def test_overlapping_animator_is_an_error_next_to_the_field(db, client, create_forum, prefect):
    create_forum(cantons=["1306"], animator_name="Jean Dupont", venue_name="Ailleurs", commune="13004")
    page = text(client.post("/prefecture/departements/13/forums/nouveau", data=form_data()))
    assert field_messages(page, "animator_name")[0].startswith("Jean Dupont anime déjà le forum")


def test_publishing_an_incomplete_draft_lists_what_is_missing(db, client, create_forum, prefect):
    forum = create_forum(venue_name="", accessibility="")

    response = client.post(f"/prefecture/forums/{forum.id}/publier")

    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Pour publier le forum, complétez : le lieu, les informations d'accessibilité." in page
    assert forums_in(db)[0].status is ForumStatus.DRAFT


@pytest.mark.parametrize("path", ["tenu", "reporter", "annuler"])
def test_a_refused_transition_is_explained_not_a_server_error(db, client, create_forum, prefect, path):
    forum = create_forum()
    data = {"day": "2009-03-20", "start_time": "18:00", "end_time": "20:00", "reason": "Motif."}
    response = client.post(f"/prefecture/forums/{forum.id}/{path}", data=data)
    assert response.status_code == 302
    assert "dont l'état est « Brouillon »" in text(client.get(response.headers["Location"]))
    assert forums_in(db)[0].status is ForumStatus.DRAFT


def test_cancelling_needs_a_reason(db, client, create_forum, prefect):
    forum = create_forum(status=ForumStatus.PUBLISHED)
    response = client.post(f"/prefecture/forums/{forum.id}/annuler", data={"reason": "  "})
    assert response.status_code == 200
    assert field_messages(text(response), "reason") == [
        "Indiquez le motif de l'annulation : il sera affiché au public."]
    assert forums_in(db)[0].status is ForumStatus.PUBLISHED


def test_postponing_to_the_same_date_is_refused_next_to_the_date(db, client, create_forum, prefect):
    forum = create_forum(status=ForumStatus.PUBLISHED)
    response = client.post(f"/prefecture/forums/{forum.id}/reporter",
                           data={"day": "2009-03-17", "start_time": "18:30", "end_time": "20:30"})
    assert response.status_code == 200
    assert field_messages(text(response), "day") == ["Choisissez une date différente de la date actuelle."]
    assert forums_in(db)[0].status is ForumStatus.PUBLISHED


# --- the sub-prefecture ---------------------------------------------------------------------------

def test_subprefect_prepares_drafts_in_its_arrondissement(db, client, login, create_agent, consultation):
    login(create_agent(Role.SUBPREFECTURE, arrondissement="131"))
    page = text(client.get("/prefecture/departements/13/forums/nouveau"))
    assert 'value="Sous-préfet de l\'arrondissement d\'Aix-en-Provence"' in page
    assert "Berre-l'Étang (13130)" in page and "Arles (13200)" not in page
    assert 'value="1306"' not in page

    response = client.post("/prefecture/departements/13/forums/nouveau", data=form_data())
    [forum] = forums_in(db)
    assert response.status_code == 302 and forum.arrondissement_code == "131"
    assert client.get(f"/prefecture/forums/{forum.id}/modifier").status_code == 200
    assert "Publier" not in text(client.get(f"/prefecture/forums/{forum.id}"))
    assert client.post(f"/prefecture/forums/{forum.id}/publier").status_code == 403
    assert forums_in(db)[0].status is ForumStatus.DRAFT

    forum.status = ForumStatus.PUBLISHED
    db.session.commit()
    assert client.get(f"/prefecture/forums/{forum.id}/modifier").status_code == 403
    assert client.post(f"/prefecture/forums/{forum.id}/modifier", data=form_data(title="Autre")).status_code == 403
    assert forums_in(db)[0].title == "Forum du canton d'Aix-en-Provence-1"


def test_subprefect_cannot_place_a_forum_in_another_arrondissement(db, client, login, create_agent, consultation):
    login(create_agent(Role.SUBPREFECTURE, arrondissement="131"))
    page = text(client.post("/prefecture/departements/13/forums/nouveau",
                            data=form_data(commune_code="13004", canton_codes=["1306"])))
    assert field_messages(page, "commune_code") == ["Choisissez une commune de votre arrondissement."]
    assert field_messages(page, "canton_codes") == ["Ces cantons ne touchent pas votre arrondissement : Arles."]
    assert forums_in(db) == []


def test_subprefect_lists_its_arrondissement_forums(db, client, login, create_agent, create_forum):
    create_forum(title="Forum d'Aix")
    create_forum(title="Forum d'Arles", commune="13004", cantons=["1306"], venue_name="Arènes",
                 animator_name="Autre")
    login(create_agent(Role.SUBPREFECTURE, arrondissement="131"))
    assert "/prefecture/arrondissements/131/forums" in text(client.get("/prefecture/arrondissements/131"))

    page = text(client.get("/prefecture/arrondissements/131/forums"))

    assert "Forum d'Aix" in page and "Forum d'Arles" not in page
    assert "0 canton couvert sur 2 (0 %)" in page


# --- lists and coverage ---------------------------------------------------------------------------

def test_list_shows_forums_by_date_with_status_and_coverage(db, client, create_forum, prefect):
    create_forum(title="Forum d'avril", cantons=["1301"], status=ForumStatus.PUBLISHED,
                 starts_at=paris_time(2009, 4, 1), venue_name="Salle A", animator_name="A")
    create_forum(title="Forum de mars", cantons=["1306"], status=ForumStatus.DRAFT, commune="13004",
                 starts_at=paris_time(2009, 3, 20), venue_name="Salle B", animator_name="B")

    page = text(client.get("/prefecture/departements/13/forums"))

    assert page.index("Forum de mars") < page.index("Forum d'avril")
    assert "mercredi 1er avril 2009, 18 h 30" in page
    assert '<p class="fr-badge fr-badge--info fr-badge--sm">Publié</p>' in page
    assert '<p class="fr-badge fr-badge--sm">Brouillon</p>' in page
    assert "1 canton couvert sur 3 (33,3 %)" in page and '<progress id="coverage-progress"' in page
    uncovered = page[page.index('id="uncovered-units"'):]
    # Canton 1305 touches both arrondissements: it is listed under each; 1306 only has a draft.
    assert uncovered.count("Berre-l'Étang") == 2 and "Arles <span" in uncovered
    assert " style=" not in page

    page = text(client.get("/prefecture/departements/13/forums?statut=draft"))
    assert "Forum de mars" in page and "Forum d'avril" not in page


def test_full_coverage_is_announced(db, client, create_forum, prefect):
    create_forum(cantons=["1301", "1305", "1306"], status=ForumStatus.PUBLISHED)
    page = text(client.get("/prefecture/departements/13/forums"))
    assert "3 cantons couverts sur 3 (100 %)" in page and "Département entièrement couvert" in page
    assert "Département entièrement couvert" in text(client.get("/prefecture/departements/13"))


def test_martinique_is_planned_and_covered_by_commune(db, client, login, create_agent, create_forum):
    create_forum(department="972", commune="97209", cantons=[], communes=["97209"], status=ForumStatus.PUBLISHED)
    login(create_agent(Role.PREFECTURE, department="972"))
    assert "1 commune couverte sur 1 (100 %)" in text(client.get("/prefecture/departements/972/forums"))
    page = text(client.get("/prefecture/departements/972/forums/nouveau"))
    assert 'name="commune_codes"' in page and 'value="97209"' in page and 'name="canton_codes"' not in page


def test_another_consultation_is_listed_on_request(db, client, create_forum, consultation, prefect):
    from datetime import date

    from forums.models import Consultation

    old = Consultation(slug="2008", name="Consultation d'essai", meetings_start_on=date(2008, 3, 1),
                       meetings_end_on=date(2008, 5, 1), synthesis_due_on=date(2008, 6, 1))
    db.session.add(old)
    create_forum(title="Forum de l'an passé", consultation=old, starts_at=paris_time(2008, 3, 10))
    assert "Forum de l'an passé" not in text(client.get("/prefecture/departements/13/forums"))
    assert "Forum de l'an passé" in text(client.get("/prefecture/departements/13/forums?consultation=2008"))
    assert client.get("/prefecture/departements/13/forums?consultation=1990").status_code == 404


def test_list_runs_a_fixed_number_of_queries(db, client, create_forum, prefect, count_queries):
    def query_count():
        with count_queries() as statements:
            assert client.get("/prefecture/departements/13/forums").status_code == 200
        return len(statements)

    create_forum(cantons=["1301", "1305"], status=ForumStatus.PUBLISHED)
    one = query_count()
    for index in range(4):
        create_forum(cantons=["1306"], title=f"Forum {index}", venue_name=f"Salle {index}",
                     animator_name=f"Animateur {index}", commune="13004", starts_at=paris_time(2009, 4, index + 1))
    assert query_count() == one == 13


# --- permissions ----------------------------------------------------------------------------------

READS = [("GET", "/prefecture/departements/13/forums"), ("GET", "/prefecture/forums/{id}")]
WRITES = [
    ("GET", "/prefecture/departements/13/forums/nouveau"), ("POST", "/prefecture/departements/13/forums/nouveau"),
    ("GET", "/prefecture/forums/{id}/modifier"), ("POST", "/prefecture/forums/{id}/modifier"),
    ("GET", "/prefecture/forums/{id}/publier"), ("POST", "/prefecture/forums/{id}/publier"),
    ("GET", "/prefecture/forums/{id}/reporter"), ("POST", "/prefecture/forums/{id}/reporter"),
    ("GET", "/prefecture/forums/{id}/annuler"), ("POST", "/prefecture/forums/{id}/annuler"),
    ("POST", "/prefecture/forums/{id}/tenu"), ("POST", "/prefecture/forums/{id}/supprimer"),
]
STATUS_CHANGES = [route for route in WRITES if re.search(r"publier|reporter|annuler|tenu|supprimer", route[1])]
FORUM_ROUTES = [route for route in READS + WRITES if "{id}" in route[1]]
POSTED = form_data(reason="Motif.", day="2009-03-24", title="Titre forgé", confirm_shared="y")


def call(client, route, forum_id):
    method, path = route
    url = path.format(id=forum_id)
    return client.post(url, data=POSTED) if method == "POST" else client.get(url)


@pytest.fixture
def published(create_forum):
    return create_forum(status=ForumStatus.PUBLISHED)


@pytest.mark.parametrize("route", READS + WRITES + [("GET", "/prefecture/arrondissements/131/forums")],
                         ids=lambda r: f"{r[0]} {r[1]}")
def test_anonymous_visitors_are_sent_to_login(db, client, published, route):
    before = snapshot(db)
    response = call(client, route, published.id)
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    assert snapshot(db) == before


# Administrators read forums' details too (their invitees are another matter: test_invitees.py).
@pytest.mark.parametrize("role", [Role.MINISTRY, Role.MODERATOR, Role.ADMIN])
def test_ministry_and_moderator_read_but_never_write(db, client, login, create_agent, published, role):
    login(create_agent(role, department="13" if role is Role.MODERATOR else None))
    for route in READS:
        assert call(client, route, published.id).status_code == 200, route
    before = snapshot(db)
    for route in WRITES:
        assert call(client, route, published.id).status_code == 403, route
    assert snapshot(db) == before


def test_subprefect_may_not_change_a_status(db, client, login, create_agent, create_forum):
    draft, published = create_forum(), create_forum(status=ForumStatus.PUBLISHED, venue_name="Autre",
                                                    animator_name="Autre", starts_at=paris_time(2009, 4, 1))
    login(create_agent(Role.SUBPREFECTURE, arrondissement="131"))
    before = snapshot(db)
    for forum in (draft, published):
        for route in STATUS_CHANGES:
            assert call(client, route, forum.id).status_code == 403, route
    assert snapshot(db) == before


@pytest.mark.parametrize("agent_scope, extra_routes", [
    ({"role": Role.PREFECTURE, "department": "75"}, [("GET", "/prefecture/departements/13/forums"),
                                                     ("GET", "/prefecture/departements/13/forums/nouveau"),
                                                     ("POST", "/prefecture/departements/13/forums/nouveau")]),
    ({"role": Role.SUBPREFECTURE, "arrondissement": "132"}, [("GET", "/prefecture/departements/13/forums"),
                                                             ("GET", "/prefecture/arrondissements/131/forums"),
                                                             ("GET", "/prefecture/departements/75/forums/nouveau"),
                                                             ("POST", "/prefecture/departements/75/forums/nouveau")]),
], ids=["prefecture-75", "subprefecture-132"])
def test_another_territory_is_not_found(db, client, login, create_agent, published, agent_scope, extra_routes):
    # The forum is in Aix-en-Provence: department 13, arrondissement 131.
    login(create_agent(**agent_scope))
    before = snapshot(db)
    for route in FORUM_ROUTES + extra_routes:
        assert call(client, route, published.id).status_code == 404, route
    assert snapshot(db) == before


@pytest.mark.parametrize("route", [r for r in WRITES if r[0] == "POST"], ids=lambda r: r[1])
def test_forged_form_without_csrf_token_is_refused(db, other_app, create_agent, create_forum, route):
    forum = create_forum(status=ForumStatus.DRAFT if "supprimer" in route[1] or "publier" in route[1]
                         or "modifier" in route[1] else ForumStatus.PUBLISHED)
    protected = other_app(WTF_CSRF_ENABLED=True)
    agent = create_agent(Role.PREFECTURE, department="13")
    browser = new_client(protected)
    page = browser.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    browser.post("/auth/login", data={"email": agent.email, "password": PASSWORD, "csrf_token": token})
    before = snapshot(db)

    response = call(browser, route, forum.id)

    assert response.status_code == 400
    assert "formulaire a expiré" in response.get_data(as_text=True)
    assert snapshot(db) == before
    # With the page's token the same request goes through: only the token was missing.
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      browser.get(f"/prefecture/forums/{forum.id}").get_data(as_text=True)).group(1)
    method, path = route
    assert browser.post(path.format(id=forum.id), data=POSTED | {"csrf_token": token}).status_code in (200, 302)
    assert snapshot(db) != before


def test_a_martinique_subprefect_cannot_cover_communes_of_another_arrondissement(db, client, login, create_agent,
                                                                                 consultation):
    # Martinique has no cantons: the forum covers communes, checked like cantons against the arrondissement.
    db.session.add(Arrondissement(code="9722", name="La Trinité", department_code="972", capital_code="97230"))
    db.session.add(Commune(code="97230", name="La Trinité", department_code="972", arrondissement_code="9722",
                           canton_code=None, postal_codes="97220", population=12000, search_name="la trinite"))
    db.session.commit()
    login(create_agent(Role.SUBPREFECTURE, arrondissement="9721"))
    assert "La Trinité" not in text(client.get("/prefecture/departements/972/forums/nouveau"))

    page = text(client.post("/prefecture/departements/972/forums/nouveau", data=form_data(
        commune_code="97209", canton_codes=None, commune_codes=["97209", "97230"],
        animator_function="Préfet de la Martinique")))
    assert field_messages(page, "commune_codes") == [
        "Ces communes ne sont pas dans votre arrondissement : La Trinité (97220)."]
    assert forums_in(db) == []


def test_an_announced_forum_links_to_its_public_page_and_a_draft_does_not(db, client, create_forum, prefect):
    draft, published = create_forum(), create_forum(status=ForumStatus.PUBLISHED)

    assert 'id="public-page-link"' not in text(client.get(f"/prefecture/forums/{draft.id}"))
    page = text(client.get(f"/prefecture/forums/{published.id}"))
    assert f'id="public-page-link" href="/forums/{published.id}">Voir la page publique du forum</a>' in page


def test_publishing_asks_for_confirmation_and_says_what_becomes_public(db, client, create_forum, prefect):
    forum = create_forum()
    page = text(client.get(f"/prefecture/forums/{forum.id}"))
    assert f'href="/prefecture/forums/{forum.id}/publier">Publier…</a>' in page

    confirmation = client.get(f"/prefecture/forums/{forum.id}/publier")

    assert confirmation.status_code == 200
    page = " ".join(text(confirmation).split())
    assert "<h1>Publier le forum « Forum de sécurité »</h1>" in page
    for public in ("la page publique du forum", "l'agenda des forums", "calendriers à s'abonner (.ics)",
                   "l'API ouverte et les données ouvertes", "adresser leurs questions à ce forum"):
        assert public in page, public
    assert forums_in(db)[0].status is ForumStatus.DRAFT, "showing the confirmation publishes nothing"
    assert f'<form method="post" action="/prefecture/forums/{forum.id}/publier">' in page

    assert client.post(f"/prefecture/forums/{forum.id}/publier").status_code == 302
    assert forums_in(db)[0].status is ForumStatus.PUBLISHED


def test_the_confirmation_of_an_incomplete_or_published_forum_says_why_it_cannot(db, client, create_forum,
                                                                                  prefect):
    incomplete, published = create_forum(venue_name=""), create_forum(status=ForumStatus.PUBLISHED)

    response = client.get(f"/prefecture/forums/{incomplete.id}/publier", follow_redirects=True)
    assert "Pour publier le forum, complétez : le lieu" in text(response)
    response = client.get(f"/prefecture/forums/{published.id}/publier", follow_redirects=True)
    assert "Impossible de publier un forum dont l'état est « Publié »." in text(response)


def test_the_history_entry_of_a_new_forum_lists_its_cantons_and_speakers(db, client, consultation, prefect):
    client.post("/prefecture/departements/13/forums/nouveau",
                data=form_data(canton_codes=["1301", "1305"], confirm_shared="y",
                               **{"speakers-1-kind": "police_nationale", "speakers-1-name": "Commissaire Durand"}))
    [forum] = forums_in(db)

    page = " ".join(text(client.get(f"/prefecture/forums/{forum.id}")).split())
    created = re.search(r"Forum « Forum du canton d'Aix-en-Provence-1 » créé \(brouillon\).(.*?)</ul>", page).group(1)

    assert "<li>Cantons couverts : — → Aix-en-Provence-1, Berre-l'Étang</li>" in created
    assert "<li>Intervenants : — → Capitaine Martin, Commissaire Durand</li>" in created
