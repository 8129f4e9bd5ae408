"""HTTP caching of public pages, feeds and API answers, invalidated when public content changes.

A cacheable response carries an ETag and a Last-Modified date derived from the publication version
(forums.publication) and today's date in Paris (pages say "upcoming" and "past"). A conditional
request that matches gets 304 without rendering anything; otherwise the body is served from an
in-process cache while the version stays the same. Only anonymous visitors share cached bodies:
an agent's pages carry their name and forms.

A hit costs no database query (the version is read at most once a second per process), does not
open the session of a visitor without cookie, and is the same for GET and HEAD. The key holds the
query parameters the view declares it reads, so ``?x=1`` is the page without ``x``.
"""
import hashlib
from collections import OrderedDict
from datetime import datetime, time
from functools import wraps
from threading import Lock
from urllib.parse import urlencode

from flask import Response, current_app, g, request
from flask_login import current_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE_NAME
from werkzeug.datastructures import ImmutableMultiDict

from .extensions import db
from .publication import current_publication_version, forget_publication_version
from .timeutils import PARIS, utcnow

#: Browsers and proxies may reuse a public answer this long before revalidating it.
MAX_AGE = 60
_cache = OrderedDict()
_lock = Lock()
#: What else clear_cache empties: other in-process caches keyed by the publication version (see on_clear).
_clear_hooks = []


def clear_cache():
    """Forget every cached body and the remembered version (tests, and after a deployment in the same process)."""
    with _lock:
        _cache.clear()
    for hook in _clear_hooks:
        hook()
    forget_publication_version()


def on_clear(function):
    """Register ``function`` to run whenever clear_cache runs (a decorator for another cache's reset)."""
    _clear_hooks.append(function)
    return function


def served_from_cache():
    """Tell whether this request's answer came from the cache, without running its view."""
    return g.get("public_cache_hit", False)


def cacheable(view=None, *, params=(), strict=False):
    """Serve a view with validators, 304 answers and a shared cache for anonymous visitors.

    ``params`` names the query parameters the view reads: they make the cache key (sorted by name,
    repeated values kept in order); any other parameter is ignored, as the view ignores it. With
    ``strict``, a request carrying another parameter goes to the view, which refuses it (the API).
    Use as ``@cacheable`` or ``@cacheable(params=("q", "page"))``.
    """
    if view is None:
        return lambda view: cacheable(view, params=params, strict=strict)
    names = tuple(sorted(params))

    @wraps(view)
    def wrapper(*args, **kwargs):
        if request.method not in ("GET", "HEAD") or not _anonymous():
            response = current_app.make_response(view(*args, **kwargs))
            response.headers["Cache-Control"] = "private, no-store"
            return response
        if strict and any(name not in names for name in request.args):
            return view(*args, **kwargs)
        version, changed_at = current_publication_version(db.engine, current_app.config["PUBLICATION_VERSION_TTL"])
        today = utcnow().astimezone(PARIS).date()
        declared = [(name, value) for name in names for value in request.args.getlist(name)]
        # The view sees only what the key holds, so a parameter it reads but does not declare cannot
        # make two different pages share one cached body.
        request.args = ImmutableMultiDict(declared)
        query = urlencode(declared)
        # Bodies hold absolute URLs: a site reached under two names caches each apart.
        key = f"{version}:{today.isoformat()}:{request.host}:{request.path}?{query}"
        with _lock:
            cached = _cache.get(key)
            if cached is not None:
                _cache.move_to_end(key)
        if cached is None:
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code != 200 or response.direct_passthrough:
                return response
            cached = _stored(response, key, changed_at, today)
            # The key includes the version, so stale bodies just age out.
            size = current_app.config["PUBLIC_CACHE_SIZE"]
            with _lock:
                _cache[key] = cached
                while len(_cache) > size:
                    _cache.popitem(last=False)
        else:
            g.public_cache_hit = True
        body, headers = cached
        response = current_app.response_class(body, headers=headers)
        if "If-None-Match" in request.headers or "If-Modified-Since" in request.headers:
            return response.make_conditional(request)
        return response

    wrapper.public_cache = True
    return wrapper


def _stored(response, key, changed_at, today):
    """Return the body and the headers of a rendered answer as every later request is sent them."""
    stored = Response(response.get_data(), mimetype=response.mimetype, headers=dict(_kept_headers(response)))
    stored.set_etag(hashlib.sha256(key.encode()).hexdigest()[:32])
    # Content also changes at midnight in Paris, when "upcoming" forums become "past" ones.
    midnight = datetime.combine(today, time(), tzinfo=PARIS)
    stored.last_modified = max(changed_at, midnight) if changed_at else midnight
    stored.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    stored.vary.add("Cookie")
    return stored.get_data(), list(stored.headers.items())


def _anonymous():
    # Without a sign-in cookie nobody is signed in: neither the session nor the agent needs loading.
    config = current_app.config
    names = (config["SESSION_COOKIE_NAME"], config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE_NAME))
    if not any(name in request.cookies for name in names):
        return True
    return not current_user.is_authenticated


def _kept_headers(response):
    # Security headers are added per request (the CSP nonce changes); content headers are kept.
    for name in ("Content-Disposition", "Access-Control-Allow-Origin", "Link"):
        if name in response.headers:
            yield name, response.headers[name]


def is_anonymous_request():
    """Tell whether nobody is signed in on this request, as the cache tells it (for other per-visitor caches)."""
    return _anonymous()
