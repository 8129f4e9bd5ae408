"""Benchmark the recurring-concerns engine on a department-sized corpus; print the timings.

Usage: .venv/bin/python scripts/bench_concerns.py [--questions N] [--words W] [--repeat R] [--departments D]

The corpus is generated from sentences citizens actually write on the consultation's sub-topics,
with places, times and details varied so that the vocabulary is wide (about ``W`` words per
question, one made-up place name each). The generator is seeded: every run measures the same
texts. Timings are those of ``find_concerns`` on a cold term cache (the first run) and the best
of ``R`` runs on a warm one; then the national step: ``D`` departments' stored reports read back
from JSON and added up by ``combine_reports``.
"""
import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synthesis import french, sources  # noqa: E402
from synthesis.concerns import ConcernReport, Document, combine_reports, find_concerns  # noqa: E402

SENTENCES = {
    "1.A.1": [
        "La vidéo-protection installée près de {lieu} est-elle vraiment regardée {moment} ?",
        "Qui peut consulter les images de la vidéoprotection et combien de temps sont-elles conservées ?",
        "Pourquoi ne pas étendre la vidéo protection aux abords de {lieu} où les dégradations se multiplient ?",
        "Je m'inquiète pour le respect de la vie privée des riverains face aux caméras de {lieu}.",
    ],
    "1.B.1": [
        "Les cambriolages se multiplient {moment} dans notre {habitat} depuis {duree}.",
        "L'opération tranquillité vacances existe-t-elle encore pour les {habitat}s isolés ?",
        "Après le cambriolage de ma maison, personne n'a relevé d'empreintes, est-ce normal ?",
        "Des vols de voitures ont lieu {moment} près de {lieu} sans aucune interpellation.",
    ],
    "1.B.2": [
        "La vitesse excessive des voitures devant {lieu} met les enfants en danger.",
        "Un radar pédagogique est-il prévu à l'entrée du {habitat} ?",
        "Les contrôles d'alcoolémie sont trop rares {moment} à la sortie des discothèques.",
        "Sur la départementale, la vitesse excessive des motos est un vrai danger {moment}.",
    ],
    "1.B.3": [
        "Comment sont accueillies les femmes victimes de violences conjugales à {lieu} ?",
        "Une voisine subit des violences conjugales : à qui s'adresser sans la mettre en danger ?",
        "Existe-t-il un intervenant social pour les violences intrafamiliales dans le {habitat} ?",
    ],
    "1.B.7": [
        "On ne voit plus de patrouilles à pied {moment} près de {lieu}.",
        "Le sentiment d'insécurité progresse {moment} dans notre {habitat} depuis {duree}.",
        "Les habitants souhaitent des patrouilles plus régulières autour de {lieu}.",
    ],
    "2.A.1": [
        "La police municipale n'est présente qu'en journée, pourquoi pas {moment} ?",
        "Quel est le rôle exact de la police municipale par rapport à la gendarmerie près de {lieu} ?",
        "Les horaires de la police municipale ne sont pas adaptés aux commerçants du {habitat}.",
    ],
    "2.B.1": [
        "Ma mère a été victime d'une escroquerie sur internet en achetant un {objet}.",
        "Les escroqueries sur internet visent les personnes âgées du {habitat}.",
        "Comment signaler une arnaque par courriel sans se déplacer jusqu'à {lieu} ?",
    ],
}
LIEUX = ["la gare", "l'école maternelle", "la place du marché", "la mairie", "le collège", "la salle des fêtes",
         "la zone commerciale", "l'arrêt de bus", "la médiathèque", "le stade", "la piscine", "le port"]
MOMENTS = ["la nuit", "le soir", "le week-end", "pendant les vacances", "le samedi", "en semaine", "l'été"]
HABITATS = ["lotissement", "village", "quartier", "hameau", "centre-ville", "bourg"]
DUREES = ["trois mois", "un an", "plusieurs semaines", "la rentrée", "l'hiver dernier"]
OBJETS = ["téléphone", "ordinateur", "billet de train", "vélo", "canapé", "voyage"]
SYLLABES = ["ber", "ca", "vil", "lou", "mar", "tin", "ro", "sel", "dan", "gué", "pré", "bel", "cour", "fon",
            "ta", "nel", "mon", "ré", "gis", "lan"]


def street(number):
    """Return a made-up street name unique to ``number``: real questions name places nobody else does."""
    name = ""
    while True:
        number, digit = divmod(number, len(SYLLABES))
        name += SYLLABES[digit]
        if not number:
            return name.capitalize()


def corpus(count, words, seed=2009):
    """Return ``count`` Documents of about ``words`` words each, always the same for a seed."""
    rng = random.Random(seed)
    codes = sorted(SENTENCES)
    documents = []
    for number in range(1, count + 1):
        code = rng.choice(codes)
        # A rare word in each text, as real questions have: names of streets, brands, local words.
        text = [f"À {street(number)} :"]
        while sum(len(sentence.split()) for sentence in text) < words - 6:
            text.append(rng.choice(SENTENCES[code]).format(
                lieu=rng.choice(LIEUX), moment=rng.choice(MOMENTS), habitat=rng.choice(HABITATS),
                duree=rng.choice(DUREES), objet=rng.choice(OBJETS)))
        documents.append(Document(sources.question(f"13-{number:06d}"), code, " ".join(text), rng.randrange(10)))
    return documents


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--words", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--departments", type=int, default=101)
    args = parser.parse_args()

    documents = corpus(args.questions, args.words)
    total_words = sum(french.word_count(document.text) for document in documents)
    print(f"corpus: {len(documents)} questions, {total_words} words "
          f"({total_words / len(documents):.1f} per question)")

    # Wall-clock time, and the process's CPU time, which other work on the machine does not inflate.
    timings = []
    for _ in range(args.repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        report = find_concerns(documents)
        timings.append((time.perf_counter() - started, time.process_time() - started_cpu))
    best = min(timings[1:] or timings)
    print(f"find_concerns, first run (cold term cache): {timings[0][0]:.3f} s ({timings[0][1]:.3f} s CPU)")
    print(f"find_concerns, best warm run: {best[0]:.3f} s ({best[1]:.3f} s CPU)")
    phrases = sum(1 for _, row in report.table.rows() if row[0])
    print(f"terms in the table: {len(report.table)} ({phrases} phrases); "
          f"top concerns: {', '.join(concern.label for concern in report.overall[:5])}")

    stored = json.dumps(report.for_aggregation().to_dict())
    print(f"stored for the national step: {len(stored) / 1024:.0f} KiB per department")
    started, started_cpu = time.perf_counter(), time.process_time()
    reports = [(sources.department(f"{number:03d}"), ConcernReport.from_dict(json.loads(stored)))
               for number in range(args.departments)]
    loaded, loaded_cpu = time.perf_counter(), time.process_time()
    national = combine_reports(reports)
    print(f"{args.departments} departments read back: {loaded - started:.3f} s ({loaded_cpu - started_cpu:.3f} s CPU), "
          f"added up: {time.perf_counter() - loaded:.3f} s ({time.process_time() - loaded_cpu:.3f} s CPU); "
          f"{national.overall[0].label!r} in {national.overall[0].documents} texts")


if __name__ == "__main__":
    main()
