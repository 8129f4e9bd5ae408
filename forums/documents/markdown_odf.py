"""Markdown → OpenDocument text elements (odfpy), through the same sanitised HTML as the web pages.

The Markdown is rendered and cleaned by the project's helper first (see :func:`.html.render_text`),
so that whatever a script or raw HTML would have become on a page, it is dropped here too; then the
few tags the cleaning lets through are mapped to ODF: paragraphs, headings, bold, italic, code,
links, bullet and numbered lists, quotations, tables and rules. Footnotes become real ODF
footnotes (``text:note``) where their call stands, holding the note's text and links. The style
names used are the constants below; :mod:`.odt` defines them.
"""
import re
from html.parser import HTMLParser

from odf import table, teletype, text

from .content import is_number
from .footnotes import CALL
from .html import render_text

# Paragraph styles (common styles of styles.xml; LibreOffice shows "Heading 1" as « Titre 1 » in French).
BODY = "Text_20_body"
LIST_PARAGRAPH = "List_20_Contents"
QUOTATION = "Quotations"
PREFORMATTED = "Preformatted_20_Text"
TABLE_HEADING = "Table_20_Heading"
TABLE_CONTENTS = "Table_20_Contents"
TABLE_NUMBER = "Table_20_Contents_20_Right"
TABLE_HEADING_NUMBER = "Table_20_Heading_20_Right"
RULE = "Horizontal_20_Line"
NOTE = "Footnote"
NOTICE = "Notice"
HEADINGS = {1: "Heading_20_1", 2: "Heading_20_2", 3: "Heading_20_3", 4: "Heading_20_4"}
# Text styles.
STRONG = "Strong_20_Emphasis"
EMPHASIS = "Emphasis"
CODE = "Source_20_Text"
#: The footnote's number in the text, and at the head of the note.
NOTE_ANCHOR = "Footnote_20_anchor"
NOTE_SYMBOL = "Footnote_20_Symbol"
# List styles.
BULLET_LIST = "Bullet_20_List"
NUMBERED_LIST = "Numbered_20_List"
# Table styles.
TABLE = "Table"
TABLE_COLUMN = "Table_20_Column"
TABLE_CELL = "Table_20_Cell"
TABLE_ROW = "Table_20_Row"

#: Characters XML 1.0 cannot carry: dropped rather than making content.xml unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: Ordinary white space, collapsed as HTML does; non-breaking spaces are French typography, kept.
_SPACES = re.compile(r"[ \t\r\n\f]+")

#: The scheme of an absolute URL ("https:", "mailto:").
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")

_VOID = {"br", "hr"}
_INLINE = {"strong", "b", "em", "i", "code", "a", "br"}
_SPAN_STYLES = {"strong": STRONG, "b": STRONG, "em": EMPHASIS, "i": EMPHASIS, "code": CODE}


class _Node:
    """An element of the sanitised HTML: its tag, attributes and children (nodes or strings)."""

    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag, attrs=None):
        self.tag = tag
        self.attrs = dict(attrs or ())
        self.children = []

    def text(self):
        """Return the text inside the node, as it is."""
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)


class _TreeBuilder(HTMLParser):
    """Build a tree of _Node from HTML; tolerant of unclosed tags, which the sanitiser never leaves."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Node("body")
        self._stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, attrs)
        self._stack[-1].children.append(node)
        if tag not in _VOID:
            self._stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self._stack[-1].children.append(_Node(tag, attrs))

    def handle_endtag(self, tag):
        for depth in range(len(self._stack) - 1, 0, -1):
            if self._stack[depth].tag == tag:
                del self._stack[depth:]
                return

    def handle_data(self, data):
        self._stack[-1].children.append(data)


def parse_html(html):
    """Return the root _Node of an HTML fragment."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def package_href(href):
    """Return a link's target as an OpenDocument file needs it.

    ODF resolves a relative path from inside the package, as if the .odt were a folder (what
    LibreOffice writes as "../file"): a file beside the document — the minutes in the ZIP — is
    one level up. Anchors ("#chiffres-…"), absolute paths and URLs stay as they are.
    """
    if href.startswith(("#", "/")) or _SCHEME.match(href):
        return href
    return f"../{href}"


def clean_text(value):
    """Return text without the characters XML cannot hold."""
    return _NOT_XML.sub("", value)


class OdfConverter:
    """Turn Markdown into ODF elements for one document: table names and footnote numbers run across calls.

    ``links`` gives the address of each source (see :func:`.links.resolve_sources`).
    """

    def __init__(self, links=None):
        self._links = links
        self._tables = 0
        self._notes = 0
        #: Markdown heading level → outline level, for the text being converted.
        self._levels = {}
        #: Footnote number → Footnote (its text in sanitised HTML), for the text being converted.
        self._footnotes = {}

    def convert(self, markdown, top_level=2):
        """Return the ODF block elements of ``markdown``, its headings starting at outline level ``top_level``.

        The highest heading the text uses becomes ``top_level``, the next one ``top_level + 1``…
        so that a part written with "###" sits right under the part's own title.
        """
        rendered = render_text(markdown, self._links, self._notes + 1)
        self._notes += len(rendered.notes)
        self._footnotes = {note.number: note for note in rendered.notes}
        root = parse_html(rendered.text)
        levels = sorted({int(tag[1]) for tag in _heading_tags(root)})
        self._levels = {level: min(top_level + rank, max(HEADINGS)) for rank, level in enumerate(levels)}
        return self._blocks(root.children, BODY)

    def table_name(self):
        """Return a new table name, unique in the document ("Tableau3")."""
        self._tables += 1
        return f"Tableau{self._tables}"

    # --- blocks -----------------------------------------------------------------------------------

    def _blocks(self, children, paragraph_style):
        """Return the block elements of a container's children; loose inline content becomes paragraphs."""
        elements = []
        pending = []
        for child in children:
            if isinstance(child, str) or child.tag in _INLINE:
                pending.append(child)
                continue
            elements.extend(self._paragraphs(pending, paragraph_style))
            pending = []
            elements.extend(self._block(child, paragraph_style))
        elements.extend(self._paragraphs(pending, paragraph_style))
        return elements

    def _block(self, node, paragraph_style):
        tag = node.tag
        if tag == "p":
            return self._paragraphs(node.children, paragraph_style)
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            level = self._levels.get(int(tag[1]), max(HEADINGS))
            heading = text.H(outlinelevel=level, stylename=HEADINGS[level])
            self._inline(heading, node.children)
            return [heading]
        if tag == "ul":
            return [self._list(node, BULLET_LIST, LIST_PARAGRAPH)]
        if tag == "ol":
            return [self._list(node, NUMBERED_LIST, LIST_PARAGRAPH)]
        if tag == "blockquote":
            return self._blocks(node.children, QUOTATION)
        if tag == "pre":
            paragraph = text.P(stylename=PREFORMATTED)
            teletype.addTextToElement(paragraph, clean_text(node.text().rstrip("\n")))
            return [paragraph]
        if tag == "table":
            return [self._table(node)]
        if tag == "hr":
            return [text.P(stylename=RULE)]
        # Any other container (thead, div…): its content, as blocks.
        return self._blocks(node.children, paragraph_style)

    def _paragraphs(self, children, style):
        """Return one paragraph of inline ``children``, or none when they hold only white space."""
        if not any(not isinstance(child, str) or child.strip() for child in children):
            return []
        paragraph = text.P(stylename=style)
        self._inline(paragraph, _trimmed(children))
        return [paragraph]

    def _list(self, node, list_style, paragraph_style):
        odf_list = text.List(stylename=list_style)
        for item in node.children:
            if isinstance(item, str):
                continue
            list_item = text.ListItem()
            blocks = self._blocks(item.children, paragraph_style)
            # An empty item still needs a paragraph: ODF list items may not be empty.
            for block in blocks or [text.P(stylename=paragraph_style)]:
                list_item.addElement(block)
            odf_list.addElement(list_item)
        return odf_list

    def _table(self, node):
        rows = [(row, section) for section, row in _table_rows(node)]
        width = max((len(_cells(row)) for row, _ in rows), default=1) or 1
        odf_table = table.Table(name=self.table_name(), stylename=TABLE)
        odf_table.addElement(table.TableColumn(numbercolumnsrepeated=width, stylename=TABLE_COLUMN))
        header = None
        for row, section in rows:
            odf_row = table.TableRow()
            cells = _cells(row)
            for cell in cells + [None] * (width - len(cells)):
                odf_cell = table.TableCell(valuetype="string", stylename=TABLE_CELL)
                if cell is not None:
                    heading = section == "thead" or cell.tag == "th"
                    style = TABLE_HEADING if heading else (
                        TABLE_NUMBER if is_number(cell.text()) else TABLE_CONTENTS)
                    for block in self._blocks(cell.children, style) or [text.P(stylename=style)]:
                        odf_cell.addElement(block)
                else:
                    odf_cell.addElement(text.P(stylename=TABLE_CONTENTS))
                odf_row.addElement(odf_cell)
            if section == "thead":
                # Header rows repeat at the top of every page the table runs over.
                if header is None:
                    header = table.TableHeaderRows()
                    odf_table.addElement(header)
                header.addElement(odf_row)
            else:
                odf_table.addElement(odf_row)
        return odf_table

    # --- inline -----------------------------------------------------------------------------------

    def _inline(self, parent, children):
        for child in children:
            if isinstance(child, str):
                self._text(parent, clean_text(_SPACES.sub(" ", child)))
            elif child.tag == "br":
                parent.addElement(text.LineBreak())
            elif child.tag == "a" and child.attrs.get("href"):
                link = text.A(href=package_href(child.attrs["href"]), type="simple")
                self._inline(link, child.children)
                parent.addElement(link)
            elif child.tag in _SPAN_STYLES:
                span = text.Span(stylename=_SPAN_STYLES[child.tag])
                self._inline(span, child.children)
                parent.addElement(span)
            else:
                self._inline(parent, child.children)

    def _text(self, parent, value):
        """Add text to ``parent``, each footnote call in it a footnote."""
        # split() alternates text and the numbers of the calls between them.
        for index, piece in enumerate(CALL.split(value)):
            if index % 2:
                parent.addElement(self._footnote(self._footnotes[int(piece)]))
            elif piece:
                parent.addText(piece)

    def _footnote(self, note):
        """Return the ODF footnote of a Footnote: its number, and its text with working links."""
        element = text.Note(id=f"ftn{note.number}", noteclass="footnote")
        element.addElement(text.NoteCitation(text=str(note.number)))
        body = text.NoteBody()
        for block in self._blocks(parse_html(note.text).children, NOTE) or [text.P(stylename=NOTE)]:
            body.addElement(block)
        element.addElement(body)
        return element


def _heading_tags(node):
    for child in node.children:
        if isinstance(child, str):
            continue
        if re.fullmatch(r"h[1-6]", child.tag):
            yield child.tag
        yield from _heading_tags(child)


def _table_rows(node):
    """Yield (section, tr) for the rows of a table: section is "thead" or "tbody"."""
    for child in node.children:
        if isinstance(child, str):
            continue
        if child.tag == "tr":
            yield "tbody", child
        elif child.tag in ("thead", "tbody", "tfoot"):
            for row in child.children:
                if not isinstance(row, str) and row.tag == "tr":
                    yield ("thead" if child.tag == "thead" else "tbody"), row


def _cells(row):
    return [cell for cell in row.children if not isinstance(cell, str) and cell.tag in ("td", "th")]


def _trimmed(children):
    """Return inline children without the white space HTML leaves at their start and end."""
    children = list(children)
    if children and isinstance(children[0], str):
        children[0] = children[0].lstrip()
    if children and isinstance(children[-1], str):
        children[-1] = children[-1].rstrip()
    return children
