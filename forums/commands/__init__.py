"""Command-line groups: ``flask territories``, ``consultations``, ``users``, ``demo``, ``questions``, ``mail``,
``open-data``…"""
import click


class CommandFailed(click.ClickException):
    """A refused command: one French line on stderr, exit code 1."""

    def show(self, file=None):
        click.echo(f"Erreur : {self.format_message()}", err=True)


def register_commands(app):
    """Attach every command group to the app."""
    from .bench import bench_cli
    from .consultations import consultations_cli
    from .demo import demo_cli
    from .mail import mail_cli
    from .minutes import minutes_cli
    from .open_data import open_data_cli
    from .questions import questions_cli
    from .synthesis import synthesis_cli
    from .territories import territories_cli
    from .users import users_cli

    for group in (territories_cli, consultations_cli, users_cli, demo_cli, questions_cli, mail_cli):
        app.cli.add_command(group)
    app.cli.add_command(bench_cli)
    app.cli.add_command(synthesis_cli)
    app.cli.add_command(minutes_cli)
    app.cli.add_command(open_data_cli)
