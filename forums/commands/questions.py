"""`flask questions` commands: the moderators' daily digest, the purge of citizens' personal data."""
import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from synthesis.typography import count

from ..extensions import db
from ..models import Consultation
from ..services.digests import queue_moderation_digests
from ..services.mail import send_mails
from ..services.personal_data import PersonalDataError, purge_personal_data
from . import CommandFailed

questions_cli = AppGroup("questions", help="Questions des citoyens : synthèse quotidienne aux modérateurs, "
                                           "purge des données personnelles.")


@questions_cli.command("digest", help="Prévenir chaque jour les modérateurs et la préfecture des "
                                      "départements où des questions attendent (à lancer une fois par jour).")
def digest_command():
    """Queue today's moderation digests, send them and summarise per department."""
    if not current_app.config.get("PUBLIC_URL") and not current_app.config.get("SERVER_NAME"):
        raise CommandFailed(
            "FORUMS_PUBLIC_URL n'est pas défini : les messages ne pourraient pas donner le lien de la "
            "file de modération (par exemple FORUMS_PUBLIC_URL=https://forums-securite.interieur.gouv.fr)."
        )
    run = queue_moderation_digests()
    db.session.commit()
    if not run.departments:
        click.echo("Aucune question en attente de modération : aucun message à envoyer.")
        return
    mails = run.mails
    sent = send_mails(mails)
    click.echo(f"Questions en attente de modération le {run.day:%d/%m/%Y} :")
    for department in run.departments:
        line = (f"  {department.code} – {department.name} : "
                f"{count(department.pending, 'question')}, "
                f"{'la plus ancienne ' if department.pending > 1 else ''}{_since(department.oldest_days)}")
        if department.unattended:
            click.echo(f"{line} ; aucun agent actif ne peut les modérer.", err=True)
            continue
        parts = []
        if department.queued:
            parts.append(count(len(department.queued), "message préparé", "messages préparés"))
        if department.already_queued:
            parts.append(count(department.already_queued, "agent déjà prévenu", "agents déjà prévenus")
                         + " aujourd'hui")
        click.echo(f"{line} ; {', '.join(parts)}.")
    summary = f"{count(sent, 'message envoyé', 'messages envoyés')} sur {len(mails)}."
    if sent < len(mails):
        summary += " Les autres restent dans la file d'envoi : « flask mail send » les réessaiera."
    click.echo(summary)


@questions_cli.command("purge-personal-data", help="Supprimer les coordonnées des citoyens, les courriels "
                                                   "qui leur ont été adressés et les soutiens d'une "
                                                   "consultation terminée.")
@click.option("--consultation", "slug", required=True, help="Identifiant de la consultation, par exemple 2009.")
@click.option("--dry-run", is_flag=True, help="Afficher ce qui serait supprimé, sans rien supprimer.")
@click.option("--force", is_flag=True, help="Purger avant le lendemain de la date de remise des synthèses.")
def purge_command(slug, dry_run, force):
    """Remove (or with --dry-run, count) the personal data of a consultation's questions."""
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        raise CommandFailed(f"consultation inconnue « {slug} ».")
    try:
        report = purge_personal_data(consultation, dry_run=dry_run, force=force)
    except PersonalDataError as error:
        raise CommandFailed(str(error)) from None
    if not report.total:
        click.echo(f"Aucune donnée personnelle à supprimer pour la consultation {slug}.")
        return
    if dry_run:
        click.echo(f"Simulation (--dry-run) : rien n'a été supprimé. Pour la consultation {slug}, "
                   "la purge supprimerait :")
    else:
        db.session.commit()
        click.echo(f"Données personnelles supprimées pour la consultation {slug} :")
    lines = [
        f"{count(report.contacts, 'coordonnée de citoyen', 'coordonnées de citoyens')} "
        f"({count(report.emails, 'adresse électronique', 'adresses électroniques')}, "
        f"{count(report.display_names, 'nom affiché', 'noms affichés')})",
        f"{count(report.citizen_mails, 'courriel adressé', 'courriels adressés')} aux citoyens",
        f"{count(report.supports, 'soutien', 'soutiens')} (identifiants de navigateur ; "
        "le nombre de soutiens de chaque question est conservé)",
    ]
    if report.edited_originals:
        lines.append(f"{count(report.edited_originals, 'texte original', 'textes originaux')} de questions "
                     f"modifiées par la modération, {_replaced(report.edited_originals)} par le texte publié")
    if report.rejected_texts:
        lines.append(f"{count(report.rejected_texts, 'texte', 'textes')} de questions non publiées, "
                     f"{_replaced(report.rejected_texts)} par une mention")
    if report.journal_texts:
        lines.append(f"{count(report.journal_texts, 'texte remplacé', 'textes remplacés')} par la modération "
                     f"dans le journal, {_replaced(report.journal_texts)} par une mention")
    click.echo(" ;\n".join(f"  - {line}" for line in lines) + ".")
    click.echo("Sont conservés : les questions et les réponses telles que modérées, les nombres de soutiens, "
               "les communes et codes postaux (statistiques).")


def _replaced(count):
    return "remplacé" if count == 1 else "remplacés"


def _since(days):
    if days == 0:
        return "déposée aujourd'hui"
    if days == 1:
        return "déposée hier"
    return f"en attente depuis {days} jours"
