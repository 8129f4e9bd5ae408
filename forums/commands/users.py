"""`flask users` commands: create, list and disable agent accounts, set their passwords, reset their second factor."""
import click
from flask.cli import AppGroup

from ..extensions import db
from ..models import Agent
from ..services.agents import AgentError, create_agent, disable_agent, normalise_email, set_agent_password
from ..services.second_factor import reset_second_factor
from . import CommandFailed

users_cli = AppGroup("users", help="Gérer les comptes des agents.")

#: Environment variable read for the password when --password is not given.
PASSWORD_ENV = "FORUMS_NEW_USER_PASSWORD"



def password_option(func):
    """Add a --password option, also read from the environment."""
    return click.option(
        "--password", envvar=PASSWORD_ENV,
        help=f"Mot de passe (sinon lu dans {PASSWORD_ENV}, sinon demandé deux fois).",
    )(func)


def ask_password(password):
    """Return ``password``, or ask for it twice, hidden; fail clearly when nobody can answer."""
    if password is not None:
        return password
    try:
        return click.prompt("Mot de passe", hide_input=True,
                            confirmation_prompt="Confirmez le mot de passe")
    except click.Abort:
        raise CommandFailed(
            f"Mot de passe manquant : passez --password ou la variable {PASSWORD_ENV}."
        ) from None


@users_cli.command("create", help="Créer un compte d'agent.")
@click.option("--email", required=True, help="Adresse électronique, identifiant de connexion.")
@click.option("--role", required=True, help="ministry, prefecture, subprefecture, moderator ou admin.")
@click.option("--department", default=None, help="Code du département (préfecture, modération).")
@click.option("--arrondissement", default=None, help="Code de l'arrondissement (sous-préfecture).")
@click.option("--name", default="", help="Nom et prénom de l'agent.")
@password_option
def create_command(email, role, department, arrondissement, name, password):
    """Create an agent account."""
    data = {"email": email, "role": role, "department_code": department,
            "arrondissement_code": arrondissement, "full_name": name,
            "password": ask_password(password)}
    agent = _run(create_agent, data)
    click.echo(f"Compte créé : {agent.email} ({agent.role.value}, {agent.territory_code}).")


@users_cli.command("list", help="Lister les comptes des agents.")
def list_command():
    """List agent accounts."""
    agents = db.session.scalars(db.select(Agent).order_by(Agent.email)).all()
    if not agents:
        click.echo("Aucun compte.")
        return
    for agent in agents:
        state = "actif" if agent.is_active else "désactivé"
        click.echo(f"{agent.id}\t{agent.email}\t{agent.role.value}\t{agent.territory_code}\t{state}")


@users_cli.command("disable", help="Désactiver un compte et fermer ses sessions.")
@click.option("--email", required=True, help="Adresse électronique du compte à désactiver.")
def disable_command(email):
    """Disable an agent account and end its sessions."""
    agent = _find(email)
    _run(disable_agent, agent, None)
    click.echo(f"Compte désactivé : {agent.email}.")


@users_cli.command("set-password", help="Remplacer le mot de passe d'un compte et fermer ses sessions.")
@click.option("--email", required=True, help="Adresse électronique du compte.")
@password_option
def set_password_command(email, password):
    """Give an agent a new password and end its sessions."""
    agent = _find(email)
    _run(set_agent_password, agent, ask_password(password))
    click.echo(f"Mot de passe remplacé : {agent.email}.")


@users_cli.command("reset-second-factor",
                   help="Retirer la double authentification d'un compte (à réactiver à la connexion suivante).")
@click.option("--email", required=True, help="Adresse électronique du compte.")
def reset_second_factor_command(email):
    """Remove an agent's second factor, e.g. the only administrator's lost phone; journaled, sessions end."""
    agent = _find(email)
    _run(reset_second_factor, agent, None)
    click.echo(f"Double authentification réinitialisée : {agent.email}.")


def _find(email):
    try:
        email = normalise_email(email)
    except AgentError as error:
        raise CommandFailed(error.message) from None
    agent = db.session.scalar(db.select(Agent).where(Agent.email == email))
    if agent is None:
        raise CommandFailed(f"Aucun compte pour l'adresse {email}.")
    return agent


def _run(operation, *args):
    # One transaction per command: a refused operation leaves the database untouched.
    try:
        result = operation(*args)
    except AgentError as error:
        db.session.rollback()
        raise CommandFailed(error.message) from None
    db.session.commit()
    return result
