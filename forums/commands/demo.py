"""`flask demo` commands: a demonstration data set for newcomers, never for production."""
import click
from flask import current_app
from flask.cli import AppGroup

from synthesis.typography import count

from ..extensions import db
from ..services.demo import DEMO_PASSWORD, DemoError, load_demo
from ..templating import unit_noun
from . import CommandFailed

demo_cli = AppGroup("demo", help="Données de démonstration (jamais en production).")


@demo_cli.command("load", help="Créer ce qui manque de la démonstration : comptes, édition courante "
                               "de la consultation, forums et invités.")
def load_command():
    """Create the demo data set; running it again changes nothing."""
    if current_app.config["ENV"] == "production":
        raise CommandFailed("les données de démonstration ne se chargent pas en production.")
    try:
        report = load_demo()
    except DemoError as error:
        db.session.rollback()
        raise CommandFailed(str(error)) from None
    db.session.commit()
    click.echo(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD}) :")
    for account in report.accounts:
        state = "créé" if account.created else "existant"
        click.echo(f"  {account.email:<45} {account.role.label} — {account.territory} ({state})")
    _echo_consultation(report)
    click.echo(f"Forums de démonstration ({count(len(report.forums_created), 'créé')}, "
               f"{count(report.invitees_added, 'invité ajouté', 'invités ajoutés')}) :")
    for department in report.departments:
        states = ", ".join(f"{status.label.lower()} {number}" for status, number in department.counts.items())
        coverage = department.coverage
        unit = unit_noun(coverage.unit_kind)
        click.echo(f"  {department.code} {department.name} : {count(department.total, 'forum')} ({states}) ; "
                   f"couverture {coverage.covered_count}/{coverage.total} {unit} "
                   f"({_percent(coverage.percentage)})")
    click.echo(f"Questions de citoyens de démonstration : {count(report.questions_created, 'créée')}.")
    click.echo(f"Comptes-rendus de démonstration : {count(report.minutes_recorded, 'enregistré')}.")
    if report.synthesis_prepared:
        click.echo("Projet de synthèse départementale préparé pour les Bouches-du-Rhône.")
    if not report.changed:
        click.echo("Aucun changement : la démonstration est déjà chargée.")


def _echo_consultation(report):
    consultation = report.consultation
    if report.consultation_created:
        state = "créée"
    elif report.consultation_changes:
        state = "thèmes mis à jour"
    else:
        state = "existante, dates conservées"
    current = ", consultation courante" if consultation.is_current else ""
    click.echo(f"Consultation « {consultation.name} » ({consultation.slug}, {state}{current}) :")
    assises = f", assises le {consultation.assises_on:%d/%m/%Y}" if consultation.assises_on else ""
    click.echo(f"  réunions du {consultation.meetings_start_on:%d/%m/%Y} "
               f"au {consultation.meetings_end_on:%d/%m/%Y}, "
               f"synthèses attendues le {consultation.synthesis_due_on:%d/%m/%Y}{assises}.")
    for line in report.consultation_changes:
        click.echo(f"  - {line}")



def _percent(value):
    return f"{value:g} %".replace(".", ",")
