"""Source links of a document turned into addresses a reader can open, before the Markdown is rendered.

The engine names every source as a Markdown link to ``source:<kind>/<key>``
(:func:`synthesis.sources.link`). No reader can open such a target, and the sanitiser would drop
its unknown scheme while keeping an empty link, so each renderer first rewrites the Markdown
with a ``links`` function — :class:`~synthesis.sources.SourceRef` → an address (an absolute
URL, a path inside a ZIP, "#chiffres-…") or None — that the caller gives: a link whose source
has no address keeps its words only. The source itself stays in the stored data.
"""
import re
from urllib.parse import quote

from synthesis.figure_tables import figure_anchor, row_anchor
from synthesis.sources import FIGURE, KINDS_BY_SLUG, SourceRef

#: A backslash escape, or a source link "[label](source:kind/key)". Escapes are matched on their own
#: first so that an escaped bracket never opens a link; a label stops at the first bracket that is
#: not escaped, and the possessive loops never backtrack, so one pass over any text is linear.
_ESCAPE_OR_SOURCE = re.compile(
    r"\\.|\[((?:[^\[\]\\]|\\.)*+)\]\(source:([a-z-]++)/([^\s\[\]()]++)\)", re.DOTALL)
#: What an address may keep as it is inside a Markdown link target; anything else (spaces,
#: parentheses, angle brackets, quotes, non-ASCII letters) is percent-encoded so that the link
#: cannot end early or carry Markdown.
_ADDRESS_SAFE = "/:#?&=%@!$'*+,;~"


def resolve_sources(markdown, links=None):
    """Return ``markdown`` with every source link pointing to its address, or reduced to its label.

    ``links`` maps a SourceRef to an address, or None when the source has none (then, as for a
    kind no one knows, only the label is left).
    """
    def replace(match):
        label, slug, key = match.groups()
        if slug is None:
            return match.group(0)
        address = _address(slug, key, links)
        return f"[{label}]({address})" if address else label

    return _ESCAPE_OR_SOURCE.sub(replace, markdown or "")


def _address(slug, key, links):
    kind = KINDS_BY_SLUG.get(slug)
    if kind is None or links is None:
        return None
    address = links(SourceRef(kind, key))
    return quote(address, safe=_ADDRESS_SAFE) if address else None


def figure_links(tables):
    """Return the links of the figures ``tables`` show: the anchor of their row ("#chiffres-forums-held").

    A figure whose row is not in ``tables`` gets no address, so that no link points nowhere.
    """
    anchors = {row_anchor(table.key, row.key) for table in tables for row in table.rows}

    def link(ref):
        if ref.kind != FIGURE:
            return None
        anchor = figure_anchor(ref.key)
        return f"#{anchor}" if anchor in anchors else None

    return link


def first_link(*links):
    """Return the links giving, for each source, the first address one of ``links`` gives (None skipped)."""
    resolvers = [resolver for resolver in links if resolver is not None]

    def link(ref):
        for resolver in resolvers:
            address = resolver(ref)
            if address:
                return address
        return None

    return link
