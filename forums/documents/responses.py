"""The synthesis documents as HTTP responses: the same headers for the prefecture's and the ministry's pages."""
from flask import Response

from .addresses import SiteAddresses
from .bundle import department_bundle, national_bundle
from .content import department_content, national_content
from .html import render_html
from .odt import render_odt

#: The formats a synthesis is downloaded in: extension → MIME type.
DOCUMENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "odt": "application/vnd.oasis.opendocument.text",
    "zip": "application/zip",
}


def document_response(body, extension, filename=None):
    """Return ``body`` as a document of type ``extension``; a download named ``filename`` when given.

    Without a file name the document shows in the browser (the preview).
    """
    response = Response(body, content_type=DOCUMENT_TYPES[extension])
    if filename is not None:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A working document of the State: never kept by a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def department_download(synthesis, extension, stem):
    """Return the departmental synthesis as ``stem.extension``: the HTML, the ODT, or the ZIP with its annexes."""
    if extension == "zip":
        return document_response(department_bundle(synthesis), extension, f"{stem}.zip")
    return _rendered(department_content(synthesis), SiteAddresses(synthesis.consultation), extension, stem)


def national_download(national, extension, stem):
    """Return the national synthesis as ``stem.extension``: the HTML, the ODT, or the ZIP with its CSV files."""
    if extension == "zip":
        return document_response(national_bundle(national), extension, f"{stem}.zip")
    return _rendered(national_content(national), SiteAddresses(national.consultation), extension, stem)


def _rendered(content, links, extension, stem):
    body = render_odt(content, links) if extension == "odt" else render_html(content, links)
    return document_response(body, extension, f"{stem}.{extension}")
