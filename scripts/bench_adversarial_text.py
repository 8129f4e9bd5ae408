"""Time every text path on long adversarial inputs: runs of punctuation, spaces, apostrophes, digits.

A regular expression that backtracks turns a 10,000-character field into seconds of CPU; this
script prints, for each path and input, the time taken at two sizes and their ratio (about 2 for
linear work, about 4 for quadratic). It asserts nothing: tests pin behaviour, this prints figures.

    python scripts/bench_adversarial_text.py [--sizes 2000 8000]
"""
import argparse
import statistics
import time

from forums.documents.html import markdown_html
from forums.services.questions import clean_line, clean_text
from synthesis import french, meaning, sources as refs
from synthesis.concerns import Document, find_concerns
from synthesis.drafting import plain, quote_text
from synthesis.typography import typeset

#: Adversarial shapes: each takes a length and returns a text of about that length.
INPUTS = {
    "trailing dots": lambda n: "Que fait la police" + "." * n + "x",
    "dots at the end": lambda n: "Que fait la police" + "." * n,
    "mixed punctuation": lambda n: "Pourquoi" + "!?…" * (n // 3) + "a",
    "semicolons": lambda n: "Pourquoi" + ";" * n + "a",
    "spaces then colon": lambda n: "Vidéo" + " \u00a0" * (n // 2) + ":x",
    "apostrophes": lambda n: "l'" * (n // 2) + "'",
    "digit groups": lambda n: "1 000" * (n // 5) + ",5x",
    "hyphens": lambda n: "a-" * (n // 2),
    "markdown specials": lambda n: "*_[" * (n // 3),
}


def concerns_of(text):
    """Find the concerns of three questions saying ``text`` (the synthesis path, quotes included)."""
    documents = [Document(refs.SourceRef(refs.QUESTION, f"13-00000{i}"), "1.A.1",
                          f"Les caméras de la gare {text}") for i in range(3)]
    return find_concerns(documents, min_documents=2)


#: Every text path: question submission, search, synthesis drafting and rendering.
PATHS = {
    "questions: clean_text": clean_text,
    "questions: clean_line": clean_line,
    "questions/search: french.terms": french.terms,
    "questions: french.fingerprint": french.fingerprint,
    "questions: meaning.stored_terms": meaning.stored_terms,
    "minutes/syntheses: typeset": typeset,
    "minutes/syntheses: quote_text": quote_text,
    "minutes/syntheses: plain": plain,
    "syntheses: markdown_html": markdown_html,
    "syntheses: find_concerns": concerns_of,
}


def timed(function, text, repeat=3):
    """Return the median wall time of ``function(text)`` over ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=(2000, 8000), metavar=("SMALL", "LARGE"))
    args = parser.parse_args()
    small, large = args.sizes
    print(f"{'path':36} {'input':20} {small:>9} ch {large:>9} ch  ratio")
    for path, function in PATHS.items():
        for name, make in INPUTS.items():
            first, second = timed(function, make(small)), timed(function, make(large))
            ratio = second / first if first > 0 else float("nan")
            print(f"{path:36} {name:20} {first * 1000:9.1f} ms {second * 1000:9.1f} ms  {ratio:5.1f}")


if __name__ == "__main__":
    main()
