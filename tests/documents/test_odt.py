"""The OpenDocument text of a synthesis: a valid package LibreOffice opens, with real footnotes and linked sources."""
import io
import zipfile

import pytest

from forums.documents.content import DocumentContent, DocumentPart
from forums.documents.markdown_odf import OdfConverter
from forums.documents.odt import render_odt
from synthesis import sources
from synthesis.document import Annex
from synthesis.drafting import PART_TITLES
from synthesis.figure_tables import row_anchor

from .engine import INTERNAL_KEYS, NOTICES, STATUS, department_content, definitions, links, national_content
from .reading import NS, ODT_MIMETYPE, odt_parts, odt_text


def _attribute(namespace, name):
    return f"{{{NS[namespace]}}}{name}"


XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"


@pytest.fixture(scope="module")
def department():
    content = department_content()
    return content, render_odt(content, links)


@pytest.fixture(scope="module")
def national():
    content = national_content()
    return content, render_odt(content, links)


@pytest.fixture(params=["department", "national"])
def document(request):
    return request.getfixturevalue(request.param)


def _body(odt):
    return odt_parts(odt)[0].find("office:body/office:text", NS)


def _text(element):
    return "".join(element.itertext())


def test_the_package_is_a_valid_opendocument_text(department):
    _, odt = department
    with zipfile.ZipFile(io.BytesIO(odt)) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert not first.extra
        assert archive.read("mimetype") == ODT_MIMETYPE
        assert archive.testzip() is None
    # The mimetype is readable at a fixed offset, as the specification requires.
    assert odt[30:38] == b"mimetype"
    assert odt[38:38 + len(ODT_MIMETYPE)] == ODT_MIMETYPE

    content, styles, manifest = odt_parts(odt)
    assert content.tag == _attribute("office", "document-content")
    assert styles.tag == _attribute("office", "document-styles")
    entries = {entry.get(_attribute("manifest", "full-path")): entry.get(_attribute("manifest", "media-type"))
               for entry in manifest}
    assert entries["/"] == ODT_MIMETYPE.decode()
    assert entries["content.xml"] == "text/xml"
    assert entries["styles.xml"] == "text/xml"


def test_no_internal_key_anywhere_a_reader_looks(document):
    _, odt = document
    text = "".join(_body(odt).itertext())

    for key in INTERNAL_KEYS:
        assert key not in text, key
    with zipfile.ZipFile(io.BytesIO(odt)) as archive:
        assert "source:" not in archive.read("content.xml").decode()
    assert "Tableau «\u00a0Forums et couverture\u00a0», ligne «\u00a0Forums tenus\u00a0»" in text


def test_footnotes_are_real_footnotes_at_their_call_numbered_in_order(document):
    content, odt = document
    body = _body(odt)

    notes = list(body.iter(_attribute("text", "note")))
    assert len(notes) == definitions(content) > 20
    assert [note.find("text:note-citation", NS).text for note in notes] == [
        str(number) for number in range(1, len(notes) + 1)]
    for note in notes:
        assert note.get(_attribute("text", "note-class")) == "footnote"
        paragraphs = note.findall("text:note-body/text:p", NS)
        assert paragraphs and all(p.get(_attribute("text", "style-name")) == "Footnote" for p in paragraphs)
        assert _text(paragraphs[0]).strip()
    # Each note stands where its call was: inside the paragraph, after the words it sources.
    parents = {child: parent for parent in body.iter() for child in parent}
    for note in notes:
        paragraph = parents[note]
        assert paragraph.tag == _attribute("text", "p")
        assert _text(paragraph).index(_text(note)) > 0
    # No list of notes is left behind at the end of a part: every footnote paragraph is inside a note.
    in_notes = {id(p) for note in notes for p in note.iter(_attribute("text", "p"))}
    stray = [p for p in body.iter(_attribute("text", "p"))
             if p.get(_attribute("text", "style-name")) == "Footnote" and id(p) not in in_notes]
    assert stray == []
    assert "↩" not in "".join(body.itertext())


def test_footnotes_hold_working_links(department):
    _, odt = department
    notes = list(_body(odt).iter(_attribute("text", "note")))

    hrefs = [link.get(XLINK_HREF) for note in notes for link in note.iter(_attribute("text", "a"))]
    assert "https://forums.example.gouv.fr/questions/13-000102" in hrefs
    # A file beside the document is one level up from inside the package, as LibreOffice reads it.
    assert "../comptes-rendus/compte-rendu%2011.html" in hrefs
    assert "#chiffres-forums-held" in hrefs


def test_figure_links_jump_to_the_bookmark_of_their_row(document):
    content, odt = document
    body = _body(odt)

    bookmarks = [mark.get(_attribute("text", "name")) for mark in body.iter(_attribute("text", "bookmark"))]
    assert bookmarks == [row_anchor(table.key, row.key) for table in content.tables for row in table.rows]
    internal = {link.get(XLINK_HREF)[1:] for link in body.iter(_attribute("text", "a"))
                if link.get(XLINK_HREF).startswith("#")}
    assert internal and internal <= set(bookmarks)


def test_figure_tables_repeat_their_header_and_align_numbers_right(department):
    content, odt = department
    tables = list(_body(odt).iter(_attribute("table", "table")))

    assert len(tables) == len(content.tables)
    for table, figures in zip(tables, content.tables):
        header = table.find("table:table-header-rows", NS)
        assert [_text(cell) for cell in header.iter(_attribute("table", "table-cell"))] == list(figures.header)
        rows = table.findall("table:table-row", NS)
        assert [[_text(cell) for cell in row.findall("table:table-cell", NS)] for row in rows] == [
            [row.label, *row.cells] for row in figures.rows]
    forums = tables[0].findall("table:table-row", NS)
    cells = forums[1].findall("table:table-cell/text:p", NS)
    assert [cell.get(_attribute("text", "style-name")) for cell in cells] == [
        "Table_20_Contents", "Table_20_Contents_20_Right"]
    # The total row stands out.
    total = next(row for table in tables for row in table.findall("table:table-row", NS)
                 if _text(row).startswith("Total"))
    assert {span.get(_attribute("text", "style-name")) for span in total.iter(_attribute("text", "span"))} == {
        "Strong_20_Emphasis"}


def test_the_document_holds_its_parts_notices_and_annexes_in_order(department):
    content, odt = department
    text = odt_text(odt)

    assert text.index(STATUS) < text.index(NOTICES[0]) < text.index(f"1. {PART_TITLES['insight']}")
    positions = [text.index(f"{number}. {title}") for number, title in enumerate(PART_TITLES.values(), 1)]
    assert positions == sorted(positions)
    assert "La préfecture note une forte attente de présence policière le soir." in text
    assert "Compte-rendu du forum d’Istres du 21 avril 2009 — compte-rendu non encore saisi" in text
    headings = [(h.get(_attribute("text", "outline-level")), _text(h))
                for h in _body(odt).iter(_attribute("text", "h"))]
    assert [title for level, title in headings if level == "1"] == [
        f"{number}. {title}" for number, title in enumerate(PART_TITLES.values(), 1)
    ] + [content.figures_title, content.annexes_title]
    assert ("2", "Les forums") in headings and ("2", "Forums et couverture") in headings


def test_every_style_used_is_defined(document):
    _, odt = document
    content, styles, _ = odt_parts(odt)
    defined = set()
    for tree in (content, styles):
        for element in tree.iter():
            if element.tag in (_attribute("style", "style"), _attribute("text", "list-style"),
                               _attribute("style", "page-layout")):
                defined.add(element.get(_attribute("style", "name")))
    used = set()
    for element in content.find("office:body", NS).iter():
        for namespace in ("text", "table"):
            value = element.get(_attribute(namespace, "style-name"))
            if value:
                used.add(value)
    configuration = styles.find(".//text:notes-configuration", NS)
    used |= {configuration.get(_attribute("text", name)) for name in ("citation-style-name",
                                                                      "citation-body-style-name",
                                                                      "default-style-name")}
    assert used
    assert used <= defined


def test_the_page_is_a4_with_page_numbers_and_footnotes_at_its_foot(department):
    _, odt = department
    styles = odt_parts(odt)[1]
    layout = styles.find(".//style:page-layout/style:page-layout-properties", NS)
    assert layout.get(f"{{{FO}}}page-width") == "21cm"
    assert layout.get(f"{{{FO}}}page-height") == "29.7cm"
    assert layout.find("style:footnote-sep", NS) is not None
    assert styles.find(".//style:master-page/style:footer//text:page-number", NS) is not None
    configuration = styles.find(".//text:notes-configuration", NS)
    assert configuration.get(_attribute("text", "note-class")) == "footnote"
    assert configuration.get(_attribute("text", "footnotes-position")) == "page"
    heading = [style for style in styles.iter(_attribute("style", "style"))
               if style.get(_attribute("style", "name")) == "Heading_20_1"][0]
    assert heading.find("style:paragraph-properties", NS).get(f"{{{FO}}}break-before") == "page"


def _content(markdown, annexes=()):
    return DocumentContent("Titre\x07", "", "Projet.", (
        DocumentPart("insight", "Éclairage", markdown), DocumentPart("diagnosis", "Diagnostic", "  \n"),
        DocumentPart("proposals", "Propositions", "")), "Chiffres", (), "Annexes", annexes)


def test_labels_with_markdown_specials_or_script_stay_inert():
    label = '<script>alert("x")</script> *pas gras* [crochet]'
    markdown = (f"Un fait.[^e1]\n\n<script>alert('texte')</script>\n\n"
                f"[^e1]: {sources.link(sources.question('13-000001'), label)}")

    odt = render_odt(_content(markdown, (Annex(sources.minutes(3), label),)), links)

    with zipfile.ZipFile(io.BytesIO(odt)) as archive:
        raw = archive.read("content.xml").decode()
    assert "alert('texte')" not in raw
    assert "<script" not in raw
    note = next(_body(odt).iter(_attribute("text", "note")))
    assert _text(note.find("text:note-body", NS)) == label
    assert label in odt_text(odt)
    assert not [span for span in _body(odt).iter(_attribute("text", "span")) if _text(span) == "pas gras"]


def test_text_that_xml_cannot_hold_is_dropped_and_empty_sections_say_so():
    text = odt_text(render_odt(_content("Texte\x00 avec\x1b contrôle")))

    assert "Texte avec contrôle" in text
    assert text.count("Partie non rédigée.") == 2
    assert "Chiffres non calculés." in text
    assert "Aucune annexe." in text


def test_converter_maps_nested_lists_quotes_code_and_links():
    converter = OdfConverter()
    blocks = converter.convert("## Haut\n\n#### Bas\n\n1. un\n    - deux\n\n> cité\n\n"
                               "    code  espacé\n\n[lien](https://example.org) et `x`\n\n---\n")
    out = io.StringIO()
    for block in blocks:
        block.toXml(0, out)
    xml = out.getvalue()

    assert 'text:outline-level="2"' in xml and 'text:outline-level="3"' in xml
    assert xml.count("<text:list ") == 2
    assert 'text:style-name="Quotations">cité' in xml
    assert 'text:style-name="Preformatted_20_Text">code <text:s text:c="1"/>espacé' in xml
    assert '<text:a xlink:href="https://example.org" xlink:type="simple">lien</text:a>' in xml
    assert 'text:style-name="Source_20_Text">x</text:span>' in xml
    assert 'text:style-name="Horizontal_20_Line"' in xml


def test_converter_numbers_footnotes_across_texts():
    converter = OdfConverter()
    first = converter.convert("Un.[^a1]\n\n[^a1]: Première")
    second = converter.convert("Deux.[^b1] Trois.[^b2]\n\n[^b1]: Deuxième\n[^b2]: Troisième")

    citations = [_xml_citations(blocks) for blocks in (first, second)]
    assert citations == [["1"], ["2", "3"]]


def _xml_citations(blocks):
    out = io.StringIO()
    for block in blocks:
        block.toXml(0, out)
    xml = out.getvalue()
    return [chunk.split("<")[0] for chunk in xml.split("<text:note-citation>")[1:]]
