"""`flask territories` commands: load the packaged COG 2025 territories, count them."""
from pathlib import Path

import click
from flask.cli import AppGroup

from ..extensions import db
from ..models.territories import CantonKind
from ..services.territories import (
    DEFAULT_DIRECTORY, TerritoryDataError, count_territories, load_territories,
)
from . import CommandFailed

territories_cli = AppGroup("territories", help="Charger et compter les territoires (INSEE, COG 2025).")

#: French plural of each INSEE canton kind, for the counts.
KIND_LABELS = {
    CantonKind.CANTON: "cantons",
    CantonKind.PSEUDO: "pseudo-cantons",
    CantonKind.FICTIVE: "cantons fictifs",
}



def number(value):
    """Format an integer the French way, with a narrow no-break space between thousands."""
    return f"{value:,}".replace(",", "\u202f")


def agree(count, participle, feminine=False):
    """Return the participle agreed with its count and gender: "créées", "mise à jour"."""
    word, _, rest = participle.partition(" ")
    if feminine:
        word += "e"
    if count > 1 and not word.endswith("s"):
        word += "s"
    return f"{word} {rest}".rstrip()


def describe(report):
    """Return "18 (2 créées, 16 inchangées)" for one level's report."""
    count, feminine = report.obsolete, report.feminine
    parts = [
        f"{number(value)} {agree(value, participle, feminine)}"
        for value, participle in (
            (report.created, "créé"), (report.updated, "mis à jour"), (report.unchanged, "inchangé"),
        )
        if value
    ]
    if count:
        parts.append(
            f"{number(count)} {agree(count, 'obsolète')} ({agree(count, 'absent', feminine)} "
            f"des données, {agree(count, 'conservé', feminine)})"
        )
    return f"{number(report.total)} ({', '.join(parts)})" if parts else number(report.total)


def describe_links(links):
    """Return "2 634 (12 créés, 1 retiré)" for a derived link table."""
    changes = [(links.created, "créé"), (links.removed, "retiré")]
    details = ", ".join(f"{number(count)} {agree(count, label)}" for count, label in changes if count)
    return number(links.total) + (f" ({details})" if details else "")


@territories_cli.command(
    "load", help="Créer ou mettre à jour les territoires depuis les fichiers empaquetés."
)
@click.option(
    "--directory", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_DIRECTORY,
    show_default="forums/data/cog-2025", help="Dossier des fichiers *.csv.gz empaquetés.",
)
def load_command(directory):
    """Create or update the territories from the packaged files, in one transaction."""
    try:
        report = load_territories(directory)
    except TerritoryDataError as error:
        db.session.rollback()
        raise CommandFailed(f"{error}. Chargement refusé, rien n'a été écrit.") from None
    db.session.commit()
    for level in report.levels.values():
        click.echo(f"{level.label} : {describe(level)}")
    click.echo(f"liens canton–arrondissement : {describe_links(report.links)}")
    click.echo(f"liens commune–canton : {describe_links(report.commune_links)}")
    click.echo(f"codes postaux : {describe_links(report.postal_links)}")
    if report.changed:
        click.echo("Territoires chargés.")
    else:
        click.echo("Aucun changement : les territoires sont déjà à jour.")


@territories_cli.command("stats", help="Compter les territoires présents en base.")
def stats_command():
    """Print how many territories of each level the database holds."""
    counts = count_territories()
    kinds = ", ".join(
        f"{number(counts['cantons_by_kind'][kind])} {label}" for kind, label in KIND_LABELS.items()
    )
    click.echo(f"régions : {number(counts['regions'])}")
    click.echo(f"départements : {number(counts['departments'])}")
    click.echo(f"arrondissements : {number(counts['arrondissements'])}")
    click.echo(f"cantons : {number(counts['cantons'])} ({kinds})")
    click.echo(
        f"communes : {number(counts['communes'])} "
        f"(dont {number(counts['communes_without_canton'])} sans canton), "
        f"et {number(counts['municipal_arrondissements'])} arrondissements municipaux"
    )
    click.echo(f"liens canton–arrondissement : {number(counts['links'])}")
    click.echo(f"liens commune–canton : {number(counts['commune_links'])}")
    click.echo(f"codes postaux : {number(counts['postal_links'])}")
