"""Agent accounts: create, re-scope, disable and enable agents, and change their passwords."""
from functools import cache

from email_validator import EmailNotValidError, validate_email
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import Agent, Arrondissement, Department, Role
from ..models.agents import PASSWORD_METHOD
from ..passwords import password_problem
from ..text import single_line
from .audit import diff_fields, record_event

#: Shortest password accepted.
PASSWORD_MIN_LENGTH = 12
#: Longest name the agents table holds.
NAME_MAX_LENGTH = 150

ROLE_NAMES = {
    Role.MINISTRY: "ministère",
    Role.PREFECTURE: "préfecture",
    Role.SUBPREFECTURE: "sous-préfecture",
    Role.MODERATOR: "modération",
    Role.ADMIN: "administration",
}


class AgentError(ValueError):
    """Raised when an operation on an agent account is refused; ``field`` names the culprit."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


def normalise_email(email):
    """Return ``email`` stripped, validated and lower-cased, or raise AgentError."""
    email = (email or "").strip()
    if not email:
        raise AgentError("Saisissez une adresse électronique.", "email")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise AgentError(
            "Saisissez une adresse électronique valide, par exemple prenom.nom@interieur.gouv.fr.",
            "email",
        ) from None
    return email.lower()


def parse_role(value):
    """Return the Role named by ``value``, or raise AgentError."""
    try:
        return Role(str(value).strip().lower())
    except ValueError:
        known = ", ".join(role.value for role in Role)
        raise AgentError(f"Rôle inconnu : « {value} ». Rôles possibles : {known}.", "role") from None


def validate_password(password, email=None):
    """Raise AgentError unless ``password`` follows the password policy: long, not common, not the e-mail's name."""
    if len(password or "") < PASSWORD_MIN_LENGTH:
        raise AgentError(
            f"Le mot de passe doit contenir au moins {PASSWORD_MIN_LENGTH} caractères.", "password"
        )
    problem = password_problem(password, email)
    if problem:
        raise AgentError(problem, "password")


def validate_scope(role, department_code, arrondissement_code):
    """Return the (department_code, arrondissement_code) ``role`` needs, or raise AgentError."""
    role = parse_role(role)
    department_code = _code(department_code)
    arrondissement_code = _code(arrondissement_code)
    name = ROLE_NAMES[role]
    if role.scope == "national":
        if department_code:
            raise AgentError(f"Le rôle {name} est national : ne choisissez pas de département.",
                             "department_code")
        if arrondissement_code:
            raise AgentError(f"Le rôle {name} est national : ne choisissez pas d'arrondissement.",
                             "arrondissement_code")
        return None, None
    if role.scope == "department":
        if arrondissement_code:
            raise AgentError(
                f"Le rôle {name} porte sur un département : ne choisissez pas d'arrondissement.",
                "arrondissement_code",
            )
        if not department_code:
            raise AgentError(f"Le rôle {name} demande un département.", "department_code")
        if db.session.get(Department, department_code) is None:
            raise AgentError(f"Département inconnu : « {department_code} ».", "department_code")
        return department_code, None
    if not arrondissement_code:
        raise AgentError(f"Le rôle {name} demande un arrondissement.", "arrondissement_code")
    arrondissement = db.session.get(Arrondissement, arrondissement_code)
    if arrondissement is None:
        raise AgentError(f"Arrondissement inconnu : « {arrondissement_code} ».", "arrondissement_code")
    if department_code and department_code != arrondissement.department_code:
        raise AgentError(
            f"L'arrondissement {arrondissement.label} n'appartient pas au département "
            f"« {department_code} ».",
            "department_code",
        )
    return arrondissement.department_code, arrondissement.code


def authenticate_agent(email, password):
    """Return (agent, failure) for a login attempt; failure is None when the agent may log in.

    Failures are "unknown", "password" or "disabled", for the log only: the person is told none
    of them apart. An unknown address still costs one password check, so timing tells nothing.
    """
    try:
        email = normalise_email(email)
    except AgentError:
        email = None
    agent = db.session.scalar(db.select(Agent).where(Agent.email == email)) if email else None
    if agent is None:
        check_password_hash(_decoy_hash(), password or "")
        return None, "unknown"
    if not agent.check_password(password):
        return agent, "password"
    if not agent.is_active:
        return agent, "disabled"
    return agent, None


def create_agent(data, by=None):
    """Create an agent from ``data``: email, full_name, role, territory codes and password."""
    email = normalise_email(data.get("email"))
    if db.session.scalar(db.select(Agent.id).where(Agent.email == email)) is not None:
        raise AgentError(f"Un compte existe déjà pour l'adresse {email}.", "email")
    role = parse_role(data.get("role"))
    department_code, arrondissement_code = validate_scope(
        role, data.get("department_code"), data.get("arrondissement_code")
    )
    validate_password(data.get("password"), email)
    agent = Agent(
        email=email,
        full_name=_name(data.get("full_name")),
        role=role,
        department_code=department_code,
        arrondissement_code=arrondissement_code,
    )
    agent.set_password(data["password"])
    db.session.add(agent)
    db.session.flush()
    created = {"email": email, "role": role.value, "department_code": department_code,
               "arrondissement_code": arrondissement_code}
    record_event(
        "agent.create", "agent", agent.id, by=by, department_code=department_code,
        summary=f"Compte créé pour {email} ({role.label}, {agent.territory_code}).",
        changes={name: [None, value] for name, value in created.items() if value is not None},
    )
    return agent


def update_agent(agent, data, by):
    """Change an agent's name, role and territory from ``data``; a re-scope ends their sessions."""
    role = parse_role(data.get("role", agent.role))
    if agent.id == getattr(by, "id", None) and agent.role is Role.ADMIN and role is not Role.ADMIN:
        raise AgentError("Vous ne pouvez pas retirer votre propre rôle d'administration.", "role")
    department_code, arrondissement_code = validate_scope(
        role,
        data.get("department_code", agent.department_code),
        data.get("arrondissement_code", agent.arrondissement_code),
    )
    new = {
        "full_name": _name(data.get("full_name", agent.full_name)),
        "role": role,
        "department_code": department_code,
        "arrondissement_code": arrondissement_code,
    }
    changes = diff_fields(agent, new, ["full_name", "role", "department_code", "arrondissement_code"])
    if not changes:
        return changes
    rescoped = changes.keys() - {"full_name"}
    for name, value in new.items():
        setattr(agent, name, value)
    if rescoped:
        agent.end_all_sessions()
    db.session.flush()
    record_event(
        "agent.update", "agent", agent.id, by=by, department_code=agent.department_code,
        summary=f"Compte de {agent.email} modifié"
        + (" (rôle ou territoire changé, sessions fermées)." if rescoped else "."),
        changes=changes,
    )
    return changes


def disable_agent(agent, by):
    """Disable an agent's account and end every session it holds."""
    if agent.id == getattr(by, "id", None):
        raise AgentError("Vous ne pouvez pas désactiver votre propre compte.")
    if not agent.is_active:
        raise AgentError(f"Le compte de {agent.email} est déjà désactivé.")
    agent.is_active = False
    agent.end_all_sessions()
    db.session.flush()
    record_event(
        "agent.disable", "agent", agent.id, by=by, department_code=agent.department_code,
        summary=f"Compte de {agent.email} désactivé.", changes={"is_active": [True, False]},
    )


def enable_agent(agent, by):
    """Enable a disabled agent's account again."""
    if agent.is_active:
        raise AgentError(f"Le compte de {agent.email} est déjà actif.")
    agent.is_active = True
    db.session.flush()
    record_event(
        "agent.enable", "agent", agent.id, by=by, department_code=agent.department_code,
        summary=f"Compte de {agent.email} réactivé.", changes={"is_active": [False, True]},
    )


def set_agent_password(agent, new, by=None):
    """Give an agent a new password without knowing the old one, ending all its sessions."""
    validate_password(new, agent.email)
    agent.set_password(new)
    agent.end_all_sessions()
    db.session.flush()
    record_event(
        "agent.set_password", "agent", agent.id, by=by, department_code=agent.department_code,
        summary=f"Mot de passe de {agent.email} remplacé.",
    )


def change_password(agent, current, new):
    """Replace an agent's own password after checking the current one; ends all its sessions."""
    if not agent.check_password(current or ""):
        raise AgentError("Le mot de passe actuel est incorrect.", "current_password")
    validate_password(new, agent.email)
    if new == current:
        raise AgentError("Le nouveau mot de passe doit être différent de l'actuel.", "password")
    agent.set_password(new)
    agent.end_all_sessions()
    db.session.flush()
    record_event(
        "agent.change_password", "agent", agent.id, by=agent, department_code=agent.department_code,
        summary=f"{agent.email} a changé son mot de passe.",
    )


def _name(value):
    name = single_line(value)
    if len(name) > NAME_MAX_LENGTH:
        raise AgentError(f"Le nom ne peut pas dépasser {NAME_MAX_LENGTH} caractères.", "full_name")
    return name


@cache
def _decoy_hash():
    # A real hash with the real method, so that checking it costs what a real check costs.
    return generate_password_hash("decoy password never used", method=PASSWORD_METHOD)


def _code(value):
    # Territory codes are upper-case strings ("2A"); blank input means "none".
    value = (value or "").strip().upper()
    return value or None
