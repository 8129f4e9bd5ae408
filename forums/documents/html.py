"""The HTML of a synthesis: Markdown fragments for the pages, and the standalone print-ready document.

Footnotes are set here rather than by Python-Markdown, whose identifiers the sanitiser strips:
the notes are taken out of the Markdown first (:mod:`.footnotes`), the text and each note are
rendered and sanitised by the project's helper, then each call mark becomes a numbered link to
its note and each note gets a link back. Their identifiers come from the engine's labels
(``note-e3``, ``appel-e3``), unique in a document, so that the three parts can also be shown
one by one on a page without two notes sharing an identifier.
"""
from dataclasses import replace

from flask import render_template
from markupsafe import Markup

from synthesis.figure_tables import row_anchor

from ..templating import render_markdown
from .content import EMPTY_PART, NO_ANNEX, NO_FIGURES, annexes_markdown, is_number
from .footnotes import CALL, FootnotedText, take_footnotes
from .links import figure_links, first_link, resolve_sources

_CALL_HTML = Markup('<sup class="note-ref"><a href="#note-{label}" id="appel-{label}" '
                    'aria-label="Note {number}">{number}</a></sup>')
_NOTE_HTML = Markup('<li id="note-{label}">{text} <a class="note-back" href="#appel-{label}" '
                    'aria-label="Revenir à l’appel de la note {number}">↩</a></li>')


def render_text(markdown, links=None, first_note=1):
    """Return the FootnotedText of ``markdown`` as sanitised HTML: the text with its call marks, and its notes.

    Sources are resolved with ``links`` (see :func:`.links.resolve_sources`); notes are numbered
    from ``first_note``, and each note's HTML is inline (no paragraph around it).
    """
    taken = take_footnotes(markdown, first_note)
    notes = tuple(replace(note, text=_inline(_sanitised(note.text, links))) for note in taken.notes)
    return FootnotedText(_sanitised(taken.text, links), notes)


def _sanitised(markdown, links):
    return str(render_markdown(resolve_sources(markdown, links)))


def _inline(html):
    """Return the HTML of a one-paragraph text without its paragraph, so that a back link can follow it."""
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


def footnoted_html(rendered):
    """Return the HTML of a FootnotedText: each call a numbered link to its note, the notes listed after the text."""
    labels = {note.number: note.label for note in rendered.notes}
    text = CALL.sub(lambda match: _CALL_HTML.format(label=labels[int(match.group(1))], number=match.group(1)),
                    rendered.text)
    if not rendered.notes:
        return Markup(text)
    items = Markup("").join(_NOTE_HTML.format(label=note.label, text=Markup(note.text), number=note.number)
                            for note in rendered.notes)
    # The notes' HTML went through the sanitiser, as the text did: both are safe as they are.
    return Markup(text) + Markup('<ol class="notes" start="{}" aria-label="Notes">{}</ol>').format(
        rendered.notes[0].number, items)


def markdown_html(markdown, links=None):
    """Return Markdown as sanitised HTML for a page, its sources resolved with ``links`` and its footnotes linked."""
    return footnoted_html(render_text(markdown, links))


def render_html(content, links=None):
    """Return the standalone HTML document of a DocumentContent, ready to read on screen or print on A4.

    ``links`` gives the address of a source (a question's page, the minutes' file in the ZIP…)
    or None; figures without one link to their row in the document's tables. Footnotes are
    numbered across the whole document.
    """
    links = first_link(links, figure_links(content.tables))
    parts = []
    first_note = 1
    for part in content.parts:
        rendered = render_text(part.markdown, links, first_note)
        first_note += len(rendered.notes)
        parts.append((part, footnoted_html(rendered)))
    return render_template(
        "documents/synthesis.html",
        content=content,
        parts=parts,
        annexes_html=markdown_html(annexes_markdown(content.annexes), links),
        row_anchor=row_anchor,
        is_number=is_number,
        empty_part=EMPTY_PART, no_figures=NO_FIGURES, no_annex=NO_ANNEX,
    )
