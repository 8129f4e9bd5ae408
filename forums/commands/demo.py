"""`flask demo` commands: a demonstration data set for newcomers, never for production."""
import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from ..services.demo import DEMO_PASSWORD, DemoError, load_demo
from . import CommandFailed

demo_cli = AppGroup("demo", help="Données de démonstration (jamais en production).")


@demo_cli.command("load", help="Créer les comptes de démonstration (un par rôle) s'ils n'existent pas.")
def load_command():
    """Create the demo data set; running it again changes nothing."""
    if current_app.config["ENV"] == "production":
        raise CommandFailed("les données de démonstration ne se chargent pas en production.")
    try:
        accounts = load_demo()
    except DemoError as error:
        db.session.rollback()
        raise CommandFailed(str(error)) from None
    db.session.commit()
    click.echo(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD}) :")
    for account in accounts:
        state = "créé" if account.created else "existant"
        click.echo(f"  {account.email:<45} {account.role.label} — {account.territory} ({state})")
    if not any(account.created for account in accounts):
        click.echo("Aucun changement : la démonstration est déjà chargée.")
