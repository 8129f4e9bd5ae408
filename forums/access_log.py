"""gunicorn's logger, with the private follow-up links of citizens masked (``logger_class`` in gunicorn.conf.py).

The follow-up link is the citizen's only key to their question: anyone reading the access log
would otherwise hold every key. Paths, query strings, referers and error messages are masked.
"""
from gunicorn.glogging import Logger

from .applog import PrivatePathFilter, mask_private


class PrivatePathLogger(Logger):
    """A gunicorn Logger whose access and error lines never show a follow-up token."""

    def __init__(self, cfg):
        super().__init__(cfg)
        self.error_log.addFilter(PrivatePathFilter())

    def atoms(self, resp, req, environ, request_time):
        """Return the access log's fields with every follow-up path masked."""
        return {name: mask_private(value) if isinstance(value, str) else value
                for name, value in super().atoms(resp, req, environ, request_time).items()}
