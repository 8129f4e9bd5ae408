"""The footnotes of a part, taken out of its Markdown so that each format sets them its own way.

The engine ends a part with its footnote definitions (``[^e3]: …``, one a line) and puts a call
(``[^e3]``) where each applies; the agents' text cannot hold either (see
:func:`synthesis.document.own_text`). Python-Markdown would render them as a list whose
identifiers the sanitiser strips, leaving links that go nowhere. So the definitions are taken
out, each call is replaced by a mark that Markdown and the sanitiser leave as it is, and each
renderer puts in its place what its format has: a numbered link in HTML, a real footnote in
OpenDocument.
"""
import re
from dataclasses import dataclass

#: A footnote call once taken out: private-use characters around its number, which no text keeps
#: (they are removed from the input first, so that no text can forge a call).
CALL_START, CALL_END = "\ue000", "\ue001"
CALL = re.compile(f"{CALL_START}(\\d+){CALL_END}")
_PRIVATE_MARKS = re.compile(f"[{CALL_START}{CALL_END}]")
#: A definition as the engine writes it: a whole line "[^e3]: text".
_DEFINITION = re.compile(r"^\[\^([A-Za-z0-9_-]+)\]:(.*)$", re.MULTILINE)
#: A backslash escape, or a call "[^e3]": an escaped bracket never opens a call.
_ESCAPE_OR_CALL = re.compile(r"\\.|\[\^([A-Za-z0-9_-]+)\]", re.DOTALL)


@dataclass(frozen=True)
class Footnote:
    """One footnote: its number in the document, the engine's label ("e3"), its text (Markdown or HTML)."""

    number: int
    label: str
    text: str


@dataclass(frozen=True)
class FootnotedText:
    """A text whose footnote calls are marks (see :data:`CALL`), and its footnotes in the order of their calls."""

    text: str
    notes: tuple[Footnote, ...]


def take_footnotes(markdown, first=1):
    """Return ``markdown`` without its footnote definitions, each call a mark, the notes numbered from ``first``.

    Notes are numbered in the order of their first call; a call without a definition is left as
    it is written, and a definition without a call is dropped.
    """
    text = _PRIVATE_MARKS.sub("", markdown or "")
    definitions = {label: note.strip() for label, note in _DEFINITION.findall(text)}
    text = _DEFINITION.sub("", text)
    numbers = {}

    def replace(match):
        label = match.group(1)
        if label is None or label not in definitions:
            return match.group(0)
        number = numbers.setdefault(label, first + len(numbers))
        return call_mark(number)

    text = _ESCAPE_OR_CALL.sub(replace, text)
    notes = tuple(Footnote(number, label, definitions[label]) for label, number in numbers.items())
    return FootnotedText(text, notes)


def call_mark(number):
    """Return the mark standing for the call of footnote ``number``."""
    return f"{CALL_START}{number}{CALL_END}"
