"""The mandatory pages: legal notice, personal data, accessibility statement, cookies, site map."""
import pytest

#: Each legal page with the sections it must contain.
PAGES = {
    "/mentions-legales": [
        "<h1>Mentions légales</h1>", "Éditeur du site", "Ministère de l'Intérieur", "Place Beauvau",
        "75008 Paris", "Directeur de la publication", "Le ministre de l'Intérieur.",
        "Hébergement : ministère de l'Intérieur.", "Propriété intellectuelle", "licence etalab-2.0",
        "composez\n      le 17",
    ],
    "/donnees-personnelles": [
        "<h1>Données personnelles</h1>", "Responsable du traitement", "Finalités et base légale",
        "organiser les forums publics de sécurité", "recueillir les questions des citoyens",
        "article 6, paragraphe 1, point e", "Durée de conservation", "jusqu'à la fin de la consultation",
        "droit d'accès", "droit de rectification", "droit à l'effacement",
        "droit à la limitation du traitement", "droit d'opposition", "CNIL",
        "aucun cookie de mesure d'audience",
    ],
    "/accessibilite": [
        "<h1>Déclaration d'accessibilité</h1>", "article 47 de la loi n° 2005-102",
        "<h2>État de conformité</h2>", "<strong>non conforme</strong>", "aucun\n      audit",
        "<h2>Contenus non accessibles</h2>", "Dérogations pour charge disproportionnée",
        "<h2>Établissement de cette déclaration d'accessibilité</h2>", "Cette déclaration a été établie le",
        "<li>HTML5</li>", "<li>CSS</li>", "<li>JavaScript</li>", "<h2>Retour d'information et contact</h2>",
        "<h2>Voies de recours</h2>", "Défenseur des droits", "Libre réponse 71120",
    ],
    "/gestion-des-cookies": [
        "<h1>Gestion des cookies</h1>", "aucun bandeau", "forums_session",
        "strictement nécessaire",
    ],
    "/plan-du-site": ["<h1>Plan du site</h1>"],
}


@pytest.mark.parametrize("path, expected", PAGES.items())
def test_legal_page_contains_its_sections(client, path, expected):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in expected:
        assert text in html, text


@pytest.mark.parametrize("path", ["/mentions-legales", "/donnees-personnelles", "/accessibilite"])
def test_contact_address_comes_from_the_configuration(app, client, monkeypatch, path):
    monkeypatch.setitem(app.config, "CONTACT_EMAIL", "contact-forums@example.gouv.fr")
    html = client.get(path).get_data(as_text=True)
    assert '<a href="mailto:contact-forums@example.gouv.fr">contact-forums@example.gouv.fr</a>' in html


def test_cookie_page_names_the_configured_session_cookie(client, app):
    html = client.get("/gestion-des-cookies").get_data(as_text=True)
    assert f"<code>{app.config['SESSION_COOKIE_NAME']}</code>" in html


def test_site_map_links_every_public_page(client):
    html = client.get("/plan-du-site").get_data(as_text=True)
    for path in ("/", "/trouver-mon-forum", "/agenda", "/themes", "/calendrier.ics", "/questions/poser",
                 "/charte-de-moderation", "/donnees-ouvertes", "/mentions-legales", "/donnees-personnelles",
                 "/accessibilite", "/gestion-des-cookies", "/auth/login"):
        assert f'href="{path}"' in html.replace("http://localhost/", "/"), path
        assert client.get(path).status_code == 200
    assert '<a href="webcal://localhost/calendrier.ics">S\'abonner au calendrier de tous les forums</a>' in html
