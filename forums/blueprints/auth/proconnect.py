"""Routes of the sign-in with ProConnect: leave for the provider, come back signed in, log out there too."""
from flask import abort, flash, redirect, request, session, url_for

from ... import proconnect
from ...applog import clean, get_logger
from ...errors import render_error
from ...extensions import db
from ...models import Agent
from ...services.agents import AgentError, normalise_email
from . import bp
from .routes import is_safe_next, sign_in

log = get_logger("auth")


def remote():
    """Return the ProConnect client, or answer 404 when ProConnect is off."""
    client = proconnect.client()
    if client is None:
        abort(404)
    return client


@bp.get("/proconnect")
def proconnect_login():
    """Send the agent to ProConnect, with a fresh state, nonce and PKCE challenge."""
    client = remote()
    next_url = request.args.get("next")
    session["proconnect_next"] = next_url if is_safe_next(next_url) else None
    return client.authorize_redirect(url_for("auth.proconnect_callback", _external=True))


@bp.get("/proconnect/retour")
def proconnect_callback():
    """Check the provider's answer and sign in the agent whose account matches the verified e-mail."""
    client = remote()
    try:
        token = client.authorize_access_token()
        claims = proconnect.verified_userinfo(client, token)
    except proconnect.provider_errors() as error:
        log.warning("proconnect refused: %s: %s ip=%s", type(error).__name__, clean(str(error)), request.remote_addr)
        return render_error(400, "La connexion avec ProConnect n'a pas abouti (réponse expirée, rejouée ou "
                                 "invalide). Recommencez depuis la page de connexion.")
    try:
        email = normalise_email(claims["email"])
    except AgentError:
        email = None
    agent = db.session.scalar(db.select(Agent).where(Agent.email == email)) if email else None
    if agent is None or not agent.is_active:
        log.warning("proconnect unknown identity: email=%s known=%s ip=%s", clean(claims.get("email")),
                    agent is not None, request.remote_addr)
        return render_error(403, f"Aucun compte d'agent actif n'est ouvert sur cette plateforme pour l'adresse "
                                 f"{claims['email']}. Les comptes sont créés par l'administrateur de la plateforme : "
                                 "adressez-vous à lui.")
    next_url = session.get("proconnect_next")
    response = sign_in(agent, next_url)
    # A ProConnect session is not a local password: the provider answers for the second factor.
    session[proconnect.ID_TOKEN_KEY] = token["id_token"]
    return response


@bp.get("/proconnect/deconnexion")
def proconnect_logged_out():
    """Welcome the agent back from the provider's logout, once its ``state`` is checked."""
    client = remote()
    try:
        client.validate_logout_response()
    except proconnect.provider_errors():
        return render_error(400, "Retour de déconnexion ProConnect invalide : vous êtes tout de même déconnecté "
                                 "de cette plateforme.")
    flash("Vous êtes déconnecté, y compris de ProConnect.", "info")
    return redirect(url_for("auth.login"))

