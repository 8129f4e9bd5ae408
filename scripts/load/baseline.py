"""The bare stack the product is measured against: Flask on the same gunicorn settings and database.

``gunicorn -c gunicorn.conf.py 'load.baseline:create_app()'`` (with ``scripts/`` on the Python path) serves:

- ``GET /``: a constant, the floor of a cached page;
- ``GET /write``: a small form page with the fields the submission script reads (a token, a nonce,
  one theme and sub-topic), as a constant template;
- ``POST /write``: one ``INSERT … ; COMMIT`` into the scratch table the driver created, then 303
  to ``/written/<id>``, so that the driver reads every acknowledged row back.
"""
import os
import secrets

from flask import Flask, redirect, request
from sqlalchemy import create_engine, text

from .bench import SCRATCH_TABLE

FORM_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Formulaire</title></head><body>
<form method="post" action="/write">
<input type="hidden" name="csrf_token" value="{token}">
<input id="nonce" name="nonce" type="hidden" value="{nonce}">
<select name="subtopic_id"><optgroup label="Thème" data-theme="1"><option value="1">Sous-thème</option></optgroup></select>
<textarea name="text"></textarea><button type="submit">Envoyer</button>
</form></body></html>
"""


def database_url():
    """Return the product's database URL with the psycopg 3 driver, as the product reads it."""
    url = os.environ["FORUMS_DATABASE_URL"]
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def create_app():
    """Return the baseline app, with its own engine (default pool, as Flask-SQLAlchemy's)."""
    app = Flask("baseline")
    engine = create_engine(database_url())
    insert = text(f"INSERT INTO {SCRATCH_TABLE} (body) VALUES (:body) RETURNING id")

    @app.get("/")
    def constant():
        return "ok"

    @app.get("/write")
    def write_form():
        return FORM_PAGE.format(token=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(24))

    @app.post("/write")
    def write():
        with engine.begin() as connection:
            row_id = connection.execute(insert, {"body": request.form.get("text", "")}).scalar_one()
        return redirect(f"/written/{row_id}", 303)

    return app
