"""Servers of a run: gunicorn with the production settings (product and baseline), a private Redis.

Every process starts in its own process group and is remembered, so that ``stop_all`` ends it with
its children whatever happens to the driver (an exception, Ctrl-C, SIGTERM).
"""
import http.client
import socket
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_started = []


def start_process(command, log_path, env=None, cwd=ROOT):
    """Start ``command`` in its own process group with stdout and stderr to ``log_path``."""
    log = open(log_path, "ab")
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    log.close()
    _started.append(process)
    return process


def stop(process, grace=10):
    """Stop a process started here and its children: SIGTERM, then SIGKILL after ``grace`` seconds."""
    if process.poll() is None:
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
    if process in _started:
        _started.remove(process)


def stop_all():
    """Stop every process this module started, newest first."""
    for process in reversed(list(_started)):
        stop(process)


def start_redis(port, log_path):
    """Start a private, memory-only Redis on ``port``; return its URL, or None when redis-server is absent."""
    executable = shutil.which("redis-server")
    if executable is None:
        return None
    start_process([executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                  log_path)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                if connection.recv(16).startswith(b"+PONG"):
                    return f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"redis-server did not answer on port {port}; see {log_path}")


class Gunicorn:
    """One gunicorn server of the run, started with ``gunicorn.conf.py`` and the access log off."""

    def __init__(self, name, app_spec, port, env, log_path, extra_args=()):
        self.name, self.app_spec, self.port, self.log_path = name, app_spec, port, log_path
        self.env = env
        self.extra_args = list(extra_args)
        self.process = None

    def start(self, probe="/", timeout=90):
        """Start the server and wait until ``probe`` answers (any status), or stop with its log's end.

        With ``probe`` None, return at once: no request may reach a worker before the caller's.
        """
        command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", os.devnull,
                   *self.extra_args, self.app_spec]
        self.process = start_process(command, self.log_path, env=self.env)
        if probe is None:
            return self
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                connection.request("GET", probe)
                connection.getresponse().read()
                connection.close()
                return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit(f"gunicorn {self.app_spec} did not answer on port {self.port}.\n"
                         f"End of its log ({self.log_path}):\n{tail(self.log_path)}")

    def stop(self):
        """Stop the server and its workers."""
        if self.process is not None:
            stop(self.process, grace=35)

    @property
    def url(self):
        """Return the server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def workers(self):
        """Return the pids of gunicorn's worker processes (the master's children)."""
        return children(self.process.pid) if self.process else []


def children(parent_pid):
    """Return the pids whose parent is ``parent_pid``, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name, in parentheses, may hold spaces: the fields that follow are after ")".
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == parent_pid:
            found.append(int(entry.name))
    return sorted(found)


def cpu_ticks(pids):
    """Return the CPU time (user + system, in clock ticks) the processes ``pids`` have used so far."""
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])
    return total


def wait_idle(pids, timeout=60, interval=0.5, busy_ticks=3):
    """Wait until ``pids`` use almost no CPU (what an earlier load left queued is done); return the wait in s.

    Stopping wrk closes its connections, but the requests already received are still computed.
    """
    started = time.monotonic()
    previous = cpu_ticks(pids)
    while time.monotonic() - started < timeout:
        time.sleep(interval)
        current = cpu_ticks(pids)
        if current - previous <= busy_ticks:
            break
        previous = current
    return time.monotonic() - started


def memory_kib(pid):
    """Return (VmRSS, VmHWM) of a process in KiB, from /proc/<pid>/status; None when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values = {}
    for line in status.splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values.get("VmRSS"), values.get("VmHWM")


def tail(path, lines=30):
    """Return the last ``lines`` lines of a log file."""
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
