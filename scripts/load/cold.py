"""The first requests of a new worker: what visitors meet after each recycling (``max_requests``).

One worker is started (page cache off, so that the second round renders too), left to finish what it
does before taking traffic (gunicorn's ``post_worker_init`` hook included: the master's socket holds
the requests meanwhile, but once recycled, the other workers serve them), then asked each path
once, in turn, and once more: the first round is the new worker, the second the same worker warm.
"""
import http.client
import time

from . import servers


def cold_paths(forum_id, department):
    """Return the paths a new worker is asked, each a different page (template, queries, locale data)."""
    return ["/", f"/departements/{department}", f"/departements/{department}/questions", f"/forums/{forum_id}",
            "/agenda", "/questions/poser", f"/api/v1/questions?department={department}"]


def timed_get(port, path, timeout=60):
    """Return (status, milliseconds) of one GET on a new connection."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, (time.perf_counter() - started) * 1000
    finally:
        connection.close()


def wait_for_worker(server, timeout=90):
    """Wait until the server has a worker and it is idle (booted, warmed); return its pid."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = server.workers()
        if workers:
            servers.wait_idle(workers, timeout=max(1.0, deadline - time.monotonic()), interval=1.0, busy_ticks=5)
            return workers[0]
        time.sleep(0.2)
    raise SystemExit(f"gunicorn {server.app_spec} started no worker within {timeout} s; see {server.log_path}")


def first_requests(server, paths):
    """Return [(path, status, cold ms, warm ms)] for one new worker of ``server`` (already started) and its
    VmRSS in KiB before its first request."""
    worker = wait_for_worker(server)
    memory = servers.memory_kib(worker)
    cold = [timed_get(server.port, path) for path in paths]
    warm = [timed_get(server.port, path) for path in paths]
    return ([(path, status, cold_ms, warm_ms) for path, (status, cold_ms), (_, warm_ms) in zip(paths, cold, warm)],
            memory[0] if memory else None)
