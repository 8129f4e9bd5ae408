"""Reading back what the submission script wrote: acknowledged submissions and refusals, per thread."""
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

#: Refusal messages kept for the report, to say why a submission failed without opening the files.
MAX_SAMPLES = 3


@dataclass
class Submissions:
    """Acknowledged submissions as (key, flow ms, POST ms), refusals counted by reason, a few samples."""

    acknowledged: list = field(default_factory=list)
    refused: Counter = field(default_factory=Counter)
    samples: list = field(default_factory=list)


def parse_lines(lines, into=None):
    """Add the lines of one thread's file ("ack KEY FLOW POST" or "refused REASON STATUS MESSAGE") to a Submissions."""
    found = into if into is not None else Submissions()
    for line in lines:
        parts = line.rstrip("\n").split(" ", 3)
        if parts[0] == "ack" and len(parts) == 4:
            found.acknowledged.append((parts[1], float(parts[2]), float(parts[3])))
        elif parts[0] == "refused" and len(parts) >= 3:
            found.refused[parts[1]] += 1
            sample = f"{parts[1]} {parts[2]}" + (f" « {parts[3].strip()} »" if len(parts) == 4 and parts[3].strip()
                                                 else "")
            if len(found.samples) < MAX_SAMPLES and sample not in found.samples:
                found.samples.append(sample)
    return found


def read_submissions(directory):
    """Return the Submissions written by every thread of a run in ``directory``."""
    found = Submissions()
    for path in sorted(Path(directory).glob("submit-*.txt")):
        with open(path, encoding="utf-8", errors="replace") as lines:
            parse_lines(lines, found)
    return found
