"""`flask mail` commands: send what waits in the outbox, check the mail settings."""
import secrets

import click
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask.cli import AppGroup

from synthesis.typography import count

from ..models import MailStatus
from ..services.mail import (
    MESSAGE_ERRORS, MailServerUnavailable, compose_message, deliver, outbox_counts, send_pending,
)
from . import CommandFailed

mail_cli = AppGroup("mail", help="Courriels : envoyer la file d'attente, vérifier la configuration.")


@mail_cli.command("send", help="Envoyer les messages en attente dont le prochain essai est dû "
                               "(à lancer toutes les cinq minutes par cron).")
@click.option("--limit", default=500, show_default=True, type=click.IntRange(min=1),
              help="Nombre maximal de messages traités.")
def send_command(limit):
    """Send the outbox messages whose next attempt is due, and say what is left."""
    sent, pending = send_pending(limit=limit)
    failed = outbox_counts()[MailStatus.FAILED]
    logged = " (MAIL_BACKEND=log : écrits dans le journal, non envoyés)" if _logs_only() else ""
    click.echo(f"{count(sent, 'message envoyé', 'messages envoyés')}{logged} ; "
               f"{count(pending, 'message en attente', 'messages en attente')} d'un nouvel essai ; "
               f"{count(failed, 'message en échec définitif', 'messages en échec définitif')}.")


@mail_cli.command("test", help="Envoyer tout de suite un message d'essai à ADRESSE, "
                               "pour vérifier la configuration du serveur de messagerie.")
@click.argument("address")
def test_command(address):
    """Send a test message to ADDRESS now, outside the outbox, and report the server's answer."""
    try:
        address = validate_email(address.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise CommandFailed(f"adresse électronique invalide : « {address} ».") from None
    config = current_app.config
    message = compose_message(
        address, "Message d'essai des Forums de sécurité",
        "Ce message vérifie la configuration de l'envoi des courriels des Forums de sécurité.\n"
        "Il a été envoyé par la commande « flask mail test » : aucune action n'est attendue.\n",
        message_id=f"forums.test.{secrets.token_hex(8)}",
    )
    try:
        deliver(message)
    except MailServerUnavailable as error:
        cause = error.__cause__ or error
        raise CommandFailed(
            f"le serveur {config['MAIL_SERVER']}:{config['MAIL_PORT']} n'a pas accepté le message "
            f"({type(cause).__name__} : {cause})."
        ) from None
    except MESSAGE_ERRORS as error:
        raise CommandFailed(f"le message a été refusé ({type(error).__name__} : {error}).") from None
    if _logs_only():
        click.echo(f"Message d'essai pour {address} écrit dans le journal (MAIL_BACKEND=log) : rien n'a été envoyé.")
    else:
        click.echo(f"Message d'essai remis à {config['MAIL_SERVER']}:{config['MAIL_PORT']} pour {address}.")


def _logs_only():
    return current_app.config["MAIL_BACKEND"] == "log"
