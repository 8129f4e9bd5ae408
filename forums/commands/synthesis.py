"""`flask synthesis department | national`: write a synthesis' documents (.odt, .html, .zip) to a folder.

The documents are those the web pages offer. A synthesis the prefecture (or the ministry) has not
prepared yet is computed on the fly from the current data and written out, never saved.
"""
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from synthesis.typography import count, of

from ..documents.bundle import write_department_documents, write_national_documents
from ..extensions import db
from ..models import Consultation, Department
from ..services.national_synthesis import draft_national, national_synthesis
from ..services.syntheses import SynthesisError, department_synthesis, draft_synthesis, synthesis_status_label
from ..services.synthesis_content import read_generated
from . import CommandFailed

synthesis_cli = AppGroup("synthesis", help="Synthèses départementales et nationale : écrire leurs documents "
                                           "(OpenDocument, HTML, archive ZIP).")

OUT_OPTION = click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
    help="Dossier où écrire les documents (créé s'il n'existe pas).",
)
CONSULTATION_OPTION = click.option(
    "--consultation", "slug", help="Identifiant de la consultation, par exemple 2009 (par défaut : la consultation "
                                   "en cours).",
)


@synthesis_cli.command("department", help="Écrire les documents de la synthèse d'un département "
                                          "(par exemple : flask synthesis department 13 --out synthese-13/).")
@click.argument("code")
@OUT_OPTION
@CONSULTATION_OPTION
def department_command(code, out_dir, slug):
    """Write a department's synthesis documents: the stored synthesis, or a draft computed on the fly."""
    consultation = _consultation(slug)
    department = db.session.get(Department, code.strip().upper())
    if department is None:
        raise CommandFailed(f"département inconnu « {code} » (indiquez son code INSEE, par exemple 13 ou 2A).")
    synthesis = department_synthesis(consultation, department.code)
    if synthesis is None:
        click.echo(f"{department.code} – {department.name} : aucune synthèse enregistrée, projet calculé à partir "
                   "des données actuelles (il n'est pas enregistré).")
        synthesis = draft_synthesis(consultation, department.code)
    else:
        click.echo(f"{department.code} – {department.name} : synthèse enregistrée "
                   f"({synthesis_status_label(synthesis, consultation)}).")
    _write(write_department_documents, synthesis, out_dir)


@synthesis_cli.command("national", help="Écrire les documents de la synthèse nationale "
                                        "(par exemple : flask synthesis national --out synthese-nationale/).")
@OUT_OPTION
@CONSULTATION_OPTION
def national_command(out_dir, slug):
    """Write the national synthesis documents: the stored synthesis, or a draft computed on the fly."""
    consultation = _consultation(slug)
    national = national_synthesis(consultation)
    if national is None:
        try:
            national = draft_national(consultation)
        except SynthesisError as error:
            raise CommandFailed(str(error)) from None
        submitted = count(len(read_generated(national.generated).draft.annexes), "synthèse départementale transmise",
                          "synthèses départementales transmises")
        click.echo(f"Aucune synthèse nationale enregistrée : projet calculé à partir {of(submitted)} "
                   "(il n'est pas enregistré).")
    else:
        click.echo("Synthèse nationale enregistrée.")
    _write(write_national_documents, national, out_dir)


def _consultation(slug):
    """Return the consultation named by ``slug``, or the current one; fail in French otherwise."""
    if slug:
        consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
        if consultation is None:
            raise CommandFailed(f"consultation inconnue « {slug} ».")
        return consultation
    consultation = Consultation.current()
    if consultation is None:
        raise CommandFailed("aucune consultation en cours : précisez --consultation.")
    return consultation


def _write(writer, synthesis, out_dir):
    """Write the documents into ``out_dir`` and list them; the database is left untouched."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandFailed(f"impossible de créer le dossier « {out_dir} » : {error.strerror}.") from None
    paths = writer(synthesis, out_dir)
    # Nothing computed here is to be kept: a draft computed on the fly stays out of the database.
    db.session.rollback()
    click.echo(f"{count(len(paths), 'document écrit', 'documents écrits')} dans {out_dir} :")
    for path in paths:
        click.echo(f"  {path}")
