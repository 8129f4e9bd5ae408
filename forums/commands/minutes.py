"""`flask minutes remind`: remind the sub-prefectures of held forums still without minutes."""
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from synthesis.typography import count

from ..extensions import db
from ..services.minutes_followup import send_minutes_reminders
from ..timeutils import PARIS
from . import CommandFailed

minutes_cli = AppGroup("minutes", help="Comptes-rendus des forums : rappels aux sous-préfectures.")


@minutes_cli.command("remind", help="Rappeler aux sous-préfectures les comptes-rendus attendus 3 et 7 jours après "
                                    "un forum, avec la préfecture en copie à 7 jours (à lancer une fois par jour).")
@click.option("--now", "now_text", metavar="DATE",
              help="Faire comme si l'on était à cette date, heure de Paris par défaut, "
                   "par exemple 2009-03-24 ou 2009-03-24T09:00.")
@click.option("--dry-run", is_flag=True, help="Afficher les rappels qui seraient préparés, sans rien préparer.")
def remind_command(now_text, dry_run):
    """Queue (or with --dry-run, list) today's minutes reminders and say what was done for each forum."""
    now = _parse_now(now_text)
    if not dry_run and not current_app.config.get("PUBLIC_URL") and not current_app.config.get("SERVER_NAME"):
        raise CommandFailed(
            "FORUMS_PUBLIC_URL n'est pas défini : les rappels ne pourraient pas donner le lien du compte-rendu "
            "à rédiger (par exemple FORUMS_PUBLIC_URL=https://forums-securite.interieur.gouv.fr)."
        )
    run = send_minutes_reminders(now=now, dry_run=dry_run)
    if dry_run:
        click.echo("Simulation (--dry-run) : aucun message n'a été préparé.")
    else:
        db.session.commit()
    if not run.reminders:
        click.echo(f"Aucun forum tenu sans compte-rendu n'appelle de rappel le {run.day:%d/%m/%Y}.")
        return
    click.echo(f"Comptes-rendus attendus le {run.day:%d/%m/%Y} :")
    for reminder in run.reminders:
        forum = reminder.forum
        line = (f"  {forum.department_code} – « {forum.title} » du {forum.starts_at.astimezone(PARIS):%d/%m/%Y}, "
                f"rappel à {reminder.days} jours")
        if reminder.unattended:
            click.echo(f"{line} : aucun agent actif ne peut le recevoir.", err=True)
            continue
        parts = []
        if reminder.queued:
            parts.append(f"{count(len(reminder.queued), 'destinataire')} ({', '.join(reminder.queued)})")
        if reminder.copied:
            parts.append(f"{count(len(reminder.copied), 'copie')} à la préfecture ({', '.join(reminder.copied)})")
        if reminder.already:
            parts.append(count(reminder.already, "agent déjà prévenu", "agents déjà prévenus"))
        click.echo(f"{line} : {' ; '.join(parts)}.")
    if dry_run:
        click.echo(f"{count(run.queued_count, 'message serait préparé', 'messages seraient préparés')}.")
    else:
        click.echo(f"{count(run.queued_count, 'message préparé', 'messages préparés')} : "
                   "« flask mail send » les envoie.")


def _parse_now(text):
    """Return the aware datetime ``--now`` names (Paris time when it gives no offset), or None."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandFailed(f"date invalide : « {text} ». Écrivez-la par exemple 2009-03-24 ou "
                            "2009-03-24T09:00.") from None
    return value.replace(tzinfo=PARIS) if value.tzinfo is None else value
