"""Time the public question lists and search through running servers, uncached; print medians and p95.

Usage: .venv/bin/python scripts/bench_lists.py [--requests N] [--department 59] NAME=URL [NAME=URL ...]

Each NAME=URL is a server already started with the production settings (gunicorn.conf.py, access
log off) on the bench database, e.g. ``main=http://127.0.0.1:8820 lists=http://127.0.0.1:8821``.
Servers are measured in turns, request by request, so that both see the same noise. Every request
is one the in-process cache has not seen: pages get a distinct ``_`` parameter, API requests
(which refuse unknown parameters) a distinct word or page. Answers other than 200 count as failures.
A server named ``bare`` is the bare stack of scripts/bench_http.py (a constant at ``/``): it gets
``/`` on every line, the floor the shared machine's noise puts under every figure.
"""
import argparse
import http.client
import itertools
import statistics
import sys
import time
from urllib.parse import quote, urlsplit

#: Words citizens write often and rarely, searched one at a time.
WORDS = ("police", "cambriolage", "vidéo", "voisin", "jeunes", "vitesse", "drogue", "gendarmerie", "victime",
         "municipale", "incivilités", "quartier", "internet", "stationnement", "alcool", "école", "nuit",
         "voiture", "plainte", "commissariat", "bruit", "sécurité", "prévention", "escroquerie", "réserve")


def lines(department):
    """Return (label, function of a request number giving the path) for each line of the issue's table."""
    def word(n):
        return quote(WORDS[n % len(WORDS)])

    return (
        ("API national q=<word>", lambda n: f"/api/v1/questions?q={word(n)}&page={1 + n // len(WORDS) % 10}"),
        (f"API department={department} q=<word>",
         lambda n: f"/api/v1/questions?department={department}&q={word(n)}&page={1 + n // len(WORDS) % 10}"),
        (f"/departements/{department}/questions", lambda n: f"/departements/{department}/questions?_={n}"),
        (f"/departements/{department}/questions?q=<word>",
         lambda n: f"/departements/{department}/questions?q={word(n)}&_={n}"),
        (f"/departements/{department}/questions?page=300",
         lambda n: f"/departements/{department}/questions?page=300&_={n}"),
        (f"/departements/{department}", lambda n: f"/departements/{department}?_={n}"),
    )


def fetch(base, path):
    """Return (seconds, status) of one GET."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    started = time.perf_counter()
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return time.perf_counter() - started, response.status
    except OSError:
        return time.perf_counter() - started, 0
    finally:
        connection.close()


def percentile(values, share):
    """Return the nearest-rank percentile of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--department", default="59")
    parser.add_argument("--offset", type=int, default=int(time.time()) % 100000,
                        help="first request number, so that a second run is uncached too")
    parser.add_argument("servers", nargs="+")
    args = parser.parse_args()
    servers = [server.split("=", 1) for server in args.servers]
    print(f"{args.requests} uncached requests per line and server, one at a time, servers in turns")
    print(f"{'line':48} " + " ".join(f"{name + ' median':>14} {name + ' p95':>12} {'fail':>4}" for name, _ in servers))
    for label, path_of in lines(args.department):
        timings = {name: [] for name, _ in servers}
        failures = dict.fromkeys(timings, 0)
        for n, (name, base) in itertools.product(range(args.offset, args.offset + args.requests), servers):
            seconds, status = fetch(base, "/" if name == "bare" else path_of(n))
            timings[name].append(seconds)
            failures[name] += status != 200
        cells = [f"{statistics.median(timings[name]) * 1000:12.0f}ms {percentile(timings[name], 0.95) * 1000:10.0f}ms"
                 f" {failures[name]:>4}" for name, _ in servers]
        print(f"{label:48} " + " ".join(cells))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
