"""Time the open data files through running servers: full downloads, 304s, ranges, and a cheap page meanwhile.

Usage: ``python scripts/bench_open_data.py http://127.0.0.1:8830 [http://127.0.0.1:8831 …]`` — each
base URL is a server started with the production settings (gunicorn.conf.py) on the same database,
for example the previous commit and this one side by side. Prints medians and 95th percentiles in
milliseconds; nothing is asserted.
"""
import argparse
import http.client
import statistics
import threading
import time
from urllib.parse import urlsplit

PATH = "/donnees-ouvertes/questions.csv"


def request(base, path, headers=None):
    """GET ``path``, read the whole body; return (status, bytes read, seconds, response headers)."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    started = time.perf_counter()
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    size = 0
    while chunk := response.read(1 << 20):
        size += len(chunk)
    elapsed = time.perf_counter() - started
    connection.close()
    return response.status, size, elapsed, dict(response.getheaders())


def summary(times):
    """Return "median / p95 ms" of durations in seconds."""
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered) * 1000:,.1f} / {p95 * 1000:,.1f} ms (n={len(ordered)})"


def measure(base, downloads, conditionals, load_seconds, downloaders):
    """Print the figures of one server."""
    print(f"== {base}")
    runs = [request(base, PATH) for _ in range(downloads)]
    status, size, _, headers = runs[0]
    print(f"full download {PATH}: status {status}, {size / 1e6:,.1f} MB, {summary([run[2] for run in runs])}")
    etag = headers.get("ETag")
    conditional = {"If-None-Match": etag} if etag else {}
    runs = [request(base, PATH, conditional) for _ in range(conditionals if etag else downloads)]
    print(f"conditional (If-None-Match {etag or 'none: no ETag'}): statuses {sorted({run[0] for run in runs})}, "
          f"{summary([run[2] for run in runs])}")
    runs = [request(base, PATH, {"Range": "bytes=0-1048575"}) for _ in range(conditionals if etag else 1)]
    print(f"first MiB (Range): statuses {sorted({run[0] for run in runs})}, {summary([run[2] for run in runs])}")

    stop = threading.Event()
    finished = []

    def download():
        while not stop.is_set():
            finished.append(request(base, PATH)[2])

    threads = [threading.Thread(target=download) for _ in range(downloaders)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    probes, failures, deadline = [], 0, time.monotonic() + load_seconds
    while time.monotonic() < deadline:
        try:
            status, _, elapsed, _ = request(base, "/healthz")
            probes.append(elapsed)
            failures += status != 200
        except OSError:
            failures += 1
        time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join()
    print(f"/healthz while {downloaders} clients download the file for {load_seconds} s: {summary(probes)}, "
          f"{failures} failures; {len(finished)} downloads finished, {summary(finished) if finished else '—'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bases", nargs="+")
    parser.add_argument("--downloads", type=int, default=5)
    parser.add_argument("--conditionals", type=int, default=200)
    parser.add_argument("--load-seconds", type=int, default=20)
    parser.add_argument("--downloaders", type=int, default=8)
    arguments = parser.parse_args()
    for base in arguments.bases:
        measure(base, arguments.downloads, arguments.conditionals, arguments.load_seconds, arguments.downloaders)


if __name__ == "__main__":
    main()
