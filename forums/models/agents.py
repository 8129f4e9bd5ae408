"""Agents: the officials who log in, each with one role and at most one territory."""
import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..timeutils import utcnow
from .types import UTCDateTime
from .territories import Arrondissement, Department


class Role(enum.StrEnum):
    """What an agent is; the policy module decides what each role may do."""

    MINISTRY = "ministry"
    PREFECTURE = "prefecture"
    SUBPREFECTURE = "subprefecture"
    MODERATOR = "moderator"
    ADMIN = "admin"

    @property
    def label(self):
        """Return the French name of the role."""
        return ROLE_LABELS[self]

    @property
    def scope(self):
        """Return which territory the role is scoped to: "national", "department" or "arrondissement"."""
        if self in (Role.PREFECTURE, Role.MODERATOR):
            return "department"
        if self is Role.SUBPREFECTURE:
            return "arrondissement"
        return "national"


ROLE_LABELS = {
    Role.MINISTRY: "Ministère (national)",
    Role.PREFECTURE: "Préfecture (département)",
    Role.SUBPREFECTURE: "Sous-préfecture (arrondissement)",
    Role.MODERATOR: "Modération (département)",
    Role.ADMIN: "Administration de la plateforme",
}

#: Roles that must sign in with a second factor; it is optional for the others.
SECOND_FACTOR_ROLES = frozenset({Role.MINISTRY, Role.ADMIN})

#: Password hashing method: scrypt, memory-hard, Werkzeug's default.
PASSWORD_METHOD = "scrypt"


class Agent(UserMixin, db.Model):
    __tablename__ = "agents"
    __table_args__ = (
        CheckConstraint(
            "(role IN ('prefecture', 'moderator') AND department_code IS NOT NULL"
            " AND arrondissement_code IS NULL)"
            " OR (role = 'subprefecture' AND arrondissement_code IS NOT NULL"
            " AND department_code IS NOT NULL)"
            " OR (role IN ('ministry', 'admin') AND department_code IS NULL"
            " AND arrondissement_code IS NULL)",
            name="scope_matches_role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Login, stored lower-cased.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(150), default="")
    role: Mapped[Role] = mapped_column(
        db.Enum(Role, values_callable=lambda e: [m.value for m in e], native_enum=False,
                length=20, validate_strings=True)
    )
    #: The department of a prefecture, moderator or sub-prefecture agent (derived for the latter).
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"), index=True)
    #: The arrondissement of a sub-prefecture agent.
    arrondissement_code: Mapped[str | None] = mapped_column(ForeignKey("arrondissements.code"))
    password_hash: Mapped[str] = mapped_column(String(255))
    #: A disabled agent cannot log in and loses every open session.
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Bumped on logout, password change and disabling: sessions carrying an older value die.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The TOTP secret (RFC 6238, base32): shown once at enrolment, never again.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: When the agent proved their authenticator works; the second factor is on from then.
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The last 30-second time step whose code was accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    department: Mapped[Department | None] = relationship()
    arrondissement: Mapped[Arrondissement | None] = relationship()

    def set_password(self, password):
        """Hash and store ``password``."""
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)

    def check_password(self, password):
        """Tell whether ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def get_id(self):
        """Return the session identifier: the id and the session version together."""
        return f"{self.id}.{self.session_version}"

    @property
    def has_second_factor(self):
        """Tell whether the agent has enrolled an authenticator."""
        return self.totp_confirmed_at is not None

    @property
    def needs_second_factor(self):
        """Tell whether the agent's role makes the second factor mandatory."""
        return self.role in SECOND_FACTOR_ROLES

    def end_all_sessions(self):
        """Invalidate every session opened so far for this agent."""
        self.session_version += 1

    @property
    def territory_label(self):
        """Return the agent's territory in French, for display and logs."""
        if self.arrondissement is not None:
            return f"arrondissement {self.arrondissement.name} ({self.arrondissement_code})"
        if self.department is not None:
            return f"département {self.department.label}"
        return "national"

    @property
    def territory_code(self):
        """Return the code of the agent's territory, or "national"."""
        return self.arrondissement_code or self.department_code or "national"

    def __repr__(self):
        return f"<Agent {self.id} {self.role.value}>"
