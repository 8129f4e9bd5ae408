"""Routes of the second factor: the code asked after the password, enrolment, the agent's own page."""
from flask import flash, g, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from ... import login_delays, proconnect
from ...applog import get_logger
from ...auth_session import pending_agent, pending_next
from ...extensions import db, limiter
from ...permissions import home_endpoint
from ...services.agents import AgentError
from ...services.second_factor import (
    RECOVERY_CODE_COUNT, confirm_enrolment, provisioning_uri, qr_code_data_uri, remaining_recovery_codes,
    start_enrolment, verify_second_factor,
)
from . import bp
from .forms import CodeForm
from .routes import client_ip, delayed, login_failed, login_throttle, sign_in

log = get_logger("auth")

#: What an agent who must enrol may still reach.
ENROLMENT_ENDPOINTS = frozenset({"auth.enrol", "auth.logout", "static"})


@bp.before_app_request
def require_enrolment():
    """Keep an agent signed in with a password whose role needs a second factor on the enrolment page until enrolled.

    Sessions opened before the factor became mandatory, or after a reset, end up here too.
    """
    if request.endpoint in ENROLMENT_ENDPOINTS or not current_user.is_authenticated:
        return None
    if session.get(proconnect.ID_TOKEN_KEY):
        # Signed in through ProConnect, not with a local password: the provider answers for the factor.
        return None
    if current_user.needs_second_factor and not current_user.has_second_factor:
        return redirect(url_for("auth.enrol"))
    return None


@bp.route("/code", methods=["GET", "POST"])
@limiter.limit(login_throttle, key_func=client_ip, methods=["POST"], deduct_when=login_failed)
def code():
    """Ask the code of the agent's authenticator, or a recovery code, before signing the session in."""
    agent = pending_agent()
    if agent is None:
        flash("Saisissez d'abord votre adresse électronique et votre mot de passe.", "info")
        return redirect(url_for("auth.login"))
    if not agent.has_second_factor:
        return redirect(url_for("auth.enrol"))
    form = CodeForm()
    account = f"second-factor:{agent.id}"
    refused = _while_delayed(account, "auth/code.html", form=form)
    if refused is not None:
        log.warning("second factor delayed: agent=%s ip=%s", agent.id, request.remote_addr)
        return refused
    if form.validate_on_submit():
        try:
            kind = verify_second_factor(agent, form.code.data)
        except AgentError as error:
            db.session.rollback()
            form.code.errors.append(error.message)
            g.login_failed = True
            login_delays.record_failure(account)
            log.warning("second factor refused: agent=%s role=%s ip=%s", agent.id, agent.role.value,
                        request.remote_addr)
        else:
            login_delays.clear(account)
            response = sign_in(agent, pending_next())
            if kind == "recovery":
                # After sign_in, which starts a fresh session: the message must survive it.
                flash(f"Vous vous êtes connecté avec un code de secours : il vous en reste "
                      f"{remaining_recovery_codes(agent)}. Si vous avez perdu votre application, demandez à un "
                      "administrateur de réinitialiser votre double authentification.", "warning")
            return response
    return render_template("auth/code.html", form=form)


@bp.route("/enrolment", methods=["GET", "POST"])
@limiter.limit(login_throttle, key_func=client_ip, methods=["POST"], deduct_when=login_failed)
def enrol():
    """Enrol an authenticator: show its secret as a QR code and as text, check a first code, give recovery codes.

    Reached after the password when the role makes the second factor mandatory, or by a signed-in
    agent who chooses it.
    """
    pending = pending_agent()
    agent = pending or (current_user._get_current_object() if current_user.is_authenticated else None)
    if agent is None:
        flash("Saisissez d'abord votre adresse électronique et votre mot de passe.", "info")
        return redirect(url_for("auth.login"))
    if agent.has_second_factor:
        if pending is not None:
            return redirect(url_for("auth.code"))
        flash("La double authentification est déjà activée pour votre compte.", "info")
        return redirect(url_for("auth.second_factor"))
    secret = start_enrolment(agent)
    db.session.commit()
    form = CodeForm()
    account = f"second-factor:{agent.id}"
    context = {"form": form, "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
               "qr_code": qr_code_data_uri(provisioning_uri(agent)), "mandatory": agent.needs_second_factor}
    refused = _while_delayed(account, "auth/enrol.html", **context)
    if refused is not None:
        return refused
    if form.validate_on_submit():
        try:
            codes = confirm_enrolment(agent, form.code.data)
        except AgentError as error:
            db.session.rollback()
            form.code.errors.append(error.message)
            g.login_failed = True
            login_delays.record_failure(account)
        else:
            db.session.commit()
            login_delays.clear(account)
            log.info("second factor enrolled: agent=%s role=%s ip=%s", agent.id, agent.role.value,
                     request.remote_addr)
            next_url = pending_next() if pending is not None else None
            if pending is not None:
                sign_in(agent, next_url)
            response = make_response(render_template(
                "auth/recovery_codes.html", codes=codes,
                continue_url=next_url or url_for(home_endpoint(agent))))
            # Shown once: no copy may stay in a cache.
            response.headers["Cache-Control"] = "no-store"
            return response
    return render_template("auth/enrol.html", **context)


@bp.get("/second-factor")
@login_required
def second_factor():
    """Show the agent whether their second factor is on and how many recovery codes they have left."""
    agent = current_user._get_current_object()
    left = remaining_recovery_codes(agent) if agent.has_second_factor else 0
    return render_template("auth/second_factor.html", agent=agent, left=left, total=RECOVERY_CODE_COUNT)


def _while_delayed(account, template, **context):
    """Return ``template`` as a 429 while the account's wrong codes make it wait, else None.

    ``context`` holds the page's ``form``, whose code field gets the French explanation.
    """
    wait = login_delays.wait_seconds(account) if request.method == "POST" else 0
    if not wait:
        return None
    form = context["form"]
    form.validate()
    form.code.errors = [login_delays.wait_message(wait, "code")]
    return delayed(template, wait, **context)
