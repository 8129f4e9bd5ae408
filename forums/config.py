"""Configuration: defaults, then instance/config.py, then FORUMS_* environment variables."""
import os
from datetime import timedelta

#: Settings read from the environment, with their FORUMS_ prefix removed. Values are strings.
ENV_SETTINGS = (
    "ENV",
    "SECRET_KEY",
    "DATABASE_URL",
    "RATELIMIT_STORAGE_URL",
    "LOGIN_THROTTLE",
    "SESSION_IDLE_MINUTES",
    "SESSION_LIFETIME_HOURS",
    "LOG_LEVEL",
    "PROXY_COUNT",
    "CONTACT_EMAIL",
    "PUBLIC_URL",
    "MAIL_BACKEND",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_USE_TLS",
    "MAIL_USE_SSL",
    "MAIL_FROM",
    "MAIL_TIMEOUT",
    "QUESTION_RATE_LIMIT",
    "SUPPORT_RATE_LIMIT",
    "SEARCH_RATE_LIMIT",
    "API_RATE_LIMIT",
    "OPEN_DATA_RATE_LIMIT",
    "PUBLICATION_VERSION_TTL",
    "PUBLIC_CACHE_MB",
    "QUESTION_HANDLING_DAYS",
    "UPLOAD_DIRECTORY",
    "UPLOAD_MAX_MB",
    "OPEN_DATA_DIRECTORY",
    "PROCONNECT_CLIENT_ID",
    "PROCONNECT_CLIENT_SECRET",
    "PROCONNECT_DISCOVERY_URL",
    "PROCONNECT_SCOPES",
)


#: Shortest secret key a production run accepts: it signs the sessions and the forms' tokens.
SECRET_KEY_MIN_BYTES = 32


class ConfigurationError(RuntimeError):
    """Raised when the application cannot start safely with the given settings."""


def default_config(instance_path):
    """Return the defaults for a local, single-machine run."""
    return {
        "ENV": "development",
        "SECRET_KEY": None,
        "DATABASE_URL": "sqlite:///" + os.path.join(instance_path, "forums.sqlite3"),
        "RATELIMIT_STORAGE_URL": "memory://",
        "LOGIN_THROTTLE": "5 per 15 minutes",
        #: An agent's session ends after this long without a request, and this long after the login.
        "SESSION_IDLE_MINUTES": 30,
        "SESSION_LIFETIME_HOURS": 12,
        "LOG_LEVEL": "INFO",
        "PROXY_COUNT": 0,
        "CONTACT_EMAIL": "forums-securite@interieur.gouv.fr",
        "PUBLIC_URL": None,
        # "log" writes messages to the log (development); production defaults to "smtp".
        "MAIL_BACKEND": None,
        "MAIL_SERVER": "localhost",
        "MAIL_PORT": 25,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_FROM": "Forums de sécurité <ne-pas-repondre@forums-securite.interieur.gouv.fr>",
        "MAIL_TIMEOUT": 10,
        # Per visitor (IP address), in Flask-Limiter's notation.
        "QUESTION_RATE_LIMIT": "5 per hour;20 per day",
        "SUPPORT_RATE_LIMIT": "60 per hour",
        #: Seconds a process trusts the publication version it read; its own changes show at once.
        "PUBLICATION_VERSION_TTL": 1.0,
        #: Megabytes of rendered public answers kept per process, least recently used dropped first;
        #: 0 renders every request (what a first visitor after a change gets: the load test measures
        #: rendering that way).
        "PUBLIC_CACHE_MB": 16,
        # Expensive public reads, per visitor; answers served from the public cache are not counted.
        "SEARCH_RATE_LIMIT": "120 per minute",
        "API_RATE_LIMIT": "120 per minute",
        "OPEN_DATA_RATE_LIMIT": "30 per hour",
        # X-RateLimit-* headers on limited routes, and Retry-After on a 429.
        "RATELIMIT_HEADERS_ENABLED": True,
        # A sliding window reads what the headers show in one storage round trip (a script), a fixed
        # window in two (GET and TTL, after its INCR); it allows no double burst at a window's edge and
        # keeps two counters per address (a moving window keeps a timestamp per request: a crowd of
        # addresses would fill Redis). Its keys differ from the fixed window's: nothing clashes on upgrade.
        "RATELIMIT_STRATEGY": "sliding-window-counter",
        # Should Redis fail, each process counts on its own rather than the site answering 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        #: Promised in the acknowledgement: working days until moderation and a first answer.
        "QUESTION_HANDLING_DAYS": 10,
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "forums_session",
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        #: Where minutes' documents are stored: outside the static folder; shared storage when
        #: several servers run the site.
        "UPLOAD_DIRECTORY": os.path.join(instance_path, "uploads"),
        #: Largest document accepted, in megabytes; requests a little larger are refused unread.
        "UPLOAD_MAX_MB": 20,
        #: Where `flask open-data build` writes the open data files the site serves (shared storage
        #: when several servers run the site).
        "OPEN_DATA_DIRECTORY": os.path.join(instance_path, "open-data"),
        #: Sign-in with ProConnect: off while no client id is set.
        "PROCONNECT_CLIENT_ID": None,
        "PROCONNECT_CLIENT_SECRET": None,
        "PROCONNECT_DISCOVERY_URL": "https://auth.proconnect.gouv.fr/api/v2/.well-known/openid-configuration",
        "PROCONNECT_SCOPES": "openid email given_name usual_name",
    }


def normalise_database_url(url):
    """Make PostgreSQL URLs use the psycopg 3 driver whatever form they were given in."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_config(app, overrides=None):
    """Fill app.config from defaults, instance/config.py, the environment and ``overrides``."""
    app.config.update(default_config(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    for name in ENV_SETTINGS:
        value = os.environ.get("FORUMS_" + name)
        if value is not None:
            app.config[name] = value
    if overrides:
        app.config.update(overrides)
    finalise_config(app.config)


def finalise_config(config):
    """Derive dependent settings and refuse unsafe production settings."""
    config["ENV"] = str(config["ENV"]).lower()
    if config["ENV"] not in ("development", "production", "testing"):
        raise ConfigurationError(
            f"FORUMS_ENV must be development, production or testing, not {config['ENV']!r}."
        )
    is_production = config["ENV"] == "production"
    if not config.get("SECRET_KEY"):
        if is_production:
            raise ConfigurationError(
                "FORUMS_SECRET_KEY is not set: a production run needs a long random secret key "
                "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        # A fixed development key keeps sessions across restarts; it is never used in production.
        config["SECRET_KEY"] = "development-only-not-secret"
    if is_production and len(str(config["SECRET_KEY"]).encode()) < SECRET_KEY_MIN_BYTES:
        raise ConfigurationError(
            f"FORUMS_SECRET_KEY is too short: a production run needs at least {SECRET_KEY_MIN_BYTES} bytes of "
            "random secret (for example: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    config["PROXY_COUNT"] = int(config["PROXY_COUNT"])
    config["SESSION_IDLE_MINUTES"] = int(config["SESSION_IDLE_MINUTES"])
    config["SESSION_LIFETIME_HOURS"] = int(config["SESSION_LIFETIME_HOURS"])
    # Flask refuses a session cookie signed longer ago than this, whatever the times it holds.
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=config["SESSION_LIFETIME_HOURS"])
    config["QUESTION_HANDLING_DAYS"] = int(config["QUESTION_HANDLING_DAYS"])
    config["UPLOAD_MAX_MB"] = int(config["UPLOAD_MAX_MB"])
    config["PUBLICATION_VERSION_TTL"] = float(config["PUBLICATION_VERSION_TTL"])
    config["PUBLIC_CACHE_MB"] = float(config["PUBLIC_CACHE_MB"])
    config["PUBLIC_CACHE_BYTES"] = int(config["PUBLIC_CACHE_MB"] * 1024 * 1024)
    # Room for the form's other fields around one full-size document.
    config["MAX_CONTENT_LENGTH"] = (config["UPLOAD_MAX_MB"] + 1) * 1024 * 1024
    if not config.get("MAIL_BACKEND"):
        config["MAIL_BACKEND"] = "smtp" if is_production else "log"
    if config["MAIL_BACKEND"] not in ("smtp", "log"):
        raise ConfigurationError(f"FORUMS_MAIL_BACKEND must be smtp or log, not {config['MAIL_BACKEND']!r}.")
    if config.get("PROCONNECT_CLIENT_ID") and not config.get("PROCONNECT_CLIENT_SECRET"):
        raise ConfigurationError("FORUMS_PROCONNECT_CLIENT_ID is set without FORUMS_PROCONNECT_CLIENT_SECRET.")
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["DATABASE_URL"])
    config["RATELIMIT_STORAGE_URI"] = config["RATELIMIT_STORAGE_URL"]
    config["SESSION_COOKIE_SECURE"] = is_production
    config["PREFERRED_URL_SCHEME"] = "https" if is_production else "http"
    config["TESTING"] = config["ENV"] == "testing" or config.get("TESTING", False)
