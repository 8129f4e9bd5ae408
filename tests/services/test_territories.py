"""Loading the packaged territories: national counts, idempotence, derivation, refusal of bad files."""
import gzip

import pytest
import sqlalchemy as sa

from forums.models import Arrondissement, Canton, CantonKind, Commune, CommuneKind, Department, Region
from forums.models.territories import canton_arrondissements, commune_postal_codes
from forums.services.territories import (
    DEFAULT_DIRECTORY, TerritoryDataError, count_territories, derive_canton_arrondissements,
    derive_commune_cantons,
    load_territories,
)

#: A made-up mini France, one list of CSV lines per packaged file. Canton 1305 spans
#: arrondissements 131 and 132; Gap-1 (0506) is made only of a fraction of Gap, which INSEE
#: puts in the pseudo-canton 0599; Martinique has no cantons.
MINI = {
    "regions": [
        "code,name,is_metropolitan",
        "02,Martinique,false",
        "93,Provence-Alpes-Côte d'Azur,true",
    ],
    "departments": [
        "code,name,full_name,region_code,is_metropolitan,capital_code,capital_name",
        "05,Hautes-Alpes,Département des Hautes-Alpes,93,true,05061,Gap",
        "13,Bouches-du-Rhône,Département des Bouches-du-Rhône,93,true,13001,Aix-en-Provence",
        "972,Martinique,Département de la Martinique,02,false,97209,Fort-de-France",
    ],
    "arrondissements": [
        "code,name,department_code,capital_code",
        "051,Briançon,05,05023",
        "052,Gap,05,05061",
        "131,Aix-en-Provence,13,13001",
        "132,Arles,13,13004",
        "9721,Fort-de-France,972,97209",
    ],
    "cantons": [
        "code,name,department_code,kind,composition,capital_code",
        "0502,Briançon-1,05,C,Canton composé de commune(s) entière(s),05023",
        "0506,Gap-1,05,C,Canton composé d'une fraction de commune,05061",
        "0599,Gap,05,V,,05061",
        "1301,Aix-en-Provence-1,13,C,Canton composé de commune(s) entière(s),13001",
        "1305,Berre-l'Étang,13,C,Canton composé de commune(s) entière(s),13014",
        "1306,Arles,13,C,Canton composé de commune(s) entière(s),13004",
    ],
    "communes": [
        "code,name,kind,parent_code,department_code,arrondissement_code,canton_code,postal_codes,population",
        "05023,Briançon,COM,,05,051,0502,05100,11000",
        "05061,Gap,COM,,05,052,0599,05000,41293",
        "13001,Aix-en-Provence,COM,,13,131,1301,13080 13090 13100,147478",
        "13004,Arles,COM,,13,132,1306,13200 13280,51000",
        "13014,Berre-l'Étang,COM,,13,131,1305,13130,14000",
        "13062,Rognac,COM,,13,132,1305,13340,12000",
        "97209,Fort-de-France,COM,,972,9721,,97200 97234,75506",
    ],
    "arrondissement_cantons": [
        "commune_code,canton_code",
    ],
}

MINI_LINKS = {
    ("0502", "051"), ("0506", "052"), ("0599", "052"), ("1301", "131"),
    ("1305", "131"), ("1305", "132"), ("1306", "132"),
}


def write_dataset(directory, **replaced):
    """Write MINI as packaged files into ``directory``, with some levels' lines replaced."""
    directory.mkdir(parents=True, exist_ok=True)
    for level, lines in {**MINI, **replaced}.items():
        with gzip.open(directory / f"{level}.csv.gz", "wt", encoding="utf-8", newline="") as out:
            out.write("\n".join(lines) + "\n")
    return directory


def changed_line(level, index, line):
    """Return MINI's lines of ``level`` with line ``index`` (0 is the header) replaced."""
    lines = list(MINI[level])
    lines[index] = line
    return lines


def snapshot(db):
    """Return every territory row and link, to tell whether a load wrote anything."""
    tables = [Region.__table__, Department.__table__, Arrondissement.__table__, Canton.__table__,
              Commune.__table__, canton_arrondissements]
    return {
        table.name: sorted(tuple(row) for row in db.session.execute(sa.select(table)))
        for table in tables
    }


def cantons_of(db, commune_code):
    return [c.code for c in db.session.get(Commune, commune_code).cantons]


def links_of(db, canton_code):
    return [a.code for a in db.session.get(Canton, canton_code).arrondissements]


@pytest.mark.slow
def test_full_packaged_load_gives_france(db):
    report = load_territories()
    db.session.commit()

    expected = {"regions": 18, "departments": 101, "arrondissements": 333, "cantons": 2293,
                "communes": 34875}
    # The communes' file lists the 45 municipal arrondissements of Paris, Lyon and Marseille too.
    assert {name: level.created for name, level in report.levels.items()} == {**expected, "communes": 34920}
    counts = count_territories()
    assert {name: counts[name] for name in expected} == expected
    assert counts["municipal_arrondissements"] == 45
    assert counts["cantons_by_kind"] == {
        CantonKind.CANTON: 2054, CantonKind.PSEUDO: 219, CantonKind.FICTIVE: 20,
    }
    # Codes are strings with their leading zeros; Corsica is 2A/2B.
    assert db.session.get(Region, "01").name == "Guadeloupe"
    ain = db.session.get(Department, "01")
    assert (ain.name, ain.full_name) == ("Ain", "Département de l'Ain")
    assert db.session.get(Department, "2A").name == "Corse-du-Sud"
    assert db.session.get(Department, "2B").capital_code == "2B033"
    assert db.session.get(Commune, "01001").department_code == "01"
    bdr = db.session.get(Department, "13")
    assert (bdr.full_name, bdr.capital_code, bdr.capital_name) == (
        "Département des Bouches-du-Rhône", "13055", "Marseille")
    assert db.session.get(Department, "974").full_name == "Département de La Réunion"
    assert db.session.get(Arrondissement, "131").capital_code == "13001"
    # Martinique and Guyane have no cantons; Mayotte has no arrondissements.
    overseas = sa.select(sa.func.count()).select_from(Commune).where(
        Commune.department_code.in_(["972", "973"]))
    assert db.session.scalar(overseas) == 56
    assert db.session.scalar(overseas.where(Commune.canton_code.is_not(None))) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Canton).where(
        Canton.department_code.in_(["972", "973"]))) == 0
    # Martinique and Guyane (56 communes), and Paris and the 58 communes of the Métropole de Lyon.
    assert counts["communes_without_canton"] == 115
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Commune).where(
        Commune.arrondissement_code.is_(None))) == 17
    # Kinds, composition and capitals of cantons.
    marseille = db.session.get(Canton, "1398")
    assert (marseille.kind, marseille.composition, marseille.capital_code) == (
        CantonKind.PSEUDO, "", "13055")
    gap_1 = db.session.get(Canton, "0506")
    assert gap_1.composition == "Canton composé d'une fraction de commune"
    assert gap_1.communes == []
    # A real canton spanning two arrondissements, and a fraction-only canton.
    assert links_of(db, "0110") == ["011", "014"]
    assert links_of(db, "0506") == ["052"] == [db.session.get(Commune, "05061").arrondissement_code]
    # Every canton touches an arrondissement, except in Mayotte which has none.
    unlinked = db.session.scalars(
        sa.select(Canton.department_code).distinct()
        .where(~Canton.code.in_(sa.select(canton_arrondissements.c.canton_code)))
    ).all()
    assert unlinked == ["976"]
    assert "75116" in db.session.get(Commune, "75056").postal_codes.split()
    # Real cantons of communes: whole communes get theirs, split ones every canton they head.
    assert cantons_of(db, "01004") == ["0101"]
    assert cantons_of(db, "13055") == [f"13{n}" for n in range(12, 24)]
    assert cantons_of(db, "13001") == ["1301", "1302"]
    assert cantons_of(db, "05061") == ["0506", "0507", "0508", "0509"]
    assert cantons_of(db, "75056") == []
    assert cantons_of(db, "97209") == []


@pytest.mark.slow
def test_second_packaged_load_changes_nothing(db):
    load_territories()
    db.session.commit()

    report = load_territories()

    assert not report.changed
    assert all(level.unchanged == level.total and not level.obsolete
               for level in report.levels.values())
    assert report.levels["communes"].unchanged == 34920
    assert (report.links.created, report.links.removed) == (0, 0)
    assert report.links.total == count_territories()["links"]
    assert (report.commune_links.created, report.commune_links.removed) == (0, 0)
    assert report.commune_links.total == count_territories()["commune_links"]


def test_mini_load_derives_canton_arrondissements(db, tmp_path):
    report = load_territories(write_dataset(tmp_path))
    db.session.commit()

    assert report.changed
    assert report.levels["communes"].created == 7
    assert report.links.created == report.links.total == len(MINI_LINKS)
    assert {tuple(row) for row in db.session.execute(sa.select(canton_arrondissements))} == MINI_LINKS
    assert links_of(db, "1305") == ["131", "132"]
    # Gap-1 is listed by no commune: it gets the arrondissement of its chief town.
    assert links_of(db, "0506") == ["052"]
    assert db.session.get(Commune, "97209").canton_code is None
    assert db.session.get(Canton, "0599").kind is CantonKind.PSEUDO


def test_derivation_uses_communes_first_then_capital():
    cantons = {
        "0101": {"capital_code": "01001"},
        "0102": {"capital_code": "01003"},
        "0199": {"capital_code": "01003"},
    }
    communes = {
        "01001": {"canton_code": "0101", "arrondissement_code": "011"},
        "01002": {"canton_code": "0101", "arrondissement_code": "012"},
        "01003": {"canton_code": "0199", "arrondissement_code": "013"},
    }
    assert derive_canton_arrondissements(cantons, communes) == {
        ("0101", "011"), ("0101", "012"), ("0102", "013"), ("0199", "013"),
    }


def test_commune_cantons_follow_real_cantons_then_chief_towns():
    cantons = {
        "0506": {"kind": CantonKind.CANTON, "capital_code": "05061"},
        "0507": {"kind": CantonKind.CANTON, "capital_code": "05061"},
        "0501": {"kind": CantonKind.CANTON, "capital_code": "05001"},
        "0599": {"kind": CantonKind.PSEUDO, "capital_code": "05061"},
        "0598": {"kind": CantonKind.FICTIVE, "capital_code": "05090"},
    }
    communes = {
        "05001": {"kind": CommuneKind.COMMUNE, "canton_code": "0501"},
        "05061": {"kind": CommuneKind.COMMUNE, "canton_code": "0599"},
        "05090": {"kind": CommuneKind.COMMUNE, "canton_code": "0598"},
        "97209": {"kind": CommuneKind.COMMUNE, "canton_code": None},
    }
    assert derive_commune_cantons(cantons, communes) == {
        ("05001", "0501"), ("05061", "0506"), ("05061", "0507"),
    }


def test_reload_updates_changed_rows_and_keeps_obsolete_ones(db, tmp_path):
    load_territories(write_dataset(tmp_path / "first"))
    db.session.commit()
    communes = [line for line in MINI["communes"] if not line.startswith("13062,")]
    communes = [line.replace(",51000", ",52000") for line in communes]
    cantons = [line.replace("Gap-1,", "Gap Un,") for line in MINI["cantons"]]

    report = load_territories(write_dataset(tmp_path / "second", communes=communes, cantons=cantons))
    db.session.commit()

    assert report.changed
    levels = report.levels
    assert (levels["communes"].created, levels["communes"].updated,
            levels["communes"].unchanged, levels["communes"].obsolete) == (0, 1, 5, 1)
    assert (levels["cantons"].updated, levels["cantons"].unchanged) == (1, 5)
    assert levels["regions"].unchanged == 2
    assert db.session.get(Commune, "13004").population == 52000
    assert db.session.get(Canton, "0506").name == "Gap Un"
    # Rognac is gone from the data but kept; Berre-l'Étang no longer reaches Arles.
    assert db.session.get(Commune, "13062") is not None
    assert (report.links.created, report.links.removed) == (0, 1)
    assert links_of(db, "1305") == ["131"]


#: (file, index of the replaced line in MINI, new line, line named in the error, message).
BAD_FILES = [
    ("communes", 2, "05061,Gap,COM,,05,052,0599,05000", 3, "8 champ(s) au lieu de 9"),
    ("communes", 1, "05023,Briançon,COM,,05,051,0502,05100,11000,", 2, "10 champ(s) au lieu de 9"),
    ("regions", 1, ",Martinique,false", 2, "code vide"),
    ("communes", 4, "13004,Arles,COM,,13,132,9999,13200,51000", 5,
     "canton_code « 9999 » inconnu dans cantons.csv.gz"),
    ("departments", 2, "13,Bouches-du-Rhône,Département,94,true,13001,Aix", 3,
     "region_code « 94 » inconnu dans regions.csv.gz"),
    ("arrondissements", 1, "052,Gap,05,05061", 3, "code « 052 » en double (déjà ligne 2)"),
    ("communes", 1, "05023,Briançon,COM,,05,051,0502,05100,11 000", 2,
     "population « 11 000 » n'est pas un nombre entier"),
    ("communes", 4, "13004,Arles,COM,,13,132,0502,13200,51000", 5,
     "le canton « 0502 » est dans le département « 05 », pas dans « 13 »"),
    ("communes", 4, "13004,Arles,COM,,13,051,1306,13200,51000", 5,
     "l'arrondissement « 051 » est dans le département « 05 »"),
    ("communes", 4, "06004,Arles,COM,,13,132,1306,13200,51000", 5,
     "ne commence pas par celui de son département « 13 »"),
    ("regions", 0, "code,name", 1, "colonne(s) manquante(s) : is_metropolitan"),
    ("regions", 0, "code,name,is_metropolitan,population", 1, "colonne(s) en trop : population"),
    ("regions", 1, "02,Martinique,oui", 2, "is_metropolitan « oui » n'est ni true ni false"),
    ("cantons", 3, "0599,Gap,05,X,,05061", 4, "kind « X » n'est pas un type de canton"),
    ("cantons", 1, "0502," + "B" * 101 + ",05,C,,05023", 2, "name plus long que 100 caractères"),
    ("arrondissements", 1, "051,Briançon,05,05061", 2,
     "chef-lieu « 05061 » absent des communes de cet arrondissement"),
]


@pytest.mark.parametrize("level, index, line, expected_line, message", BAD_FILES)
def test_bad_file_is_refused_as_a_whole(db, tmp_path, level, index, line, expected_line, message):
    load_territories(write_dataset(tmp_path / "good"))
    db.session.commit()
    before = snapshot(db)
    # A valid change in another file must not be written either.
    other = "departments" if level == "regions" else "regions"
    renamed = [row.replace("Martinique", "Madinina") for row in MINI[other]]
    directory = write_dataset(
        tmp_path / "bad", **{level: changed_line(level, index, line), other: renamed}
    )

    with pytest.raises(TerritoryDataError) as caught:
        load_territories(directory)
    db.session.commit()

    assert caught.value.file_name == f"{level}.csv.gz"
    assert caught.value.line == expected_line
    assert str(caught.value).startswith(f"{level}.csv.gz, ligne {expected_line} : ")
    assert message in str(caught.value)
    assert snapshot(db) == before


def test_truncated_gzip_is_refused(db, tmp_path):
    for path in DEFAULT_DIRECTORY.glob("*.csv.gz"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    communes = tmp_path / "communes.csv.gz"
    communes.write_bytes(communes.read_bytes()[: communes.stat().st_size // 2])

    with pytest.raises(TerritoryDataError) as caught:
        load_territories(tmp_path)
    db.session.commit()

    assert caught.value.file_name == "communes.csv.gz"
    assert caught.value.line > 10_000
    assert "fichier gzip tronqué ou corrompu" in str(caught.value)
    assert snapshot(db)["regions"] == []


def test_file_that_is_not_gzip_is_refused(db, tmp_path):
    directory = write_dataset(tmp_path)
    (directory / "cantons.csv.gz").write_text("\n".join(MINI["cantons"]), encoding="utf-8")

    with pytest.raises(TerritoryDataError, match=r"^cantons\.csv\.gz : pas un fichier gzip"):
        load_territories(directory)


def test_missing_file_is_refused(db, tmp_path):
    directory = write_dataset(tmp_path)
    (directory / "arrondissements.csv.gz").unlink()

    with pytest.raises(TerritoryDataError, match=r"^arrondissements\.csv\.gz : fichier introuvable"):
        load_territories(directory)


def test_communes_are_searchable_by_folded_name_and_postal_code(db, tmp_path):
    load_territories(write_dataset(tmp_path))
    db.session.commit()

    assert db.session.get(Commune, "13014").search_name == "berre l etang"
    postal = sa.select(commune_postal_codes.c.commune_code).where(commune_postal_codes.c.postal_code == "13090")
    assert db.session.scalars(postal).all() == ["13001"]
    assert count_territories()["postal_links"] == 11


def test_search_key_folds_accents_case_punctuation_and_saint():
    from forums.text import search_key

    assert search_key("St-Étienne-du-Rouvray") == search_key("saint etienne du rouvray") == "saint etienne du rouvray"
    assert search_key("Ste-Foy-lès-Lyon") == "sainte foy les lyon"
    assert search_key("L'Haÿ-les-Roses") == "l hay les roses"
    # A "St" inside a word is left alone.
    assert search_key("Stiring-Wendel") == "stiring wendel"


#: A made-up city divided into two municipal arrondissements and split between two real cantons,
#: which INSEE groups in a pseudo-canton, as Marseille; and Paris, which no canton covers.
CITY = {
    "departments": MINI["departments"] + [
        "75,Paris,Ville de Paris,93,true,75056,Paris",
    ],
    "arrondissements": MINI["arrondissements"] + ["751,Paris,75,75056"],
    "cantons": MINI["cantons"][:4] + [
        "1312,Marseille-1,13,C,Canton composé de fractions de plusieurs communes,13055",
        "1313,Marseille-2,13,C,Canton composé de fractions de plusieurs communes,13055",
    ] + MINI["cantons"][4:] + ["1398,Marseille,13,V,,13055"],
    "communes": MINI["communes"][:7] + [
        "13055,Marseille,COM,,13,131,1398,13001 13002,886040",
        "13201,Marseille 1er Arrondissement,ARM,13055,13,131,1398,13001,0",
        "13202,Marseille 2e Arrondissement,ARM,13055,13,131,1398,13002,0",
        "75056,Paris,COM,,75,751,,75001 75016 75116,2103778",
        "75101,Paris 1er Arrondissement,ARM,75056,75,751,,75001,0",
        "75116,Paris 16e Arrondissement,ARM,75056,75,751,,75016 75116,0",
    ] + MINI["communes"][7:],
}


def postal_communes(db, postal_code):
    return db.session.scalars(sa.select(commune_postal_codes.c.commune_code)
                              .where(commune_postal_codes.c.postal_code == postal_code)).all()


def test_municipal_arrondissements_are_communes_found_by_their_postal_codes(db, tmp_path):
    load_territories(write_dataset(tmp_path, **CITY))
    db.session.commit()

    sixteenth = db.session.get(Commune, "75116")
    assert (sixteenth.kind, sixteenth.parent.name, sixteenth.label) == (
        CommuneKind.MUNICIPAL_ARRONDISSEMENT, "Paris", "Paris 16e Arrondissement (75016)")
    assert db.session.get(Commune, "75056").has_municipal_arrondissements
    assert not sixteenth.has_municipal_arrondissements
    # A divided city is found through its arrondissements only.
    assert postal_communes(db, "75116") == postal_communes(db, "75016") == ["75116"]
    assert postal_communes(db, "13002") == ["13202"]
    # Paris lies in no canton, and forums cover its arrondissements; Marseille's cantons cover Marseille.
    assert [c.code for c in db.session.scalars(sa.select(Commune).where(Commune.is_coverage_unit)
                                               .where(Commune.department_code == "75"))] == ["75101", "75116"]
    assert not db.session.get(Commune, "13202").is_coverage_unit
    assert count_territories()["municipal_arrondissements"] == 4


def test_marseille_arrondissements_take_the_cantons_of_the_table_or_else_their_city_s(db, tmp_path):
    table = ["commune_code,canton_code", "13202,1313"]
    load_territories(write_dataset(tmp_path, **CITY, arrondissement_cantons=table))
    db.session.commit()

    assert cantons_of(db, "13055") == ["1312", "1313"]
    assert cantons_of(db, "13202") == ["1313"]
    # No row for the 1st: it keeps all of its city's cantons rather than guessing.
    assert cantons_of(db, "13201") == ["1312", "1313"]
    assert cantons_of(db, "75116") == []

    report = load_territories(write_dataset(tmp_path / "again", **CITY, arrondissement_cantons=table))
    assert not report.changed


@pytest.mark.parametrize(("table", "message"), [
    (["commune_code,canton_code", "13055,1312"], "ligne 2 : « 13055 » n'est pas un arrondissement municipal"),
    (["commune_code,canton_code", "13201,0502"], "ligne 2 : « 0502 » n'est pas un canton du département"),
    (["commune_code,canton_code", "13201,1398"], "ligne 2 : « 1398 » n'est pas un canton du département"),
    (["commune_code,canton_code", "13201,1312", "13201,1312"], "ligne 3 : lien « 13201 », « 1312 » en double"),
    (["canton_code,commune_code"], "ligne 1 : colonnes attendues : commune_code, canton_code"),
])
def test_bad_arrondissement_cantons_are_refused(db, tmp_path, table, message):
    with pytest.raises(TerritoryDataError) as caught:
        load_territories(write_dataset(tmp_path, **CITY, arrondissement_cantons=table))

    assert str(caught.value).startswith("arrondissement_cantons.csv.gz, " + message)
    assert snapshot(db)["regions"] == []


@pytest.mark.parametrize(("line", "message"), [
    ("13201,Marseille 1er Arrondissement,ARM,,13,131,1398,13001,0", "parent_code « None »"),
    ("13201,Marseille 1er Arrondissement,ARM,13202,13,131,1398,13001,0", "parent_code « 13202 »"),
    ("13201,Marseille 1er Arrondissement,COM,13055,13,131,1398,13001,0", "n'est pas un arrondissement municipal"),
    ("13201,Marseille 1er Arrondissement,XYZ,13055,13,131,1398,13001,0", "n'est pas un type de commune"),
])
def test_bad_municipal_arrondissements_are_refused(db, tmp_path, line, message):
    communes = [line if row.startswith("13201,") else row for row in CITY["communes"]]

    with pytest.raises(TerritoryDataError, match=message):
        load_territories(write_dataset(tmp_path, **{**CITY, "communes": communes}))


@pytest.mark.slow
def test_packaged_big_cities(db):
    load_territories()
    db.session.commit()

    arrondissements = sa.select(Commune.parent_code, sa.func.count()).where(
        Commune.kind == CommuneKind.MUNICIPAL_ARRONDISSEMENT).group_by(Commune.parent_code)
    assert dict(db.session.execute(arrondissements).all()) == {"75056": 20, "69123": 9, "13055": 16}
    assert postal_communes(db, "75013") == ["75113"]
    assert postal_communes(db, "69003") == ["69383"]
    assert postal_communes(db, "13013") == ["13213"]
    assert db.session.get(Commune, "69383").label == "Lyon 3e Arrondissement (69003)"
    # The Métropole de Lyon lies in no canton; the rest of the Rhône does.
    rhone_units = sa.select(Commune.code).where(Commune.department_code == "69", Commune.is_coverage_unit)
    codes = set(db.session.scalars(rhone_units))
    assert len(codes) == 57 + 9 and "69029" in codes and "69383" in codes and "69123" not in codes
    assert db.session.get(Commune, "69264").canton_code is not None  # Villefranche-sur-Saône
    # Marseille's table is not filled yet: each arrondissement keeps the city's twelve cantons.
    assert len(cantons_of(db, "13213")) == 12
