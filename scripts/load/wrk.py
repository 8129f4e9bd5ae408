"""Running wrk with the harness's Lua scripts and reading the figures they print."""
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

LUA_DIR = Path(__file__).resolve().parent
MARKER = "WRK_JSON "
INSTALL_HINT = ("wrk is not installed. Install it with `apt-get install -y wrk` (Debian, Ubuntu; "
                "`brew install wrk` on macOS), or build it from https://github.com/wg/wrk.")


class WrkError(Exception):
    """wrk could not run or printed no figures."""


@dataclass
class WrkResult:
    """What one wrk run measured: counts, latencies in milliseconds, statuses and the script's events."""

    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    max: float
    socket_errors: dict = field(default_factory=dict)
    statuses: dict = field(default_factory=dict)
    counters: dict = field(default_factory=dict)

    @property
    def rate(self):
        """Return the requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    def unexpected(self, expected):
        """Return {status: count} of the answers whose status is not in ``expected`` (a set of ints)."""
        return {int(status): count for status, count in self.statuses.items() if int(status) not in expected}


def parse_output(stdout):
    """Return the WrkResult of the report line in wrk's standard output; raise WrkError without one."""
    for line in stdout.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER):])
            latency = data["latency_us"]
            # Lua tables print empty as {}: socket errors are always there, statuses may be absent.
            return WrkResult(
                requests=int(data["requests"]),
                seconds=data["duration_us"] / 1e6,
                p50=latency["p50"] / 1000, p95=latency["p95"] / 1000, p99=latency["p99"] / 1000,
                max=latency["max"] / 1000,
                socket_errors={name: int(count) for name, count in data["errors"].items() if count},
                statuses={str(status): int(count) for status, count in data.get("statuses", {}).items()},
                counters={name: int(count) for name, count in data.get("counters", {}).items()},
            )
    raise WrkError("wrk printed no figures:\n" + stdout[-2000:])


def wrk_version():
    """Return wrk's version line, or raise WrkError with how to install it."""
    executable = shutil.which("wrk")
    if executable is None:
        raise WrkError(INSTALL_HINT)
    completed = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=10)
    return (completed.stdout or completed.stderr).splitlines()[0].strip()


def run_wrk(url, script, arguments, connections, seconds, timeout_seconds=30):
    """Run wrk on ``url`` for ``seconds`` with one thread per connection; return its WrkResult."""
    executable = shutil.which("wrk")
    if executable is None:
        raise WrkError(INSTALL_HINT)
    command = [executable, f"-t{connections}", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout_seconds}s",
               "-s", str(LUA_DIR / script), url, "--", *arguments]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=seconds + timeout_seconds + 30,
                                   env=dict(os.environ, LOAD_LUA_DIR=str(LUA_DIR)),
                                   start_new_session=True)
    except subprocess.TimeoutExpired:
        raise WrkError(f"wrk did not finish within {seconds + timeout_seconds + 30} s") from None
    if completed.returncode != 0:
        raise WrkError(f"wrk failed ({completed.returncode}): {completed.stderr.strip()[-2000:]}")
    return parse_output(completed.stdout)
