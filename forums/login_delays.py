"""Growing delays after an account's failed password checks: slow guessing without locking the agent out.

A hard block on the account after a few failures lets anyone keep a real agent out by typing
wrong passwords for their address. Here the first failures cost nothing; then each one makes the
account wait 1, 2, 4… seconds (at most a minute) before the next check, whoever tries. Guessing
stays slow, and the agent is never kept out longer than the last delay. The counts live in the
rate limiter's storage (Redis in production), shared by every worker; they reset on success and
an hour after the first failure.
"""
import math
import time

from flask import g

from .extensions import limiter

#: Failures that bring no delay.
FREE_FAILURES = 5
#: Longest wait between two checks of an account's password.
MAX_DELAY_SECONDS = 60
#: How long failures are remembered after the first one.
WINDOW_SECONDS = 3600


def delay_after(failures):
    """Return the seconds an account waits after its ``failures``-th failure in a row."""
    if failures <= FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES - 1), MAX_DELAY_SECONDS)


def wait_seconds(account):
    """Return how many whole seconds ``account`` must still wait before its password is checked (0: none)."""
    storage = limiter.storage
    failures = storage.get(_failures_key(account))
    if not failures or not storage.get(_wait_key(account, failures)):
        return 0
    return max(1, math.ceil(storage.get_expiry(_wait_key(account, failures)) - time.time()))


def record_failure(account):
    """Count one failed password check of ``account`` and start the delay it brings."""
    storage = limiter.storage
    failures = storage.incr(_failures_key(account), WINDOW_SECONDS)
    delay = delay_after(failures)
    if delay:
        storage.incr(_wait_key(account, failures), delay)


def clear(account):
    """Forget the failures of ``account``: its agent has just proved who they are."""
    storage = limiter.storage
    failures = storage.get(_failures_key(account))
    storage.clear(_failures_key(account))
    if failures:
        storage.clear(_wait_key(account, failures))


def _failures_key(account):
    return f"password-failures/{account}"


def _wait_key(account, failures):
    # One key per delay: a storage counter keeps the expiry it was created with.
    return f"password-wait/{account}/{failures}"


def wait_message(seconds, what="mot de passe"):
    """Return the French explanation of a delay after too many wrong ``what`` ("mot de passe", "code")."""
    unit = "seconde" if seconds == 1 else "secondes"
    return (f"Trop d'essais de {what} pour ce compte : réessayez dans {seconds} {unit}. "
            "Chaque nouvel échec allonge ce délai (une minute au plus).")


def keep_retry_after(response, seconds):
    """Answer ``response`` with ``Retry-After: seconds``, whatever the rate limiter's headers say."""
    response.headers["Retry-After"] = str(seconds)
    g.account_retry_after = seconds
    return response


def init_app(app):
    """Restore an account delay's Retry-After after Flask-Limiter rewrote it.

    Registered before the limiter, this hook runs after it (Flask runs them in reverse order):
    Flask-Limiter sets Retry-After on every answer of a limited route, from its own windows.
    """
    @app.after_request
    def restore_retry_after(response):
        if "account_retry_after" in g:
            response.headers["Retry-After"] = str(g.account_retry_after)
        return response
