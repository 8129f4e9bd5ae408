"""Load cached public pages with wrk through gunicorn, against the bare stack and another checkout; print the figures.

Usage: .venv/bin/python scripts/bench_cache.py --database-url URL [--other /work/main] [--seconds 8] [path ...]

Up to three gunicorn servers start side by side with the production settings (gunicorn.conf.py,
access log off, FORUMS_WORKERS as set, 4 by default): a bare Flask app that returns a constant
(the baseline), this checkout, and optionally another checkout (``--other``, e.g. the main branch)
on the same database. For each path, wrk loads the three servers one after the other, so that the
ratios compare figures taken under the same noise, once every worker has the path cached (warmed
until p99 < 100 ms, 120 s at most): every request repeats the path (cached); a path written
``junk:/agenda`` adds a distinct unknown parameter to every request (``?x=<random>``). ``--max-requests 0``
keeps gunicorn from recycling workers, which empties their caches. Any answer other than 2xx/3xx
counts as a failure.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATHS = (
    "/", "/agenda", "/departements/59", "/forums/3", "/calendrier.ics", "/departements/59/calendrier.ics",
    "/api/v1/forums", "junk:/", "junk:/agenda",
)
#: wrk prints one RESULT line: requests, failures, requests per second, median, p95, p99 (ms).
REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %.1f %.2f %.2f %.2f\\n", summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""
JUNK = """
request = function()
  local separator = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. separator .. "x=" .. math.random(1, 1000000000))
end
"""


def baseline():
    """Return the bare stack: a Flask app answering a constant, served with the same settings."""
    app = Flask("baseline")

    @app.route("/", defaults={"path": ""})
    @app.route("/<path:path>")
    def constant(path):
        return "ok"

    return app


def start(app_spec, port, database_url, cwd, options=()):
    """Start gunicorn on ``port`` in ``cwd`` with the production settings and ``options``; wait until it answers."""
    env = dict(os.environ, FORUMS_DATABASE_URL=database_url, FORUMS_LOG_LEVEL="warning",
               FORUMS_BIND=f"127.0.0.1:{port}", FORUMS_WORKERS=os.environ.get("FORUMS_WORKERS", "4"),
               PYTHONPATH=f"{cwd}:{ROOT / 'scripts'}")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", os.devnull, *options,
         app_spec],
        cwd=cwd, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60).read()
            # A server still shutting down from an earlier run may hold the port: ours must be alive.
            time.sleep(1)
            if server.poll() is None:
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit(f"gunicorn {app_spec} did not answer on port {port}")


def wrk(port, path, seconds, connections, script):
    """Return (requests, failures, req/s, median, p95, p99) of one wrk run."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script + REPORT)
        lua.flush()
        output = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", lua.name,
             f"http://127.0.0.1:{port}{path}"],
            capture_output=True, text=True, check=True).stdout
    fields = re.search(r"^RESULT (.*)$", output, re.M).group(1).split()
    return int(fields[0]), int(fields[1]), *map(float, fields[2:])


def warm(port, path, connections, limit=120):
    """Load ``path`` until every worker has it cached: a 2-second run whose p99 stays under 100 ms."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if wrk(port, path, 2, connections, "")[5] < 100:
            return


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--other", help="another checkout to load side by side, e.g. /work/main")
    parser.add_argument("--port", type=int, default=8840, help="first of three ports")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--max-requests", type=int,
                        help="override gunicorn's max_requests (a recycled worker starts with an empty cache)")
    parser.add_argument("paths", nargs="*", default=DEFAULT_PATHS)
    args = parser.parse_args()
    targets = [("bare", args.port, "bench_cache:baseline()", ROOT), ("this", args.port + 1, "wsgi:app", ROOT)]
    if args.other:
        targets.append(("other", args.port + 2, "wsgi:app", Path(args.other)))
    options = () if args.max_requests is None else ("--max-requests", str(args.max_requests))
    servers = [start(spec, port, args.database_url, cwd, options) for _, port, spec, cwd in targets]
    try:
        print("| path | server | req/s | median ms | p95 ms | p99 ms | × bare req/s | failures |")
        print("|---|---|---|---|---|---|---|---|")
        for spec in args.paths:
            kind, _, path = spec.rpartition(":")
            script = JUNK if kind == "junk" else ""
            bare_rate = None
            for label, port, _, _ in targets:
                warm(port, path, args.connections)
                requests, failures, rate, median, p95, p99 = wrk(port, path, args.seconds, args.connections, script)
                bare_rate = bare_rate or rate or 1
                print(f"| `{spec}` | {label} | {rate:.0f} | {median:.1f} | {p95:.1f} | {p99:.1f} "
                      f"| {rate / bare_rate:.2f} | {failures}/{requests} |", flush=True)
    finally:
        for server in servers:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
