"""Hand-built departments for the synthesis tests: every record written out, every number known."""
from dataclasses import replace
from datetime import UTC, date, datetime

from synthesis.coverage import ForumCover, Unit, compute_coverage
from synthesis.records import (
    DepartmentInput, ForumRecord, MinutesRecord, ProposalRecord, QuestionRecord, SubtopicRecord, TopicRecord,
)

THEME_1 = ("1", "La sécurité, un devoir vis-à-vis de nos concitoyens")
THEME_2 = ("2", "La sécurité, une responsabilité partagée")

SUBTOPICS = tuple(
    SubtopicRecord(code, title, *theme)
    for code, title, theme in (
        ("1.A.1", "Vidéo-protection", THEME_1),
        ("1.A.3", "Cybercriminalité", THEME_1),
        ("1.B.1", "Délinquance de voie publique et cambriolages", THEME_1),
        ("1.B.2", "Sécurité routière", THEME_1),
        ("1.B.3", "Violences intrafamiliales", THEME_1),
        ("1.B.7", "Présence et visibilité sur le terrain", THEME_1),
        ("2.A.1", "Polices municipales", THEME_2),
        ("2.B.1", "Acteur de sa propre sécurité (escroqueries sur internet, alerte-enlèvement)", THEME_2),
    )
)


def paris(day, hour=18):
    """Return an aware UTC datetime for ``hour`` o'clock in Paris (spring 2009: UTC+1 then UTC+2)."""
    offset = 1 if day < date(2009, 3, 29) else 2
    return datetime(day.year, day.month, day.day, hour - offset, tzinfo=UTC)


CANTONS = [
    Unit("1301", "Aix-en-Provence-1", ("131",)), Unit("1302", "Aix-en-Provence-2", ("131",)),
    Unit("1304", "Arles", ("132",)), Unit("1305", "Salon-de-Provence-1", ("134",)),
    Unit("1306", "Istres", ("134",)), Unit("1307", "Martigues", ("134",)),
    Unit("1308", "Marignane", ("131",)), Unit("1309", "Vitrolles", ("131",)),
]

FORUMS = (
    ForumRecord(11, "13", "131", "Forum de sécurité d'Aix-en-Provence", paris(date(2009, 3, 17)), "held",
                ("1301", "1302"), "Aix-en-Provence"),
    ForumRecord(12, "13", "132", "Forum de sécurité d'Arles", paris(date(2009, 3, 24)), "held", ("1304",), "Arles"),
    ForumRecord(13, "13", "134", "Forum de sécurité de Salon-de-Provence", paris(date(2009, 4, 2)), "held",
                ("1305",), "Salon-de-Provence"),
    ForumRecord(14, "13", "134", "Forum de sécurité d'Istres", paris(date(2009, 4, 21)), "held", ("1306",), "Istres"),
    ForumRecord(15, "13", "134", "Forum de sécurité de Martigues", paris(date(2009, 4, 28)), "cancelled",
                ("1307",), "Martigues"),
    ForumRecord(16, "13", "131", "Forum de sécurité de Marignane", paris(date(2009, 5, 12)), "published",
                ("1308",), "Marignane"),
    ForumRecord(17, "13", "131", "Forum de sécurité de Vitrolles", None, "draft", ("1309",), "Vitrolles"),
)


def q(id, status, subtopic, text, forum=None, answered=False, addressed=None, supports=0, department="13"):
    """Return a question of ``department`` with reference <department>-000<id>."""
    return QuestionRecord(
        id=id, reference=f"{department}-{id:06d}", department_code=department, forum_id=forum, theme_code=subtopic[0],
        subtopic_code=subtopic, text=text, status=status, answered=answered, addressed_forum_id=addressed,
        support_count=supports, submitted_at=paris(date(2009, 3, 1)),
    )


#: 12 questions: 7 published (3 answered, 2 taken up at a forum, one of them both), 2 pending,
#: 2 rejected, 1 merged; 8 on theme 1, 4 on theme 2.
FIGURE_QUESTIONS = (
    q(101, "published", "1.A.1", "Qui pourra consulter les images de la vidéo-protection du centre-ville ?",
      forum=11, answered=True),
    q(102, "published", "1.B.1", "Que faire contre les cambriolages dans les lotissements ?", forum=11,
      addressed=11),
    q(103, "published", "1.B.1", "L'opération tranquillité vacances existe-t-elle encore ?", answered=True),
    q(104, "published", "1.B.2", "Un radar pédagogique est-il prévu devant l'école ?", forum=12, answered=True,
      addressed=12),
    q(105, "pending", "1.B.2", "Pourquoi si peu de contrôles de vitesse ?"),
    q(106, "rejected", "1.B.3", "Mon voisin, M. Untel, frappe sa femme."),
    q(107, "merged", "1.B.1", "Que faire contre les cambriolages dans les lotissements ?"),
    q(108, "published", "1.B.7", "Pourquoi ne voit-on plus de patrouilles à pied ?", forum=13),
    q(109, "published", "2.A.1", "La police municipale peut-elle verbaliser le stationnement gênant ?"),
    q(110, "published", "2.B.1", "Où signaler une escroquerie sur internet ?"),
    q(111, "pending", "2.B.1", "Comment reconnaître un courriel frauduleux ?"),
    q(112, "rejected", "2.A.1", "Votez pour notre liste aux municipales !"),
)

FIGURE_MINUTES = (
    # Forum 11 was amended: version 2 replaces version 1.
    MinutesRecord(11, {"public": 50, "elus": 5, "gendarmerie": 3}, 120, "Écoute des habitants.",
                  "Salle trop petite.", (TopicRecord("1.B.1", "Cambriolages dans les lotissements."),), False, 1),
    MinutesRecord(11, {"public": 60, "elus": 6, "police_nationale": 2, "gendarmerie": 3, "autres": 4}, 120,
                  "Écoute des habitants.", "Salle trop petite.",
                  (TopicRecord("1.B.1", "Cambriolages dans les lotissements."),), True, 2),
    MinutesRecord(12, {"public": 40, "elus": 3, "police_nationale": 4, "police_municipale": 2}, 90,
                  "Bonne connaissance du terrain par les policiers.", "Peu de jeunes présents.",
                  (TopicRecord("1.B.2", "Vitesse excessive devant les écoles."),), False, 1),
    MinutesRecord(13, {"public": 25, "elus": 2, "gendarmerie": 5, "autres": 1}, 100,
                  "Réactivité de la brigade.", "Délais d'attente à l'accueil.",
                  (TopicRecord("1.B.7", "Manque de patrouilles à pied."),), True, 1),
)

FIGURE_PROPOSALS = (
    ProposalRecord(201, 11, "13", "1", "1.B.1", "public", "Relancer l'opération tranquillité vacances."),
    ProposalRecord(202, 11, "13", "1", "1.A.1", "elu", "Étendre la vidéo-protection aux abords de la gare."),
    ProposalRecord(203, 12, "13", "1", "1.B.2", "elu", "Installer un radar pédagogique devant chaque école."),
    ProposalRecord(204, 12, "13", "2", "2.A.1", "association", "Créer un conseil local de prévention."),
    ProposalRecord(205, 13, "13", "1", None, "forces_de_l_ordre", "Tenir une permanence mensuelle en mairie."),
    ProposalRecord(206, None, "13", "2", "2.B.1", "public", "Diffuser un guide contre les escroqueries en ligne."),
)


def fixture_department(**changes):
    """Return the hand-built department 13 whose figures the tests assert one by one."""
    coverage = compute_coverage(CANTONS, [ForumCover(f.id, f.status, f.unit_codes) for f in FORUMS])
    values = dict(
        department_code="13", department_name="Bouches-du-Rhône",
        department_full_name="Département des Bouches-du-Rhône", region_code="93",
        region_name="Provence-Alpes-Côte d'Azur",
        consultation_name="Vos libertés, votre sécurité : parlons-en ensemble", deadline=date(2009, 5, 22),
        subtopics=SUBTOPICS, forums=FORUMS, questions=FIGURE_QUESTIONS, minutes=FIGURE_MINUTES,
        proposals=FIGURE_PROPOSALS, coverage=coverage,
    )
    values.update(changes)
    return DepartmentInput(**values)


#: A small corpus of citizens' questions, as they write them: (id, status, sub-topic, text, supports).
CORPUS = (
    (1, "published", "1.A.1", "La commune envisage d'installer la vidéo-protection sur la place du marché. "
                              "Qui pourra consulter les images et combien de temps seront-elles conservées ?", 4),
    (2, "published", "1.A.1", "Pourquoi ne pas étendre la vidéoprotection aux abords de la gare, où les vols de "
                              "vélos se multiplient ?", 9),
    (3, "published", "1.A.1", "Les caméras de vidéo-protection installées près du collège sont-elles vraiment "
                              "regardées par quelqu'un ?", 1),
    (4, "published", "1.A.1", "Je suis favorable à la vidéo protection mais je m'inquiète pour le respect de la "
                              "vie privée des riverains.", 0),
    (5, "rejected", "1.A.1", "Le maire est un incapable, qu'il installe des caméras chez lui !", 0),
    (6, "published", "1.B.1", "Trois cambriolages en un mois dans notre lotissement : que fait la gendarmerie "
                              "pour les prévenir ?", 12),
    (7, "published", "1.B.1", "Les cambriolages se multiplient dans le village pendant les vacances. "
                              "L'opération tranquillité vacances existe-t-elle encore ?", 3),
    (8, "published", "1.B.1", "Après le cambriolage de ma maison, personne n'a relevé d'empreintes. "
                              "Est-ce normal ?", 0),
    (9, "published", "1.B.1", "Comment protéger son domicile contre les cambriolages quand on part en vacances ?", 5),
    (10, "pending", "1.B.1", "Cambriolage hier soir rue des Lilas, mon voisin a tout vu, cambriolages partout", 0),
    (11, "published", "1.B.2", "La vitesse excessive des voitures devant l'école maternelle met les enfants en "
                               "danger. Un radar pédagogique est-il prévu ?", 6),
    (12, "published", "1.B.2", "Sur la départementale, la vitesse excessive des motos le week-end est un vrai "
                               "danger pour les riverains.", 2),
    (13, "published", "1.B.2", "Pourquoi si peu de contrôles de vitesse dans la traversée du bourg ? "
                               "La vitesse excessive y est permanente.", 2),
    (14, "published", "1.B.2", "Les contrôles d'alcoolémie sont-ils plus fréquents le samedi soir à la sortie des "
                               "discothèques ?", 0),
    (15, "published", "1.B.3", "Comment sont accueillies les femmes victimes de violences conjugales au "
                               "commissariat ? Y a-t-il un local à l'écart ?", 7),
    (16, "published", "1.B.3", "Une voisine subit des violences conjugales : à qui s'adresser sans la mettre en "
                               "danger ?", 4),
    (17, "published", "1.B.3", "Les violences conjugales augmentent-elles dans le département ? Existe-t-il un "
                               "intervenant social à la gendarmerie ?", 1),
    (18, "published", "2.A.1", "Quel est le rôle exact de la police municipale par rapport à la gendarmerie "
                               "la nuit ?", 2),
    (19, "published", "2.A.1", "Notre police municipale n'est présente qu'en journée. Pourquoi n'y a-t-il pas de "
                               "patrouille le soir ?", 3),
    (20, "published", "2.A.1", "La police municipale pourrait-elle être armée comme dans les villes voisines ?", 1),
    (21, "published", "2.A.1", "Les horaires de la police municipale ne sont pas adaptés aux besoins des "
                               "commerçants.", 0),
    (22, "published", "2.B.1", "Ma mère a été victime d'une escroquerie sur internet en achetant un téléphone. "
                               "Où porter plainte ?", 2),
    (23, "published", "2.B.1", "Les escroqueries sur internet visent de plus en plus les personnes âgées : "
                               "quelles actions de prévention ?", 8),
    (24, "published", "2.B.1", "Comment signaler une escroquerie sur internet sans se déplacer à la gendarmerie ?", 1),
    (25, "published", "2.B.1", "Les personnes âgées reçoivent des courriels frauduleux : la plate-forme de "
                               "signalement est-elle efficace ?", 0),
    (26, "published", "1.B.7", "On ne voit plus de patrouilles à pied dans le centre-ville. Le sentiment "
                               "d'insécurité progresse.", 5),
    (27, "published", "1.B.7", "Le sentiment d'insécurité est fort le soir près de la gare : pourquoi si peu de "
                               "patrouilles ?", 2),
    (28, "published", "1.B.7", "Les habitants souhaitent des patrouilles plus régulières, le sentiment "
                               "d’insécurité est trop présent.", 0),
    (29, "merged", "1.B.1", "Trois cambriolages en un mois dans notre lotissement : que fait la gendarmerie "
                            "pour les prévenir ?", 0),
    (30, "rejected", "2.A.1", "La police municipale est une milice, ses agents sont des incapables.", 0),
)

CORPUS_MINUTES = (
    MinutesRecord(11, {"public": 80}, 120, "", "", (
        TopicRecord("1.B.2", "Les riverains dénoncent la vitesse excessive sur la RD 7 et demandent des "
                             "contrôles plus fréquents."),
        TopicRecord("2.A.1", "Plusieurs élus souhaitent que la police municipale travaille aussi le soir."),
    ), True, 1),
)


def corpus_department(questions=None, code="13", name="Bouches-du-Rhône", region=("93", "Provence-Alpes-Côte d'Azur"),
                      full_name=None):
    """Return a department whose questions are the CORPUS (or ``questions``), with one forum's minutes."""
    if questions is None:
        questions = tuple(q(id, status, subtopic, text, supports=supports, department=code)
                          for id, status, subtopic, text, supports in CORPUS)
    return DepartmentInput(
        department_code=code, department_name=name, region_code=region[0], region_name=region[1],
        department_full_name=full_name if full_name is not None else f"Département des {name}",
        consultation_name="Vos libertés, votre sécurité : parlons-en ensemble", deadline=date(2009, 5, 22),
        subtopics=SUBTOPICS, forums=(replace(FORUMS[0], department_code=code),), questions=questions,
        minutes=CORPUS_MINUTES,
    )
