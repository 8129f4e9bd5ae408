"""Finding communes by name or postal code, and the forums of a commune."""
import pytest

from forums.models import Canton, CantonKind, Commune, Department, ForumStatus, Region
from forums.models.territories import commune_postal_codes
from forums.services.commune_search import (
    commune_forums, escape_like, find_commune, postal_code_prefix, search_communes,
)
from forums.text import search_key


def add_commune(db, code, name, department, postal_codes="", population=1000, canton=None, cantons=(),
                arrondissement=None):
    """Create a commune as the territory loader would: search name, postal code rows, real cantons."""
    commune = Commune(code=code, name=name, search_name=search_key(name), department_code=department,
                      arrondissement_code=arrondissement, canton_code=canton, postal_codes=postal_codes,
                      population=population)
    commune.cantons = [db.session.get(Canton, c) for c in cantons]
    db.session.add(commune)
    db.session.flush()
    if postal_codes:
        db.session.execute(commune_postal_codes.insert(), [
            {"commune_code": code, "postal_code": postal} for postal in postal_codes.split()
        ])
    return commune


def add_department(db, code, name, region_code="84", region_name="Auvergne-Rhône-Alpes"):
    """Create a department (and its region if needed) without arrondissements or cantons."""
    if db.session.get(Region, region_code) is None:
        db.session.add(Region(code=region_code, name=region_name, is_metropolitan=True))
    department = Department(code=code, name=name, full_name=f"Département {name}", region_code=region_code,
                            is_metropolitan=True, capital_code=f"{code}000", capital_name=name)
    db.session.add(department)
    db.session.flush()
    return department


@pytest.fixture
def communes(db, territories):
    """Add communes around the mini France: shared postal codes, saints, homonyms."""
    add_department(db, "42", "Loire")
    add_department(db, "69", "Rhône")
    add_commune(db, "13109", "Le Tholonet", "13", "13100", population=2400, canton="1301", cantons=["1301"])
    add_commune(db, "13012", "Beaurecueil", "13", "13100", population=600, canton="1301", cantons=["1301"])
    add_commune(db, "42218", "Saint-Étienne", "42", "42000 42100", population=171000)
    add_commune(db, "42207", "Saint-Étienne-le-Molard", "42", "42130", population=1000)
    add_commune(db, "69202", "Sainte-Foy-lès-Lyon", "69", "69110", population=22000)
    add_commune(db, "42111", "Marcilly-le-Châtel", "42", "42130", population=1300)
    db.session.commit()


def names(matches):
    return [commune.name for commune in matches.communes]


def test_a_postal_code_finds_every_commune_sharing_it_largest_first(db, communes):
    matches = search_communes("13100")

    assert names(matches) == ["Aix-en-Provence", "Le Tholonet", "Beaurecueil"]
    assert matches.postal_code == "13100"
    assert matches.exact_count == 3
    assert matches.chosen is None


def test_a_postal_code_of_one_commune_chooses_it_even_with_spaces(db, communes):
    assert search_communes(" 13 130 ").chosen.code == "13014"
    assert postal_code_prefix("13 130") == "13130"
    assert postal_code_prefix("2A004") is None
    assert postal_code_prefix("1") is None


def test_the_beginning_of_a_postal_code_lists_communes_without_choosing(db, communes):
    matches = search_communes("421")

    assert names(matches) == ["Saint-Étienne", "Marcilly-le-Châtel", "Saint-Étienne-le-Molard"]
    assert matches.chosen is None


def test_names_ignore_case_accents_and_saint_abbreviations(db, communes):
    for typed in ("st etienne", "SAINT-ETIENNE", "Saint Étienne", "st-étienne"):
        matches = search_communes(typed)
        assert matches.chosen.code == "42218", typed
        assert names(matches) == ["Saint-Étienne", "Saint-Étienne-le-Molard"]
    assert search_communes("SAINTE FOY LES LYON").chosen.code == "69202"
    assert search_communes("ste foy lès lyon").chosen.code == "69202"


def test_exact_names_come_before_prefixes_then_words_then_population(db, communes):
    add_commune(db, "42999", "Le Chambon-Saint-Étienne", "42", population=500_000)
    db.session.commit()

    matches = search_communes("saint etienne")

    assert names(matches) == ["Saint-Étienne", "Saint-Étienne-le-Molard", "Le Chambon-Saint-Étienne"]
    assert matches.exact_count == 1


def test_every_typed_word_must_begin_a_word_of_the_name(db, communes):
    assert names(search_communes("foy lyon")) == ["Sainte-Foy-lès-Lyon"]
    assert names(search_communes("tienne")) == []
    assert names(search_communes("chat")) == ["Marcilly-le-Châtel"]


def test_candidates_are_capped_and_the_rest_announced(db, communes):
    for number in range(12):
        add_commune(db, f"13{300 + number}", f"Village {number}", "13", population=number)
    db.session.commit()

    matches = search_communes("village", limit=10)

    assert len(matches.communes) == 10
    assert matches.has_more
    assert matches.communes[0].name == "Village 11"
    assert not search_communes("village", limit=20).has_more


@pytest.mark.parametrize("typed", ["", "   ", "%", "_", "%%", "😀😀", "'; DROP TABLE communes; --", "قرية",
                                   "a" * 10_000, "saint " * 5_000])
def test_any_text_is_searched_safely(db, communes, typed):
    matches = search_communes(typed)

    assert matches.communes == [] or all(c.search_name.startswith("saint") for c in matches.communes)
    assert db.session.scalar(db.select(db.func.count()).select_from(Commune)) == 13


def test_like_wildcards_are_escaped():
    assert escape_like("50%_/x") == "50/%/_//x"


def test_find_commune_accepts_only_insee_codes(db, communes):
    assert find_commune("2A004").name == "Ajaccio"
    assert find_commune("42218").department.name == "Loire"
    for code in ("", "99999", "2a004", "1300", "130010", "13'01", "١٣٠٠١"):
        assert find_commune(code) is None, code


def test_commune_forums_say_which_cantons_lack_a_forum(db, communes, consultation, create_forum):
    marseille_1 = Canton(code="1311", name="Marseille-1", department_code="13", kind=CantonKind.CANTON,
                         capital_code="13055")
    marseille_2 = Canton(code="1312", name="Marseille-2", department_code="13", kind=CantonKind.CANTON,
                         capital_code="13055")
    db.session.add_all([marseille_1, marseille_2])
    db.session.flush()
    add_commune(db, "13055", "Marseille", "13", "13001", population=870_000, arrondissement="131",
                cantons=["1311", "1312"])
    db.session.commit()
    in_first = create_forum(cantons=["1311"], status=ForumStatus.PUBLISHED)

    result = commune_forums(consultation, find_commune("13055"))

    assert [forum.id for forum in result.forums] == [in_first.id]
    assert [canton.code for canton in result.uncovered_cantons] == ["1312"]
    assert result.department_forums == []


def test_commune_forums_fall_back_on_the_department(db, communes, consultation, create_forum):
    elsewhere = create_forum(cantons=["1306"], status=ForumStatus.PUBLISHED)
    create_forum(cantons=["1306"], status=ForumStatus.DRAFT)

    result = commune_forums(consultation, find_commune("13014"))

    assert result.forums == []
    assert [canton.code for canton in result.uncovered_cantons] == ["1305"]
    assert [forum.id for forum in result.department_forums] == [elsewhere.id]
