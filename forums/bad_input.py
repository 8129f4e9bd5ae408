"""Refuse, before any view reads it, input that no database can store: NUL bytes, huge ids.

PostgreSQL text cannot hold a NUL byte: a ``%00`` anywhere in the path, the query string or a form
field would reach the database as an error. It is answered once, here, with a French 400. An id in
the path beyond PostgreSQL's integers matches no route: 404, as for any id that names nothing.
"""
from flask import request
from werkzeug.routing import IntegerConverter

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


#: Largest value of a PostgreSQL integer column: every id of the schema.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:…>`` in routes: a non-negative integer no larger than a database id can be."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app):
    """Answer 400 to requests carrying a NUL byte (HTML for pages, JSON for the API); bound ``int`` routes."""
    app.url_map.converters["int"] = IdConverter

    @app.before_request
    def refuse_nul_bytes():
        if carries_nul_byte():
            return render_error(400, MESSAGE)
