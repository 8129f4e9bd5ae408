"""Flask-Login wiring: a session is valid only while it carries the agent's session version, and
only for a while: it ends after SESSION_IDLE_MINUTES without a request and SESSION_LIFETIME_HOURS
after the login.

The times are written by the server into the signed session and compared with its own clock,
so a cookie kept or copied past them is refused whatever the browser does with it.
"""
from flask import current_app, g, session
from flask_login import login_user

from .extensions import db, login_manager
from .models import Agent
from .timeutils import utcnow

#: The idle clock is written again only when it is this old: not every request rewrites the cookie.
SEEN_RESOLUTION_SECONDS = 60
EXPIRED_MESSAGE = "Votre session a expiré : connectez-vous de nouveau."
#: How long the second step may wait once the password was accepted.
PENDING_LOGIN_SECONDS = 300


def init_login(app):
    """Configure how sessions map to agents."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à l'espace des agents."
    login_manager.login_message_category = "info"
    # Revocation is handled by the session version, which survives IP and browser changes.
    login_manager.session_protection = None
    login_manager.user_loader(load_agent)
    login_manager.localize_callback = login_message


def login_message(message):
    """Return the message the login page shows: why the session ended, when it has just expired."""
    return EXPIRED_MESSAGE if g.get("session_expired") else message


def load_agent(session_id):
    """Return the active agent a session id designates, or None if the session is stale or has expired."""
    agent_id, _, version = session_id.partition(".")
    if not agent_id.isdigit() or not version.isdigit():
        return None
    if not session_is_current():
        session.clear()
        g.session_expired = True
        return None
    agent = db.session.get(Agent, int(agent_id))
    if agent is None or not agent.is_active or agent.session_version != int(version):
        return None
    return agent


def session_is_current(now=None):
    """Tell whether this session is within its idle and absolute limits; count this request as activity."""
    now = int((now or utcnow()).timestamp())
    started, seen = session.get("started_at"), session.get("seen_at")
    if not isinstance(started, int) or not isinstance(seen, int):
        return False
    config = current_app.config
    if now - started > config["SESSION_LIFETIME_HOURS"] * 3600 or now - seen > config["SESSION_IDLE_MINUTES"] * 60:
        return False
    if now - seen >= SEEN_RESOLUTION_SECONDS:
        session["seen_at"] = now
    return True


def start_session(agent):
    """Open a fresh session for ``agent``, discarding anything the previous one held."""
    session.clear()
    login_user(agent, remember=False, fresh=True)
    session["started_at"] = session["seen_at"] = int(utcnow().timestamp())


def begin_second_step(agent, next_url=None):
    """Remember that ``agent`` gave the right password; the session signs in only after the second factor."""
    session.clear()
    session["pending_login"] = {"agent": agent.get_id(), "at": int(utcnow().timestamp()), "next": next_url}


def pending_agent():
    """Return the agent whose password this browser gave a few minutes ago, still valid, or None."""
    pending = session.get("pending_login")
    if not isinstance(pending, dict) or not isinstance(pending.get("at"), int):
        return None
    if utcnow().timestamp() - pending["at"] > PENDING_LOGIN_SECONDS:
        session.pop("pending_login")
        return None
    agent_id, _, version = str(pending.get("agent", "")).partition(".")
    if not agent_id.isdigit() or not version.isdigit():
        return None
    agent = db.session.get(Agent, int(agent_id))
    # A password change or a reset of the second factor in the meantime voids the first step.
    if agent is None or not agent.is_active or agent.session_version != int(version):
        return None
    return agent


def pending_next():
    """Return where the agent waiting for their second step was going, if anywhere."""
    pending = session.get("pending_login")
    return pending.get("next") if isinstance(pending, dict) else None
