"""Recurring concerns on a small French corpus: top terms, phrases, labels, quotes, determinism."""
import json
import random
from dataclasses import replace

import pytest

from synthesis import french, sources
from synthesis.concerns import (
    PHRASE_MIN_G2, ConcernReport, Document, _g2, department_concerns, department_documents, find_concerns,
)
from synthesis.records import MinutesRecord, TopicRecord

from .fixtures import CORPUS, corpus_department, q

#: Questions that must never be read: rejected, pending, merged.
UNPUBLISHED = {f"13-{id:06d}" for id, status, *_ in CORPUS if status != "published"}


@pytest.fixture(scope="module")
def report():
    return department_concerns(corpus_department())


def ranked(report, code):
    return [(concern.label, concern.documents) for concern in report.by_subtopic[code]]


def test_top_concerns_per_subtopic(report):
    assert ranked(report, "1.A.1")[0] == ("vidéo-protection", 4)
    assert ranked(report, "1.B.1")[:2] == [("cambriolages", 4), ("vacances", 2)]
    # The minutes of forum 11 add a fourth text on speeding.
    assert ranked(report, "1.B.2")[:2] == [("vitesse excessive", 4), ("contrôles", 3)]
    assert ranked(report, "1.B.3") == [("violences conjugales", 3)]
    assert ranked(report, "1.B.7") == [("sentiment d’insécurité", 3), ("patrouilles", 3)]
    assert ranked(report, "2.A.1")[0] == ("police municipale", 5)
    assert ranked(report, "2.B.1")[:3] == [("escroquerie", 3), ("internet", 3), ("personnes âgées", 2)]


def test_subtopics_without_texts_have_no_entry(report):
    assert set(report.by_subtopic) == {"1.A.1", "1.B.1", "1.B.2", "1.B.3", "1.B.7", "2.A.1", "2.B.1"}
    assert report.documents["1.B.2"] == 5  # four published questions and the minutes of forum 11


def test_phrases_are_found_and_absorb_their_words(report):
    phrases = {key for key, stats in report.table.items() if stats.is_phrase}
    assert {"video+protect", "vitess+excess", "violenc+conjugal", "polic+municipal", "sent+insecurit",
            "person+age"} <= phrases
    # Their words are not counted again on their own…
    for word in ("conjugal", "municipal", "excess", "insecurit", "age"):
        assert word not in report.table
    # …except where they occur outside the phrase: "contrôles de vitesse" counts "vitesse" once.
    assert report.table["vitess"].by_subtopic == {"1.B.2": (1, 1)}


def test_the_table_keeps_every_term_and_its_counts(report):
    stats = report.table["cambriolag"]
    assert (stats.key, stats.is_phrase, stats.label) == ("cambriolag", False, "cambriolages")
    assert stats.totals("1.B.1") == (4, 4) and stats.totals("1.A.1") == (0, 0)
    assert stats.totals() == (4, 4)
    # Terms found once stay in the department's table; what it hands to the nation keeps the recurring ones.
    assert report.table["imag"].totals() == (1, 1)
    assert "imag" not in report.for_aggregation().table
    assert report.for_aggregation().table["cambriolag"] == stats


def test_a_word_written_as_one_counts_as_the_phrase(report):
    concern = report.by_subtopic["1.A.1"][0]
    assert concern.key == "video+protect"
    assert sources.question("13-000002") in concern.sources  # "la vidéoprotection"
    assert dict(report.table["video+protect"].forms) == {
        "vidéo protection": 1, "vidéo-protection": 2, "vidéoprotection": 1}


def test_a_stop_word_or_a_comma_breaks_a_phrase():
    documents = [Document(sources.question(f"13-{n:06d}"), "1.B.7", text) for n, text in enumerate([
        "Nous voulons une police de proximité.", "Une police de proximité, vite.",
        "Police, gendarmerie : même combat.", "La police, gendarmerie comprise.",
    ], 1)]
    report = find_concerns(documents)
    assert not any(stats.is_phrase for stats in report.table.values())
    assert report.by_subtopic["1.B.7"][0].label == "proximité"


def test_a_pair_in_a_single_text_is_no_phrase():
    documents = [
        Document(sources.question("13-000001"), "1.B.2", "Radar fixe ici. Radar fixe là."),
        Document(sources.question("13-000002"), "1.B.2", "Un radar mobile et un radar pédagogique."),
    ]
    report = find_concerns(documents)
    assert "radar+fix" not in report.table
    assert report.table["radar"].by_subtopic == {"1.B.2": (2, 4)}


def test_the_chance_rule():
    # Two words that are each in half the pairs meet by chance: no phrase, whatever the count.
    assert _g2(2, 40, 40, 100) == 0.0
    assert _g2(3, 3, 3, 1000) >= PHRASE_MIN_G2
    assert _g2(2, 2, 2, 50) >= PHRASE_MIN_G2


def test_subject_words_are_not_concerns_alone(report):
    for term in ("polic", "gendarmer", "securit", "habit"):
        assert term not in report.table


def test_quotes_come_from_published_questions_and_minutes_only(report):
    concerns = [c for ranked in report.by_subtopic.values() for c in ranked] + list(report.overall)
    quoted = {quote.source for concern in concerns for quote in concern.quotes}
    assert quoted
    assert all(ref.kind in (sources.QUESTION, sources.MINUTES) for ref in quoted)
    assert not {ref.key for ref in quoted} & UNPUBLISHED
    texts = " ".join(quote.text for concern in concerns for quote in concern.quotes)
    assert "incapable" not in texts and "Lilas" not in texts and "milice" not in texts


def test_unpublished_questions_are_not_counted(report):
    # Question 10 (pending) and 29 (merged) speak of burglaries too; only the four published count.
    concern = report.by_subtopic["1.B.1"][0]
    assert [ref.key for ref in concern.sources] == ["13-000006", "13-000007", "13-000008", "13-000009"]
    assert {document.source.key for document in department_documents(corpus_department())}.isdisjoint(UNPUBLISHED)


def test_quotes_are_short_distinct_and_most_supported_first(report):
    concern = report.by_subtopic["1.B.1"][0]
    assert [quote.source.key for quote in concern.quotes] == ["13-000006", "13-000009", "13-000007"]
    assert concern.quotes[0].text == ("Trois cambriolages en un mois dans notre lotissement\u00a0: "
                                      "que fait la gendarmerie pour les prévenir\u202f?")
    # One sentence, the one holding the term.
    assert concern.quotes[2].text == "Les cambriolages se multiplient dans le village pendant les vacances."


def test_a_long_sentence_is_cut_around_the_term():
    long_text = ("Dans notre commune " + "très " * 30 + "calme, les cambriolages augmentent chaque été "
                 + "et " * 30 + "fin.")
    documents = [Document(sources.question("13-000001"), "1.B.1", long_text),
                 Document(sources.question("13-000002"), "1.B.1", "Encore des cambriolages.")]
    quote = find_concerns(documents).by_subtopic["1.B.1"][0].quotes[0]
    assert quote.text.startswith("… ") and quote.text.endswith(" …")
    assert "cambriolages" in quote.text
    assert len(quote.text.split()) < 30


def test_overall_concerns_sum_the_subtopics(report):
    overall = {concern.key: concern for concern in report.overall}
    assert overall["polic+municipal"].documents == 5
    # "soir": one question in 2.A.1, one in 1.B.7 (twice: 27 and the minutes), one in 1.B.2…
    assert overall["soir"].documents == sum(texts for texts, _ in report.table["soir"].by_subtopic.values())
    assert len({quote.source for quote in overall["soir"].quotes}) == len(overall["soir"].quotes)


def test_same_input_same_output_whatever_the_order():
    department = corpus_department()
    expected = department_concerns(department).to_dict()
    for seed in range(3):
        questions = list(department.questions)
        random.Random(seed).shuffle(questions)
        assert department_concerns(corpus_department(tuple(questions))).to_dict() == expected
    assert json.dumps(expected, sort_keys=False) == json.dumps(department_concerns(department).to_dict())


def test_ties_are_broken_by_label():
    documents = [Document(sources.question(f"13-{n:06d}"), "1.B.1", text) for n, text in enumerate(
        ["Tags et squats.", "Squats et tags.", "Tags, squats."], 1)]
    assert [c.label for c in find_concerns(documents).by_subtopic["1.B.1"]] == ["squats", "tags"]


def test_json_round_trip_and_trace_resolution(report):
    again = ConcernReport.from_dict(json.loads(json.dumps(report.to_dict())))
    assert again == report
    concern = report.by_subtopic["1.B.3"][0]
    assert str(concern.ref) == "[Préoccupation 1.B.3:violenc+conjugal]"
    assert again.concern(concern.ref) == concern
    assert again.concern(report.overall[0].ref) == report.overall[0]
    assert again.concern(sources.concern("1.B.3", "nothing")) is None


def test_an_unknown_schema_version_is_refused(report):
    data = report.to_dict()
    data["schema_version"] = 0
    with pytest.raises(ValueError, match="schema version"):
        ConcernReport.from_dict(data)


def test_no_texts_no_concerns():
    report = find_concerns([])
    assert (dict(report.by_subtopic), report.overall, dict(report.table), dict(report.documents)) == ({}, (), {}, {})


def test_concern_terms_fold_accents_plural_and_formulae():
    assert french.concern_term("Vidéos") == french.concern_term("video") == french.concern_term("vidéo")
    assert french.concern_term("lois") == french.concern_term("loi")
    assert french.concern_term("dangereux") == french.concern_term("dangereuse")
    assert french.concern_term("cambriolages") == french.concern_term("cambriolage")
    for word in ("bonjour", "pourriez", "les", "2009", "devant", "y"):
        assert french.concern_term(word) is None


def test_concern_tokens_mark_what_can_form_a_phrase():
    text = "Le sentiment d'insécurité, la vidéo-protection et la police de proximité."
    tokens = french.concern_tokens(text)
    assert [(text[start:end], glued) for _, start, end, glued in tokens] == [
        ("sentiment", False), ("insécurité", True), ("vidéo", False), ("protection", True),
        ("police", False), ("proximité", False),
    ]


def test_concern_tokens_keep_their_place_after_unusual_characters():
    text = "Un T2 de 45 m² ½ Ⅳ, vidéo-protection… d’accord l'hiver"
    assert [text[start:end] for _, start, end, _ in french.concern_tokens(text)] == [
        "vidéo", "protection", "accord", "hiver"]


def test_the_search_terms_are_unchanged():
    # The web app's search index and duplicate detection rely on these exact forms.
    assert french.terms("Les vidéoprotections de la ville, Sécurité!") == ["videoprotect", "vill", "securit"]
    assert french.search_text("L'éclairage public et la sécurité") == "eclairag public securit"
    assert french.fingerprint("Écoles, ÉCOLES!") == french.fingerprint("ecoles ecoles")
    assert french.words("Aujourd'hui, l'insécurité 2009") == ["aujourd", "hui", "insécurité", "2009"]
    assert french.word_count("Aujourd'hui, l'insécurité 2009") == 4
    assert french.strip_accents("Sécurité") == "securite"


def test_department_documents_merge_a_subtopic_recorded_twice_in_one_minutes():
    department = corpus_department(questions=(q(1, "published", "1.B.2", "Trop de vitesse."),))
    minutes = MinutesRecord(11, {}, None, "", "", (TopicRecord("1.B.2", "Vitesse."), TopicRecord("1.B.2", "Radars.")))
    documents = department_documents(replace(department, minutes=(minutes,)))
    assert [(d.source, d.text) for d in documents] == [
        (sources.question("13-000001"), "Trop de vitesse."), (sources.minutes(11), "Vitesse.\nRadars.")]
