"""The run's Markdown table: one row per scenario and server, with the ratio to the bare stack."""
import math
from dataclasses import dataclass

#: Socket errors as wrk names them, in the words of the table.
SOCKET_ERROR_NAMES = {"connect": "connect errors", "read": "read errors", "write": "write errors",
                      "timeout": "timeouts", "status": "bad statuses"}


@dataclass
class Row:
    """One line of the table: rates per second, latencies in milliseconds, failures in words."""

    scenario: str
    server: str
    rate: float
    p50: float | None
    p95: float | None
    p99: float | None
    failures: str = "0"
    ratio: float | None = None
    unit: str = "req/s"
    #: The rate this row stands for in the ratios, and the rate it is divided by (None: no ratio).
    key: str = ""
    baseline: str | None = None
    #: Shown instead of the rate when a count says more (e.g. "2 downloads").
    rate_text: str | None = None


def percentile(values, share):
    """Return the nearest-rank percentile of ``values`` (``share`` between 0 and 1); 0.0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    # Rounded first: 0.95 × 20 is 19.000000000000004 in floating point, whose ceiling is 20.
    rank = max(1, math.ceil(round(share * len(ordered), 9)))
    return ordered[min(rank, len(ordered)) - 1]


def describe_failures(unexpected_statuses, socket_errors=None, extra=None):
    """Return the failures in words: "0", or e.g. "3 × 500, 2 timeouts"; ``extra`` adds named counts."""
    parts = [f"{count:,} × {status}" for status, count in sorted(unexpected_statuses.items()) if count]
    for name, count in sorted((socket_errors or {}).items()):
        # wrk counts a non-2xx/3xx status as a "status" error too: already listed above.
        if count and name != "status":
            parts.append(f"{count:,} {SOCKET_ERROR_NAMES.get(name, name)}")
    parts.extend(f"{count:,} {name}" for name, count in (extra or {}).items() if count)
    return ", ".join(parts) or "0"


def milliseconds(value):
    """Return a latency for the table: two significant decimals below 10 ms, fewer above; "—" for none."""
    if value is None:
        return "—"
    if value < 10:
        return f"{value:.2f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def rate(value):
    """Return a rate for the table."""
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def add_ratios(rows):
    """Set each row's ratio: its rate over the rate of the row keyed by its ``baseline``.

    The "constant" baseline is measured twice (at the start and at the end); its mean is used.
    """
    rates = {}
    for row in rows:
        rates.setdefault(row.key, []).append(row.rate)
    for row in rows:
        base = rates.get(row.baseline)
        if base and sum(base):
            row.ratio = row.rate / (sum(base) / len(base))


def table(rows):
    """Return the Markdown table of ``rows``."""
    lines = ["| scenario | server | rate | median ms | p95 ms | p99 ms | failures | × baseline |",
             "|---|---|---|---|---|---|---|---|"]
    for row in rows:
        ratio = "—" if row.ratio is None else f"{row.ratio:.2f}"
        shown_rate = row.rate_text or f"{rate(row.rate)} {row.unit}"
        lines.append(f"| {row.scenario} | {row.server} | {shown_rate} | {milliseconds(row.p50)} "
                     f"| {milliseconds(row.p95)} | {milliseconds(row.p99)} | {row.failures} | {ratio} |")
    return "\n".join(lines)
