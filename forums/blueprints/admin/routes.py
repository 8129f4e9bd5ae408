"""Routes of the admin blueprint: agent accounts and the audit journal."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ...extensions import db, login_manager
from ...models import Agent, Arrondissement, AuditEvent, Department, Role
from ...permissions import can_manage_agents, ensure_allowed
from ...services.agents import (
    PASSWORD_MIN_LENGTH, AgentError, create_agent, disable_agent, enable_agent, update_agent,
)
from ...services import second_factor
from . import bp
from .forms import AgentCreateForm, AgentForm

#: How many audit events the journal shows, newest first.
JOURNAL_SIZE = 200


@bp.before_request
def require_admin():
    """Send anonymous visitors to the login page and refuse every agent but admins."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    ensure_allowed(current_user, can_manage_agents(current_user), f"admin:{request.endpoint}")
    return None


@bp.get("/agents")
def agents():
    """List agent accounts, filtered by role and department."""
    departments = db.session.scalars(db.select(Department).order_by(Department.code)).all()
    role = request.args.get("role", "")
    department = request.args.get("department", "")
    query = (
        db.select(Agent)
        .options(selectinload(Agent.department), selectinload(Agent.arrondissement))
        .order_by(Agent.email)
    )
    if role:
        if role not in {r.value for r in Role}:
            abort(400, description=f"Rôle inconnu dans le filtre : « {role} ».")
        query = query.where(Agent.role == Role(role))
    if department:
        if department not in {d.code for d in departments}:
            abort(400, description=f"Département inconnu dans le filtre : « {department} ».")
        query = query.where(Agent.department_code == department)
    return render_template(
        "admin/agents.html", agents=db.session.scalars(query).all(), roles=list(Role),
        departments=departments, role=role, department=department,
    )


@bp.route("/agents/new", methods=["GET", "POST"])
def new_agent():
    """Create an agent account."""
    form = AgentCreateForm()
    _fill_territories(form)
    if form.validate_on_submit():
        data = _scope_data(form) | {"email": form.email.data, "password": form.password.data}
        try:
            agent = create_agent(data, by=current_user._get_current_object())
        except AgentError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(f"Le compte de {agent.email} a été créé.", "success")
            return redirect(url_for("admin.agents"))
    return render_template("admin/agent_form.html", form=form, agent=None,
                           min_length=PASSWORD_MIN_LENGTH)


@bp.route("/agents/<int:agent_id>/edit", methods=["GET", "POST"])
def edit_agent(agent_id):
    """Change an agent's name, role and territory."""
    agent = db.get_or_404(Agent, agent_id)
    form = AgentForm(obj=agent)
    _fill_territories(form)
    if form.validate_on_submit():
        try:
            changes = update_agent(agent, _scope_data(form), by=current_user._get_current_object())
        except AgentError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            if changes:
                flash(f"Le compte de {agent.email} a été modifié.", "success")
            else:
                flash(f"Aucune modification pour le compte de {agent.email}.", "info")
            return redirect(url_for("admin.agents"))
    return render_template("admin/agent_form.html", form=form, agent=agent)


@bp.post("/agents/<int:agent_id>/disable")
def disable(agent_id):
    """Disable an agent account and end its sessions."""
    agent = db.get_or_404(Agent, agent_id)
    return _toggle(agent, disable_agent, f"Le compte de {agent.email} a été désactivé.")


@bp.post("/agents/<int:agent_id>/enable")
def enable(agent_id):
    """Enable a disabled agent account."""
    agent = db.get_or_404(Agent, agent_id)
    return _toggle(agent, enable_agent, f"Le compte de {agent.email} a été réactivé.")


@bp.post("/agents/<int:agent_id>/second-factor/reset")
def reset_second_factor(agent_id):
    """Remove an agent's second factor, journaled: they enrol again at their next login."""
    agent = db.get_or_404(Agent, agent_id)
    return _toggle(agent, second_factor.reset_second_factor,
                   f"La double authentification de {agent.email} a été réinitialisée ; "
                   "ses sessions sont fermées et une nouvelle activation lui sera demandée à la connexion.")


@bp.get("/journal")
def journal():
    """Show the most recent audit events."""
    events = db.session.scalars(
        db.select(AuditEvent)
        .options(selectinload(AuditEvent.agent))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(JOURNAL_SIZE)
    ).all()
    return render_template("admin/journal.html", events=events, size=JOURNAL_SIZE)


def _fill_territories(form):
    form.set_territory_choices(
        db.session.scalars(db.select(Department).order_by(Department.code)),
        db.session.scalars(db.select(Arrondissement).order_by(Arrondissement.code)),
    )


def _scope_data(form):
    return {
        "full_name": form.full_name.data,
        "role": form.role.data,
        "department_code": form.department_code.data,
        "arrondissement_code": form.arrondissement_code.data,
    }


def _show_error(form, error):
    # The service names the field at fault, so the message lands next to it.
    db.session.rollback()
    if error.field in form:
        form[error.field].errors.append(error.message)
    else:
        flash(error.message, "error")


def _toggle(agent, operation, done):
    try:
        operation(agent, current_user._get_current_object())
    except AgentError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("admin.agents"))
