"""Flask-Login wiring: a session is valid only while it carries the agent's session version."""
from flask_login import login_user

from .extensions import db, login_manager
from .models import Agent


def init_login(app):
    """Configure how sessions map to agents."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à l'espace des agents."
    login_manager.login_message_category = "info"
    # Revocation is handled by the session version, which survives IP and browser changes.
    login_manager.session_protection = None
    login_manager.user_loader(load_agent)


def load_agent(session_id):
    """Return the active agent a session id designates, or None if the session is stale."""
    agent_id, _, version = session_id.partition(".")
    if not agent_id.isdigit() or not version.isdigit():
        return None
    agent = db.session.get(Agent, int(agent_id))
    if agent is None or not agent.is_active or agent.session_version != int(version):
        return None
    return agent


def start_session(agent):
    """Open a fresh session for ``agent``, discarding anything the previous one held."""
    from flask import session

    session.clear()
    login_user(agent, remember=False, fresh=True)
