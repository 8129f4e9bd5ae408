"""Refuse, before any view reads it, input that no database can store: NUL bytes.

PostgreSQL text cannot hold a NUL byte: a ``%00`` anywhere in the path, the query string or a form
field would reach the database as an error. It is answered once, here, with a French 400.
"""
from flask import request

from .errors import render_error

NUL = "\x00"
MESSAGE = ("La demande contient un caractère nul (%00), qui ne peut figurer ni dans une adresse ni dans un "
           "formulaire. Vérifiez l'adresse ou le texte saisi.")


def has_nul_byte(values):
    """Tell whether a MultiDict of request values holds a NUL byte in a name or a value."""
    return any(NUL in name or any(NUL in value for value in items) for name, items in values.lists())


def carries_nul_byte():
    """Tell whether the current request carries a NUL byte in its path, query string or form fields.

    Names of uploaded files are not checked: file storage replaces them with safe names.
    """
    if NUL in request.path or has_nul_byte(request.args):
        return True
    return request.method not in ("GET", "HEAD") and has_nul_byte(request.form)


def init_app(app):
    """Answer 400 to requests carrying a NUL byte, as HTML for pages and JSON for the API."""

    @app.before_request
    def refuse_nul_bytes():
        if carries_nul_byte():
            return render_error(400, MESSAGE)
