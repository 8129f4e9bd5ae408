"""The public forum page: facts in French, state banners, schema.org JSON-LD, 404s, queries, caching."""
import html
import json
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from forums.models import Canton, ForumDateChange, ForumStatus, Speaker, SpeakerKind

from ..conftest import paris_time


def text(response):
    return html.unescape(response.get_data(as_text=True))


def squash(value):
    return " ".join(value.split())


def json_ld(response):
    """Return the JSON-LD blocks of a page, parsed."""
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', response.get_data(as_text=True), re.S)
    return [json.loads(block) for block in blocks]


@pytest.fixture
def published(db, create_forum):
    forum = create_forum(
        cantons=["1301", "1305"], status=ForumStatus.PUBLISHED, title="Forum du pays d'Aix",
        starts_at=paris_time(2009, 3, 17, 18, 30), venue_name="Salle des fêtes du Jas de Bouffan",
        address="1 place Romée-de-Villeneuve", capacity=250,
        accessibility="Salle de plain-pied, boucle magnétique.",
        animator_name="M. Laurent Ferrand", animator_function="Sous-préfet d'Aix-en-Provence",
        description="Venez **nombreux**.\n\n<script>alert(1)</script>",
    )
    forum.speakers = [
        Speaker(kind=SpeakerKind.POLICE, name="Commandant Éric Vidal", function="Chef de circonscription", position=0),
        Speaker(kind=SpeakerKind.GENDARMERIE, name="Capitaine Berthier", function="", position=1),
    ]
    db.session.commit()
    return forum


def test_forum_page_shows_everything_a_citizen_needs(client, published):
    response = client.get(f"/forums/{published.id}")

    assert response.status_code == 200
    page = squash(text(response))
    assert "<h1>Forum du pays d'Aix" in page
    assert "Mardi 17 mars 2009, de 18 h 30 à 20 h 30 — Aix-en-Provence" in page
    assert "Salle des fêtes du Jas de Bouffan<br>1 place Romée-de-Villeneuve, 13080 Aix-en-Provence" in page
    assert "Salle de plain-pied, boucle magnétique." in page
    assert "250 places" in page
    assert "<li>Aix-en-Provence-1</li><li>Berre-l'Étang</li>" in page
    assert "M. Laurent Ferrand, Sous-préfet d'Aix-en-Provence" in page
    assert "<strong>Police nationale</strong> : Commandant Éric Vidal, Chef de circonscription" in page
    assert "<strong>Gendarmerie nationale</strong> : Capitaine Berthier</li>" in page
    assert "Venez <strong>nombreux</strong>." in page
    assert "<script>alert(1)" not in page
    assert f'href="/forums/{published.id}.ics" download>Ajouter à mon agenda</a>' in page
    assert 'href="/departements/13">Tous les forums du département 13 – Bouches-du-Rhône</a>' in page
    assert 'id="status-banner"' not in page


def test_directions_link_to_an_openstreetmap_search_in_a_new_window(client, published):
    raw = client.get(f"/forums/{published.id}").get_data(as_text=True)

    link = re.search(r'<a class="fr-link" id="directions" href="([^"]+)" target="_blank" rel="noopener external" '
                     r'title="([^"]+)">', raw)
    url = html.unescape(link.group(1))
    assert url.startswith("https://www.openstreetmap.org/search?query=")
    assert parse_qs(urlsplit(url).query)["query"] == ["1 place Romée-de-Villeneuve, 13080 Aix-en-Provence"]
    assert link.group(2).endswith(" - nouvelle fenêtre")


def test_cancelled_forum_shows_an_error_banner_with_the_reason(client, create_forum):
    forum = create_forum(status=ForumStatus.CANCELLED, cancellation_reason="Salle inondée.")

    page = squash(text(client.get(f"/forums/{forum.id}")))

    banner = re.search(r'<div class="fr-alert fr-alert--error fr-mb-4w" id="status-banner">(.*?)</div>', page).group(1)
    assert "Forum annulé" in banner
    assert "prévu le mardi 17 mars 2009, 18 h 30, n'aura pas lieu. Motif : Salle inondée." in banner
    assert "Ajouter à mon agenda" not in page


def test_postponed_forum_shows_the_new_date_and_the_old_one_struck(client, db, create_forum):
    forum = create_forum(status=ForumStatus.POSTPONED, starts_at=paris_time(2009, 4, 2, 18, 0))
    forum.date_changes = [ForumDateChange(
        previous_starts_at=paris_time(2009, 3, 24, 18, 0), previous_ends_at=paris_time(2009, 3, 24, 20, 0),
        starts_at=forum.starts_at, ends_at=forum.ends_at, reason="Salle indisponible",
    )]
    db.session.commit()

    page = squash(text(client.get(f"/forums/{forum.id}")))

    banner = re.search(r'<div class="fr-alert fr-alert--warning fr-mb-4w" id="status-banner">(.*?)</div>', page).group(1)
    assert "Forum reporté" in banner
    assert ("Ce forum est reporté au jeudi 2 avril 2009, 18 h 00. "
            "Il était prévu le <del>mardi 24 mars 2009, 18 h 00</del>.") in banner
    assert "Ajouter à mon agenda" in page


def test_held_forum_says_when_it_took_place(client, create_forum):
    forum = create_forum(status=ForumStatus.HELD)

    page = squash(text(client.get(f"/forums/{forum.id}")))

    banner = re.search(r'<div class="fr-alert fr-alert--info fr-mb-4w" id="status-banner">(.*?)</div>', page).group(1)
    assert "Ce forum a eu lieu le mardi 17 mars 2009." in banner


def test_forum_page_carries_schema_org_event_json_ld(client, published):
    response = client.get(f"/forums/{published.id}")

    [data] = json_ld(response)
    assert data["@type"] == "Event"
    assert data["name"] == "Forum du pays d'Aix"
    assert data["startDate"] == "2009-03-17T18:30:00+01:00"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["location"]["address"]["postalCode"] == "13080"
    assert data["organizer"]["name"] == "Préfecture des Bouches-du-Rhône"
    assert data["url"] == f"http://localhost/forums/{published.id}"
    assert data["description"] == "Venez nombreux."
    assert 'nonce="' not in re.search(r'<script type="application/ld\+json"[^>]*>', response.get_data(as_text=True)).group(0)


def test_a_title_cannot_break_out_of_the_json_ld_block(client, create_forum):
    title = "</script><script>alert(1)</script><!--"
    forum = create_forum(status=ForumStatus.PUBLISHED, title=title, description="a & b <b>")

    response = client.get(f"/forums/{forum.id}")

    raw = response.get_data(as_text=True)
    assert "<script>alert(1)" not in raw
    assert "<!--" not in raw
    [data] = json_ld(response)
    assert data["name"] == title


def test_drafts_and_unknown_forums_are_french_404s(client, create_forum):
    draft = create_forum(status=ForumStatus.DRAFT, title="Brouillon secret")

    for url in (f"/forums/{draft.id}", f"/forums/{draft.id + 1000}", "/forums/abc"):
        response = client.get(url)
        assert response.status_code == 404, url
        page = text(response)
        assert "Page non trouvée" in page
        assert "Brouillon secret" not in page


@pytest.mark.parametrize("size", [1, 10])
def test_forum_page_runs_a_fixed_number_of_queries(client, db, create_forum, territories, size, count_queries):
    extra = [Canton(code=f"13{index + 10}", name=f"Canton {index}", department_code="13", kind="C",
                    capital_code="13001") for index in range(size - 1)]
    db.session.add_all(extra)
    db.session.commit()
    forum = create_forum(cantons=["1301", *(canton.code for canton in extra)], status=ForumStatus.POSTPONED)
    forum.speakers = [Speaker(kind=SpeakerKind.OTHER, name=f"Intervenant {index}", position=index)
                      for index in range(size)]
    forum.date_changes = [ForumDateChange(
        previous_starts_at=forum.starts_at - timedelta(days=index + 1),
        previous_ends_at=forum.ends_at - timedelta(days=index + 1),
        starts_at=forum.starts_at, ends_at=forum.ends_at,
    ) for index in range(size)]
    for index in range(size - 1):
        create_forum(status=ForumStatus.PUBLISHED, title=f"Autre forum {index}")
    db.session.commit()
    url = f"/forums/{forum.id}"

    with count_queries() as statements:
        page = text(client.get(url))

    assert page.count("Intervenant ") == size
    # Version; the forum; its department, region, commune, cantons, communes, speakers, date changes
    # and consultation, one query each; the count of its published questions (none to fetch).
    assert len(statements) == 11, statements


def test_forum_page_is_cacheable_and_sets_no_cookie(client, published):
    first = client.get(f"/forums/{published.id}")
    again = client.get(f"/forums/{published.id}", headers={"If-None-Match": first.headers["ETag"]})

    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert first.headers["Last-Modified"]
    assert "Set-Cookie" not in first.headers
    assert again.status_code == 304
    assert "Set-Cookie" not in again.headers
