"""Load the public pages through gunicorn against the bare stack, in one run; print the figures.

Usage: .venv/bin/python scripts/bench_http.py --database-url URL [--requests N] [--clients N] [URL path ...]

Two gunicorn servers start with the production settings (gunicorn.conf.py, access log off): the
product on ``--database-url`` and a bare Flask app that returns a constant, the baseline. Each path
gets ``--requests`` GETs from ``--clients`` threads with keep-alive, twice: "cached" repeats the
path (the in-process cache answers), "uncached" adds a distinct ``_`` parameter to every request,
so each one is rendered, as for the first visitor after a change or an attacker (the API refuses
unknown parameters, so its paths are measured cached only). Any answer other than 200 counts as a
failure.
"""
import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATHS = (
    "/",
    "/departements/69",
    "/departements/59",
    "/trouver-mon-forum?q=marseille",
    "/trouver-mon-forum?q=13001",
    "/trouver-mon-forum?q=75013",
)


def baseline():
    """Return the bare stack: a Flask app answering a constant, served with the same settings."""
    app = Flask("baseline")

    @app.get("/")
    def constant():
        return "ok"

    return app


def start(app_spec, port, database_url):
    """Start gunicorn on ``port`` with the production settings and wait until it answers."""
    env = dict(os.environ, FORUMS_DATABASE_URL=database_url, FORUMS_LOG_LEVEL="warning",
               FORUMS_BIND=f"127.0.0.1:{port}", PYTHONPATH=f"{ROOT}:{ROOT / 'scripts'}")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", os.devnull, app_spec],
        cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", "/")
            connection.getresponse().read()
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit(f"gunicorn {app_spec} did not answer on port {port}")


def load(port, path, requests, clients, uncached):
    """Return the sorted times in milliseconds, the failures and the wall time of one load."""
    timings, failures, counter, lock = [], [0], iter(range(requests)), threading.Lock()
    separator = "&" if "?" in path else "?"

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                number = next(counter, None)
            if number is None:
                return
            url = f"{path}{separator}_={time.time_ns()}-{number}" if uncached else path
            start_at = time.perf_counter()
            try:
                connection.request("GET", url)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                ok = False
            elapsed = (time.perf_counter() - start_at) * 1000
            with lock:
                timings.append(elapsed)
                failures[0] += not ok

    threads = [threading.Thread(target=client) for _ in range(clients)]
    wall = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(timings), failures[0], time.perf_counter() - wall


def row(label, timings, failures, wall):
    """Return one line of the table: median, p95, p99 in ms, requests per second, failures."""
    def pick(share):
        return timings[min(len(timings) - 1, int(len(timings) * share))]

    return (f"| {label} | {statistics.median(timings):.1f} | {pick(0.95):.1f} | {pick(0.99):.1f} "
            f"| {len(timings) / wall:.0f} | {failures} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("paths", nargs="*", default=DEFAULT_PATHS)
    args = parser.parse_args()
    servers = [start("bench_http:baseline()", 8771, args.database_url),
               start("wsgi:app", 8772, args.database_url)]
    try:
        print("| path | median ms | p95 ms | p99 ms | req/s | failures |")
        print("|---|---|---|---|---|---|")
        print(row("baseline (constant)", *load(8771, "/", args.requests, args.clients, False)))
        for path in args.paths:
            for uncached in (True, False):
                label = f"`{path}` {'uncached' if uncached else 'cached'}"
                print(row(label, *load(8772, path, args.requests, args.clients, uncached)), flush=True)
        print(row("baseline (constant), again", *load(8771, "/", args.requests, args.clients, False)))
    finally:
        for server in servers:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
