"""The question form page, rendered once per target and served to every anonymous visitor.

The form page of a department or forum is the same for every anonymous visitor but for two values:
the CSRF token, tied to the visitor's session, and the form's one-time nonce. It is rendered once
per publication version, day in Paris (forums stop taking questions after their day), host and
target (the ``forum`` or ``departement`` parameter, whichever the view reads), the two values
replaced by markers; every later visitor gets the stored page with values of their own put in, without
a query or a template. Agents, and visitors with a message waiting in their session, get the
page rendered for them; nothing of one visitor is ever stored.
"""
from collections import OrderedDict
from threading import Lock

from flask import current_app, request, session
from flask_wtf.csrf import generate_csrf

from ...extensions import db
from ...public_cache import is_anonymous_request, on_clear
from ...publication import current_publication_version
from ...timeutils import PARIS, utcnow
from .question_forms import parse_id

#: Pages kept per process: one per department and a few forums (about 25 KB each).
MAX_PAGES = 256
#: What stands for each visitor's own values in a stored page.
CSRF_MARKER = "@@question-form-csrf-token@@"
NONCE_MARKER = "@@question-form-nonce@@"

_pages = OrderedDict()
_lock = Lock()


@on_clear
def clear():
    """Forget every stored page."""
    with _lock:
        _pages.clear()


def page_key():
    """Return the key of this request's form page, or None when it must be rendered for the visitor."""
    if request.method not in ("GET", "HEAD") or not is_anonymous_request():
        return None
    # A flashed message is shown once, to its visitor only.
    if "_flashes" in session:
        return None
    if "forum" in request.args:
        # "forum=7" and "forum=007" are one page: spellings of an id do not fill the cache.
        target = ("forum", parse_id(request.args["forum"]))
    elif "departement" in request.args:
        target = ("departement", request.args["departement"].strip())
    else:
        return None
    version, _ = current_publication_version(db.engine, current_app.config["PUBLICATION_VERSION_TTL"])
    return (version, utcnow().astimezone(PARIS).date(), request.host, target)


def cached_page(key, new_nonce):
    """Return the stored page of ``key`` with this visitor's CSRF token and a nonce from ``new_nonce()``, or None."""
    if key is None:
        return None
    with _lock:
        page = _pages.get(key)
        if page is not None:
            _pages.move_to_end(key)
    if page is None:
        return None
    return page.replace(CSRF_MARKER, generate_csrf()).replace(NONCE_MARKER, new_nonce())


def store_page(key, body, nonce):
    """Keep ``body``, rendered for this request with ``nonce``, as the page of ``key`` for later visitors."""
    if key is None:
        return
    token = generate_csrf()
    if token not in body or nonce not in body:
        return
    page = body.replace(token, CSRF_MARKER).replace(nonce, NONCE_MARKER)
    with _lock:
        _pages[key] = page
        while len(_pages) > MAX_PAGES:
            _pages.popitem(last=False)
