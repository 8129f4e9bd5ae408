"""The OpenDocument text (.odt) of a synthesis: A4, its styles in styles.xml, as LibreOffice opens it.

The three parts, the figures and the annexes each begin on a new page under a level-1 heading;
the headings inside a part follow on levels 2 to 4. Styles use LibreOffice's own names ("Heading 1",
"Text body"…), which the French interface shows as « Titre 1 », « Corps de texte »…, so that the
prefecture finds its usual styles when it reworks the document.
"""
import io

from odf import dc, meta, style, table, text
from odf.opendocument import OpenDocumentText

from synthesis.figure_tables import row_anchor

from . import markdown_odf as names
from .content import EMPTY_PART, NO_ANNEX, NO_FIGURES, annexes_markdown, is_number
from .links import figure_links, first_link
from .markdown_odf import OdfConverter, clean_text

FONT = "Arial"
MONO_FONT = "Liberation Mono"
BLUE = "#000091"
GREY = "#3a3a3a"
BORDER = "0.5pt solid #929292"
#: Paragraph styles of the cover page.
TITLE, SUBTITLE, STATUS, MARQUE, FOOTER = "Title", "Subtitle", "Status", "Marque", "Footer"
#: Width of the text on an A4 page with 2 cm margins, and the least a figures table leaves to its labels (cm).
TEXT_WIDTH = 17.0
LABEL_COLUMN = 3.0
#: About the width of a character of a table heading, and the padding and border of a cell (cm).
CHARACTER = 0.18
CELL_PADDING = 0.3


def render_odt(content, links=None):
    """Return the bytes of the .odt document of a DocumentContent.

    ``links`` gives the address of a source (a question's page, the minutes' file in the ZIP…)
    or None; figures without one link to the bookmark of their row in the document's tables.
    """
    links = first_link(links, figure_links(content.tables))
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
    for notice in content.notices:
        body.addElement(text.P(stylename=names.NOTICE, text=clean_text(notice)))

    converter = OdfConverter(links)
    for number, part in enumerate(content.parts, 1):
        _section(body, f"{number}. {part.title}", converter.convert(part.markdown) or [_empty(EMPTY_PART)])
    figures = []
    for figure_table in content.tables:
        figures.append(text.H(outlinelevel=2, stylename=names.HEADINGS[2], text=clean_text(figure_table.title)))
        figures.append(_figure_table(document, converter.table_name(), figure_table))
    _section(body, content.figures_title, figures or [_empty(NO_FIGURES)])
    _section(body, content.annexes_title, converter.convert(annexes_markdown(content.annexes))
             or [_empty(NO_ANNEX)])

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


def _figure_table(document, name, figure_table):
    """Return the ODF table of a FigureTable: header repeated on each page, each row bookmarked by its anchor."""
    odf_table = table.Table(name=name, stylename=names.TABLE)
    for number, width in enumerate(_column_widths(figure_table), 1):
        odf_table.addElement(table.TableColumn(stylename=_column_style(document, f"{name}.{number}", width)))
    header = table.TableHeaderRows()
    header.addElement(_row([(title, names.TABLE_HEADING_NUMBER if column else names.TABLE_HEADING)
                            for column, title in enumerate(figure_table.header)]))
    odf_table.addElement(header)
    for row in figure_table.rows:
        cells = [(row.label, names.TABLE_CONTENTS)]
        cells += [(cell, names.TABLE_NUMBER if is_number(cell) else names.TABLE_CONTENTS) for cell in row.cells]
        # The bookmark is what a figure's link "#chiffres-…" jumps to, as the row's id does in HTML.
        odf_table.addElement(_row(cells, bookmark=row_anchor(figure_table.key, row.key), strong=row.is_total))
    return odf_table


def _column_widths(figure_table):
    """Return the width of each column (cm): a figures column as wide as its longest word or figure, labels the rest.

    When the figures columns need more than the labels leave them, they are narrowed alike.
    """
    needs = []
    for column, title in enumerate(figure_table.header[1:]):
        cells = [row.cells[column] for row in figure_table.rows]
        # Headings and words may wrap, a figure ("6 sur 8 (75,0 %)") may not.
        pieces = title.split() + [piece for cell in cells for piece in ([cell] if is_number(cell) else cell.split())]
        needs.append(CELL_PADDING + CHARACTER * max((len(piece) for piece in pieces), default=0))
    scale = min(1.0, (TEXT_WIDTH - LABEL_COLUMN) / sum(needs)) if needs else 1.0
    widths = [need * scale for need in needs]
    return [TEXT_WIDTH - sum(widths), *widths]


def _row(cells, bookmark=None, strong=False):
    """Return a table row of (text, paragraph style) cells, the first one carrying ``bookmark``."""
    odf_row = table.TableRow(stylename=names.TABLE_ROW)
    for index, (value, paragraph_style) in enumerate(cells):
        paragraph = text.P(stylename=paragraph_style)
        if bookmark and index == 0:
            paragraph.addElement(text.Bookmark(name=bookmark))
        holder = paragraph
        if strong:
            holder = text.Span(stylename=names.STRONG)
            paragraph.addElement(holder)
        holder.addText(clean_text(value))
        cell = table.TableCell(valuetype="string", stylename=names.TABLE_CELL)
        cell.addElement(paragraph)
        odf_row.addElement(cell)
    return odf_row


def _column_style(document, name, width):
    """Add the automatic style of a table column ``width`` centimetres wide, and return its name."""
    column = style.Style(name=name, family="table-column")
    column.addElement(style.TableColumnProperties(columnwidth=f"{width:.2f}cm"))
    document.automaticstyles.addElement(column)
    return name


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
        _paragraph_style(names.NOTICE, "Notice",
                         paragraph={"borderleft": "2.5pt solid #b34000", "padding": "0.2cm", "margintop": "0.2cm"}),
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
        # Headings a little smaller than the cells: "Regroupées" fits a figures column of seven.
        _paragraph_style(names.TABLE_HEADING, "Table Heading", parent=names.TABLE_CONTENTS,
                         text_props={"fontweight": "bold", "fontsize": "8.5pt"}),
        _paragraph_style(names.TABLE_HEADING_NUMBER, "Table Heading Right", parent=names.TABLE_HEADING,
                         paragraph={"textalign": "end"}),
        _paragraph_style(names.RULE, "Horizontal Line", parent="Standard",
                         paragraph={"borderbottom": BORDER, "marginbottom": "0.2cm", "marginright": "11cm"},
                         text_props={"fontsize": "4pt"}),
        # A hanging indent: LibreOffice sets the note's number in it, the text aligned after.
        _paragraph_style(names.NOTE, "Footnote", parent="Standard",
                         paragraph={"marginbottom": "0.05cm", "marginleft": "0.6cm", "textindent": "-0.6cm"},
                         text_props={"fontsize": "8.5pt", "color": GREY}),
        _paragraph_style(FOOTER, "Footer", parent="Standard", paragraph={"textalign": "center"},
                         text_props={"fontsize": "9pt", "color": GREY}),
        _text_style(names.STRONG, "Strong Emphasis", fontweight="bold"),
        _text_style(names.EMPHASIS, "Emphasis", fontstyle="italic"),
        _text_style(names.CODE, "Source Text", fontname=MONO_FONT),
        _text_style(names.NOTE_ANCHOR, "Footnote anchor", textposition="super 58%"),
        _text_style(names.NOTE_SYMBOL, "Footnote Symbol"),
        _list_style(names.BULLET_LIST, "Bullet List", numbered=False),
        _list_style(names.NUMBERED_LIST, "Numbered List", numbered=True),
    ):
        styles.addElement(created)
    # Footnotes numbered across the document and set at the foot of their page.
    styles.addElement(text.NotesConfiguration(
        noteclass="footnote", citationstylename=names.NOTE_SYMBOL, citationbodystylename=names.NOTE_ANCHOR,
        defaultstylename=names.NOTE, numformat="1", startvalue="0", footnotesposition="page",
        startnumberingat="document"))

    table_style = style.Style(name=names.TABLE, displayname="Table", family="table")
    table_style.addElement(style.TableProperties(width="17cm", align="margins", margintop="0.2cm",
                                                 marginbottom="0.3cm"))
    column_style = style.Style(name=names.TABLE_COLUMN, family="table-column")
    column_style.addElement(style.TableColumnProperties(useoptimalcolumnwidth="true"))
    cell_style = style.Style(name=names.TABLE_CELL, family="table-cell")
    cell_style.addElement(style.TableCellProperties(border=BORDER, padding="0.08cm"))
    row_style = style.Style(name=names.TABLE_ROW, family="table-row")
    # A row of figures reads on one page: its label never apart from its numbers.
    row_style.addElement(style.TableRowProperties(keeptogether="always"))
    for created in (table_style, column_style, cell_style, row_style):
        # Table styles are automatic styles: LibreOffice only applies them from content.xml.
        document.automaticstyles.addElement(created)

    layout = style.PageLayout(name="A4")
    properties = style.PageLayoutProperties(pagewidth="21cm", pageheight="29.7cm", printorientation="portrait",
                                            margintop="2cm", marginbottom="1.5cm", marginleft="2cm",
                                            marginright="2cm")
    # The short rule between the text and the footnotes, as LibreOffice draws it.
    properties.addElement(style.FootnoteSep(width="0.018cm", distancebeforesep="0.1cm", distanceaftersep="0.1cm",
                                            linestyle="solid", adjustment="left", relwidth="25%", color="#000000"))
    layout.addElement(properties)
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
