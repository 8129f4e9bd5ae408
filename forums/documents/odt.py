"""The OpenDocument text (.odt) of a synthesis: A4, its styles in styles.xml, as LibreOffice opens it.

The three parts, the figures and the annexes each begin on a new page under a level-1 heading;
the headings inside a part follow on levels 2 to 4. Styles use LibreOffice's own names ("Heading 1",
"Text body"…), which the French interface shows as « Titre 1 », « Corps de texte »…, so that the
prefecture finds its usual styles when it reworks the document.
"""
import io

from odf import dc, meta, style, text
from odf.opendocument import OpenDocumentText

from . import markdown_odf as names
from .markdown_odf import OdfConverter, clean_text

FONT = "Arial"
MONO_FONT = "Liberation Mono"
BLUE = "#000091"
GREY = "#3a3a3a"
BORDER = "0.5pt solid #929292"
#: Paragraph styles of the cover page.
TITLE, SUBTITLE, STATUS, MARQUE, FOOTER = "Title", "Subtitle", "Status", "Marque", "Footer"


def render_odt(content):
    """Return the bytes of the .odt document of a DocumentContent."""
    document = OpenDocumentText()
    _add_styles(document)
    document.meta.addElement(dc.Title(text=clean_text(content.title)))
    document.meta.addElement(dc.Language(text="fr-FR"))
    if content.subtitle:
        document.meta.addElement(meta.UserDefined(name="Consultation", valuetype="string",
                                                  text=clean_text(content.subtitle)))
    body = document.text
    body.addElement(text.P(stylename=MARQUE, text="République française"))
    body.addElement(text.P(stylename=TITLE, text=clean_text(content.title)))
    if content.subtitle:
        body.addElement(text.P(stylename=SUBTITLE, text=clean_text(content.subtitle)))
    body.addElement(text.P(stylename=STATUS, text=clean_text(content.status_line)))

    converter = OdfConverter()
    for number, part in enumerate(content.parts, 1):
        _section(body, f"{number}. {part.title}", converter.convert(part.markdown)
                 or [_empty("Partie non rédigée.")])
    _section(body, content.figures_title, converter.convert(content.figures_markdown)
             or [_empty("Chiffres non calculés.")])
    _section(body, content.annexes_title, converter.convert(content.annexes_markdown)
             or [_empty("Aucune annexe.")])

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _section(body, title, blocks):
    body.addElement(text.H(outlinelevel=1, stylename=names.HEADINGS[1], text=clean_text(title)))
    for block in blocks:
        body.addElement(block)


def _empty(message):
    paragraph = text.P(stylename=names.BODY)
    paragraph.addElement(text.Span(stylename=names.EMPHASIS, text=message))
    return paragraph


# --- styles ---------------------------------------------------------------------------------------

def _paragraph_style(name, display, parent="Standard", paragraph=None, text_props=None, **extra):
    if parent:
        extra["parentstylename"] = parent
    created = style.Style(name=name, displayname=display, family="paragraph", **extra)
    if paragraph:
        created.addElement(style.ParagraphProperties(**paragraph))
    if text_props:
        created.addElement(style.TextProperties(**text_props))
    return created


def _text_style(name, display, **properties):
    created = style.Style(name=name, displayname=display, family="text")
    created.addElement(style.TextProperties(**properties))
    return created


def _list_style(name, display, numbered):
    created = text.ListStyle(name=name, displayname=display)
    for level in range(1, 11):
        if numbered:
            level_style = text.ListLevelStyleNumber(level=level, numformat="1", numsuffix=".")
        else:
            level_style = text.ListLevelStyleBullet(level=level, bulletchar="•" if level % 2 else "◦")
        level_style.addElement(style.ListLevelProperties(spacebefore=f"{0.6 * (level - 1):.2f}cm",
                                                         minlabelwidth="0.6cm"))
        created.addElement(level_style)
    return created


def _add_styles(document):
    document.fontfacedecls.addElement(style.FontFace(name=FONT, fontfamily=FONT, fontfamilygeneric="swiss",
                                                     fontpitch="variable"))
    document.fontfacedecls.addElement(style.FontFace(name=MONO_FONT, fontfamily=MONO_FONT,
                                                     fontfamilygeneric="modern", fontpitch="fixed"))
    styles = document.styles

    default = style.DefaultStyle(family="paragraph")
    default.addElement(style.TextProperties(fontname=FONT, fontsize="11pt", language="fr", country="FR"))
    styles.addElement(default)

    for created in (
        _paragraph_style("Standard", "Standard", parent=None, text_props={"fontname": FONT, "fontsize": "11pt"}),
        _paragraph_style(names.BODY, "Text body",
                         paragraph={"margintop": "0cm", "marginbottom": "0.21cm", "orphans": "3", "widows": "3"},
                         text_props={"fontsize": "11pt"}),
        _paragraph_style("Heading", "Heading", parent="Standard", nextstylename=names.BODY,
                         paragraph={"margintop": "0.42cm", "marginbottom": "0.21cm", "keepwithnext": "always"},
                         text_props={"fontname": FONT, "color": BLUE, "fontweight": "bold"}),
        _paragraph_style(names.HEADINGS[1], "Heading 1", parent="Heading", nextstylename=names.BODY,
                         defaultoutlinelevel="1",
                         paragraph={"breakbefore": "page", "marginbottom": "0.4cm"},
                         text_props={"fontsize": "17pt"}),
        _paragraph_style(names.HEADINGS[2], "Heading 2", parent="Heading", nextstylename=names.BODY,
                         defaultoutlinelevel="2", text_props={"fontsize": "14pt"}),
        _paragraph_style(names.HEADINGS[3], "Heading 3", parent="Heading", nextstylename=names.BODY,
                         defaultoutlinelevel="3", text_props={"fontsize": "12pt"}),
        _paragraph_style(names.HEADINGS[4], "Heading 4", parent="Heading", nextstylename=names.BODY,
                         defaultoutlinelevel="4", text_props={"fontsize": "11pt", "fontstyle": "italic"}),
        _paragraph_style(MARQUE, "Marque", paragraph={"marginbottom": "3cm"},
                         text_props={"fontweight": "bold", "fontsize": "10pt", "texttransform": "uppercase"}),
        _paragraph_style(TITLE, "Title", paragraph={"marginbottom": "0.6cm"},
                         text_props={"fontsize": "24pt", "fontweight": "bold", "color": BLUE}),
        _paragraph_style(SUBTITLE, "Subtitle", paragraph={"marginbottom": "0.6cm"}, text_props={"fontsize": "14pt"}),
        _paragraph_style(STATUS, "Status",
                         paragraph={"borderleft": f"2.5pt solid {BLUE}", "padding": "0.2cm"},
                         text_props={"fontstyle": "italic", "color": GREY}),
        _paragraph_style(names.LIST_PARAGRAPH, "List Contents", parent=names.BODY,
                         paragraph={"marginbottom": "0.1cm"}),
        _paragraph_style(names.QUOTATION, "Quotations", parent=names.BODY,
                         paragraph={"marginleft": "0.8cm", "borderleft": BORDER, "padding": "0.15cm"},
                         text_props={"color": GREY}),
        _paragraph_style(names.PREFORMATTED, "Preformatted Text", parent="Standard",
                         paragraph={"backgroundcolor": "#f6f6f6", "padding": "0.1cm"},
                         text_props={"fontname": MONO_FONT, "fontsize": "9pt"}),
        _paragraph_style(names.TABLE_CONTENTS, "Table Contents", parent="Standard",
                         text_props={"fontsize": "9pt"}),
        _paragraph_style(names.TABLE_NUMBER, "Table Contents Right", parent=names.TABLE_CONTENTS,
                         paragraph={"textalign": "end"}),
        _paragraph_style(names.TABLE_HEADING, "Table Heading", parent=names.TABLE_CONTENTS,
                         text_props={"fontweight": "bold"}),
        _paragraph_style(names.RULE, "Horizontal Line", parent="Standard",
                         paragraph={"borderbottom": BORDER, "marginbottom": "0.2cm", "marginright": "11cm"},
                         text_props={"fontsize": "4pt"}),
        _paragraph_style(names.NOTE, "Footnote", parent="Standard", paragraph={"marginbottom": "0.05cm"},
                         text_props={"fontsize": "8.5pt", "color": GREY}),
        _paragraph_style(FOOTER, "Footer", parent="Standard", paragraph={"textalign": "center"},
                         text_props={"fontsize": "9pt", "color": GREY}),
        _text_style(names.STRONG, "Strong Emphasis", fontweight="bold"),
        _text_style(names.EMPHASIS, "Emphasis", fontstyle="italic"),
        _text_style(names.CODE, "Source Text", fontname=MONO_FONT),
        _text_style(names.SUPERSCRIPT, "Superscript", textposition="super 58%"),
        _list_style(names.BULLET_LIST, "Bullet List", numbered=False),
        _list_style(names.NUMBERED_LIST, "Numbered List", numbered=True),
    ):
        styles.addElement(created)

    table_style = style.Style(name=names.TABLE, displayname="Table", family="table")
    table_style.addElement(style.TableProperties(width="17cm", align="margins", margintop="0.2cm",
                                                 marginbottom="0.3cm"))
    column_style = style.Style(name=names.TABLE_COLUMN, family="table-column")
    column_style.addElement(style.TableColumnProperties(useoptimalcolumnwidth="true"))
    cell_style = style.Style(name=names.TABLE_CELL, family="table-cell")
    cell_style.addElement(style.TableCellProperties(border=BORDER, padding="0.08cm"))
    for created in (table_style, column_style, cell_style):
        # Table styles are automatic styles: LibreOffice only applies them from content.xml.
        document.automaticstyles.addElement(created)

    layout = style.PageLayout(name="A4")
    layout.addElement(style.PageLayoutProperties(pagewidth="21cm", pageheight="29.7cm", printorientation="portrait",
                                                 margintop="2cm", marginbottom="1.5cm", marginleft="2cm",
                                                 marginright="2cm"))
    footer_style = style.FooterStyle()
    footer_style.addElement(style.HeaderFooterProperties(minheight="0.6cm", margintop="0.3cm"))
    layout.addElement(footer_style)
    document.automaticstyles.addElement(layout)
    master = style.MasterPage(name="Standard", pagelayoutname=layout)
    footer = style.Footer()
    page = text.P(stylename=FOOTER)
    page.addElement(text.PageNumber(selectpage="current"))
    footer.addElement(page)
    master.addElement(footer)
    document.masterstyles.addElement(master)
