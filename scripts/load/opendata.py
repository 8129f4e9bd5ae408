"""Timing whole downloads of an open-data file, one at a time, each bounded in time."""
import time
import urllib.request
from dataclasses import dataclass, field

CHUNK = 1 << 16


@dataclass
class Downloads:
    """Times in milliseconds to the first byte and to the end of each completed download."""

    first_byte: list = field(default_factory=list)
    completed: list = field(default_factory=list)
    size: int = 0
    failure: str = ""
    failures: int = 0

    @property
    def size_text(self):
        """Return the size of the file in words."""
        return f"{self.size / 1024 / 1024:,.1f} MiB" if self.size else "size unknown (no download completed)"

    @property
    def failure_count_text(self):
        """Return the number of failed or cut-off downloads as text."""
        return str(self.failures) if not self.failure else f"{self.failures} ({self.failure})"


def time_downloads(url, count, timeout):
    """Download ``url`` ``count`` times, one after the other, giving up on one after ``timeout`` seconds."""
    found = Downloads()
    for _ in range(count):
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                first = response.read(1)
                found.first_byte.append((time.perf_counter() - started) * 1000)
                size = len(first)
                while True:
                    chunk = response.read(CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    if time.perf_counter() - started > timeout:
                        raise TimeoutError(f"cut off after {timeout} s and {size / 1024 / 1024:,.0f} MiB")
        except (OSError, TimeoutError) as error:
            found.failures += 1
            found.failure = str(error)
            # A download that cannot finish in time will not the next time either.
            break
        found.completed.append((time.perf_counter() - started) * 1000)
        found.size = size
    return found
