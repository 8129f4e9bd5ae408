"""Rate limits on the expensive public reads: searches, API pages and open-data files.

Counted per visitor's address, in the storage of FORUMS_RATELIMIT_STORAGE_URL (Redis in
production, so that every worker counts together), with limits from the configuration. An answer
served from the public cache (a stored body or a 304) costs no rendering and is not counted: a
crowd behind one address reading the same pages is never refused, a robot asking distinct searches is.

Cached public pages that carry no limit skip Flask-Limiter altogether: working out that a route
has no limit costs a quarter of a cache hit. So do answers about to be served from the cache under
limits that count renderings only: asking the limits' storage (a Redis round trip or two, then the
X-RateLimit-* headers) would cost twice the hit itself.
"""
from flask import current_app, request

from .extensions import limiter
from .public_cache import served_from_cache, will_serve_from_cache


def _setting(name):
    return lambda: current_app.config[name]


def _rendered(response):
    return not served_from_cache()


def _not_searching():
    return not request.args.get("q", "").strip()


#: The attribute Flask-Limiter sets on the views it decorates; functools.wraps carries it outwards.
LIMITED_MARK = "__wrapper-limiter-instance"


#: Set on a limited view to itself when its limits count renderings only (another limit put on top
#: of it gets the attribute copied by functools.wraps, but is not that view).
RENDERS_ONLY_MARK = "limits_count_renderings_only"


@limiter.request_filter
def _unlimited_public_page():
    view = current_app.view_functions.get(request.endpoint)
    if not getattr(view, "public_cache", None):
        return False
    if not hasattr(view, LIMITED_MARK):
        return True
    return getattr(view, RENDERS_ONLY_MARK, None) is view and will_serve_from_cache(view)


def _counting_renderings(limit):
    """Return ``limit`` as a decorator that also marks the view as limited on renderings only."""
    def decorate(view):
        limited = limit(view)
        setattr(limited, RENDERS_ONLY_MARK, limited)
        return limited
    return decorate


#: Finding one's forum and the commune suggestions.
search_limit = _counting_renderings(
    limiter.shared_limit(_setting("SEARCH_RATE_LIMIT"), scope="search", deduct_when=_rendered))
#: Question lists, counted with the other searches when they carry a text to search.
question_search_limit = _counting_renderings(limiter.shared_limit(
    _setting("SEARCH_RATE_LIMIT"), scope="search", exempt_when=_not_searching, deduct_when=_rendered,
))
#: Every route of the open-data API, together.
api_limit = _counting_renderings(limiter.shared_limit(_setting("API_RATE_LIMIT"), scope="api", deduct_when=_rendered))
#: The open-data files, read whole from the database at each download.
open_data_limit = limiter.shared_limit(_setting("OPEN_DATA_RATE_LIMIT"), scope="open-data")
