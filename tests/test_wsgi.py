"""The WSGI entry point gunicorn serves: the web app, without the migration commands' libraries."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LOADED = """
import sys
import wsgi
print("migrate" in wsgi.app.extensions, any(name.split(".")[0] == "alembic" for name in sys.modules))
"""


def test_the_served_app_leaves_alembic_unloaded_and_the_command_line_app_has_its_migrations(app):
    # A fresh interpreter: this one has long imported Alembic for the tests' databases.
    run = subprocess.run([sys.executable, "-c", LOADED], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env={"PYTHONPATH": str(ROOT), "FORUMS_DATABASE_URL": "sqlite://"})
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False", "False"]
    assert "migrate" in app.extensions
