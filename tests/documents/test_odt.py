"""The OpenDocument text of a synthesis: a valid package that LibreOffice opens, holding the whole text."""
import io
import zipfile

import pytest

from forums.documents.content import AnnexRef, DocumentContent, DocumentPart, department_content
from forums.documents.markdown_odf import OdfConverter
from forums.documents.odt import render_odt
from synthesis.drafting import PART_TITLES

from .reading import NS, ODT_MIMETYPE, odt_parts, odt_text


def _attribute(namespace, name):
    return f"{{{NS[namespace]}}}{name}"


@pytest.fixture
def odt(document_data):
    return render_odt(department_content(document_data.synthesis))


def test_the_package_is_a_valid_opendocument_text(odt):
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


def test_the_document_holds_the_three_parts_figures_and_annexes(odt):
    text = odt_text(odt)

    for number, title in enumerate(PART_TITLES.values(), 1):
        assert f"{number}. {title}" in text
    for words in ("Dans le département, 2 forums se sont tenus.", "Cambriolages en hausse",
                  "Un dialogue franc avec la gendarmerie", "Une habitante : « on se sent écoutés »",
                  "Renforcer les patrouilles pédestres le soir.", "Forums tenus", "Questions publiées",
                  "Compte-rendu du forum du 24 mars 2009 — Arles", "Synthèse départementale — Bouches-du-Rhône (13)",
                  "Projet de synthèse : document de travail, non transmis au ministère"):
        assert words in text
    positions = [text.index(title) for title in PART_TITLES.values()]
    assert positions == sorted(positions)


def test_scripts_and_raw_html_are_neutralised(odt):
    with zipfile.ZipFile(io.BytesIO(odt)) as archive:
        raw = archive.read("content.xml").decode()
    assert "alert" not in raw
    assert "<script" not in raw and "&lt;script" not in raw
    assert "onerror" not in raw


def test_headings_lists_emphasis_and_tables_are_styled(odt):
    content = odt_parts(odt)[0]
    body = content.find("office:body/office:text", NS)

    headings = [(h.get(_attribute("text", "outline-level")), h.get(_attribute("text", "style-name")),
                 "".join(h.itertext())) for h in body.iter(_attribute("text", "h"))]
    assert [h for h in headings if h[0] == "1"] == [
        ("1", "Heading_20_1", f"1. {PART_TITLES['insight']}"),
        ("1", "Heading_20_1", f"2. {PART_TITLES['diagnosis']}"),
        ("1", "Heading_20_1", f"3. {PART_TITLES['proposals']}"),
        ("1", "Heading_20_1", "Les forums en chiffres"),
        ("1", "Heading_20_1", "Annexes\u00a0: comptes-rendus des forums"),
    ]
    # "###" in a part sits right under the part's title.
    assert ("2", "Heading_20_2", "Les forums") in headings

    lists = {element.get(_attribute("text", "style-name")) for element in body.iter(_attribute("text", "list"))}
    assert {"Bullet_20_List", "Numbered_20_List"} <= lists
    spans = {("".join(span.itertext()), span.get(_attribute("text", "style-name")))
             for span in body.iter(_attribute("text", "span"))}
    assert ("2 forums", "Strong_20_Emphasis") in spans
    assert ("vidéo-protection", "Emphasis") in spans
    # The footnote marker is kept, as a superscript number, and its note as text.
    assert ("1", "Superscript") in spans
    assert "[Forum 1], [Compte-rendu 1]" in odt_text(odt)

    tables = list(body.iter(_attribute("table", "table")))
    assert len(tables) == 1
    header = tables[0].find("table:table-header-rows", NS)
    assert ["".join(cell.itertext()) for cell in header.iter(_attribute("table", "table-cell"))] == [
        "Indicateur", "Nombre"]
    rows = [["".join(cell.itertext()) for cell in row.iter(_attribute("table", "table-cell"))]
            for row in tables[0].findall("table:table-row", NS)]
    assert rows == [["Forums tenus", "2"], ["Questions publiées", "3"]]


def test_every_style_used_is_defined(odt):
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
    assert used
    assert used <= defined


def test_the_page_is_a4_with_page_numbers(odt):
    styles = odt_parts(odt)[1]
    layout = styles.find(".//style:page-layout/style:page-layout-properties", NS)
    fo = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
    assert layout.get(f"{{{fo}}}page-width") == "21cm"
    assert layout.get(f"{{{fo}}}page-height") == "29.7cm"
    assert styles.find(".//style:master-page/style:footer//text:page-number", NS) is not None
    heading = [style for style in styles.iter(_attribute("style", "style"))
               if style.get(_attribute("style", "name")) == "Heading_20_1"][0]
    assert heading.find("style:paragraph-properties", NS).get(f"{{{fo}}}break-before") == "page"


def test_text_that_xml_cannot_hold_is_dropped():
    content = DocumentContent(
        title="Titre\x07", subtitle="", status_line="Projet.",
        parts=(DocumentPart("insight", "Éclairage", "Texte\x00 avec\x1b contrôle"),
               DocumentPart("diagnosis", "Diagnostic", "  \n"), DocumentPart("proposals", "Propositions", "")),
        figures_markdown="", annexes_markdown="", annexes=(AnnexRef(1, "Annexe", False),),
    )

    text = odt_text(render_odt(content))

    assert "Texte avec contrôle" in text
    assert text.count("Partie non rédigée.") == 2


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
