"""The DSFR layout: header, skip links, navigation, flash messages, footer, display settings."""
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from forums import create_app
from forums.models import Role

STATIC_DSFR = Path(__file__).resolve().parents[2] / "forums" / "static" / "dsfr"


class Links(HTMLParser):
    """Collect every href and src of a page, and the ids it defines."""

    def __init__(self):
        super().__init__()
        self.urls = []
        self.ids = set()
        self.footer_bottom_links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src"):
            if attrs.get(name):
                self.urls.append(attrs[name])
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and "fr-footer__bottom-link" in (attrs.get("class") or ""):
            self.footer_bottom_links.append(attrs["href"])


def parse(response):
    parser = Links()
    parser.feed(response.get_data(as_text=True))
    return parser


def test_header_follows_the_dsfr(client):
    html = client.get("/mentions-legales").get_data(as_text=True)
    assert '<html lang="fr" data-fr-scheme="system">' in html
    assert '<meta name="theme-color" content="#000091">' in html
    assert '<header role="banner" class="fr-header">' in html
    assert re.search(r'<p class="fr-logo">\s*République\s*<br>\s*Française\s*</p>', html)
    assert '<p class="fr-header__service-title">Forums de sécurité</p>' in html
    assert "Vos libertés, votre sécurité : parlons-en ensemble" in html
    assert 'class="fr-btn--menu fr-btn"' in html and 'aria-controls="header-menu"' in html
    assert 'id="header-menu"' in html
    assert 'type="module" src="/static/dsfr/dsfr.module.min.js"' in html
    assert '<script nomodule src="/static/dsfr/dsfr.nomodule.min.js">' in html


def test_skip_links_point_at_existing_targets(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    skiplinks = re.search(r'<div class="fr-skiplinks">(.*?)</div>', html, re.S).group(1)
    targets = re.findall(r'<a class="fr-link" href="#([^"]+)">([^<]+)</a>', skiplinks)
    assert [label for _, label in targets] == ["Contenu", "Menu", "Pied de page"]
    ids = parse(response).ids
    assert all(target in ids for target, _ in targets)
    assert '<main id="contenu" role="main"' in html


def test_anonymous_visitor_sees_the_agents_entrance(client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<a class="fr-btn [^"]*" href="/auth/login">Espace agents</a>', html)
    assert "Se déconnecter" not in html
    assert "Mon espace" not in html


def test_logged_in_agent_sees_name_role_logout_form_and_own_area(client, create_agent, login):
    agent = create_agent(Role.PREFECTURE, department="13")
    login(agent)
    html = client.get("/mentions-legales").get_data(as_text=True)
    assert "Espace agents" not in html
    assert agent.full_name in html and Role.PREFECTURE.label in html
    form = re.search(r'<form method="post" action="/auth/logout">(.*?)</form>', html, re.S)
    assert form, "logout is a POST form, never a link"
    assert 'name="csrf_token"' in form.group(1)
    assert 'type="submit"' in form.group(1) and "Se déconnecter" in form.group(1)
    assert re.search(r'<a class="fr-nav__link" href="/prefecture/"\s*>Mon espace</a>', html)


def test_current_page_is_marked_in_the_main_menu(client):
    html = client.get("/").get_data(as_text=True)
    assert '<a class="fr-nav__link" href="/" aria-current="page">Accueil</a>' in html
    other = client.get("/plan-du-site").get_data(as_text=True)
    assert '<a class="fr-nav__link" href="/">Accueil</a>' in other


def test_flash_messages_are_dsfr_alerts(client, create_agent, login):
    login(create_agent(Role.PREFECTURE, department="13"))
    response = client.post("/auth/logout", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert re.search(r'<div class="fr-alert fr-alert--info fr-alert--sm[^"]*">\s*<p>Vous êtes déconnecté.</p>', html)


def test_footer_has_brand_description_and_mandatory_links(client):
    html = client.get("/").get_data(as_text=True)
    footer = re.search(r'<footer class="fr-footer" role="contentinfo" id="footer">(.*?)</footer>', html, re.S).group(1)
    assert re.search(r'<p class="fr-logo">\s*République\s*<br>\s*Française', footer)
    assert "composez le 17 ou le 112" in footer
    ecosystem = re.findall(r'class="fr-footer__content-link" href="([^"]+)"', footer)
    assert ecosystem == ["https://info.gouv.fr", "https://service-public.gouv.fr",
                         "https://legifrance.gouv.fr", "https://data.gouv.fr"]
    labels = re.findall(r'class="fr-footer__bottom-link" href="[^"]+">([^<]+)</a>', footer)
    assert labels == ["Plan du site", "Accessibilité : non conforme", "Mentions légales",
                      "Données personnelles", "Gestion des cookies"]
    assert ("Sauf mention explicite de propriété intellectuelle détenue par des tiers, les contenus "
            "de ce site sont proposés sous") in footer
    assert "licence etalab-2.0</a>" in footer


def test_every_footer_bottom_link_leads_to_a_page(client):
    links = parse(client.get("/")).footer_bottom_links
    assert len(links) == 5
    for href in links:
        assert client.get(href).status_code == 200, href


def test_display_settings_dialog_opens_from_the_footer(client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<button class="fr-btn--display fr-btn" aria-controls="fr-theme-modal" '
                     r'data-fr-opened="false"[^>]*>Paramètres d\'affichage</button>', html)
    dialog = re.search(r'<dialog id="fr-theme-modal" class="fr-modal" '
                       r'aria-labelledby="fr-theme-modal-title">(.*?)</dialog>', html, re.S).group(1)
    assert "Paramètres d’affichage" in dialog
    assert re.findall(r'<input value="(\w+)" type="radio" id="fr-radios-theme-\w+" name="fr-radios-theme">',
                      dialog) == ["light", "dark", "system"]
    for pictogram in ("environment/sun.svg", "environment/moon.svg", "system/system.svg"):
        assert f"/static/dsfr/artwork/pictograms/{pictogram}#artwork-major" in dialog


@pytest.mark.skipif(not STATIC_DSFR.is_dir(), reason="the DSFR is not installed (npm ci) in forums/static/dsfr")
def test_every_dsfr_asset_the_layout_references_is_served(client):
    urls = {url.split("#")[0] for url in parse(client.get("/")).urls if url.startswith("/static/")}
    urls |= {url.split("#")[0] for url in parse(client.get("/page-absente")).urls if url.startswith("/static/")}
    assert {"/static/dsfr/dsfr.min.css", "/static/dsfr/utility/icons/icons.min.css",
            "/static/dsfr/favicon/favicon.svg", "/static/dsfr/favicon/manifest.webmanifest"} <= urls
    for url in sorted(urls):
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()


def test_breadcrumb_marks_the_current_page(client):
    html = client.get("/donnees-personnelles").get_data(as_text=True)
    crumbs = re.search(r'<ol class="fr-breadcrumb__list">(.*?)</ol>', html, re.S).group(1)
    assert '<a class="fr-breadcrumb__link" href="/">Accueil</a>' in crumbs
    assert '<a class="fr-breadcrumb__link" aria-current="page">Données personnelles</a>' in crumbs


def test_not_found_page_is_a_french_dsfr_error_page(client):
    response = client.get("/cette-page-n-existe-pas")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "<h1>Page non trouvée</h1>" in html
    assert '<p class="fr-text--sm fr-mb-3w">Erreur 404</p>' in html
    assert '<p class="fr-text--lead fr-mb-3w">La page que vous cherchez est introuvable.' in html
    assert '<a class="fr-btn" href="/">Page d\'accueil</a>' in html
    assert "/static/dsfr/artwork/pictograms/system/technical-error.svg#artwork-major" in html
    assert '<footer class="fr-footer"' in html


def test_error_page_shows_the_detail_of_the_case():
    app = create_app({"ENV": "testing", "SECRET_KEY": "x", "DATABASE_URL": "sqlite://",
                      "WTF_CSRF_ENABLED": True})
    response = app.test_client().post("/auth/logout")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "<h1>Requête incorrecte</h1>" in html and "Erreur 400" in html
    assert '<p class="fr-text--sm fr-mb-5w">Le formulaire a expiré' in html
