"""WSGI entry point for gunicorn: ``gunicorn -c gunicorn.conf.py wsgi:app``."""
from forums import create_app

app = create_app(serving=True)
