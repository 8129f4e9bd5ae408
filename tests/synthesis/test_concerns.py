"""Recurring concerns: groups by meaning, labels, quotes, sub-topics, noise, determinism, national combination."""
import json
import random
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from synthesis import evaluation, french, meaning, sources
from synthesis.concerns import (
    QUOTE_MAX_CHARACTERS, ConcernReport, Document, combine_reports, department_concerns, department_documents,
    find_concerns,
)
from synthesis.records import MinutesRecord, TopicRecord

from .fixtures import CORPUS, SUBTOPICS, corpus_department, q

ROOT = Path(__file__).resolve().parents[2]
#: Questions that must never be read: rejected, pending, merged.
UNPUBLISHED = {f"13-{id:06d}" for id, status, *_ in CORPUS if status != "published"}
TITLES = {subtopic.code: subtopic.title for subtopic in SUBTOPICS}


@pytest.fixture(scope="module")
def report():
    return department_concerns(corpus_department())


def questions(subtopic, *texts, start=1):
    return [Document(sources.question(f"13-{number:06d}"), subtopic, text) for number, text in enumerate(texts, start)]


def members(concern):
    return [ref.key for ref in concern.sources]


def test_each_subtopic_lists_what_its_questions_keep_coming_back_to(report):
    listed = {code: [(c.label, c.documents) for c in ranked] for code, ranked in report.by_subtopic.items()}
    assert listed["1.B.3"] == [("violences conjugales", 3)]
    assert listed["1.B.7"] == [("sentiment d’insécurité", 3)]
    assert listed["2.B.1"] == [("personnes âgées", 4)]
    # The minutes of forum 11 add a fifth text on speeding, in the same group as the questions.
    assert listed["1.B.2"] == [("vitesse excessive", 5)]
    assert members(report.by_subtopic["1.B.2"][0]) == ["11", "13-000011", "13-000012", "13-000013", "13-000014"]
    assert report.documents["1.B.2"] == 5  # four published questions and the minutes of forum 11


def test_a_concern_is_never_labelled_with_its_subtopics_title(report):
    for code, ranked in report.by_subtopic.items():
        for concern in ranked:
            assert evaluation.sane_label(concern.label, TITLES[code]), concern.label
    assert report.by_subtopic["1.A.1"][0].label != "vidéo-protection"
    assert report.by_subtopic["2.A.1"][0].label != "police municipale"
    # Without the titles, the title is what these questions say most.
    plain = find_concerns(department_documents(corpus_department()))
    assert plain.by_subtopic["2.A.1"][0].label == "police municipale"


def test_keys_are_traceable_and_concerns_say_where_they_were_filed(report):
    concern = report.by_subtopic["1.B.3"][0]
    assert concern.key == "violences-conjugales"
    assert str(concern.ref) == "[Préoccupation 1.B.3:violences-conjugales]"
    assert concern.subtopics == (("1.B.3", 3),)
    for ranked in (*report.by_subtopic.values(), report.overall):
        for concern in ranked:
            assert concern.key and not any(ch.isspace() or ch in "[]()" for ch in concern.key)


def test_the_same_concern_filed_under_several_subtopics_is_one_concern():
    documents = (
        questions("1.B.1", "Encore un cambriolage de maison dans le lotissement cette semaine.",
                  "Les cambriolages de maisons se multiplient dans le lotissement.",
                  "Trois maisons cambriolées rue des Acacias, les cambrioleurs courent toujours.")
        + questions("1.B.7", "Des maisons cambriolées dans notre lotissement et aucun gendarme en vue.",
                    "Cambriolage de ma maison pendant les vacances, que fait-on ?", start=4)
        + questions("2.A.1", "Les policiers municipaux devraient être armés.",
                    "Armer la police municipale est une nécessité.", start=6)
    )
    report = find_concerns(documents, subtopic_titles=TITLES)
    burglaries = next(c for c in report.overall if "13-000001" in members(c))
    assert members(burglaries) == [f"13-{n:06d}" for n in range(1, 6)]
    assert burglaries.subtopics == (("1.B.1", 3), ("1.B.7", 2))
    # Listed under each sub-topic with that sub-topic's texts.
    assert [members(c) for c in report.by_subtopic["1.B.7"]] == [["13-000004", "13-000005"]]
    assert report.by_subtopic["1.B.1"][0].key == burglaries.key


def test_noise_stays_out():
    documents = questions("1.B.1", "Bonjour", "test", "Merci pour cette initiative, bonne journée à tous.",
                          "????", "test test test 123", "Bonjour, je voulais juste dire merci.", "ok")
    report = find_concerns(documents)
    assert report.overall == () and dict(report.by_subtopic) == {}
    assert report.documents == {"1.B.1": 7}


def test_a_contribution_belongs_to_one_concern_at_most():
    rows = evaluation.load_corpus(ROOT / "tests" / "synthesis" / "data" / "concerns_corpus.jsonl")
    tuning, _ = evaluation.halves(rows)
    _, report = evaluation.evaluate_engine(tuning[:80], TITLES)
    for ranked in (*report.by_subtopic.values(), report.overall):
        seen = [key for concern in ranked for key in members(concern)]
        assert len(seen) == len(set(seen))
        for concern in ranked:
            assert evaluation.sane_label(concern.label, TITLES.get(concern.subtopic_code))
            assert concern.documents == len(concern.sources) >= 2
            assert 1 <= len(concern.quotes) <= 3
            assert {quote.source for quote in concern.quotes} <= set(concern.sources)


def test_quotes_come_from_published_questions_and_minutes_only(report):
    concerns = [c for ranked in report.by_subtopic.values() for c in ranked] + list(report.overall)
    quoted = {quote.source for concern in concerns for quote in concern.quotes}
    assert quoted and all(ref.kind in (sources.QUESTION, sources.MINUTES) for ref in quoted)
    assert not {ref.key for ref in quoted} & UNPUBLISHED
    texts = " ".join(quote.text for concern in concerns for quote in concern.quotes)
    assert "incapable" not in texts and "Lilas" not in texts and "milice" not in texts


def test_unpublished_questions_are_not_counted(report):
    # Question 10 (pending) and 29 (merged) speak of burglaries too; only the four published count.
    concern = report.by_subtopic["1.B.1"][0]
    assert members(concern) == ["13-000006", "13-000007", "13-000008", "13-000009"]
    assert {document.source.key for document in department_documents(corpus_department())}.isdisjoint(UNPUBLISHED)


def test_quotes_are_the_texts_closest_to_the_centre_from_distinct_sources():
    documents = questions(
        "1.B.3",
        "Les violences conjugales sont mal accueillies au commissariat.",
        "Violences conjugales : un accueil digne au commissariat pour les victimes.",
        "Les victimes de violences conjugales attendent un accueil digne au commissariat.",
        "Violences conjugales, accueil au commissariat, victimes : il faut un local à l'écart.",
    )
    concern = find_concerns(documents).by_subtopic["1.B.3"][0]
    assert concern.documents == 4 and len(concern.quotes) == 3
    assert len({quote.source for quote in concern.quotes}) == 3
    # The first question, the least like the others, is not among the three quoted.
    assert sources.question("13-000001") not in {quote.source for quote in concern.quotes}


def test_a_long_sentence_is_cut_around_the_concern():
    long_text = ("Dans notre commune " + "très " * 30 + "calme, les cambriolages augmentent chaque été "
                 + "et " * 30 + "fin.")
    documents = questions("1.B.1", long_text, "Encore des cambriolages.", "Les cambriolages augmentent.")
    quotes = [quote for quote in find_concerns(documents).by_subtopic["1.B.1"][0].quotes
              if quote.source.key == "13-000001"]
    assert quotes and quotes[0].text.startswith("… ") and quotes[0].text.endswith(" …")
    assert "cambriolages" in quotes[0].text and len(quotes[0].text.split()) < 30


def test_long_adversarial_texts_are_read_in_linear_time():
    # Each would take seconds through a quadratic regular expression; the engine reads them at once.
    texts = ["?" * 10_000, ";" * 10_000 + "x", "'-" * 5_000, "." * 9_999 + " cambriolages",
             "cambriolages " + "!?" * 5_000 + " maisons", "a" * 10_000]
    documents = questions("1.B.1", *texts) + questions("1.B.1", "Cambriolages de maisons !", "Cambriolages.",
                                                       start=len(texts) + 1)
    report = find_concerns(documents)
    for concern in report.overall:
        for quote in concern.quotes:
            assert len(quote.text) <= QUOTE_MAX_CHARACTERS + 4
    assert report.documents == {"1.B.1": len(texts) + 2}


def test_minutes_are_read_line_by_line_and_concerns_count_sources():
    documents = [
        Document(sources.minutes(11), "", "Salle trop petite pour le public.\nBonne écoute des gendarmes."),
        Document(sources.minutes(12), "", "La salle était trop petite.\nHoraires peu adaptés."),
        Document(sources.minutes(13), "", "Salle trop petite, beaucoup sont restés debout."),
    ]
    report = find_concerns(documents)
    (concern,) = report.by_subtopic[""]
    assert concern.documents == 3 and members(concern) == ["11", "12", "13"]
    assert "salle" in concern.label
    assert report.documents == {"": 3}


def test_same_input_same_output_whatever_the_order():
    department = corpus_department()
    expected = department_concerns(department).to_dict()
    for seed in range(3):
        shuffled = list(department.questions)
        random.Random(seed).shuffle(shuffled)
        assert department_concerns(corpus_department(tuple(shuffled))).to_dict() == expected
    assert json.dumps(expected) == json.dumps(department_concerns(department).to_dict())


def test_content_words_stored_at_publication_give_the_same_concerns():
    documents = department_documents(corpus_department())
    stored = [replace(d, terms=meaning.stored_terms(d.text)) if d.source.kind == sources.QUESTION else d
              for d in documents]
    assert find_concerns(stored).to_dict() == find_concerns(documents).to_dict()
    assert meaning.stored_terms("Les caméras filmées, bonjour !") == "camera|caméra filmer"
    assert meaning.parse_stored_terms("camera|caméra filmer") == [("camera", "caméra"), ("filmer", "filmer")]


def test_json_round_trip_and_trace_resolution(report):
    again = ConcernReport.from_dict(json.loads(json.dumps(report.to_dict())))
    assert again == report
    concern = report.by_subtopic["1.B.3"][0]
    assert again.concern(concern.ref) == concern
    assert again.concern(report.overall[0].ref) == report.overall[0]
    assert again.concern(sources.concern("1.B.3", "nothing")) is None
    # What a larger scope reads: no source lists, but quotes, sub-topics and signature.
    light = report.for_aggregation()
    assert all(c.sources == () and c.quotes and c.terms and len(c.vector) == meaning.VECTOR_DIMENSIONS
               for c in light.overall)


def test_an_unknown_schema_version_is_refused(report):
    data = report.to_dict()
    data["schema_version"] = 1
    with pytest.raises(ValueError, match="schema version"):
        ConcernReport.from_dict(data)


def test_no_texts_no_concerns():
    report = find_concerns([])
    assert (dict(report.by_subtopic), report.overall, dict(report.documents)) == ({}, (), {})


def test_departments_concerns_combine_by_meaning():
    parts = [(sources.department(code), department_concerns(corpus_department(code=code)).for_aggregation())
             for code in ("13", "84")]
    national = combine_reports(parts)
    concern = next(c for c in national.by_subtopic["1.B.3"])
    assert (concern.label, concern.documents) == ("violences conjugales", 6)
    assert [str(ref) for ref in concern.sources] == ["[Département 13]", "[Département 84]"]
    # Quotes are taken in turn from the departments; identical words are quoted once.
    assert len({quote.text for quote in concern.quotes}) == len(concern.quotes)
    assert national.documents["1.B.2"] == 10
    top = next(c for c in national.overall if c.key == "violences-conjugales")
    assert top.subtopics == (("1.B.3", 6),)
    assert combine_reports(parts, per_subtopic=0, overall=2).by_subtopic == {}


def test_department_documents_merge_a_subtopic_recorded_twice_in_one_minutes():
    department = corpus_department(questions=(q(1, "published", "1.B.2", "Trop de vitesse."),))
    minutes = MinutesRecord(11, {}, None, "", "", (TopicRecord("1.B.2", "Vitesse."), TopicRecord("1.B.2", "Radars.")))
    documents = department_documents(replace(department, minutes=(minutes,)))
    assert [(d.source, d.text) for d in documents] == [
        (sources.question("13-000001"), "Trop de vitesse."), (sources.minutes(11), "Vitesse.\nRadars.")]


def test_content_words_are_lemmas_without_accents_and_keep_their_place():
    text = "Les caméras filment-elles l'intérieur des maisons cambriolées ? Bonjour, merci."
    words = meaning.content_words(text)
    assert [w.term for w in words] == ["camera", "filmer", "interieur", "maison", "cambrioler"]
    assert [text[w.start:w.end] for w in words] == ["caméras", "filment", "intérieur", "maisons", "cambriolées"]


def test_word_vectors_are_spacys_and_relate_words_sharing_no_letter():
    # spaCy's keys (spacy.strings.hash_string) for these strings.
    for word, key in (("caméra", 8993994108353340181), ("a", 11901859001352538922),
                      ("vidéoprotection", 5577003075286367234), ("cambriolages de maisons", 2668967914834896713)):
        assert meaning._murmurhash64a(word.encode()) == key
    table = meaning.vectors().table
    assert table.shape == (20_000, meaning.VECTOR_DIMENSIONS)

    def similarity(left, right):
        return float(table[meaning.vector_row((left,))] @ table[meaning.vector_row((right,))])

    assert similarity("arnaque", "escroquerie") > similarity("arnaque", "vitesse") + 0.3
    assert meaning.vector_row(("zzqxw",)) is None


def test_the_labelled_benchmark_runs_on_a_small_sample():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import bench_concerns
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    lines = []
    results = bench_concerns.quality(sample=30, out=lines.append)
    # The fresh corpus, written apart from the engine, is scored beside the two halves.
    assert set(results) == {"tuning", "held-out", "fresh"}
    assert len(lines) == 12 and lines[2].split()[:3] == ["half", "grouping", "n"]
    for scores in results.values():
        assert scores.questions == 30
        assert -1 <= scores.ari <= 1 and 0 <= scores.v_measure <= 1
        assert 0 <= scores.coverage <= 1 and 0 <= scores.noise_leakage <= 1 and 0 <= scores.one_word_labels <= 1
        assert scores.redundant_pairs >= 0 and scores.bad_labels >= 0


def test_the_fresh_corpus_spells_noise_and_one_off_questions_its_own_way(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(json.dumps({"id": id, "subtopic": "1.B.1", "concern": concern, "text": "…"})
                              for id, concern in ((1, "noise"), (2, "single-chien-dangereux"), (3, "cambriolages"))),
                    encoding="utf-8")
    assert [row.concern for row in evaluation.load_corpus(path)] == [evaluation.NOISE, evaluation.ISOLATED,
                                                                      "cambriolages"]


def test_a_one_word_label_grows_into_the_phrase_it_heads_when_the_group_repeats_its_words():
    documents = questions("1.B.4", "Les guetteurs du trafic en bas des tours.",
                          "Des guetteurs surveillent l'entrée, le trafic continue.",
                          "Encore des guetteurs devant l'immeuble.")
    (concern,) = find_concerns(documents).overall
    assert concern.label == "guetteurs du trafic"
    # A complement only one text gives does not name the group.
    documents = questions("1.B.4", "Les guetteurs en bas des tours.", "Des guetteurs surveillent l'entrée.",
                          "Encore des guetteurs devant l'immeuble.")
    (concern,) = find_concerns(documents).overall
    assert concern.label == "guetteurs"


def test_a_label_is_never_a_verb_nor_half_a_compound():
    recruits = questions("2.B.2", "Comment devenir réserviste de la gendarmerie ?",
                         "Je voudrais devenir réserviste, quelles démarches ?",
                         "Devenir réserviste à cinquante ans, est-ce possible ?")
    # "devenir" is a verb: the phrase starts after it.
    assert [c.label for c in find_concerns(recruits).overall] == ["réserviste"]
    cameras = questions("1.A.1", "Il faut des caméras de vidéo-protection au collège.",
                        "Installer des caméras de vidéo-protection devant la gare.",
                        "Des caméras de vidéo-protection sur le parking, vite.")
    # Not "caméras de vidéo".
    assert [c.label for c in find_concerns(cameras).overall] == ["caméras de vidéo-protection"]


def test_the_metrics():
    assert evaluation.adjusted_rand_index([1, 1, 2, 2], ["a", "a", "b", "b"]) == 1.0
    assert evaluation.v_measure([1, 1, 2, 2], ["a", "a", "b", "b"]) == pytest.approx(1.0)
    assert evaluation.adjusted_rand_index([1, 1, 2, 2], ["a", "b", "a", "b"]) < 0
    assert not evaluation.sane_label("fin") and not evaluation.sane_label("midi")
    assert not evaluation.sane_label("police") and not evaluation.sane_label("Vidéo-protection", "Vidéo-protection")
    assert evaluation.sane_label("cambriolages de maisons", "Délinquance de voie publique et cambriolages")


def test_the_search_terms_are_unchanged():
    # The web app's search index and duplicate detection rely on these exact forms.
    assert french.terms("Les vidéoprotections de la ville, Sécurité!") == ["videoprotect", "vill", "securit"]
    assert french.search_text("L'éclairage public et la sécurité") == "eclairag public securit"
    assert french.fingerprint("Écoles, ÉCOLES!") == french.fingerprint("ecoles ecoles")
    assert french.words("Aujourd'hui, l'insécurité 2009") == ["aujourd", "hui", "insécurité", "2009"]
    assert french.word_count("Aujourd'hui, l'insécurité 2009") == 4
    assert french.strip_accents("Sécurité") == "securite"
