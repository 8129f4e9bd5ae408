"""The minutes pages for agents: the form and its round trip, versions, locking, follow-up lists and proposals."""
import csv
import html
import io
import re
from datetime import timedelta

import pytest

from forums.models import (
    AttachmentKind, DepartmentSynthesis, SynthesisAnnex, ForumStatus, Minutes, MinutesAttachment, Proposal, ProposalOrigin,
    Question, QuestionStatus, Role, SynthesisStatus,
)
from forums.spreadsheets import read_cell
from forums.timeutils import utcnow

from ..conftest import paris_time


def text(response):
    return html.unescape(response.get_data(as_text=True))


def squash(value):
    return " ".join(value.split())


@pytest.fixture
def forum(create_forum):
    """A published forum of arrondissement 131 that took place on 17 March 2009."""
    return create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2009, 3, 17), title="Forum d'Aix")


@pytest.fixture
def prefecture(create_agent, login):
    agent = create_agent(Role.PREFECTURE, department="13")
    login(agent)
    return agent


@pytest.fixture
def question(db, forum, create_question):
    """A published question asked for the forum."""
    return create_question("Les caméras de la gare fonctionnent-elles ?", status=QuestionStatus.PUBLISHED,
                           forum=forum)


def form_data(subtopics, **overrides):
    """Return a complete, valid minutes form: two sub-topics, two proposals, three empty rows."""
    video, municipal = subtopics["1.A.1"], subtopics["2.A.1"]
    data = {
        "attendance_public": "85", "attendance_elected": "6", "attendance_police": "3",
        "attendance_gendarmerie": "2", "attendance_municipal_police": "1", "attendance_other": "",
        "duration_minutes": "135",
        f"concerns_{video.id}": "Caméras en panne près de la gare.", f"answers_{video.id}": "Réparation prévue en avril.",
        f"concerns_{municipal.id}": "Patrouilles trop rares le soir.", f"answers_{municipal.id}": "",
        f"concerns_{subtopics['1.A.2'].id}": "  ", f"answers_{subtopics['1.A.2'].id}": "",
        "strengths": "Dialogue ouvert.", "weaknesses": "Salle trop petite.",
        "proposals-0-topic": f"subtopic-{video.id}", "proposals-0-origin": "elu",
        "proposals-0-text": "Installer deux caméras place de la gare.",
        "proposals-1-topic": f"theme-{municipal.part.theme_id}", "proposals-1-origin": "public",
        "proposals-1-text": "Créer un conseil local de sécurité.",
        "notes": "Prochaine réunion **en juin**.\n\n<script>alert(1)</script>",
        "save": "1",
    }
    for index in range(2, 5):
        data |= {f"proposals-{index}-topic": "", f"proposals-{index}-origin": "", f"proposals-{index}-text": ""}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def save(client, forum, data):
    return client.post(f"/comptes-rendus/forums/{forum.id}/modifier", data=data)


def minutes_of(db, forum):
    db.session.expire_all()
    return db.session.scalar(db.select(Minutes).where(Minutes.forum_id == forum.id))


# --- empty state and refusals -----------------------------------------------------------------------------

def test_a_held_forum_without_minutes_offers_to_write_them(client, prefecture, forum):
    response = client.get(f"/comptes-rendus/forums/{forum.id}")

    assert response.status_code == 200
    page = text(response)
    assert "Aucun compte-rendu n'a encore été enregistré pour ce forum." in page
    assert f'href="/comptes-rendus/forums/{forum.id}/modifier">Rédiger le compte-rendu</a>' in page


def test_the_ministry_reads_but_is_not_offered_to_write(client, login, create_agent, forum):
    login(create_agent(Role.MINISTRY))

    page = text(client.get(f"/comptes-rendus/forums/{forum.id}"))

    assert "Aucun compte-rendu" in page and "Rédiger le compte-rendu" not in page


def test_minutes_of_a_future_forum_are_refused_with_an_explanation(db, client, prefecture, create_forum):
    future = create_forum(status=ForumStatus.PUBLISHED, starts_at=utcnow() + timedelta(days=10))

    page = text(client.get(f"/comptes-rendus/forums/{future.id}"))
    response = client.get(f"/comptes-rendus/forums/{future.id}/modifier")
    posted = client.post(f"/comptes-rendus/forums/{future.id}/modifier", data={"attendance_public": "10"})

    assert "Rédiger le compte-rendu" not in page
    assert response.status_code == posted.status_code == 409
    assert "Action impossible" in text(response)
    assert db.session.scalar(db.select(db.func.count()).select_from(Minutes)) == 0


def submit_synthesis(db, forum, status=SynthesisStatus.SUBMITTED):
    """Store the department's synthesis as transmitted with the forum's minutes."""
    synthesis = DepartmentSynthesis(consultation_id=forum.consultation_id, department_code=forum.department_code,
                                    status=status, submitted_at=paris_time(2009, 5, 20, 10, 0),
                                    annexes=[SynthesisAnnex(forum_id=forum.id, minutes_version=1)])
    db.session.add(synthesis)
    db.session.commit()
    return synthesis


def test_minutes_lock_when_the_synthesis_is_submitted_and_reopen_with_it(db, client, prefecture, forum, subtopics):
    assert save(client, forum, form_data(subtopics)).status_code == 302
    synthesis = submit_synthesis(db, forum)

    page = text(client.get(f"/comptes-rendus/forums/{forum.id}"))
    response = client.get(f"/comptes-rendus/forums/{forum.id}/modifier")
    posted = save(client, forum, form_data(subtopics, attendance_public="999"))

    assert 'id="lock-banner"' in page and "verrouillé" in page
    assert "Modifier le compte-rendu" not in page
    assert response.status_code == posted.status_code == 409
    assert "verrouillé" in text(response)
    assert minutes_of(db, forum).attendance_public == 85

    synthesis.status = SynthesisStatus.REOPENED
    db.session.commit()
    assert client.get(f"/comptes-rendus/forums/{forum.id}/modifier").status_code == 200
    assert save(client, forum, form_data(subtopics, attendance_public="90")).status_code == 302
    assert minutes_of(db, forum).attendance_public == 90


# --- the form ----------------------------------------------------------------------------------------------

def test_the_empty_form_has_every_part(client, prefecture, forum, subtopics, question):
    page = text(client.get(f"/comptes-rendus/forums/{forum.id}/modifier"))

    for label in ("Public", "Élus", "Police nationale", "Gendarmerie nationale", "Police municipale",
                  "Autres participants"):
        assert f">{label}</label>" in page
    assert page.index("Thème 1 – La sécurité, un devoir") < page.index("1.A.1 – Vidéo-protection") \
        < page.index("Thème 2 – La sécurité, une responsabilité partagée") < page.index("2.A.1 – Polices municipales")
    assert len(re.findall(r'name="proposals-\d+-text"', page)) == 5
    assert "<script" not in page.split('id="minutes-form"')[1].split("</form>")[0]
    assert f'name="question_ids" id="question_ids-{question.id}" value="{question.id}"' in page
    assert f"n° {question.reference} – Vidéo-protection" in page
    assert ">Ajouter des lignes</button>" in page


def test_attendance_and_proposals_round_trip_through_the_form(db, client, prefecture, forum, subtopics, question):
    data = form_data(subtopics, question_ids=str(question.id))

    response = save(client, forum, data)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/comptes-rendus/forums/{forum.id}"
    minutes = minutes_of(db, forum)
    assert minutes.attendance_total == 97
    assert (minutes.attendance_public, minutes.attendance_other, minutes.duration_minutes) == (85, None, 135)
    assert [(t.subtopic.code, t.concerns, t.answers) for t in minutes.topics] == [
        ("1.A.1", "Caméras en panne près de la gare.", "Réparation prévue en avril."),
        ("2.A.1", "Patrouilles trop rares le soir.", ""),
    ]
    video = subtopics["1.A.1"]
    assert [(p.theme_id, p.subtopic_id, p.origin, p.text, p.forum_id, p.department_code) for p in minutes.proposals] == [
        (video.part.theme_id, video.id, ProposalOrigin.ELECTED, "Installer deux caméras place de la gare.", forum.id,
         "13"),
        (subtopics["2.A.1"].part.theme_id, None, ProposalOrigin.PUBLIC, "Créer un conseil local de sécurité.",
         forum.id, "13"),
    ]
    assert db.session.get(Question, question.id).addressed_forum_id == forum.id
    assert minutes.forum.status is ForumStatus.HELD

    page = squash(text(client.get(response.headers["Location"])))
    assert "Le compte-rendu est enregistré." in page
    assert '<th scope="row">Public</th><td class="fr-cell--right">85</td>' in page
    assert '<td class="fr-cell--right" id="attendance-total">97</td>' in page
    assert "Durée réelle : 2 h 15" in page
    assert "<td>1.A.1 – Vidéo-protection</td> <td>Élu</td> <td>Installer deux caméras place de la gare.</td>" in page
    assert ("<td>Thème 2 – La sécurité, une responsabilité partagée</td> <td>Public</td> "
            "<td>Créer un conseil local de sécurité.</td>") in page
    assert f'<a href="/questions/{question.reference}">Question n° {question.reference}</a>' in page
    assert "Prochaine réunion <strong>en juin</strong>." in page
    assert "<script>alert(1)" not in page

    again = text(client.get(f"/comptes-rendus/forums/{forum.id}/modifier"))
    assert 'name="attendance_public" type="number" value="85"' in again
    assert "Caméras en panne près de la gare.</textarea>" in again
    assert f'<option selected value="subtopic-{video.id}">' in again
    assert '<option selected value="elu">' in again
    assert len(re.findall(r'name="proposals-\d+-text"', again)) == 2 + 5
    assert f'value="{question.id}" checked' in again


def test_more_rows_keep_what_was_typed_and_save_nothing(db, client, prefecture, forum, subtopics):
    response = save(client, forum, form_data(subtopics, save=None, add_rows="1"))

    assert response.status_code == 200
    page = text(response)
    assert len(re.findall(r'name="proposals-\d+-text"', page)) == 10
    assert "Installer deux caméras place de la gare.</textarea>" in page
    assert 'name="attendance_public" type="number" value="85"' in page
    assert minutes_of(db, forum) is None


def test_form_errors_are_next_to_their_fields_and_keep_the_data(db, client, prefecture, forum, subtopics):
    data = form_data(subtopics, attendance_police="trois",
                     **{"proposals-2-text": "Une proposition sans thème.", "proposals-2-origin": "public"})

    response = save(client, forum, data)

    assert response.status_code == 400
    page = text(response)
    assert "Le compte-rendu n'est pas enregistré" in page
    assert re.search(r'id="attendance_police-message-error">Saisissez un nombre entier en chiffres', page)
    assert re.search(r'id="proposals-2-topic-message-error">Choisissez le thème ou le sous-thème', page)
    assert "Une proposition sans thème.</textarea>" in page
    assert "Caméras en panne près de la gare.</textarea>" in page
    assert minutes_of(db, forum) is None


def test_the_services_refusals_are_shown_next_to_the_fields(db, client, prefecture, forum, subtopics):
    data = form_data(subtopics, attendance_public="-4", duration_minutes="5000", **{"proposals-1-text": "Non"})

    response = save(client, forum, data)

    assert response.status_code == 400
    page = text(response)
    errors = dict(re.findall(r'id="([\w-]+)-message-error">([^<]+)</p>', page))
    assert "attendance_public" in errors
    assert "duration_minutes" in errors
    assert "proposals-1-text" in errors
    assert 'value="-4"' in page
    assert minutes_of(db, forum) is None


def test_a_ticked_question_outside_the_offer_is_refused(db, client, prefecture, forum, subtopics, create_question):
    pending = create_question("Une question en attente de modération ?", forum=forum)

    response = save(client, forum, form_data(subtopics, question_ids=str(pending.id)))

    assert response.status_code == 400
    assert "Une des questions cochées ne peut plus être choisie" in text(response)
    assert db.session.get(Question, pending.id).addressed_forum_id is None


def test_a_taken_up_question_shows_it_to_the_citizen(db, client, prefecture, forum, subtopics, question):
    save(client, forum, form_data(subtopics, question_ids=str(question.id)))
    client.post("/auth/logout")

    public = squash(text(client.get(f"/questions/{question.reference}")))
    followup = squash(text(client.get(f"/questions/suivi/{question.followup_token}")))

    assert "Traitée lors du forum du mardi 17 mars 2009" in public
    assert "Question traitée lors du forum du mardi 17 mars 2009" in followup


# --- versions ----------------------------------------------------------------------------------------------

def test_every_save_is_a_version_and_past_ones_can_be_read(db, client, prefecture, forum, subtopics):
    save(client, forum, form_data(subtopics))
    save(client, forum, form_data(subtopics, attendance_public="120", **{"proposals-0-text": "Une autre idée."}))

    page = squash(text(client.get(f"/comptes-rendus/forums/{forum.id}")))
    assert "Version 2 (actuelle)" in page
    assert f'<a href="/comptes-rendus/forums/{forum.id}/versions/1">Version 1</a>' in page

    old = client.get(f"/comptes-rendus/forums/{forum.id}/versions/1")
    assert old.status_code == 200
    old_page = squash(text(old))
    assert "Version 1 du compte-rendu" in old_page
    assert '<th scope="row">Public</th><td class="fr-cell--right">85</td>' in old_page
    assert "Installer deux caméras place de la gare." in old_page
    assert "Une autre idée." not in old_page
    assert "Caméras en panne près de la gare." in old_page
    assert client.get(f"/comptes-rendus/forums/{forum.id}/versions/3").status_code == 404


def test_saving_the_same_minutes_twice_adds_no_version(db, client, prefecture, forum, subtopics):
    save(client, forum, form_data(subtopics))
    save(client, forum, form_data(subtopics))

    assert minutes_of(db, forum).version_number == 1


# --- links from the prefecture's pages ----------------------------------------------------------------------

def test_a_form_opened_before_another_save_keeps_its_text_and_saves_nothing(db, client, prefecture, forum, subtopics):
    page = client.get(f"/comptes-rendus/forums/{forum.id}/modifier").get_data(as_text=True)
    assert 'name="based_on" type="hidden" value="0"' in page
    save(client, forum, form_data(subtopics, based_on="0"))

    # This form was opened on version 0 too: someone else's version 1 now stands.
    response = save(client, forum, form_data(subtopics, based_on="0", duration_minutes="60"))

    assert response.status_code == 400
    body = text(response)
    assert "Un autre agent vient d'enregistrer ce compte-rendu" in body
    assert 'value="60"' in response.get_data(as_text=True)
    minutes = minutes_of(db, forum)
    assert (minutes.version_number, minutes.duration_minutes) == (1, 135)


def test_the_forum_page_links_to_the_minutes(db, client, prefecture, forum, subtopics):
    assert "Rédiger le compte-rendu" in text(client.get(f"/prefecture/forums/{forum.id}"))

    save(client, forum, form_data(subtopics))

    page = text(client.get(f"/prefecture/forums/{forum.id}"))
    assert f'id="minutes-link" href="/comptes-rendus/forums/{forum.id}">Compte-rendu</a>' in page


def test_the_moderators_forum_pages_do_not_link_to_minutes(client, login, create_agent, forum):
    login(create_agent(Role.MODERATOR, department="13"))

    assert client.get(f"/comptes-rendus/forums/{forum.id}").status_code == 403


def test_the_department_page_counts_the_missing_minutes(db, client, prefecture, forum, create_forum):
    create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 24), title="Forum d'Arles", commune="13004",
                 cantons=["1306"])

    page = squash(text(client.get("/prefecture/departements/13")))

    assert "2 forums tenus sans compte-rendu" in page
    assert 'href="/comptes-rendus/departements/13">Suivi des comptes-rendus</a>' in page


# --- follow-up lists -------------------------------------------------------------------------------------------

@pytest.fixture
def followed(db, create_forum, subtopics):
    """Two held forums without minutes (Aix, Arles) and one with minutes but no signed document (Berre)."""
    aix = create_forum(status=ForumStatus.PUBLISHED, starts_at=paris_time(2009, 3, 17), title="Forum d'Aix")
    arles = create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 24), title="Forum d'Arles",
                         commune="13004", cantons=["1306"])
    berre = create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 20), title="Forum de Berre",
                         commune="13014", cantons=["1305"])
    minutes = Minutes(forum=berre, department_code="13", consultation_id=berre.consultation_id, version_number=1)
    db.session.add(minutes)
    db.session.add(MinutesAttachment(minutes=minutes, kind=AttachmentKind.OTHER, original_name="photo.png",
                                     storage_name="1" * 32 + ".png", mime_type="image/png", size=3, sha256="0" * 64))
    db.session.commit()
    return {"aix": aix, "arles": arles, "berre": berre}


def test_the_department_follow_up_lists_what_is_missing(client, prefecture, followed):
    response = client.get("/comptes-rendus/departements/13")

    assert response.status_code == 200
    page = squash(text(response))
    assert "Forums tenus sans compte-rendu (2)" in page
    assert "Comptes-rendus sans document signé (1)" in page
    without = page.split('id="without-minutes"')[1].split("</table>")[0]
    # The oldest first, with the days since the forum.
    assert without.index("Forum d'Aix") < without.index("Forum d'Arles")
    days = (utcnow() - paris_time(2009, 3, 17)).days
    assert f"{days} jours" in without
    assert f'href="/comptes-rendus/forums/{followed["aix"].id}"' in without
    signed = page.split('id="without-signed"')[1].split("</table>")[0]
    assert "Forum de Berre" in signed and "Joindre le document signé" in signed


def test_the_arrondissement_follow_up_lists_its_forums_only(client, login, create_agent, followed):
    login(create_agent(Role.SUBPREFECTURE, arrondissement="132"))

    page = squash(text(client.get("/comptes-rendus/arrondissements/132")))

    assert "Forum d'Arles" in page
    assert "Forum d'Aix" not in page and "Forum de Berre" not in page


def test_minutes_pages_run_a_fixed_number_of_queries(db, client, prefecture, forum, subtopics, question,
                                                       create_question, create_forum, count_queries):
    def query_count(url):
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    save(client, forum, form_data(subtopics, question_ids=str(question.id)))
    show = query_count(f"/comptes-rendus/forums/{forum.id}")
    followup = query_count("/comptes-rendus/departements/13")

    more = form_data(subtopics, attendance_public="90", **{f"answers_{subtopics['1.A.2'].id}": "Réponse."})
    for index in range(5, 15):
        more |= {f"proposals-{index}-topic": f"subtopic-{subtopics['2.A.2'].id}", f"proposals-{index}-origin": "public",
                 f"proposals-{index}-text": f"Proposition numéro {index}."}
    extra = create_question("Une autre question publiée ?", status=QuestionStatus.PUBLISHED, forum=forum)
    assert save(client, forum, more | {"question_ids": [str(question.id), str(extra.id)]}).status_code == 302
    for day in range(3):
        create_forum(status=ForumStatus.HELD, starts_at=paris_time(2009, 3, 18 + day), title=f"Forum {day}")

    # The agent; the forum with its department, consultation, arrondissement and minutes (one join); the
    # minutes' versions, documents, topics and proposals; the lock (the synthesis); the questions taken
    # up; the moderation menu's count.
    assert query_count(f"/comptes-rendus/forums/{forum.id}") == show == 9
    # The agent, the department, the consultation, the forums with their minutes, the minutes' documents,
    # the moderation menu's count.
    assert query_count("/comptes-rendus/departements/13") == followup == 6


# --- proposals for agents ------------------------------------------------------------------------------------

@pytest.fixture
def proposals(db, client, prefecture, forum, subtopics):
    data = form_data(subtopics, **{"proposals-2-topic": f"subtopic-{subtopics['1.A.2'].id}",
                                   "proposals-2-origin": "forces_ordre",
                                   "proposals-2-text": "=HYPERLINK(\"http://example.com\") ou fichier partagé"})
    assert save(client, forum, data).status_code == 302
    return minutes_of(db, forum).proposals


def test_the_proposals_json_lists_every_proposal_with_its_tags(client, proposals, forum):
    response = client.get("/comptes-rendus/departements/13/propositions.json")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    body = response.get_json()
    assert body["department"] == {"code": "13", "name": "Bouches-du-Rhône"}
    assert body["count"] == 3
    first = next(p for p in body["proposals"] if p["text"] == "Installer deux caméras place de la gare.")
    assert first["theme"]["code"] == "1"
    assert first["subtopic"] == {"code": "1.A.1", "title": "Vidéo-protection"}
    assert first["origin"] == {"code": "elu", "label": "Élu"}
    assert first["forum"]["id"] == forum.id
    assert first["forum"]["minutes_url"].endswith(f"/comptes-rendus/forums/{forum.id}")


@pytest.mark.parametrize(("query", "expected"), [
    ("theme=1", {"Installer deux caméras place de la gare.", "=HYPERLINK(\"http://example.com\") ou fichier partagé"}),
    ("theme=2", {"Créer un conseil local de sécurité."}),
    ("subtopic=1.A.1", {"Installer deux caméras place de la gare."}),
    ("origin=public", {"Créer un conseil local de sécurité."}),
    ("theme=1&origin=forces_ordre", {"=HYPERLINK(\"http://example.com\") ou fichier partagé"}),
])
def test_the_proposals_json_filters(client, proposals, query, expected):
    body = client.get(f"/comptes-rendus/departements/13/propositions.json?{query}").get_json()

    assert {p["text"] for p in body["proposals"]} == expected


@pytest.mark.parametrize(("query", "parameter"), [
    ("theme=9", "theme"), ("subtopic=9.Z.9", "subtopic"), ("origin=martiens", "origin"),
    ("theme=2&subtopic=1.A.1", "subtopic"), ("page=2", "page"), ("origin=public&origin=elu", "origin"),
])
def test_bad_parameters_are_a_400_in_json_naming_them(client, proposals, query, parameter):
    response = client.get(f"/comptes-rendus/departements/13/propositions.json?{query}")

    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter
    assert response.get_json()["error"]["message"]


def test_the_proposals_csv_is_safe_for_spreadsheets(client, proposals):
    response = client.get("/comptes-rendus/departements/13/propositions.csv?theme=1")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="propositions-13-2009.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Forum", "Date du forum", "Arrondissement"]
    texts = [row[6] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://example.com\") ou fichier partagé" in texts
    assert {read_cell(value) for value in texts} == {
        "Installer deux caméras place de la gare.", "=HYPERLINK(\"http://example.com\") ou fichier partagé"}
    assert client.get("/comptes-rendus/departements/13/propositions.csv?origin=x").status_code == 400


def test_proposal_rows_are_first_class(db, proposals):
    assert db.session.scalar(db.select(db.func.count()).select_from(Proposal)) == 3
