"""The public open data page and its files: published questions and public proposals, anonymous, prepared
by `flask open-data build` and served as files with validators and byte ranges."""
import csv
import html
import io
import json
import re
from datetime import UTC, date, datetime

import pytest

from forums.blueprints.public.open_data import PROPOSAL_COLUMN_DESCRIPTIONS, QUESTION_COLUMN_DESCRIPTIONS
from forums.models import Consultation, ForumStatus, ProposalOrigin, QuestionStatus
from forums.services.open_data_exports import PROPOSAL_COLUMNS, QUESTION_COLUMNS
from forums.services.open_data_files import read_manifest
from forums.templating import french_datetime, unbreakable

from ..conftest import paris_time
from ..services.synthesis_data import A, add_minutes

EMAIL = "jeanne.martin@example.fr"
NAME = "Jeanne Martin"
ORIGINAL = "Mon voisin M. Dupont, 12 rue des Lilas, laisse sa porte ouverte : est-ce dangereux ?"
FILES = ["/donnees-ouvertes/questions.csv", "/donnees-ouvertes/questions.json",
         "/donnees-ouvertes/propositions.csv", "/donnees-ouvertes/propositions.json"]


@pytest.fixture
def data(db, create_forum, create_question, subtopics):
    """Questions in every status (with their askers' names and e-mails), proposals published or not."""
    forum = create_forum(status=ForumStatus.HELD, title="Forum d'Aix", starts_at=paris_time(2009, 3, 17))
    hidden = create_forum(status=ForumStatus.HELD, title="Forum d'Arles", cantons=["1306"], commune="13004",
                          starts_at=paris_time(2009, 3, 24))
    questions = {
        "published": create_question("Que fait la police contre les cambriolages ?", forum=forum,
                                     status=QuestionStatus.PUBLISHED, email=EMAIL, display_name=NAME,
                                     moderated_at=datetime(2009, 3, 10, tzinfo=UTC)),
        "edited": create_question(ORIGINAL, public_text="Laisser sa porte ouverte est-il dangereux ?",
                                  status=QuestionStatus.PUBLISHED, email=EMAIL, display_name=NAME),
        "pending": create_question("Question encore en attente de modération", email=EMAIL),
        "rejected": create_question("Question refusée au regard de la charte", status=QuestionStatus.REJECTED,
                                    email=EMAIL, display_name=NAME),
    }
    theme = subtopics["2.A.1"].part.theme
    shown = add_minutes(forum, {A.PUBLIC: 40}, proposals=[
        (subtopics["2.A.1"], theme, ProposalOrigin.ELECTED, "=SOMME(A1:A2) des patrouilles le soir")])
    shown.summary_published = True
    add_minutes(hidden, {A.PUBLIC: 20}, proposals=[
        (subtopics["2.A.2"], theme, ProposalOrigin.PUBLIC, "Proposition d'un compte-rendu non publié")])
    db.session.commit()
    return questions


@pytest.fixture
def build(runner):
    """Return a function that runs `flask open-data build` and checks it succeeded."""

    def run(*args):
        result = runner.invoke(args=["open-data", "build", *args])
        assert result.exit_code == 0, result.output
        return result

    return run


def get(client, path, **kwargs):
    """GET ``path``, its body read whole and the file closed, as a server does."""
    return client.get(path, buffered=True, **kwargs)


def text(response):
    return html.unescape(response.get_data(as_text=True))


def read_csv(response):
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"), newline=""), delimiter=";"))


# --- the page -------------------------------------------------------------------------------------

def test_page_describes_the_datasets_licence_and_anonymity(client, consultation, build):
    build()
    response = get(client, "/donnees-ouvertes")
    page = text(response)

    assert response.status_code == 200
    assert "<h1>Données ouvertes</h1>" in page
    assert "Licence Ouverte / Open Licence 2.0" in page
    assert "ni nom, ni adresse électronique" in page
    for column in QUESTION_COLUMNS + PROPOSAL_COLUMNS:
        assert f"<code>{column}</code>" in page
    for path in FILES:
        assert f'href="{path}"' in page


def test_page_says_when_each_file_was_built_its_size_and_rows(client, data, build, app):
    build()
    manifest = read_manifest(app.config["OPEN_DATA_DIRECTORY"], "2009")

    page = text(get(client, "/donnees-ouvertes"))

    assert "reconstruits toutes les 15 minutes" in page
    with app.test_request_context():
        built_at = french_datetime(manifest.file("questions.csv").built_at)
    assert re.fullmatch(r"\w+ \d+(er)? \w+ \d{4}, \d+ h \d{2}", built_at)
    assert unbreakable(built_at) in page
    assert page.count("2 lignes") == 2 and page.count("1 ligne<") == 2
    assert re.search(r"<td>\d+(,\d)? Ko</td>", page)


def test_before_the_first_build_the_page_says_the_files_are_not_ready(client, consultation):
    page = text(get(client, "/donnees-ouvertes"))

    assert page.count("Pas encore disponible") == 4
    for path in FILES:
        assert f'href="{path}"' not in page


def test_the_cached_page_shows_a_new_build(client, data, build, create_question):
    build()
    assert "2 lignes" in text(get(client, "/donnees-ouvertes"))
    create_question("Une troisième question publiée", status=QuestionStatus.PUBLISHED)
    build()

    assert "3 lignes" in text(get(client, "/donnees-ouvertes"))


def test_every_column_is_described():
    assert tuple(QUESTION_COLUMN_DESCRIPTIONS) == QUESTION_COLUMNS
    assert tuple(PROPOSAL_COLUMN_DESCRIPTIONS) == PROPOSAL_COLUMNS


def test_site_map_links_to_the_page(client):
    assert 'href="/donnees-ouvertes"' in get(client, "/plan-du-site").get_data(as_text=True)


def test_without_a_consultation_the_page_says_so_and_there_are_no_files(client, db):
    page = text(get(client, "/donnees-ouvertes"))
    assert "Aucune consultation n'est ouverte" in page
    assert "/donnees-ouvertes/questions.csv" not in page
    for path in FILES:
        assert get(client, path).status_code == 404


def test_unknown_consultation_is_not_found(client, consultation):
    for path in ["/donnees-ouvertes", *FILES]:
        assert get(client, f"{path}?consultation=1789").status_code == 404, path


def test_unknown_dataset_or_format_is_not_found(client, consultation):
    for path in ("/donnees-ouvertes/contacts.csv", "/donnees-ouvertes/questions.xlsx"):
        assert get(client, path).status_code == 404


# --- the files ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, mimetype, filename", [
    ("/donnees-ouvertes/questions.csv", "text/csv", "questions-2009.csv"),
    ("/donnees-ouvertes/questions.json", "application/json", "questions-2009.json"),
    ("/donnees-ouvertes/propositions.csv", "text/csv", "propositions-2009.csv"),
    ("/donnees-ouvertes/propositions.json", "application/json", "propositions-2009.json"),
])
def test_files_are_downloads_with_validators(client, data, build, path, mimetype, filename):
    build()
    response = get(client, path)

    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    assert int(response.headers["Content-Length"]) == len(response.get_data()) > 0


def test_a_conditional_request_gets_304(client, data, build):
    build()
    first = get(client, "/donnees-ouvertes/questions.csv")

    by_etag = get(client, "/donnees-ouvertes/questions.csv", headers={"If-None-Match": first.headers["ETag"]})
    by_date = get(client, "/donnees-ouvertes/questions.csv",
                         headers={"If-Modified-Since": first.headers["Last-Modified"]})

    for response in (by_etag, by_date):
        assert response.status_code == 304
        assert response.get_data() == b""
        assert response.headers["ETag"] == first.headers["ETag"]


def test_a_range_request_gets_206_with_those_bytes(client, data, build):
    build()
    whole = get(client, "/donnees-ouvertes/questions.json").get_data()

    response = get(client, "/donnees-ouvertes/questions.json", headers={"Range": "bytes=10-29"})
    resumed = get(client, "/donnees-ouvertes/questions.json", headers={"Range": "bytes=100-"})

    assert response.status_code == 206
    assert response.get_data() == whole[10:30]
    assert response.headers["Content-Range"] == f"bytes 10-29/{len(whole)}"
    assert resumed.status_code == 206 and resumed.get_data() == whole[100:]
    beyond = get(client, "/donnees-ouvertes/questions.json", headers={"Range": f"bytes={len(whole) + 10}-"})
    assert beyond.status_code == 416


def test_a_file_never_built_is_not_found_in_french(client, data):
    for path in FILES:
        response = get(client, path)
        assert response.status_code == 404
        assert "sont produits régulièrement" in text(response)
        assert "pas encore disponible" in text(response)


def test_a_request_never_reads_the_questions(client, data, build, create_question, count_queries):
    build()
    before = get(client, "/donnees-ouvertes/questions.csv").get_data()
    create_question("Publiée après la préparation des fichiers", status=QuestionStatus.PUBLISHED)

    with count_queries() as statements:
        after = get(client, "/donnees-ouvertes/questions.csv").get_data()

    assert after == before
    # The current consultation only.
    assert len(statements) == 1


def test_questions_are_the_published_ones_only_and_anonymous(client, data, build):
    build()
    rows = read_csv(get(client, "/donnees-ouvertes/questions.csv"))
    items = json.loads(get(client, "/donnees-ouvertes/questions.json").get_data(as_text=True))

    published = sorted([data["published"].reference, data["edited"].reference])
    assert sorted(row["reference"] for row in rows) == published
    assert sorted(item["reference"] for item in items) == published
    by_reference = {item["reference"]: item for item in items}
    assert by_reference[data["edited"].reference]["text"] == "Laisser sa porte ouverte est-il dangereux ?"
    assert by_reference[data["published"].reference]["published_on"] == "2009-03-10"
    assert list(rows[0]) == list(QUESTION_COLUMNS)
    for path in ("/donnees-ouvertes/questions.csv", "/donnees-ouvertes/questions.json"):
        body = get(client, path).get_data(as_text=True)
        for private in (EMAIL, NAME, "Dupont", "Lilas", "attente de modération", "refusée"):
            assert private not in body
        assert "@" not in body


def test_proposals_are_those_of_published_minutes_summaries(client, data, build):
    build()
    rows = read_csv(get(client, "/donnees-ouvertes/propositions.csv"))
    items = json.loads(get(client, "/donnees-ouvertes/propositions.json").get_data(as_text=True))

    # Formula-safe in the spreadsheet file, as written in JSON.
    assert [row["text"] for row in rows] == ["'=SOMME(A1:A2) des patrouilles le soir"]
    assert [(item["text"], item["origin"], item["forum_title"]) for item in items] == [
        ("=SOMME(A1:A2) des patrouilles le soir", "elu", "Forum d'Aix")]
    for path in ("/donnees-ouvertes/propositions.csv", "/donnees-ouvertes/propositions.json"):
        assert "non publié" not in get(client, path).get_data(as_text=True)


def test_another_consultation_is_chosen_by_its_slug(client, data, db, build):
    db.session.add(Consultation(slug="2010", name="Édition 2010", meetings_start_on=date(2010, 1, 1),
                                meetings_end_on=date(2010, 12, 31), synthesis_due_on=date(2011, 1, 15)))
    db.session.commit()
    build()

    page = text(get(client, "/donnees-ouvertes?consultation=2010"))
    assert "Édition 2010" in page
    assert 'href="/donnees-ouvertes/questions.csv?consultation=2010"' in page
    response = get(client, "/donnees-ouvertes/questions.json?consultation=2010")
    assert response.headers["Content-Disposition"] == 'attachment; filename="questions-2010.json"'
    assert json.loads(response.get_data(as_text=True)) == []
    assert len(read_csv(get(client, "/donnees-ouvertes/questions.csv?consultation=2010"))) == 0
    assert re.search(r"\d{2}-\d{6}", get(client, "/donnees-ouvertes/questions.csv").get_data(as_text=True))
