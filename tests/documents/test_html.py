"""The HTML of a synthesis: readable, linked sources and footnotes, figure tables, annexes; nothing internal left."""
import os
from html.parser import HTMLParser

import pytest
from flask import Flask
from markupsafe import escape

import forums
from forums import security, templating
from forums.documents.content import DocumentContent, DocumentPart
from forums.documents.html import markdown_html, render_html
from synthesis import sources
from synthesis.document import Annex
from synthesis.drafting import PART_TITLES
from synthesis.figure_tables import row_anchor

from .engine import INTERNAL_KEYS, NOTICES, STATUS, department_content, definitions, links, national_content


@pytest.fixture(scope="module", autouse=True)
def app_context():
    """Render with the app's templates and Jinja setup; the documents need no database."""
    app = Flask("forums", root_path=os.path.dirname(forums.__file__))
    security.init_app(app)
    templating.init_app(app)
    with app.app_context():
        yield


class Page(HTMLParser):
    """What a reader of an HTML page sees and follows: its text, its elements' ids, its links, its footnotes."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.text = []
        self.ids = []
        self.hrefs = []
        #: (number, href, id) of each footnote call, in the order of the text.
        self.calls = []
        #: (id, number shown, href of its link back) of each note, in the order of the lists.
        self.notes = []
        self.rows = []
        self._in_call = None
        #: The number the next note of a list of notes shows (None outside such a list).
        self._next_number = None
        self._skip = 0
        self.feed(html)
        self.text = "".join(self.text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("style", "script"):
            self._skip += 1
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a" and "href" in attrs:
            self.hrefs.append(attrs["href"])
            if attrs["href"].startswith("#note-"):
                self._in_call = attrs
            if attrs.get("class") == "note-back":
                self.notes[-1][2] = attrs["href"]
        if tag == "ol" and attrs.get("class") == "notes":
            self._next_number = int(attrs["start"])
        if tag == "li" and self._next_number is not None:
            self.notes.append([attrs["id"], self._next_number, None])
            self._next_number += 1
        if tag == "tr" and "id" in attrs:
            self.rows.append(attrs)

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1
        if tag == "ol":
            self._next_number = None

    def handle_data(self, data):
        if self._in_call is not None:
            self.calls.append((int(data), self._in_call["href"], self._in_call["id"]))
            self._in_call = None
        if not self._skip:
            self.text.append(data)


@pytest.fixture(scope="module")
def department():
    content = department_content()
    return content, render_html(content, links)


@pytest.fixture(scope="module")
def national():
    content = national_content()
    return content, render_html(content, links)


@pytest.fixture(params=["department", "national"])
def document(request):
    return request.getfixturevalue(request.param)


def test_no_internal_key_anywhere_a_reader_looks(document):
    content, html = document
    page = Page(html)

    for key in INTERNAL_KEYS:
        assert key not in page.text, key
    assert "source:" not in html
    assert "Jump back" not in html
    # The notes name their sources in words, with links where the caller gave an address.
    assert "Tableau «\u00a0Forums et couverture\u00a0», ligne «\u00a0Forums tenus\u00a0»" in page.text
    assert any(href.startswith("https://forums.example.gouv.fr/questions/") for href in page.hrefs)


def test_footnotes_are_numbered_in_order_across_the_document_and_linked_both_ways(document):
    content, html = document
    page = Page(html)

    count = definitions(content)
    assert count > 20
    assert [number for number, _, _ in page.calls] == list(range(1, count + 1))
    assert [number for _, number, _ in page.notes] == list(range(1, count + 1))
    for (number, href, call_id), (note_id, _, back) in zip(page.calls, page.notes):
        assert href == f"#{note_id}"
        assert back == f"#{call_id}"
    # Every identifier is unique and every link inside the document lands somewhere.
    assert len(page.ids) == len(set(page.ids))
    assert {href[1:] for href in page.hrefs if href.startswith("#")} <= set(page.ids)


def test_the_parts_come_in_order_with_the_agents_text_after_the_generated_blocks(department):
    content, html = department
    text = Page(html).text

    positions = [text.index(f"{number}. {title}") for number, title in enumerate(PART_TITLES.values(), 1)]
    assert positions == sorted(positions)
    assert "<strong>forte attente</strong>" in html
    assert text.index("Les forums") < text.index("La préfecture note une forte attente")
    assert "Un dialogue franc avec la gendarmerie" in text


def test_figure_tables_come_from_the_data_with_an_anchor_on_every_row(document):
    content, html = document
    page = Page(html)

    expected = [row_anchor(table.key, row.key) for table in content.tables for row in table.rows]
    assert [row["id"] for row in page.rows] == expected
    assert [row.get("class") for row in page.rows].count("total") == sum(
        row.is_total for table in content.tables for row in table.rows)
    for table in content.tables:
        assert f"<caption>{escape(table.title)}</caption>" in html
    assert '<th scope="col" class="number">Nombre</th>' in html
    assert '<th scope="row">Forums tenus</th>' in html
    assert '<td class="number">' in html
    # Every figure a note links to is a row of these tables.
    figure_links = {href[1:] for href in page.hrefs if href.startswith("#chiffres-")}
    assert figure_links and figure_links <= set(expected)


def test_annexes_link_to_their_document_and_say_when_it_is_missing(department):
    content, html = department

    annexes = html[html.index('id="annexes"'):]
    assert ('<a href="comptes-rendus/compte-rendu%2011.html" rel="noopener noreferrer">'
            'Compte-rendu du forum d’Aix-en-Provence du 17 mars 2009</a>') in annexes
    assert "Compte-rendu du forum d’Istres du 21 avril 2009</a> — <em>compte-rendu non encore saisi</em>" in annexes
    assert sum(not annex.available for annex in content.annexes) == annexes.count("non encore saisi") == 1


def test_the_status_and_the_notices_open_the_document(department):
    _, html = department

    assert html.index(STATUS) < html.index(NOTICES[0]) < html.index("Sommaire")
    assert f'<p class="notice">{escape(NOTICES[0])}</p>' in html


def test_the_document_is_standalone_and_prints_on_a4(department):
    _, html = department

    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in html
    assert "size: A4" in html
    assert ".part { break-before: page; page-break-before: always; }" in html
    # No site navigation, nothing fetched from elsewhere: the file reads the same from a ZIP.
    assert "<nav" not in html
    assert "stylesheet" not in html
    assert " src=" not in html
    assert html.count('<section class="part"') == 5


def _content(markdown, annexes=(), tables=()):
    return DocumentContent("Titre", "", "Projet.", (DocumentPart("insight", "Éclairage", markdown),),
                           "Chiffres", tables, "Annexes", annexes)


def test_labels_with_markdown_specials_or_script_stay_inert():
    label = '<script>alert("x")</script> *pas gras* [crochet] _souligné_ `code`'
    markdown = (f"Un fait.[^e1]\n\n<script>alert('texte')</script>\n\n"
                f"[^e1]: {sources.link(sources.question('13-000001'), label)}")
    annexes = (Annex(sources.minutes(3), label),)

    html = render_html(_content(markdown, annexes), links)

    assert "<script" not in html.lower()
    assert "alert('texte')" not in html
    text = Page(html).text
    assert '<script>alert("x")</script> *pas gras* [crochet] _souligné_ `code`' in text
    assert "<em>" not in html and "<code>" not in html


def test_an_empty_document_says_so():
    html = render_html(_content(""))

    assert "Partie non rédigée." in html
    assert "Chiffres non calculés." in html
    assert "Aucune annexe." in html


def test_markdown_html_for_a_page_resolves_sources_and_links_its_notes():
    markdown = department_content().parts[1].markdown

    html = markdown_html(markdown, links)
    page = Page(str(html))

    for key in INTERNAL_KEYS:
        assert key not in page.text, key
    assert [number for number, _, _ in page.calls][:3] == [1, 2, 3]
    # Identifiers come from the engine's labels, unique across parts shown on one page.
    assert page.calls[0][1:] == ("#note-d1", "appel-d1")
    assert "comptes-rendus/compte-rendu%2011.html" in page.hrefs


def test_markdown_html_keeps_the_project_sanitiser():
    html = markdown_html('Texte <a href="javascript:alert(1)">lien</a> [ok](https://example.org)')

    assert "javascript:" not in html
    assert '<a href="https://example.org" rel="noopener noreferrer">ok</a>' in html


ADVERSARIAL = {
    "open brackets": "[" * 10_000,
    "escaped brackets": "[" + "\\[" * 5_000,
    "escapes and parentheses": "[\\](" * 2_500,
    "footnote calls": "[^" * 5_000,
    "nested": "[" * 5_000 + "]" * 5_000,
}


@pytest.mark.parametrize("text", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_long_texts_of_brackets_render_as_text(text):
    html = markdown_html(text, links)

    assert "source:" not in html
    assert Page(str(html)).text.count("[") == text.count("[")
