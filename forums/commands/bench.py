"""`flask bench` commands: a national-scale data set for measuring the syntheses, never for production."""
import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from ..models import ForumStatus, QuestionStatus
from ..services.bench_seed import DEFAULT_SLUG, BenchError, french_number, french_seconds, seed_bench
from . import CommandFailed

bench_cli = AppGroup("bench", help="Banc d'essai : données à l'échelle nationale (jamais en production).")


@bench_cli.command("seed", help="Générer une consultation de banc d'essai : forums de chaque département, "
                                "questions, comptes-rendus et propositions.")
@click.option("--questions", default=1_000_000, show_default=True, type=click.IntRange(min=0),
              help="Nombre de questions, réparties selon la population des départements.")
@click.option("--minutes", default=3_000, show_default=True, type=click.IntRange(min=0),
              help="Nombre de comptes-rendus (un par forum tenu).")
@click.option("--seed", default=1, show_default=True, type=int,
              help="Graine du tirage : la même graine donne les mêmes données.")
@click.option("--consultation", "slug", default=DEFAULT_SLUG, show_default=True,
              help="Identifiant de la consultation de banc d'essai (créée ou remplie à nouveau).")
def seed_command(questions, minutes, seed, slug):
    """Generate the bench data set, print its progress and a summary, commit once."""
    if current_app.config["ENV"] == "production":
        raise CommandFailed("les données du banc d'essai ne se génèrent jamais en production.")
    try:
        report = seed_bench(questions=questions, minutes=minutes, seed=seed, slug=slug, progress=click.echo)
    except BenchError as error:
        db.session.rollback()
        raise CommandFailed(str(error)) from None
    db.session.commit()
    consultation = report.consultation
    number = french_number
    state = "créée" if report.consultation_created else "remplie à nouveau"
    click.echo(f"Consultation « {consultation.name} » ({consultation.slug}, {state}) : "
               f"{number(report.departments)} départements.")
    forums = report.forums
    click.echo(f"Forums : {number(sum(forums.values()))} (tenus {number(forums[ForumStatus.HELD])}, "
               f"publiés {number(forums[ForumStatus.PUBLISHED])}, "
               f"annulés {number(forums[ForumStatus.CANCELLED])}).")
    click.echo(f"Comptes-rendus : {number(report.minutes)} ({number(report.topics)} sous-thèmes abordés, "
               f"{number(report.proposals)} propositions).")
    counts = report.questions
    click.echo(f"Questions : {number(sum(counts.values()))} (publiées {number(counts[QuestionStatus.PUBLISHED])}, "
               f"en attente {number(counts[QuestionStatus.PENDING])}, "
               f"non publiées {number(counts[QuestionStatus.REJECTED])}, "
               f"regroupées {number(counts[QuestionStatus.MERGED])}).")
    timings = report.timings
    click.echo(f"Durée : {french_seconds(report.elapsed)} "
               f"(consultation {french_seconds(timings['consultation'])}, "
               f"forums et comptes-rendus {french_seconds(timings['forums'])}, "
               f"questions {french_seconds(timings['questions'])}, "
               f"statistiques {french_seconds(timings['statistics'])}).")
