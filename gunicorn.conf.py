"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Every value can be overridden on the command line or with GUNICORN_CMD_ARGS.
"""
import multiprocessing
import os

bind = os.environ.get("FORUMS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("FORUMS_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = 2
timeout = 60
graceful_timeout = 30
# Recycle workers now and then so that a slow leak never takes the service down.
max_requests = 10000
max_requests_jitter = 1000
# The app is imported once, by the master: a new worker is a fork (no import of its own, 3-5 s of CPU
# here), and the workers share the pages no one writes (136 instead of 160 MiB each, 4 workers measured).
# New code needs a restart of the master, not a HUP.
preload_app = True
# Logs go to stderr, where the service manager collects them.
accesslog = "-"
errorlog = "-"
# Citizens' private follow-up links are masked in both.
logger_class = "forums.access_log.PrivatePathLogger"
loglevel = os.environ.get("FORUMS_LOG_LEVEL", "info").lower()
# The reverse proxy on the same host sets X-Forwarded-*; FORUMS_PROXY_COUNT tells the app to trust it.
forwarded_allow_ips = "127.0.0.1"


def post_worker_init(worker):
    """Warm a new worker before it accepts requests: visitors never meet a cold one (forums.warmup).

    The baseline app of scripts/load_test.py shares these settings: only the Forums app is warmed.
    """
    if getattr(worker.wsgi, "name", None) != "forums":
        return
    from forums.warmup import warm_up
    try:
        warm_up(worker.wsgi)
    except Exception:
        # A cold worker is better than none: with the database down, the health check must still answer.
        worker.log.exception("Warm-up of worker %s failed; it starts cold.", worker.pid)
