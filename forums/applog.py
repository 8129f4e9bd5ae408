"""Logging to stderr, with user-supplied values made unable to forge log lines and private links masked."""
import logging
import re
import sys

LOGGER_NAME = "forums"
#: A citizen's private follow-up link: its token is the only key to their question.
_PRIVATE_PATH = re.compile(r"(/questions/suivi/)[^\s/?#\"']+")
MASK = "[masqué]"


def mask_private(text):
    """Return ``text`` with the token of every follow-up path replaced by a mark."""
    return _PRIVATE_PATH.sub(r"\g<1>" + MASK, text)


class PrivatePathFilter(logging.Filter):
    """Mask follow-up tokens in the messages that pass through a handler or logger."""

    def filter(self, record):
        message = record.getMessage()
        masked = mask_private(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def configure(app):
    """Send the application's logs to stderr at the configured level."""
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(app.config["LOG_LEVEL"].upper())
    if not any(getattr(h, "_forums", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._forums = True
        handler.addFilter(PrivatePathFilter())
        logger.addHandler(handler)
    logger.propagate = True
    # The development server logs each request line through this logger.
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, PrivatePathFilter) for f in werkzeug.filters):
        werkzeug.addFilter(PrivatePathFilter())


def get_logger(name):
    """Return a child of the application logger."""
    return logging.getLogger(f"{LOGGER_NAME}.{name}")


def clean(value, limit=200):
    """Return ``value`` as a single printable line: control characters escaped, length capped."""
    text = str(value)
    escaped = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)
    return escaped if len(escaped) <= limit else escaped[:limit] + "…"
