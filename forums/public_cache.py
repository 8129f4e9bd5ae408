"""HTTP caching of public pages, feeds and API answers, invalidated when public content changes.

A cacheable response carries an ETag and a Last-Modified date derived from the publication version
(forums.publication) and today's date in Paris (pages say "upcoming" and "past"). A conditional
request that matches gets 304 without rendering anything; otherwise the body is served from an
in-process cache while the version stays the same. Only anonymous visitors share cached bodies:
an agent's pages carry their name and forms.
"""
import hashlib
from collections import OrderedDict
from datetime import datetime, time
from functools import wraps
from threading import Lock

from flask import Response, current_app, request
from flask_login import current_user

from .extensions import db
from .publication import publication_version
from .timeutils import PARIS, utcnow

#: Browsers and proxies may reuse a public answer this long before revalidating it.
MAX_AGE = 60
#: Bodies kept per process; the key includes the version, so stale ones just age out.
CACHE_SIZE = 512

_cache = OrderedDict()
_lock = Lock()


def clear_cache():
    """Forget every cached body (tests, and after a deployment in the same process)."""
    with _lock:
        _cache.clear()


def cacheable(view):
    """Serve ``view`` with validators, 304 answers and a shared cache for anonymous visitors."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_user.is_authenticated or request.method != "GET":
            response = current_app.make_response(view(*args, **kwargs))
            response.headers["Cache-Control"] = "private, no-store"
            return response
        version, changed_at = publication_version(db.session)
        today = utcnow().astimezone(PARIS).date()
        # Bodies hold absolute URLs: a site reached under two names caches each apart.
        key = f"{version}:{today.isoformat()}:{request.host}:{request.full_path}"
        etag = hashlib.sha256(key.encode()).hexdigest()[:32]
        # Content also changes at midnight in Paris, when "upcoming" forums become "past" ones.
        midnight = datetime.combine(today, time(), tzinfo=PARIS)
        last_modified = max(changed_at, midnight) if changed_at else midnight
        with _lock:
            cached = _cache.get(key)
            if cached is not None:
                _cache.move_to_end(key)
        if cached is None:
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code != 200 or response.direct_passthrough:
                return response
            cached = (response.get_data(), response.status_code, response.mimetype, dict(_kept_headers(response)))
            with _lock:
                _cache[key] = cached
                while len(_cache) > CACHE_SIZE:
                    _cache.popitem(last=False)
        body, status, mimetype, headers = cached
        response = Response(body, status=status, mimetype=mimetype, headers=headers)
        response.set_etag(etag)
        response.last_modified = last_modified
        response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
        response.vary.add("Cookie")
        return response.make_conditional(request)

    return wrapper


def _kept_headers(response):
    # Security headers are added per request (the CSP nonce changes); content headers are kept.
    for name in ("Content-Disposition", "Access-Control-Allow-Origin", "Link"):
        if name in response.headers:
            yield name, response.headers[name]
