"""The Makefile's entry points, read with ``make -n`` (nothing is run)."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def dry_run(target, **environment):
    result = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, check=True,
                            env={**os.environ, **environment})
    return result.stdout


def test_make_run_serves_on_5000_by_default_and_prints_the_address(monkeypatch):
    monkeypatch.delenv("PORT", raising=False)
    commands = dry_run("run")

    assert "--host 127.0.0.1 --port 5000" in commands
    assert 'echo "Serving Forums on http://127.0.0.1:5000/ (Ctrl+C stops it)"' in commands


def test_port_make_run_serves_on_that_port():
    commands = dry_run("run", PORT="8151")

    assert "--port 8151" in commands and "--port 5000" not in commands
    assert "http://127.0.0.1:8151/" in commands
