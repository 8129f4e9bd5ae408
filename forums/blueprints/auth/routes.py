"""Routes of the auth blueprint: log in, log out, change one's password."""
from urllib.parse import urlsplit

from flask import current_app, flash, g, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user

from ... import login_delays, proconnect
from ...applog import clean, get_logger
from ...auth_session import begin_second_step, start_session
from ...extensions import db, limiter
from ...permissions import home_endpoint
from ...services.agents import PASSWORD_MIN_LENGTH, AgentError, authenticate_agent, change_password
from ...timeutils import utcnow
from . import bp
from .forms import LoginForm, PasswordChangeForm

log = get_logger("auth")

#: The only thing a failed login ever says, whatever went wrong.
LOGIN_FAILED = "Adresse électronique ou mot de passe incorrect."


def is_safe_next(url):
    """Tell whether ``url`` is a path on this site, safe to redirect to after login."""
    if not url or not isinstance(url, str):
        return False
    # Browsers drop tabs and newlines and read "\" as "/": "/\t/evil" and "/\evil" leave the site.
    if "\\" in url or any(not ch.isprintable() or ch.isspace() for ch in url):
        return False
    if not url.startswith("/") or url.startswith("//"):
        return False
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def login_throttle():
    """Return the login failure limit of the running app."""
    return current_app.config["LOGIN_THROTTLE"]


def login_failed(response):
    """Tell whether this request checked a password and found it wrong, the only kind that counts."""
    return g.get("login_failed", False)


def client_ip():
    """Return the throttle key of the client's address."""
    return f"ip:{request.remote_addr or 'unknown'}"


def submitted_email():
    """Return the delay key of the address typed in, so that changing IP does not help."""
    return "email:" + (request.form.get("email") or "").strip().lower()[:254]


def delayed(template, seconds, **context):
    """Return ``template`` answered 429 with the French explanation of the account's delay."""
    return login_delays.keep_retry_after(make_response(render_template(template, **context), 429), seconds)


def sign_in(agent, next_url=None):
    """Sign ``agent`` in on this browser and send them where they were going, or to their home page."""
    start_session(agent)
    agent.last_login_at = utcnow()
    db.session.commit()
    log.info("login succeeded: agent=%s role=%s territory=%s ip=%s",
             agent.id, agent.role.value, agent.territory_code, request.remote_addr)
    return redirect(next_url or url_for(home_endpoint(agent)))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_throttle, key_func=client_ip, methods=["POST"], deduct_when=login_failed)
def login():
    """Log an agent in and send them where they were going, or to their home page."""
    next_url = request.args.get("next")
    if not is_safe_next(next_url):
        next_url = None
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or url_for(home_endpoint(current_user)))
    form = LoginForm()
    failed = False
    account = submitted_email()
    wait = login_delays.wait_seconds(account) if request.method == "POST" else 0
    if wait:
        # Not even the right password is checked meanwhile: guesses stay slow, whoever makes them.
        log.warning("login delayed: email=%s wait=%ss ip=%s", clean(form.email.data), wait, request.remote_addr)
        return delayed("auth/login.html", wait, form=form, failed=True, message=login_delays.wait_message(wait),
                       next_url=next_url)
    if form.validate_on_submit():
        agent, failure = authenticate_agent(form.email.data, form.password.data)
        if failure is None:
            login_delays.clear(account)
            if agent.has_second_factor or agent.needs_second_factor:
                begin_second_step(agent, next_url)
                log.info("password accepted, second factor asked: agent=%s role=%s enrolled=%s ip=%s",
                         agent.id, agent.role.value, agent.has_second_factor, request.remote_addr)
                return redirect(url_for("auth.code" if agent.has_second_factor else "auth.enrol"))
            return sign_in(agent, next_url)
        g.login_failed = failed = True
        login_delays.record_failure(account)
        log.warning(
            "login failed: reason=%s email=%s agent=%s role=%s territory=%s ip=%s",
            failure, clean(form.email.data), getattr(agent, "id", None),
            agent.role.value if agent else None, agent.territory_code if agent else None,
            request.remote_addr,
        )
    return render_template("auth/login.html", form=form, failed=failed, message=LOGIN_FAILED,
                           next_url=next_url)


@bp.post("/logout")
def logout():
    """End every session of the agent and forget this browser's session, at ProConnect's too if they came from it."""
    id_token = session.get(proconnect.ID_TOKEN_KEY)
    if current_user.is_authenticated:
        agent = current_user._get_current_object()
        agent.end_all_sessions()
        db.session.commit()
        log.info("logout: agent=%s role=%s territory=%s ip=%s",
                 agent.id, agent.role.value, agent.territory_code, request.remote_addr)
        logout_user()
    session.clear()
    provider = proconnect.logout_redirect(id_token)
    if provider is not None:
        return provider
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(login_throttle, key_func=client_ip, methods=["POST"], deduct_when=login_failed)
def password():
    """Let an agent change their password; every other session of theirs ends.

    Checking the current password is a guess like a login: the same throttle and delays apply.
    """
    agent = current_user._get_current_object()
    form = PasswordChangeForm()
    account = f"agent:{agent.id}"
    wait = login_delays.wait_seconds(account) if request.method == "POST" else 0
    if wait:
        form.validate()
        form.current_password.errors = [login_delays.wait_message(wait)]
        log.warning("password change delayed: agent=%s wait=%ss ip=%s", agent.id, wait, request.remote_addr)
        return delayed("auth/password.html", wait, form=form, min_length=PASSWORD_MIN_LENGTH)
    if form.validate_on_submit():
        try:
            change_password(agent, form.current_password.data, form.password.data)
        except AgentError as error:
            db.session.rollback()
            form[error.field].errors.append(error.message)
            if error.field == "current_password":
                g.login_failed = True
                login_delays.record_failure(account)
            log.warning("password change refused: agent=%s role=%s territory=%s ip=%s reason=%s",
                        agent.id, agent.role.value, agent.territory_code, request.remote_addr,
                        error.field)
        else:
            db.session.commit()
            login_delays.clear(account)
            start_session(agent)
            log.info("password changed: agent=%s role=%s territory=%s ip=%s",
                     agent.id, agent.role.value, agent.territory_code, request.remote_addr)
            flash("Votre mot de passe a été changé. Vos autres sessions ont été fermées.", "success")
            return redirect(url_for(home_endpoint(agent)))
    return render_template("auth/password.html", form=form, min_length=PASSWORD_MIN_LENGTH)
