"""Anonymity on every public surface: a crawl of the public site, feeds, exports and API finds no e-mail address,
no original text edited out by moderation, nothing unpublished, and a display name only where its author chose
to be shown, on pages, never in open data."""
import html
import re
from collections import deque
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlsplit

import pytest

from forums.models import ForumStatus, QuestionStatus

from .conftest import paris_time

START = datetime(2009, 3, 20, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)
#: Areas of the site that are not public, or not pages: never crawled.
PRIVATE_PREFIXES = ("/static/", "/auth/", "/moderation", "/prefecture", "/ministere", "/ministry", "/admin",
                    "/questions/suivi/")
MAX_PAGES = 600

SECRETS = {
    "e-mail of a published question": "marie.secret@example.fr",
    "e-mail of an anonymous question": "anonyme.secret@example.fr",
    "e-mail of a pending question": "attente.secret@example.fr",
    "original text edited out": "Jean-Eudes Secretnom",
    "address edited out": "12 rue des Lilas",
    "pending text": "Texte en attente de modération Confidentiel",
    "rejected text": "Texte refusé Injurieux",
    "display name of a pending question": "Nom En Attente",
}
DISPLAY_NAME = "Pseudonyme Visible"


@pytest.fixture
def site(db, create_forum, create_question):
    """A small public site: two forums, published questions with personal data, and unpublished ones."""
    upcoming_day = (datetime.now(UTC) + 20 * DAY).date()
    forum = create_forum(status=ForumStatus.PUBLISHED, title="Forum d'Aix",
                         starts_at=paris_time(upcoming_day.year, upcoming_day.month, upcoming_day.day))
    held = create_forum(status=ForumStatus.HELD, title="Forum d'Arles", cantons=["1306"], commune="13004",
                        starts_at=paris_time(2009, 3, 19))
    edited = create_question(
        "Mon voisin Jean-Eudes Secretnom, 12 rue des Lilas, a été cambriolé deux fois : que fait la police ?",
        public_text="Un habitant de mon quartier a été cambriolé deux fois : que fait la police ?",
        forum=forum, status=QuestionStatus.PUBLISHED, moderated_at=START, email=SECRETS["e-mail of a published question"],
        display_name=DISPLAY_NAME, edited_at=START, support_count=3,
        answer_text="Les patrouilles sont **renforcées**.", answered_at=START + DAY)
    anonymous = create_question(
        "La vidéo-protection est-elle efficace dans les centres-villes ?", subtopic="1.A.2",
        status=QuestionStatus.PUBLISHED, moderated_at=START + DAY, email=SECRETS["e-mail of an anonymous question"],
        addressed_forum_id=held.id, addressed_at=paris_time(2009, 3, 19, 20, 0))
    create_question(SECRETS["pending text"], forum=forum, email=SECRETS["e-mail of a pending question"],
                    display_name=SECRETS["display name of a pending question"])
    create_question(SECRETS["rejected text"], status=QuestionStatus.REJECTED)
    create_question("Un cambriolage dans le quartier : que fait la police ?", status=QuestionStatus.MERGED,
                    merged_into_id=edited.id)
    return {"forum": forum, "held": held, "edited": edited, "anonymous": anonymous}


def links(response):
    """Return the same-site paths a response links to (pages, feeds, exports, API links)."""
    if response.mimetype == "text/html":
        found = re.findall(r'href="([^"#]*)', response.get_data(as_text=True))
        found = [html.unescape(link) for link in found]
    elif response.mimetype == "application/json":
        found = re.findall(r'"(https?://localhost/[^"]*|/[^"\s]*)"', response.get_data(as_text=True))
    else:
        return []
    paths = []
    for link in found:
        parts = urlsplit(urljoin("http://localhost/", link))
        if parts.netloc != "localhost" or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(PRIVATE_PREFIXES):
            continue
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def crawl(client, seeds):
    """GET every public URL reachable from ``seeds``; return {url: response}."""
    seen = {}
    queue = deque(seeds)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        # The body is read whole and closed (the open data files), as a server does.
        response = client.get(url, buffered=True)
        seen[url] = response
        queue.extend(link for link in links(response) if link not in seen)
    assert len(seen) < MAX_PAGES, "the crawl did not finish: raise MAX_PAGES"
    return seen


def test_no_public_surface_shows_personal_data_or_unpublished_text(client, site, runner):
    edited, anonymous = site["edited"], site["anonymous"]
    assert runner.invoke(args=["open-data", "build"]).exit_code == 0
    seeds = [
        "/", "/agenda", "/departements/13", "/departements/13/questions", f"/forums/{site['forum'].id}/questions",
        "/departements/13/questions?q=police", "/departements/13/questions?q=secretnom+lilas",
        "/api/openapi.json", "/api/v1/questions", "/api/v1/questions?q=cambriolage", "/api/v1/questions?department=13",
        f"/api/v1/questions/{edited.reference}", "/api/v1/forums", "/api/v1/forums.csv",
        "/api/v1/departments/coverage.csv", "/calendrier.ics", "/departements/13/calendrier.ics",
        "/plan-du-site", "/charte-de-moderation", "/donnees-ouvertes",
    ]

    pages = crawl(client, seeds)

    # The crawl reached every kind of surface that shows questions.
    for surface in (f"/questions/{edited.reference}", f"/questions/{anonymous.reference}",
                    f"/forums/{site['forum'].id}", f"/forums/{site['held'].id}", "/departements/13/questions",
                    "/api/v1/questions", f"/api/v1/questions/{edited.reference}", "/donnees-ouvertes/questions.csv",
                    "/donnees-ouvertes/questions.json"):
        assert surface in pages, surface
    assert all(response.status_code < 500 for response in pages.values())
    for url, response in pages.items():
        raw = response.get_data(as_text=True)
        shown = html.unescape(raw)
        for what, secret in SECRETS.items():
            assert secret not in raw and secret not in shown, f"{what} on {url}"
        if url.startswith(("/api/", "/donnees-ouvertes/")) or response.mimetype in ("text/csv", "text/calendar"):
            assert DISPLAY_NAME not in shown, f"display name in open data: {url}"

    # The name its author chose is shown with the question, and only with it.
    assert DISPLAY_NAME in html.unescape(pages[f"/questions/{edited.reference}"].get_data(as_text=True))
    assert DISPLAY_NAME in html.unescape(pages["/departements/13/questions"].get_data(as_text=True))
    anonymous_page = html.unescape(pages[f"/questions/{anonymous.reference}"].get_data(as_text=True))
    assert DISPLAY_NAME not in anonymous_page and "Anonyme" in anonymous_page


def test_searching_an_edited_out_word_finds_nothing(client, site):
    page = client.get("/departements/13/questions?q=Secretnom")
    api = client.get("/api/v1/questions?q=Secretnom")

    assert site["edited"].reference not in page.get_data(as_text=True)
    assert api.json["data"] == []


def test_the_merged_and_unpublished_questions_have_no_public_page(client, site, db):
    from forums.models import Question

    hidden = db.session.scalars(
        db.select(Question).where(Question.status.in_([QuestionStatus.PENDING, QuestionStatus.REJECTED]))
    ).all()

    assert len(hidden) == 2
    for question in hidden:
        assert client.get(f"/questions/{question.reference}").status_code == 404
        assert client.get(f"/api/v1/questions/{question.reference}").status_code == 404
