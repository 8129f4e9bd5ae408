"""The documents of the syntheses: print-ready HTML, OpenDocument text and ZIP bundles.

:mod:`.content` reads a stored synthesis into a :class:`~.content.DocumentContent`; :mod:`.html`
and :mod:`.odt` render it; :mod:`.bundle` puts the documents, the minutes annexed and the CSV
files together. The web pages and ``flask synthesis`` call the same functions.
"""
