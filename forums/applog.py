"""Logging to stderr, with user-supplied values made unable to forge log lines."""
import logging
import sys

LOGGER_NAME = "forums"


def configure(app):
    """Send the application's logs to stderr at the configured level."""
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(app.config["LOG_LEVEL"].upper())
    if not any(getattr(h, "_forums", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._forums = True
        logger.addHandler(handler)
    logger.propagate = True


def get_logger(name):
    """Return a child of the application logger."""
    return logging.getLogger(f"{LOGGER_NAME}.{name}")


def clean(value, limit=200):
    """Return ``value`` as a single printable line: control characters escaped, length capped."""
    text = str(value)
    escaped = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)
    return escaped if len(escaped) <= limit else escaped[:limit] + "…"
