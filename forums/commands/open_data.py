"""`flask open-data build`: prepare the open data files the public site serves."""
import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from synthesis.typography import count

from ..extensions import db
from ..file_types import format_size
from ..models import Consultation
from ..services.open_data_files import build_lock, build_open_data, expire_public_caches
from . import CommandFailed

open_data_cli = AppGroup("open-data", help="Données ouvertes : fichiers CSV et JSON préparés pour le site public.")


@open_data_cli.command("build", help="Écrire les fichiers de données ouvertes de chaque consultation "
                                     "(à lancer régulièrement, par exemple toutes les 15 minutes).")
@click.option("--consultation", "slug", help="Seulement cette consultation (par défaut : toutes).")
@click.option("--force", is_flag=True, help="Relire les données même si rien n'a été publié depuis la dernière fois.")
def build_command(slug, force):
    """Write the open data files of every consultation, or of one, and say what changed."""
    query = select(Consultation).order_by(Consultation.meetings_start_on, Consultation.id)
    if slug:
        query = query.where(Consultation.slug == slug)
    consultations = db.session.scalars(query).all()
    if slug and not consultations:
        raise CommandFailed(f"consultation inconnue « {slug} ».")
    root = current_app.config["OPEN_DATA_DIRECTORY"]
    started = time.monotonic()
    with build_lock(root, on_wait=lambda: click.echo("Une autre préparation est en cours : attente de sa fin.")):
        outcomes = build_open_data(db.session, root, consultations, force=force)
        # A fresh transaction for the write: SQLite refuses one from a read older than another writer's commit.
        db.session.rollback()
        expire_public_caches(db.session, outcomes)
        db.session.commit()
    for outcome in outcomes:
        manifest = outcome.manifest
        if outcome.skipped:
            click.echo(f"Consultation {manifest.consultation} : rien de publié depuis la dernière préparation.")
            continue
        changed = "fichiers à jour" if not outcome.written else "écrits : " + ", ".join(outcome.written)
        click.echo(f"Consultation {manifest.consultation} ({changed}) :")
        for built in manifest.files:
            click.echo(f"  {built.name} : {count(built.rows, 'ligne')}, {format_size(built.size)}")
    seconds = f"{time.monotonic() - started:.1f}".replace(".", ",")
    click.echo(f"Terminé en {seconds} s, dans {root}.")
