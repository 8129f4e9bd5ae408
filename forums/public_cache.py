"""HTTP caching of public pages, feeds and API answers, invalidated when public content changes.

A cacheable response carries an ETag and a Last-Modified date derived from the publication version
(forums.publication) and today's date in Paris (pages say "upcoming" and "past"). A conditional
request that matches gets 304 without rendering anything; otherwise the body is served from an
in-process cache while the version stays the same. Only anonymous visitors share cached bodies:
an agent's pages carry their name and forms.

A hit costs no database query (the version is read at most once a second per process), does not
open the session of a visitor without cookie, and is the same for GET and HEAD. The key holds the
query parameters the view declares it reads, so ``?x=1`` is the page without ``x``.

The cache is bounded by the bytes of the bodies it holds (PUBLIC_CACHE_MB per process), not by their
number: a crawler walking thousands of list pages or one large feed cannot grow a worker without end.
"""
import gzip
import hashlib
from collections import OrderedDict
from datetime import date, datetime, time
from functools import wraps
from threading import Lock
from typing import NamedTuple
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
#: Answers from this size on are also kept gzipped, and sent so to clients that accept it: a feed of
#: thousands of forums is 3 MB of text, a tenth of that compressed.
GZIP_MIN_BYTES = 1024
# key -> _Entry, least recently used first; _size holds the bytes of the bodies in it.
_cache = OrderedDict()
_size = 0
_lock = Lock()
#: What else clear_cache empties: other in-process caches keyed by the publication version (see on_clear).
_clear_hooks = []


def clear_cache():
    """Forget every cached body and the remembered version (tests, and after a deployment in the same process)."""
    global _size
    with _lock:
        _cache.clear()
        _size = 0
    for hook in _clear_hooks:
        hook()
    forget_publication_version()


def cache_size():
    """Return the number of cached bodies and their bytes in this process."""
    with _lock:
        return len(_cache), _size


def _remember(key, entry, budget):
    """Keep ``entry`` under ``key``, dropping the least recently used ones beyond ``budget`` bytes."""
    global _size
    if entry.size > budget:
        return
    with _lock:
        previous = _cache.pop(key, None)
        if previous is not None:
            _size -= previous.size
        _cache[key] = entry
        _size += entry.size
        while _size > budget:
            _size -= _cache.popitem(last=False)[1].size


def on_clear(function):
    """Register ``function`` to run whenever clear_cache runs (a decorator for another cache's reset)."""
    _clear_hooks.append(function)
    return function


def served_from_cache():
    """Tell whether this request's answer came from the cache, without running its view."""
    return g.get("public_cache_hit", False)


def will_serve_from_cache(view):
    """Tell whether this request to ``view`` (a ``cacheable`` one) will be answered from the cache.

    Asked before the view runs (by the rate limits); the lookup is kept for the view's own use.
    """
    return _servable(view.public_cache) and _lookup(view.public_cache.names).entry is not None


class CacheSpec(NamedTuple):
    """What a cacheable view reads: the query parameters of its key, and whether others are refused."""

    names: tuple
    strict: bool


class _Entry(NamedTuple):
    """A cached answer: its body and headers, and the same gzipped for clients that accept it."""

    body: bytes
    headers: list
    gzipped: bytes | None = None
    gzipped_headers: list | None = None

    @property
    def size(self):
        """Return the bytes it holds."""
        return len(self.body) + len(self.gzipped or b"")


class _Lookup(NamedTuple):
    key: str
    declared: list
    changed_at: datetime | None
    today: date
    entry: _Entry | None


def cacheable(view=None, *, params=(), strict=False):
    """Serve a view with validators, 304 answers and a shared cache for anonymous visitors.

    ``params`` names the query parameters the view reads: they make the cache key (sorted by name,
    repeated values kept in order); any other parameter is ignored, as the view ignores it. With
    ``strict``, a request carrying another parameter goes to the view, which refuses it (the API).
    Use as ``@cacheable`` or ``@cacheable(params=("q", "page"))``.
    """
    if view is None:
        return lambda view: cacheable(view, params=params, strict=strict)
    spec = CacheSpec(tuple(sorted(params)), strict)

    @wraps(view)
    def wrapper(*args, **kwargs):
        if request.method not in ("GET", "HEAD") or not _anonymous():
            response = current_app.make_response(view(*args, **kwargs))
            response.headers["Cache-Control"] = "private, no-store"
            return response
        if _refuses_parameters(spec):
            return view(*args, **kwargs)
        found = _lookup(spec.names)
        # The view sees only what the key holds, so a parameter it reads but does not declare cannot
        # make two different pages share one cached body.
        request.args = ImmutableMultiDict(found.declared)
        cached = found.entry
        if cached is None:
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code != 200 or response.direct_passthrough:
                return response
            budget = current_app.config["PUBLIC_CACHE_BYTES"]
            # With the cache off, compressing what no later request reads would only slow this one.
            cached = _stored(response, found.key, found.changed_at, found.today, compress=budget > 0)
            # The key includes the version, so stale bodies just age out.
            _remember(found.key, cached, budget)
        else:
            g.public_cache_hit = True
        if cached.gzipped is not None and request.accept_encodings["gzip"]:
            response = current_app.response_class(cached.gzipped, headers=cached.gzipped_headers)
        else:
            response = current_app.response_class(cached.body, headers=cached.headers)
        if "If-None-Match" in request.headers or "If-Modified-Since" in request.headers:
            return response.make_conditional(request)
        return response

    wrapper.public_cache = spec
    return wrapper


def _servable(spec):
    # Neither an agent's page, nor a write, nor a parameter the view refuses comes from the cache.
    return request.method in ("GET", "HEAD") and _anonymous() and not _refuses_parameters(spec)


def _refuses_parameters(spec):
    return spec.strict and any(name not in spec.names for name in request.args)


def _lookup(names):
    """Return this request's cache key and cached entry, worked out once per request."""
    # Kept in the WSGI environment, which is the request's own (``g`` lives as long as the app context).
    found = request.environ.get(_LOOKUP)
    if found is not None:
        return found
    version, changed_at = current_publication_version(db.engine, current_app.config["PUBLICATION_VERSION_TTL"])
    today = utcnow().astimezone(PARIS).date()
    declared = [(name, value) for name in names for value in request.args.getlist(name)]
    # Bodies hold absolute URLs: a site reached under two names caches each apart.
    key = f"{version}:{today.isoformat()}:{request.host}:{request.path}?{urlencode(declared)}"
    with _lock:
        entry = _cache.get(key)
        if entry is not None:
            _cache.move_to_end(key)
    request.environ[_LOOKUP] = found = _Lookup(key, declared, changed_at, today, entry)
    return found


_LOOKUP = "forums.public_cache.lookup"


def _stored(response, key, changed_at, today, compress):
    """Return the entry of a rendered answer: its body and headers as every later request is sent them."""
    body = response.get_data()
    etag = hashlib.sha256(key.encode()).hexdigest()[:32]
    # Content also changes at midnight in Paris, when "upcoming" forums become "past" ones.
    midnight = datetime.combine(today, time(), tzinfo=PARIS)
    modified = max(changed_at, midnight) if changed_at else midnight
    compressible = compress and len(body) >= GZIP_MIN_BYTES and _compressible(response.mimetype)

    def headers(content, etag, encoding=None):
        stored = Response(content, mimetype=response.mimetype, headers=dict(_kept_headers(response)))
        stored.set_etag(etag)
        stored.last_modified = modified
        stored.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
        stored.vary.add("Cookie")
        if compressible:
            stored.vary.add("Accept-Encoding")
        if encoding:
            stored.content_encoding = encoding
        return list(stored.headers.items())

    if not compressible:
        return _Entry(body, headers(body, etag))
    # mtime=0: the same body always compresses to the same bytes.
    gzipped = gzip.compress(body, compresslevel=6, mtime=0)
    return _Entry(body, headers(body, etag), gzipped, headers(gzipped, f"{etag}-gzip", "gzip"))


def _compressible(mimetype):
    return mimetype.startswith("text/") or mimetype in ("application/json", "application/xml")


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
