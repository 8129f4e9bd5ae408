"""Benchmark the recurring-concerns engine: quality on the labelled corpus, then speed; print the figures.

Usage: .venv/bin/python scripts/bench_concerns.py [--questions N ...] [--words W] [--repeat R] [--departments D]
                                                  [--quality-only] [--sample S]

1. Quality: the labelled corpus (tests/synthesis/data/concerns_corpus.jsonl) is split by id parity
   into a tuning half (odd ids, the engine's constants were chosen on it) and a held-out half (even
   ids), and the fresh corpus (concerns_corpus_fresh.jsonl, written apart from the engine and
   never tuned on) is taken whole; each is run through ``find_concerns`` and scored (see
   :mod:`synthesis.evaluation`: adjusted Rand index, V-measure, coverage, redundant pairs, bad and
   one-word labels, noise leakage), beside the same questions dealt to 3 pseudo-departments whose concerns are then
   combined as the nation combines departments' (``combine_reports``), and beside the trivial
   grouping "one group per sub-topic". ``--sample S`` keeps S questions of each half (the test
   suite runs it that way, on a small sample).
2. Speed: a synthetic corpus of N questions is generated from sentences citizens write on the
   consultation's sub-topics, with places, times and details varied so that the vocabulary is
   wide (about ``W`` words per question, one made-up place name each; seeded, so every run
   measures the same texts). Timings are those of ``find_concerns`` on a cold process (word
   vectors and lemma cache loaded by the first run) and the best of ``R`` runs on a warm one;
   then the same with each question's content words computed beforehand, as the web app can store
   them when a question is published (``synthesis.meaning.stored_terms``); then the national step:
   ``D`` departments' stored reports read back from JSON and added up by ``combine_reports``, with
   the size of one department's stored report.
"""
import argparse
import json
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from synthesis import evaluation, french, meaning, sources  # noqa: E402
from synthesis.concerns import ConcernReport, Document, combine_reports, find_concerns  # noqa: E402

CORPUS = ROOT / "tests" / "synthesis" / "data" / "concerns_corpus.jsonl"
#: Written apart, by someone who had not seen the engine: never tuned on, scored whole.
FRESH_CORPUS = ROOT / "tests" / "synthesis" / "data" / "concerns_corpus_fresh.jsonl"
CONSULTATION = ROOT / "forums" / "data" / "consultations" / "2009.json"

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


def subtopic_titles():
    """Return {code: title} of the 2009 consultation's sub-topics."""
    data = json.loads(CONSULTATION.read_text(encoding="utf-8"))
    return {subtopic["code"]: subtopic["title"] for theme in data["themes"] for part in theme["parts"]
            for subtopic in part["subtopics"]}


def quality(sample=None, out=print):
    """Score the engine and the one-group-per-sub-topic baseline on both halves; return {half: Scores}."""
    titles = subtopic_titles()
    rows = evaluation.load_corpus(CORPUS)
    results = {}
    out(f"labelled corpus: {len(rows)} questions, {len(set(r.concern for r in rows)) - 2} concerns, "
        f"{sum(r.concern == evaluation.NOISE for r in rows)} noise, {len({r.subtopic_code for r in rows})} sub-topics")
    header = (f"{'half':9} {'grouping':22} {'n':>4} {'groups':>6} {'ARI':>6} {'V':>6} {'cover':>6} "
              f"{'redund':>6} {'badlbl':>6} {'1-word':>6} {'noise':>6}")
    parts = list(zip(("tuning", "held-out"), evaluation.halves(rows)))
    if FRESH_CORPUS.exists():
        fresh = evaluation.load_corpus(FRESH_CORPUS)
        out(f"fresh corpus: {len(fresh)} questions, {len(set(r.concern for r in fresh)) - 2} concerns, "
            f"{sum(r.concern == evaluation.NOISE for r in fresh)} noise")
        parts.append(("fresh", fresh))
    out(header)
    for name, half in parts:
        if sample:
            half = half[:sample]
        engine, _ = evaluation.evaluate_engine(half, titles)
        combined = evaluation.evaluate_combination(half, titles)
        baseline = evaluation.evaluate_baseline(half)
        results[name] = engine
        for what, scores in (("find_concerns", engine), ("3 parts combined", combined),
                             ("one group per sub-topic", baseline)):
            out(f"{name:9} {what:22} {scores.questions:4d} {scores.concerns:6d} {scores.ari:6.3f} "
                f"{scores.v_measure:6.3f} {scores.coverage:6.1%} {scores.redundant_pairs:6d} {scores.bad_labels:6d} "
                f"{scores.one_word_labels:6.0%} {scores.noise_leakage:6.1%}")
    return results


def speed(count, words, repeat, departments):
    """Print the engine's timings on ``count`` synthetic questions and the national step's."""
    documents = corpus(count, words)
    total_words = sum(french.word_count(document.text) for document in documents)
    print(f"corpus: {len(documents)} questions, {total_words} words "
          f"({total_words / len(documents):.1f} per question)")
    # Wall-clock time, and the process's CPU time, which other work on the machine does not inflate.
    timings = []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        report = find_concerns(documents)
        timings.append((time.perf_counter() - started, time.process_time() - started_cpu))
    best = min(timings[1:] or timings)
    print(f"find_concerns, first run of the process: {timings[0][0]:.3f} s ({timings[0][1]:.3f} s CPU)")
    print(f"find_concerns, best warm run: {best[0]:.3f} s ({best[1]:.3f} s CPU)")
    # The content words stored when each question is published, then given to the engine.
    started_cpu = time.process_time()
    stored = [replace(document, terms=meaning.stored_terms(document.text)) for document in documents]
    per_question = (time.process_time() - started_cpu) / len(documents)
    timings = []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        find_concerns(stored)
        timings.append((time.perf_counter() - started, time.process_time() - started_cpu))
    best = min(timings)
    print(f"with content words stored at publication ({per_question * 1e6:.0f} µs CPU per question, "
          f"{sum(len(d.terms) for d in stored) / len(stored):.0f} characters): "
          f"best run {best[0]:.3f} s ({best[1]:.3f} s CPU)")
    print(f"top concerns: {', '.join(f'{c.label} ({c.documents})' for c in report.overall[:5])}")

    stored = json.dumps(report.for_aggregation().to_dict())
    print(f"stored for the national step: {len(stored) / 1024:.0f} KiB per department")
    started, started_cpu = time.perf_counter(), time.process_time()
    reports = [(sources.department(f"{number:03d}"), ConcernReport.from_dict(json.loads(stored)))
               for number in range(departments)]
    loaded, loaded_cpu = time.perf_counter(), time.process_time()
    national = combine_reports(reports)
    print(f"{departments} departments read back: {loaded - started:.3f} s ({loaded_cpu - started_cpu:.3f} s CPU), "
          f"added up: {time.perf_counter() - loaded:.3f} s ({time.process_time() - loaded_cpu:.3f} s CPU); "
          f"{national.overall[0].label!r} in {national.overall[0].documents} texts")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, nargs="+", default=[27_000, 38_000])
    parser.add_argument("--words", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--departments", type=int, default=101)
    parser.add_argument("--sample", type=int, default=None)
    parser.add_argument("--quality-only", action="store_true")
    args = parser.parse_args()
    quality(args.sample)
    if not args.quality_only:
        for count in args.questions:
            speed(count, args.words, args.repeat, args.departments)


if __name__ == "__main__":
    main()
