"""The public home page: the current consultation, its themes and the emergency notice."""
import html
from pathlib import Path

import pytest

from forums.services.consultations import (
    DATA_DIR, load_consultation_file, seed_consultation, set_current_consultation,
)

OTHER = Path(__file__).parent.parent / "fixtures" / "consultations" / "essai-2010.json"
EMERGENCY = "En cas d'urgence, composez le 17 ou le 112 : ce site ne reçoit ni signalements ni plaintes."


@pytest.fixture
def consultation_2009(db):
    consultation = seed_consultation(load_consultation_file(DATA_DIR / "2009.json"), make_current=True).consultation
    db.session.commit()
    return consultation


def page(client):
    response = client.get("/")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_home_shows_the_current_consultation(client, consultation_2009):
    text = page(client)

    assert "<h1>Vos libertés, votre sécurité : parlons-en ensemble</h1>" in text
    assert "du lundi 16 mars 2009 au lundi 18 mai 2009" in text
    assert "poser ses questions en ligne" in text
    assert EMERGENCY in text
    assert 'class="fr-alert fr-alert--warning' in text
    for theme in consultation_2009.themes:
        assert f"« {theme.title} »" in text
        assert theme.key_message in text
        for part in theme.parts:
            assert f"{part.code}. {part.title}" in text
            for subtopic in part.subtopics:
                assert subtopic.title in text
                assert f"Sous-thème {subtopic.code}" in text
    assert text.count('class="fr-callout ') == 2
    assert "<li>La vidéo-protection est un outil de prévention" in text, "key messages rendered as Markdown"
    assert text.index("Thème 1 :") < text.index("Thème 2 :")


def test_home_shows_only_the_current_one_when_several_coexist(client, db, consultation_2009):
    other = seed_consultation(load_consultation_file(OTHER)).consultation
    db.session.commit()
    assert "Consultation d'essai 2010" not in page(client)

    set_current_consultation(other)
    db.session.commit()
    text = page(client)
    assert "<h1>Consultation d'essai 2010</h1>" in text
    assert "du lundi 1er mars 2010 au vendredi 30 avril 2010, assises nationales le mardi 15 juin 2010" in text
    assert "Vidéo-protection" not in text


def test_home_without_consultation_says_so_politely(client, db):
    text = page(client)

    assert "Aucune consultation en cours" in text
    assert "Il n'y a pas de consultation ouverte en ce moment." in text
    assert EMERGENCY in text


def test_markdown_is_sanitised(client, db):
    data = load_consultation_file(OTHER)
    data["description"] = "Bonjour **à tous**.\n\n<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>"
    data["themes"][0]["parts"][0]["subtopics"][0]["description"] = '<a href="javascript:alert(1)">lien</a>'
    seed_consultation(data, make_current=True)
    db.session.commit()

    body = client.get("/").get_data(as_text=True)

    assert "Bonjour <strong>à tous</strong>." in body
    assert "<script>alert" not in body
    assert "onerror" not in body
    assert "javascript:" not in body


def test_home_runs_a_bounded_number_of_queries(app, client, db, consultation_2009, count_queries):
    with count_queries() as statements:
        page(client)

    # The publication version (cache), the consultation and one eager load each for themes, parts
    # and sub-topics, then the counters: forums by status and the four national coverage queries.
    assert len(statements) == 10, statements
