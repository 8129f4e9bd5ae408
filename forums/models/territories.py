"""French administrative territories (INSEE, COG 2025), keyed by their official string codes."""
import enum

from sqlalchemy import ForeignKey, String, Text, and_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class CantonKind(enum.StrEnum):
    """INSEE canton types: only ordinary cantons are electoral cantons that forums cover."""

    CANTON = "C"
    #: A pseudo-canton grouping the fractions of a commune split across several cantons.
    PSEUDO = "V"
    #: A fictive canton for a new commune whose former communes lay in several cantons.
    FICTIVE = "N"


class CommuneKind(enum.StrEnum):
    """COG commune types kept: communes, and the municipal arrondissements of Paris, Lyon and Marseille."""

    COMMUNE = "COM"
    #: An arrondissement municipal, listed among communes with its commune as parent, as the COG does.
    MUNICIPAL_ARRONDISSEMENT = "ARM"


canton_arrondissements = db.Table(
    "canton_arrondissements",
    db.Column("canton_code", String(5), ForeignKey("cantons.code"), primary_key=True),
    db.Column("arrondissement_code", String(4), ForeignKey("arrondissements.code"), primary_key=True),
)

#: The real cantons each commune lies in, wholly or in part. INSEE gives a commune split across
#: cantons a pseudo-canton instead; this link says which real cantons it belongs to.
commune_cantons = db.Table(
    "commune_cantons",
    db.Column("commune_code", String(5), ForeignKey("communes.code"), primary_key=True),
    db.Column("canton_code", String(5), ForeignKey("cantons.code"), primary_key=True, index=True),
)


#: Postal codes of each commune, one row each, to find communes by postal code.
commune_postal_codes = db.Table(
    "commune_postal_codes",
    db.Column("commune_code", String(5), ForeignKey("communes.code"), primary_key=True),
    db.Column("postal_code", String(5), primary_key=True, index=True),
)


class Region(db.Model):
    __tablename__ = "regions"

    #: INSEE region code, e.g. "93".
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    is_metropolitan: Mapped[bool]

    departments: Mapped[list["Department"]] = relationship(
        back_populates="region", order_by="Department.code"
    )

    def __repr__(self):
        return f"<Region {self.code} {self.name}>"


class Department(db.Model):
    __tablename__ = "departments"

    #: INSEE department code: "01", "2A", "974".
    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    #: French name with its article, e.g. "Département des Bouches-du-Rhône".
    full_name: Mapped[str] = mapped_column(String(150))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    is_metropolitan: Mapped[bool]
    #: INSEE code of the prefecture's commune.
    capital_code: Mapped[str] = mapped_column(String(5))
    capital_name: Mapped[str] = mapped_column(String(100))

    region: Mapped[Region] = relationship(back_populates="departments")
    arrondissements: Mapped[list["Arrondissement"]] = relationship(
        back_populates="department", order_by="Arrondissement.code"
    )
    cantons: Mapped[list["Canton"]] = relationship(
        back_populates="department", order_by="Canton.code"
    )

    @property
    def label(self):
        """Return the usual label, code and name: "13 – Bouches-du-Rhône"."""
        return f"{self.code} – {self.name}"

    def __repr__(self):
        return f"<Department {self.code} {self.name}>"


class Arrondissement(db.Model):
    __tablename__ = "arrondissements"

    #: INSEE arrondissement code: department code plus one digit, e.g. "131", "2A1".
    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)
    #: INSEE code of the sub-prefecture's commune.
    capital_code: Mapped[str] = mapped_column(String(5))

    department: Mapped[Department] = relationship(back_populates="arrondissements")
    cantons: Mapped[list["Canton"]] = relationship(
        secondary=canton_arrondissements, back_populates="arrondissements", order_by="Canton.code"
    )

    @property
    def label(self):
        """Return "Arrondissement d'Aix-en-Provence"-style wording without guessing the article."""
        return f"{self.name} ({self.code})"

    def __repr__(self):
        return f"<Arrondissement {self.code} {self.name}>"


class Canton(db.Model):
    __tablename__ = "cantons"

    #: INSEE canton code: department code plus two digits, e.g. "1301", "2A05", "97101".
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)
    #: INSEE type: ordinary canton, pseudo-canton of a split commune, or fictive canton.
    kind: Mapped[CantonKind] = mapped_column(
        db.Enum(CantonKind, values_callable=lambda e: [m.value for m in e], native_enum=False,
                length=1, validate_strings=True)
    )
    #: INSEE wording of how the canton is made of whole communes and fractions of communes.
    composition: Mapped[str] = mapped_column(String(120), default="")
    #: INSEE code of the canton's chief town (bureau centralisateur).
    capital_code: Mapped[str] = mapped_column(String(5))

    department: Mapped[Department] = relationship(back_populates="cantons")
    #: Arrondissements the canton touches, derived from its communes when loading.
    arrondissements: Mapped[list[Arrondissement]] = relationship(
        secondary=canton_arrondissements, back_populates="cantons", order_by="Arrondissement.code"
    )
    communes: Mapped[list["Commune"]] = relationship(back_populates="canton", order_by="Commune.name")

    @property
    def is_electoral(self):
        """Tell whether this is a real canton that forums must cover."""
        return self.kind is CantonKind.CANTON

    def __repr__(self):
        return f"<Canton {self.code} {self.name}>"


class Commune(db.Model):
    __tablename__ = "communes"

    #: INSEE commune code, e.g. "13001", "2A004"; "75113" for the 13th arrondissement of Paris.
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    #: A commune, or a municipal arrondissement of Paris, Lyon or Marseille.
    kind: Mapped[CommuneKind] = mapped_column(
        db.Enum(CommuneKind, values_callable=lambda e: [m.value for m in e], native_enum=False,
                length=3, validate_strings=True),
        default=CommuneKind.COMMUNE, server_default=CommuneKind.COMMUNE.value,
    )
    #: For a municipal arrondissement, the commune it divides (75056, 69123, 13055).
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("communes.code"), index=True)
    #: Whether the commune is divided into municipal arrondissements (Paris, Lyon, Marseille),
    #: derived when loading: its arrondissements, not itself, are found by postal code and covered.
    has_municipal_arrondissements: Mapped[bool] = mapped_column(default=False, server_default=db.false())
    #: The name folded for searching (forums.text.search_key): "saint etienne du rouvray".
    search_name: Mapped[str] = mapped_column(String(100), index=True, default="")
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)
    #: The commune's arrondissement; empty in Mayotte, which has no arrondissements.
    arrondissement_code: Mapped[str | None] = mapped_column(ForeignKey("arrondissements.code"), index=True)
    #: The commune's INSEE canton; empty where no canton covers it: Martinique, Guyane, Paris and
    #: the Métropole de Lyon, whose communes forums cover one by one.
    canton_code: Mapped[str | None] = mapped_column(ForeignKey("cantons.code"), index=True)
    #: Postal codes, space-separated (a commune may have several, several communes may share one).
    postal_codes: Mapped[str] = mapped_column(Text, default="")
    population: Mapped[int] = mapped_column(default=0)

    department: Mapped[Department] = relationship()
    arrondissement: Mapped[Arrondissement | None] = relationship()
    canton: Mapped[Canton | None] = relationship(back_populates="communes")
    #: Real cantons the commune lies in (several for a split commune; none where no canton covers it).
    cantons: Mapped[list[Canton]] = relationship(secondary=commune_cantons, order_by="Canton.code")
    #: The commune a municipal arrondissement divides.
    parent: Mapped["Commune | None"] = relationship(remote_side=[code])

    @property
    def postal_code(self):
        """Return the commune's first postal code, or "" when it has none."""
        codes = self.postal_codes.split()
        return codes[0] if codes else ""

    @property
    def label(self):
        """Return the name people read, with the postal code, never the INSEE code: "Arles (13200)".

        A commune divided into municipal arrondissements has one postal code per arrondissement:
        its name alone is clearer ("Marseille").
        """
        if self.has_municipal_arrondissements or not self.postal_code:
            return self.name
        return f"{self.name} ({self.postal_code})"

    @hybrid_property
    def is_coverage_unit(self):
        """Tell whether forums cover this commune itself, because no canton covers it.

        So are the communes of Martinique, Guyane and the Métropole de Lyon, and the municipal
        arrondissements of Paris and Lyon; never a commune divided into arrondissements.
        """
        return self.canton_code is None and not self.has_municipal_arrondissements

    @is_coverage_unit.inplace.expression
    @classmethod
    def _is_coverage_unit_expression(cls):
        return and_(cls.canton_code.is_(None), cls.has_municipal_arrondissements.is_(False))

    def __repr__(self):
        return f"<Commune {self.code} {self.name}>"


def department_structure(code):
    """Return the department with its arrondissements and cantons eager-loaded, or None."""
    from sqlalchemy.orm import selectinload

    return db.session.scalar(
        db.select(Department)
        .where(Department.code == code)
        .options(
            selectinload(Department.region),
            selectinload(Department.arrondissements),
            selectinload(Department.cantons).selectinload(Canton.arrondissements),
        )
    )


def commune_counts_by_canton(department_code):
    """Return {canton code: number of communes} for the department's cantons (arrondissements not counted)."""
    rows = db.session.execute(
        db.select(Commune.canton_code, db.func.count())
        .where(Commune.department_code == department_code, Commune.canton_code.is_not(None),
               Commune.kind == CommuneKind.COMMUNE)
        .group_by(Commune.canton_code)
    )
    return dict(rows.all())


def commune_counts_by_arrondissement(department_code):
    """Return {arrondissement code: number of communes} for the department (municipal arrondissements not counted)."""
    rows = db.session.execute(
        db.select(Commune.arrondissement_code, db.func.count())
        .where(Commune.department_code == department_code, Commune.kind == CommuneKind.COMMUNE)
        .group_by(Commune.arrondissement_code)
    )
    return dict(rows.all())


def departments_overview():
    """Return every region with its departments and, per department, its number of cantons."""
    from sqlalchemy.orm import selectinload

    regions = db.session.scalars(
        db.select(Region).order_by(Region.code).options(selectinload(Region.departments))
    ).all()
    canton_counts = dict(
        db.session.execute(
            db.select(Canton.department_code, db.func.count())
            .where(Canton.kind == CantonKind.CANTON)
            .group_by(Canton.department_code)
        ).all()
    )
    return regions, canton_counts
