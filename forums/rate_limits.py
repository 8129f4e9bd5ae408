"""Rate limits on the expensive public reads: searches, API pages and open-data files.

Counted per visitor's address, in the storage of FORUMS_RATELIMIT_STORAGE_URL (Redis in
production, so that every worker counts together), with limits from the configuration. An answer
served from the public cache (a stored body or a 304) costs no rendering and is not counted: a
crowd behind one address reading the same pages is never refused, a robot asking distinct searches is.

Cached public pages that carry no limit skip Flask-Limiter altogether: working out that a route
has no limit costs a quarter of a cache hit.
"""
from flask import current_app, request

from .extensions import limiter
from .public_cache import served_from_cache


def _setting(name):
    return lambda: current_app.config[name]


def _rendered(response):
    return not served_from_cache()


def _not_searching():
    return not request.args.get("q", "").strip()


#: The attribute Flask-Limiter sets on the views it decorates; functools.wraps carries it outwards.
LIMITED_MARK = "__wrapper-limiter-instance"


@limiter.request_filter
def _unlimited_public_page():
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "public_cache", False) and not hasattr(view, LIMITED_MARK)


#: Finding one's forum and the commune suggestions.
search_limit = limiter.shared_limit(_setting("SEARCH_RATE_LIMIT"), scope="search", deduct_when=_rendered)
#: Question lists, counted with the other searches when they carry a text to search.
question_search_limit = limiter.shared_limit(
    _setting("SEARCH_RATE_LIMIT"), scope="search", exempt_when=_not_searching, deduct_when=_rendered,
)
#: Every route of the open-data API, together.
api_limit = limiter.shared_limit(_setting("API_RATE_LIMIT"), scope="api", deduct_when=_rendered)
#: The open-data files, read whole from the database at each download.
open_data_limit = limiter.shared_limit(_setting("OPEN_DATA_RATE_LIMIT"), scope="open-data")
