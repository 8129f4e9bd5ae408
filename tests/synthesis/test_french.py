"""French terms: the same for every thread of a server."""
from concurrent.futures import ThreadPoolExecutor

from synthesis import french


def test_terms_are_the_same_from_many_threads_at_once():
    texts = [f"Les cambriolages et la vidéoprotection des quartiers numéro {n} inquiètent les habitants" * 5
             for n in range(200)]
    expected = [french.terms(text) for text in texts]

    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(french.terms, texts * 5))

    assert found == expected * 5
