"""The print-ready HTML document of a synthesis: one standalone page, its print stylesheet inlined."""
import re

from flask import render_template
from markupsafe import Markup

from ..templating import render_markdown

#: A footnote marker as Python-Markdown writes it, once sanitised: ``<a href="#fn:e1" …>1</a>``.
_FOOTNOTE_REF = re.compile(r'<a href="#fn:[^"]*"[^>]*>([^<]*)</a>')
#: The link back from a footnote to its marker: a bare arrow, titled in English, pointing nowhere once
#: the sanitiser has dropped the ids.
_FOOTNOTE_BACKREF = re.compile(r'(?:&nbsp;|\u00a0)?<a href="#fnref:[^"]*"[^>]*>[^<]*</a>')


def markdown_html(text):
    """Return Markdown as sanitised HTML, footnote markers set as superscript numbers.

    The project's helper (Markdown + nh3) does the rendering and the cleaning; only the
    footnote links it leaves, whose targets the cleaning removed, are tidied afterwards.
    """
    html = str(render_markdown(text))
    html = _FOOTNOTE_BACKREF.sub("", html)
    return Markup(_FOOTNOTE_REF.sub(r'<sup class="note-ref">\1</sup>', html))


def render_html(content, annex_links=None):
    """Return the standalone HTML document of a DocumentContent, ready to read on screen or print on A4.

    ``annex_links`` maps a forum id to the relative path of its minutes (as in the ZIP bundle),
    to link the annexes from the document; without it the annexes are listed only.
    """
    return render_template(
        "documents/synthesis.html",
        content=content,
        parts=[(part, markdown_html(part.markdown)) for part in content.parts],
        figures_html=markdown_html(content.figures_markdown),
        annexes_html=markdown_html(content.annexes_markdown),
        annex_links=annex_links or {},
    )
