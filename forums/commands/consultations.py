"""`flask consultations` commands: seed the consultation files, list them, choose the current one."""
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from synthesis.typography import count

from ..extensions import db
from ..models import Consultation
from ..services.consultations import (
    DATA_DIR, ConsultationDataError, load_consultation_file, seed_consultation, set_current_consultation,
)
from . import CommandFailed

consultations_cli = AppGroup("consultations", help="Consultations nationales : thèmes, dates, consultation courante.")


@consultations_cli.command("seed")
@click.option("--file", "files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Fichier JSON d'une consultation (répétable). Par défaut : tous ceux de forums/data/consultations.")
def seed_command(files):
    """Create or update consultations from their JSON files.

    When no consultation is current yet, the first one seeded becomes current.
    """
    paths = list(files) or sorted(DATA_DIR.glob("*.json"))
    if not paths:
        raise CommandFailed(f"aucun fichier de consultation dans {DATA_DIR}.")
    try:
        datasets = [load_consultation_file(path) for path in paths]
    except ConsultationDataError as error:
        raise CommandFailed(str(error)) from error
    make_first_current = Consultation.current() is None
    for index, data in enumerate(datasets):
        report = seed_consultation(data, make_current=make_first_current and index == 0)
        if report.created:
            parts = [part for theme in data["themes"] for part in theme["parts"]]
            subtopics = sum(len(part["subtopics"]) for part in parts)
            click.echo(f"Consultation {data['slug']} créée : « {data['name']} » "
                       f"({count(len(data['themes']), 'thème')}, {count(len(parts), 'partie')}, "
                       f"{count(subtopics, 'sous-thème')}).")
        elif report.changed:
            click.echo(f"Consultation {data['slug']} mise à jour :")
        else:
            click.echo(f"Consultation {data['slug']} déjà à jour.")
        for line in report.changes:
            click.echo(f"  - {line}")
    db.session.commit()


@consultations_cli.command("list")
def list_command():
    """List the consultations, the current one marked with an asterisk."""
    consultations = db.session.scalars(select(Consultation).order_by(Consultation.meetings_start_on)).all()
    if not consultations:
        click.echo("Aucune consultation. Lancez « flask consultations seed ».")
        return
    for consultation in consultations:
        mark = "*" if consultation.is_current else " "
        click.echo(
            f"{mark} {consultation.slug}  {consultation.name}  "
            f"(réunions du {consultation.meetings_start_on:%d/%m/%Y} au {consultation.meetings_end_on:%d/%m/%Y})"
        )


@consultations_cli.command("set-current")
@click.argument("slug")
def set_current_command(slug):
    """Make the consultation SLUG the one the public site shows."""
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        raise CommandFailed(f"consultation inconnue « {slug} ».")
    if set_current_consultation(consultation):
        db.session.commit()
        click.echo(f"La consultation {slug} est désormais la consultation courante.")
    else:
        click.echo(f"La consultation {slug} était déjà la consultation courante.")
