"""The invitees screens: permission matrix of every route, forms, CSV import/export, attendance."""
import html
import io
import re
from datetime import timedelta

import pytest

from forums.models import AuditEvent, ForumStatus, Invitee, InviteeQuality, Role
from forums.services.invitees import add_invitee
from forums.timeutils import utcnow

from ..conftest import PASSWORD, new_client

CSV = "\ufeffnom;qualite;organisation;email\r\nPaul Durand;Président d'association;Amis du quartier;\r\n"


def csv_upload(content=CSV, filename="invites.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return {"file": (io.BytesIO(data), filename)}


#: Every route of the invitees screens: (name, method, path, form data builder or None).
READS = [
    ("list", "GET", "/prefecture/forums/{forum}/invites"),
    ("export", "GET", "/prefecture/forums/{forum}/invites.csv"),
]
WRITES = [
    ("add", "POST", "/prefecture/forums/{forum}/invites"),
    ("edit page", "GET", "/prefecture/forums/{forum}/invites/{invitee}/modifier"),
    ("edit", "POST", "/prefecture/forums/{forum}/invites/{invitee}/modifier"),
    ("remove", "POST", "/prefecture/forums/{forum}/invites/{invitee}/supprimer"),
    ("import", "POST", "/prefecture/forums/{forum}/invites/import"),
    ("attendance", "POST", "/prefecture/forums/{forum}/invites/presence"),
]
ROUTES = READS + WRITES


def form_data(name, invitee_id):
    """Return valid data for the write route ``name``."""
    return {
        "add": lambda: {"full_name": "Marc Petit", "quality": "socio_professionnel", "organisation": "CCI",
                        "email": "marc.petit@example.fr"},
        "edit": lambda: {"full_name": "Jeanne Martin-Roux", "quality": "elu", "organisation": "Mairie d'Aix",
                         "email": ""},
        "import": csv_upload,
        "attendance": lambda: {"attended": [str(invitee_id)]},
    }.get(name, dict)()


def call(client, route, forum_id, invitee_id, data=None):
    name, method, path = route
    url = path.format(forum=forum_id, invitee=invitee_id)
    if method == "GET":
        return client.get(url)
    return client.post(url, data=form_data(name, invitee_id) if data is None else data,
                       content_type="multipart/form-data" if name == "import" else None)


@pytest.fixture
def forum(create_forum):
    """A draft forum of Bouches-du-Rhône, arrondissement of Aix (131), that took place in 2009."""
    return create_forum()


@pytest.fixture
def invitee(db, forum):
    invitee = Invitee(forum=forum, full_name="Jeanne Martin", quality=InviteeQuality.ELECTED,
                      organisation="Mairie d'Aix", email="jeanne.martin@example.fr")
    db.session.add(invitee)
    db.session.commit()
    return invitee


def snapshot(db):
    """Return what the routes may change: the invitees and the audit log."""
    db.session.expire_all()
    invitees = db.session.execute(
        db.select(Invitee.forum_id, Invitee.full_name, Invitee.email, Invitee.attended).order_by(Invitee.id)
    ).all()
    return invitees, db.session.scalar(db.select(db.func.count(AuditEvent.id)))


def events(db):
    db.session.expire_all()
    return db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id)).all()


# --- the permission matrix ------------------------------------------------------------------------

def statuses(client, forum_id, invitee_id, routes=ROUTES):
    """Return {route name: status code} for each of ``routes``."""
    return {route[0]: call(client, route, forum_id, invitee_id).status_code for route in routes}


READ_ONLY = {name: 200 if (name, method, path) in READS else 403 for name, method, path in ROUTES}


def test_anonymous_visitors_are_sent_to_login(db, client, forum, invitee):
    before = snapshot(db)
    for route in ROUTES:
        response = call(client, route, forum.id, invitee.id)
        assert response.status_code == 302, route
        assert response.headers["Location"].startswith("/auth/login?next="), route
    assert snapshot(db) == before


@pytest.mark.parametrize("role", [Role.MINISTRY, Role.MODERATOR])
def test_ministry_and_moderators_read_but_do_not_write(db, client, login, create_agent, forum, invitee, role):
    login(create_agent(role, department="13" if role is Role.MODERATOR else None))
    before = snapshot(db)
    assert statuses(client, forum.id, invitee.id) == READ_ONLY
    assert snapshot(db) == before


def test_administrators_get_neither_the_list_nor_the_addresses(db, client, login, create_agent, forum, invitee):
    # Administration is about accounts, not the invitees' names and e-mail addresses.
    login(create_agent(Role.ADMIN))
    before = snapshot(db)
    assert set(statuses(client, forum.id, invitee.id).values()) == {403}
    assert "Invités nominatifs" not in client.get(f"/prefecture/forums/{forum.id}").get_data(as_text=True)
    assert snapshot(db) == before


@pytest.mark.parametrize("role, department, arrondissement", [
    (Role.PREFECTURE, "75", None),
    (Role.MODERATOR, "75", None),
    (Role.SUBPREFECTURE, None, "132"),
])
def test_another_territory_gets_404(db, client, login, create_agent, forum, invitee, role, department,
                                    arrondissement):
    login(create_agent(role, department=department, arrondissement=arrondissement))
    before = snapshot(db)
    assert set(statuses(client, forum.id, invitee.id).values()) == {404}
    assert snapshot(db) == before


def test_unknown_forum_or_invitee_of_another_forum_is_404(db, client, login, create_agent, create_forum,
                                                          forum, invitee):
    other = create_forum(title="Forum d'Arles", cantons=["1306"], commune="13004")
    login(create_agent(Role.PREFECTURE, department="13"))
    before = snapshot(db)
    assert set(statuses(client, 9999, invitee.id).values()) == {404}
    with_invitee = [route for route in ROUTES if "{invitee}" in route[2]]
    assert set(statuses(client, other.id, invitee.id, with_invitee).values()) == {404}
    assert set(statuses(client, forum.id, 9999, with_invitee).values()) == {404}
    assert snapshot(db) == before


@pytest.mark.parametrize("role, department, arrondissement", [
    (Role.PREFECTURE, "13", None),
    (Role.SUBPREFECTURE, None, "131"),
])
@pytest.mark.parametrize("route", ROUTES, ids=[r[0] for r in ROUTES])
def test_prefecture_and_sub_prefecture_of_the_forum_succeed(db, client, login, create_agent, forum, invitee,
                                                            role, department, arrondissement, route):
    agent = create_agent(role, department=department, arrondissement=arrondissement)
    login(agent)
    before = snapshot(db)
    response = call(client, route, forum.id, invitee.id)
    if route[1] == "GET":
        assert response.status_code == 200
        assert snapshot(db) == before
        return
    assert response.status_code == 302
    assert response.headers["Location"] == f"/prefecture/forums/{forum.id}/invites"
    assert snapshot(db) != before
    last = events(db)[-1]
    assert (last.agent_id, last.object_type, last.object_id) == (agent.id, "forum", str(forum.id))


def test_cancelled_forum_is_read_only(db, client, login, create_agent, forum, invitee):
    forum.status = ForumStatus.CANCELLED
    forum.cancellation_reason = "Salle indisponible."
    db.session.commit()
    login(create_agent(Role.PREFECTURE, department="13"))
    before = snapshot(db)
    assert statuses(client, forum.id, invitee.id) == READ_ONLY
    assert "Ce forum est annulé" in page_of(client, forum)
    assert snapshot(db) == before


@pytest.mark.parametrize("route", [r for r in WRITES if r[1] == "POST"], ids=lambda r: r[0])
def test_forged_form_without_csrf_token_is_refused(db, other_app, create_agent, forum, invitee, route):
    protected = other_app(WTF_CSRF_ENABLED=True)
    agent = create_agent(Role.PREFECTURE, department="13")
    browser = new_client(protected)
    page = browser.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    browser.post("/auth/login", data={"email": agent.email, "password": PASSWORD, "csrf_token": token})
    before = snapshot(db)
    response = call(browser, route, forum.id, invitee.id)
    assert response.status_code == 400
    assert "formulaire a expiré" in response.get_data(as_text=True)
    assert snapshot(db) == before
    # The same request with the page's token goes through: only the token was missing.
    page = browser.get(f"/prefecture/forums/{forum.id}/invites").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = form_data(route[0], invitee.id) | {"csrf_token": token}
    assert call(browser, route, forum.id, invitee.id, data=data).status_code == 302


# --- the list page --------------------------------------------------------------------------------

@pytest.fixture
def prefecture(create_agent, login):
    agent = create_agent(Role.PREFECTURE, department="13")
    login(agent)
    return agent


def page_of(client, forum):
    response = client.get(f"/prefecture/forums/{forum.id}/invites")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_list_shows_invitees_and_every_form(client, prefecture, forum, invitee):
    page = page_of(client, forum)
    for text in ("Jeanne Martin", "Élu", "Mairie d'Aix", "jeanne.martin@example.fr", "Non relevée",
                 "Ajouter un invité", "Importer des invités", "Exporter (CSV)", "Relever la présence",
                 f'href="/prefecture/forums/{forum.id}/invites.csv"', 'enctype="multipart/form-data"',
                 f'href="/prefecture/forums/{forum.id}"', 'class="fr-breadcrumb"'):
        assert text in page
    assert page.count('name="csrf_token"') == page.count("<form")


def test_ministry_sees_the_list_without_forms(client, login, create_agent, forum, invitee):
    login(create_agent(Role.MINISTRY))
    page = page_of(client, forum)
    assert "Jeanne Martin" in page and "Exporter (CSV)" in page
    assert "Ajouter un invité" not in page and "Relever la présence" not in page and "Retirer" not in page


def test_attendance_form_appears_once_the_forum_has_started(db, client, prefecture, create_forum):
    forum = create_forum(starts_at=utcnow() + timedelta(days=3))
    db.session.add(Invitee(forum=forum, full_name="Jeanne Martin", quality=InviteeQuality.ELECTED))
    db.session.commit()
    assert "Relever la présence" not in page_of(client, forum)
    response = client.post(f"/prefecture/forums/{forum.id}/invites/presence",
                           data={"attended": [str(forum.invitees[0].id)]})
    assert response.status_code == 400
    assert "une fois le forum commencé" in html.unescape(response.get_data(as_text=True))
    assert snapshot(db)[0][0].attended is None


def test_list_runs_a_fixed_number_of_queries(db, client, prefecture, forum, invitee, count_queries):
    def query_count():
        with count_queries() as statements:
            page_of(client, forum)
        return len(statements)

    few = query_count()
    for n in range(12):
        add_invitee(forum, {"full_name": f"Invité {n}", "quality": "autre", "email": f"i{n}@example.fr"},
                    prefecture)
    db.session.commit()
    assert query_count() == few


# --- adding and editing ---------------------------------------------------------------------------

def error_next_to(page, field, message):
    """Tell whether ``message`` is shown right after the control of ``field``, before the next one."""
    start = page.index(f'id="{field}"')
    ends = [page.find(tag, start + 1) for tag in ("<input", "<select")]
    return message in page[start:min([end for end in ends if end != -1] or [len(page)])]


def test_add_through_the_screen(db, client, prefecture, forum):
    response = client.post(f"/prefecture/forums/{forum.id}/invites", data=form_data("add", None),
                           follow_redirects=True)
    assert "Marc Petit a été ajouté aux invités." in html.unescape(response.get_data(as_text=True))
    [invitee] = snapshot(db)[0]
    assert invitee.full_name == "Marc Petit"
    assert events(db)[-1].action == "invitee.add"


@pytest.mark.parametrize("changes, field, message", [
    ({"full_name": ""}, "full_name", "Nom obligatoire."),
    ({"quality": "roi"}, "quality", "Qualité « roi » inconnue"),
    ({"email": "marc@"}, "email", "Adresse électronique « marc@ » invalide."),
    ({"organisation": "o" * 201}, "organisation", "Organisation trop longue"),
    ({"full_name": "JEANNE MARTIN", "organisation": "mairie d'aix"}, "full_name", "figure déjà parmi"),
])
def test_add_errors_sit_next_to_their_field(db, client, prefecture, forum, invitee, changes, field, message):
    before = snapshot(db)
    response = client.post(f"/prefecture/forums/{forum.id}/invites", data=form_data("add", None) | changes)
    assert response.status_code == 200
    assert error_next_to(html.unescape(response.get_data(as_text=True)), field, message)
    assert snapshot(db) == before


def test_edit_through_the_screen(db, client, prefecture, forum, invitee):
    page = html.unescape(client.get(f"/prefecture/forums/{forum.id}/invites/{invitee.id}/modifier")
                         .get_data(as_text=True))
    assert 'value="Jeanne Martin"' in page and '<option selected value="elu">' in page
    response = client.post(f"/prefecture/forums/{forum.id}/invites/{invitee.id}/modifier",
                           data=form_data("edit", invitee.id) | {"quality": "autre"}, follow_redirects=True)
    assert "Les informations de Jeanne Martin-Roux ont été modifiées." in response.get_data(as_text=True)
    [row] = snapshot(db)[0]
    assert (row.full_name, row.email) == ("Jeanne Martin-Roux", None)
    assert events(db)[-1].changes["quality"] == ["elu", "autre"]


def test_edit_errors_stay_on_the_edit_page(db, client, prefecture, forum, invitee):
    before = snapshot(db)
    response = client.post(f"/prefecture/forums/{forum.id}/invites/{invitee.id}/modifier",
                           data=form_data("edit", invitee.id) | {"email": "non"})
    assert response.status_code == 200
    assert error_next_to(html.unescape(response.get_data(as_text=True)), "email", "invalide")
    assert snapshot(db) == before


def test_remove_through_the_screen(db, client, prefecture, forum, invitee):
    response = client.post(f"/prefecture/forums/{forum.id}/invites/{invitee.id}/supprimer",
                           follow_redirects=True)
    assert "Jeanne Martin a été retiré des invités." in response.get_data(as_text=True)
    assert snapshot(db)[0] == []


# --- import, export, attendance -------------------------------------------------------------------

def test_import_through_the_screen(db, client, prefecture, forum):
    response = client.post(f"/prefecture/forums/{forum.id}/invites/import", data=csv_upload(),
                           content_type="multipart/form-data", follow_redirects=True)
    assert "1 invité importé." in response.get_data(as_text=True)
    assert [row.full_name for row in snapshot(db)[0]] == ["Paul Durand"]
    assert events(db)[-1].action == "invitee.import"


def test_refused_import_lists_every_error_and_writes_nothing(db, client, prefecture, forum):
    content = "nom;qualite\r\nJeanne;maire\r\n;elu\r\nPaul;autre\r\n"
    before = snapshot(db)
    response = client.post(f"/prefecture/forums/{forum.id}/invites/import", data=csv_upload(content),
                           content_type="multipart/form-data")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "Le fichier n'a pas été importé : 2 erreurs à corriger." in page
    assert "<li>ligne 2 : qualité « maire » inconnue" in page and "<li>ligne 3 : nom obligatoire</li>" in page
    assert snapshot(db) == before


@pytest.mark.parametrize("upload, message", [
    ({}, "Choisissez un fichier CSV à importer."),
    (csv_upload(filename="invites.xlsx"), "Le fichier doit être au format CSV (extension .csv)."),
])
def test_upload_without_a_csv_file_is_refused_next_to_the_field(db, client, prefecture, forum, upload,
                                                                message):
    response = client.post(f"/prefecture/forums/{forum.id}/invites/import", data=upload,
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert error_next_to(html.unescape(response.get_data(as_text=True)), "file", message)
    assert snapshot(db)[0] == []


def test_export_downloads_a_csv_file(client, prefecture, forum, invitee):
    response = client.get(f"/prefecture/forums/{forum.id}/invites.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="invites-forum-{forum.id}.csv"'
    assert response.data.startswith("\ufeffnom;qualite;organisation;email;present\r\n".encode())
    assert "Jeanne Martin;Élu;Mairie d'Aix;jeanne.martin@example.fr;\r\n" in response.data.decode()


def test_exported_file_imports_into_another_forum(db, client, prefecture, forum, invitee, create_forum):
    other = create_forum(title="Forum d'Arles", cantons=["1306"], commune="13004")
    exported = client.get(f"/prefecture/forums/{forum.id}/invites.csv").data
    response = client.post(f"/prefecture/forums/{other.id}/invites/import",
                           data=csv_upload(exported, filename="INVITES.CSV"),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    rows = snapshot(db)[0]
    assert [(r.forum_id, r.full_name, r.email) for r in rows] == [
        (forum.id, "Jeanne Martin", "jeanne.martin@example.fr"),
        (other.id, "Jeanne Martin", "jeanne.martin@example.fr")]


def test_attendance_through_the_screen(db, client, prefecture, forum, invitee):
    absent = add_invitee(forum, {"full_name": "Paul Durand", "quality": "autre"}, prefecture)
    db.session.commit()
    response = client.post(f"/prefecture/forums/{forum.id}/invites/presence",
                           data={"attended": [str(invitee.id)]}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Présence enregistrée : 1 présent." in page
    assert f'id="attended-{invitee.id}" checked' in page and f'id="attended-{absent.id}" checked' not in page
    assert [row.attended for row in snapshot(db)[0]] == [True, False]


@pytest.mark.parametrize("ticks", [["abc"], ["9999"]])
def test_forged_attendance_ticks_are_a_400(db, client, prefecture, forum, invitee, ticks):
    before = snapshot(db)
    response = client.post(f"/prefecture/forums/{forum.id}/invites/presence", data={"attended": ticks})
    assert response.status_code == 400
    assert snapshot(db) == before
