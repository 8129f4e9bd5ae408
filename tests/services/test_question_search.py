"""Searching published questions: full text alike on SQLite and PostgreSQL, filters, orders, pages, loading."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, select

from forums.models import Consultation, ForumStatus, Question, QuestionStatus, Subtopic, Theme, ThemePart
from forums.services.question_search import (
    fts5_query, question_by_reference, question_to_dict, search_published, search_terms, theme_choices, tsquery,
)

from ..conftest import paris_time

DAY = timedelta(days=1)
START = datetime(2009, 3, 20, 10, 0, tzinfo=UTC)

#: The corpus every search test runs on, on SQLite and on PostgreSQL: reference number → text.
CORPUS = {
    1: "Que fait la police contre les cambriolages dans notre quartier ?",
    2: "Un cambriolage a eu lieu chez ma voisine : comment mieux protéger les maisons ?",
    3: "La vidéo-protection est-elle efficace dans les centres-villes ?",
    4: "Pourquoi si peu de patrouilles de POLICIERS à pied le soir ?",
    5: "Les caméras de vidéoprotection filment-elles les jardins privés ?",
    6: "Que deviennent les fichiers de police quand une plainte est classée ?",
    7: "Les polices municipales peuvent-elles verbaliser le stationnement gênant ?",
    8: "Sécurité routière : les radars pédagogiques près des écoles",
}


@pytest.fixture
def corpus(db, create_question):
    """Publish the corpus in department 13 as 13-000001…, one day apart (8 the latest), sub-topics alternating."""
    questions = {}
    for number, text in CORPUS.items():
        questions[number] = create_question(
            text, subtopic=("1.A.1", "1.A.2", "2.A.1", "2.A.2")[number % 4], status=QuestionStatus.PUBLISHED,
            moderated_at=START + number * DAY,
        )
    return questions


def references(page):
    return [question.reference for question in page.items]


def numbers(page):
    return sorted(int(question.reference[3:]) for question in page.items)


# --- Full text, the same on both databases ---------------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ("cambriolages", [1, 2]),               # plural and singular alike
    ("Cambriolage", [1, 2]),                # case
    ("CAMBRIOLÂGES", [1, 2]),               # accents the text does not have
    ("camb", [1, 2]),                       # the last word as a prefix
    ("cambriolages maison", [2]),           # every word is required
    ("cambriol maisons", []),               # only the last word is a prefix
    ("video", [3, 5]),                      # "vidéo-protection" and "vidéoprotection"
    ("Vidéo protection", [3]),
    ("policiers", [4]),
    ("police", [1, 4, 6, 7]),               # "police" as a prefix finds "polices" and "policiers" too
    ("fichier police", [6]),
    ("la police est là", [1, 4, 6, 7]),     # common words are left out
    ("sécurité routière", [8]),
    ("securite routiere", [8]),             # typed without accents
    ("SECURITE", [8]),
    ("jardins privés", [5]),
    ("gendarmerie", []),
    ("quartier cambriolages", [1]),
])
def test_full_text_finds_the_same_questions_on_every_database(corpus, query, expected):
    page = search_published(text=query)

    assert numbers(page) == expected
    assert page.total == len(expected)
    assert not page.text_ignored


def test_a_query_of_common_words_only_filters_nothing_and_says_so(corpus):
    page = search_published(text="Est-ce que le la de ?")

    assert page.total == len(CORPUS)
    assert page.text_ignored
    assert page.terms == ()


@pytest.mark.parametrize("query", [
    '"', '""', "*", "camb*", '"cambriolages" OR "police"', "OR", "NEAR(police cambriolages)", "police NOT camera",
    "'); DROP TABLE questions; --", "police' OR '1'='1", "cambriolages:*", "police & !camera | video", "\\", "a:b",
    "^police", "-police", "(police", "police)", "{police}", "%_", "\x00police", "police\u200b", "𝕡𝕠𝕝𝕚𝕔𝕖",
])
def test_query_syntax_in_user_text_is_searched_for_never_executed(db, corpus, query):
    terms = search_terms(query)
    # What the query must find, computed in Python: every term, the last one as a prefix.
    expected = sorted(
        number for number, question in corpus.items()
        if terms and all(term in question.search_text.split() for term in terms[:-1])
        and any(word.startswith(terms[-1]) for word in question.search_text.split())
    ) if terms else sorted(corpus)

    page = search_published(text=query)

    assert numbers(page) == expected
    if "DROP" in query:
        assert page.total == 0
        assert db.session.scalar(select(Question.id).limit(1)) is not None  # the table is still there


def test_a_long_query_is_cut_and_repeated_terms_searched_once(corpus):
    assert search_terms("police " * 500) == ("polic",)
    assert search_terms(" " * 500 + "police") == ()
    assert len(search_terms("cambriolages" * 50)) == 1
    assert len(search_terms(" ".join(f"mot{index}x" for index in range(100)))) <= 12


def test_the_query_languages_quote_every_term():
    assert fts5_query(["polic", 'a"b']) == '"polic" AND "a""b"*'
    assert tsquery(["polic", "l'x", "a\\b"]) == "'polic' & 'l''x' & 'a\\\\b':*"


def test_an_edited_public_text_is_searched_instead_of_the_original(db, corpus):
    question = corpus[2]
    question.set_public_text("Un vol a eu lieu chez une habitante : comment mieux protéger les maisons ?")
    db.session.commit()

    assert numbers(search_published(text="cambriolage")) == [1]
    assert numbers(search_published(text="habitante")) == [2]


def test_only_published_questions_of_the_consultation_are_found(db, corpus, create_question, consultation):
    for status in (QuestionStatus.PENDING, QuestionStatus.REJECTED, QuestionStatus.MERGED):
        create_question("Encore un cambriolage dans mon immeuble, que faire ?", status=status)
    other = Consultation(slug="2010", name="Autre", meetings_start_on=consultation.meetings_start_on,
                         meetings_end_on=consultation.meetings_end_on,
                         synthesis_due_on=consultation.synthesis_due_on)
    theme = Theme(consultation=other, code="1", position=1, title="Autre thème")
    part = ThemePart(theme=theme, code="1.A", position=1, title="Partie")
    subtopic = Subtopic(part=part, code="1.A.1", position=1, title="Sous-thème")
    db.session.add(other)
    db.session.flush()
    db.session.add(Question(
        consultation_id=other.id, department_code="13", theme_id=theme.id, subtopic_id=subtopic.id,
        reference="13-900001", text="Cambriolages d'une autre consultation", public_text="Cambriolages",
        search_text="cambriolag", fingerprint="x", status=QuestionStatus.PUBLISHED, followup_token_hash="y" * 64,
    ))
    db.session.commit()

    assert numbers(search_published(text="cambriolage")) == [1, 2]
    assert search_published().total == len(CORPUS)
    assert references(search_published(consultation=other)) == ["13-900001"]


def test_without_a_current_consultation_nothing_is_listed(db, corpus, consultation):
    consultation.is_current = False
    db.session.commit()

    page = search_published()

    assert page.items == () and page.total == 0 and page.pages == 1


# --- Filters, orders, pages ------------------------------------------------------------------------

def test_filters_by_department_theme_and_subtopic(corpus, create_question, subtopics):
    create_question("Les cambriolages augmentent-ils à Paris ?", department="75", status=QuestionStatus.PUBLISHED)
    theme_2 = subtopics["2.A.1"].part.theme_id

    assert search_published(department_code="13").total == len(CORPUS)
    assert search_published(department_code="75", text="cambriolage").total == 1
    assert numbers(search_published(department_code="13", theme_id=theme_2)) == [2, 3, 6, 7]
    assert numbers(search_published(subtopic_id=subtopics["2.A.1"].id)) == [2, 6]
    assert numbers(search_published(subtopic_id=subtopics["2.A.1"].id, text="plainte")) == [6]


def test_a_forum_lists_the_questions_asked_for_it_and_those_it_took_up(db, create_forum, create_question):
    forum = create_forum(status=ForumStatus.HELD)
    other = create_forum(status=ForumStatus.PUBLISHED, cantons=["1306"], commune="13004")
    asked = create_question("Question posée pour le forum d'Aix", forum=forum, status=QuestionStatus.PUBLISHED)
    taken_up = create_question("Question au département reprise au forum", status=QuestionStatus.PUBLISHED,
                               addressed_forum_id=forum.id, addressed_at=paris_time(2009, 3, 17, 20, 0))
    create_question("Question pour le forum d'Arles", forum=other, status=QuestionStatus.PUBLISHED)
    create_question("Question en attente pour le forum d'Aix", forum=forum)

    page = search_published(forum_id=forum.id)

    assert {question.id for question in page.items} == {asked.id, taken_up.id}


def test_recent_order_puts_the_last_published_first(db, corpus, create_question):
    unmoderated = create_question("Publiée sans date de modération, soumise le 1er avril",
                                  status=QuestionStatus.PUBLISHED, submitted_at=START + 30 * DAY)

    page = search_published()

    assert page.items[0].id == unmoderated.id
    assert [int(q.reference[3:]) for q in page.items[1:]] == [8, 7, 6, 5, 4, 3, 2, 1]


def test_supported_order_puts_the_most_supported_first_then_the_last_published(db, corpus):
    corpus[3].support_count = 12
    corpus[6].support_count = 4
    corpus[1].support_count = 4
    db.session.commit()

    page = search_published(order="supported")

    assert [int(q.reference[3:]) for q in page.items] == [3, 6, 1, 8, 7, 5, 4, 2]


def test_a_search_is_paged_in_either_order_and_knows_its_count_past_the_last_page(db, corpus):
    corpus[1].support_count = 4
    db.session.commit()

    def shown(**criteria):
        page = search_published(text="police", per_page=3, **criteria)
        return [int(q.reference[3:]) for q in page.items], page.total, page.pages

    assert shown() == ([7, 6, 4], 4, 2)
    assert shown(page=2) == ([1], 4, 2)
    assert shown(page=3) == ([], 4, 2)
    assert shown(order="supported") == ([1, 7, 6], 4, 2)
    assert shown(order="supported", page=2) == ([4], 4, 2)


def test_an_unknown_order_is_a_programming_error(corpus):
    with pytest.raises(ValueError):
        search_published(order="random")


def test_pages_split_the_results_and_a_page_past_the_last_is_empty(corpus, count_queries):
    first = search_published(per_page=3)
    last = search_published(per_page=3, page=3)
    with count_queries() as statements:
        beyond = search_published(per_page=3, page=4, consultation=first.items[0].consultation)

    assert (first.total, first.pages, first.page) == (8, 3, 1)
    assert [int(q.reference[3:]) for q in first.items] == [8, 7, 6]
    assert [int(q.reference[3:]) for q in last.items] == [2, 1]
    assert beyond.items == () and beyond.total == 8
    assert len(statements) == 1  # the count only: no query for a page that cannot exist
    assert (first.has_prev, first.has_next, first.next_num, last.prev_num) == (False, True, 2, 2)
    assert list(search_published(per_page=1, page=5).iter_pages()) == [1, None, 3, 4, 5, 6, 7, 8]


def test_an_empty_result_costs_one_query(corpus, count_queries):
    consultation = corpus[1].consultation
    with count_queries() as statements:
        page = search_published(text="gendarmerie", consultation=consultation)

    assert page.total == 0 and len(statements) == 1


# --- Loading: what the pages show, and nothing more ------------------------------------------------

def test_results_come_with_what_pages_show_in_three_queries_and_never_the_email(
        db, create_forum, create_question, count_queries, consultation):
    forum = create_forum(status=ForumStatus.PUBLISHED)
    for index in range(6):
        create_question(f"Question numéro {index} sur les cambriolages", forum=forum if index % 2 else None,
                        status=QuestionStatus.PUBLISHED, email=f"auteur{index}@example.fr",
                        display_name=f"Auteur {index}" if index % 3 else None,
                        addressed_forum_id=forum.id if index == 4 else None,
                        addressed_at=forum.starts_at if index == 4 else None)
    consultation_id = consultation.id
    db.session.expunge_all()
    consultation = db.session.get(Consultation, consultation_id)

    with count_queries() as statements:
        page = search_published(consultation=consultation)
        shown = [(q.theme.title, q.subtopic.title, q.department.name, q.forum and q.forum.title,
                  q.addressed_forum and q.addressed_forum.starts_at, q.contact and q.contact.display_name)
                 for q in page.items]

    assert len(shown) == 6
    # The count; the page with department, forums and display name; the consultation's themes and
    # sub-topics, once for the page rather than joined to every row.
    assert len(statements) == 3, statements
    contacts = [question.contact for question in page.items]
    assert all(contact is not None for contact in contacts)
    # The address was not even read from the database.
    assert all("email" in inspect(contact).unloaded for contact in contacts)


def test_themes_already_loaded_cost_no_query(db, create_question, count_queries, consultation):
    for index in range(3):
        create_question(f"Question numéro {index} sur les cambriolages", status=QuestionStatus.PUBLISHED)
    consultation_id = consultation.id
    db.session.expunge_all()
    consultation = db.session.get(Consultation, consultation_id)
    choices = theme_choices(consultation)

    with count_queries() as statements:
        page = search_published(consultation=consultation)
        shown = [(q.consultation.name, q.theme.title, q.subtopic.title) for q in page.items]

    assert len(shown) == 3 and len(statements) == 2, statements
    assert {q.theme for q in page.items} <= {choice.theme for choice in choices}


def test_question_by_reference_finds_any_status_and_refuses_absurd_references(corpus, create_question):
    pending = create_question("Une question en attente de modération")

    assert question_by_reference("13-000003").id == corpus[3].id
    assert question_by_reference(pending.reference).status is QuestionStatus.PENDING
    assert question_by_reference("13-999999") is None
    assert question_by_reference("x" * 5000) is None
    assert question_by_reference("") is None


def test_theme_choices_give_themes_and_their_subtopics_in_order_in_one_query(db, subtopics, consultation,
                                                                            count_queries):
    db.session.refresh(consultation)
    with count_queries() as statements:
        choices = theme_choices(consultation)

    assert [(c.theme.code, [s.code for s in c.subtopics]) for c in choices] == [
        ("1", ["1.A.1", "1.A.2"]), ("2", ["2.A.1", "2.A.2"]),
    ]
    assert len(statements) == 1


def test_open_data_form_of_a_question_has_no_personal_data(app, db, create_forum, create_question):
    forum = create_forum(status=ForumStatus.HELD)
    question = create_question(
        "Texte d'origine avec le nom de mon voisin Jean Dupont", forum=forum, status=QuestionStatus.PUBLISHED,
        public_text="Texte publié sans nom", email="auteur@example.fr", display_name="Marie",
        moderated_at=START, answer_text="Nous **renforçons** les patrouilles.<script>x()</script>",
        answered_at=START + DAY, addressed_forum_id=forum.id, addressed_at=START + 2 * DAY,
    )

    with app.test_request_context():
        data = question_to_dict(question)

    assert data == {
        "reference": question.reference,
        "url": f"http://localhost/questions/{question.reference}",
        "department": {"code": "13", "name": "Bouches-du-Rhône"},
        "forum_id": forum.id,
        "theme": {"code": "1", "title": "La sécurité, un devoir vis-à-vis de nos concitoyens"},
        "subtopic": {"code": "1.A.1", "title": "Vidéo-protection"},
        "text": "Texte publié sans nom",
        "published_at": "2009-03-20T11:00:00+01:00",
        "support_count": 0,
        "answer": "Nous **renforçons** les patrouilles.<script>x()</script>",
        "answer_html": "<p>Nous <strong>renforçons</strong> les patrouilles.</p>",
        "answered_at": "2009-03-21T11:00:00+01:00",
        "addressed_forum_id": forum.id,
        "addressed_at": "2009-03-22T11:00:00+01:00",
    }
