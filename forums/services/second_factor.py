"""Agents' second factor: TOTP enrolment (RFC 6238), code checks, recovery codes, reset by an administrator."""
import hashlib
import hmac
import secrets
import time

import pyotp
import segno

from ..extensions import db
from ..models import RecoveryCode
from ..timeutils import utcnow
from .agents import AgentError
from .audit import record_event

#: Name the authenticator apps show beside the agent's address.
ISSUER = "Forums de sécurité"
#: How many recovery codes an enrolment gives.
RECOVERY_CODE_COUNT = 10
#: Letters of a recovery code: no 0/O nor 1/I/L to misread.
RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECOVERY_CODE_LENGTH = 10
#: Time steps either side of now whose code is still accepted: a phone's clock may drift.
ALLOWED_DRIFT_STEPS = 1
WRONG_CODE = ("Code incorrect ou déjà utilisé : saisissez le code à 6 chiffres affiché par votre application, "
              "ou un code de secours.")


def provisioning_uri(agent):
    """Return the otpauth:// URI an authenticator app reads from the enrolment QR code."""
    return pyotp.TOTP(agent.totp_secret).provisioning_uri(name=agent.email, issuer_name=ISSUER)


def qr_code_data_uri(uri):
    """Return ``uri`` as an SVG QR code in a data: URI, to show inline without any request."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, title="Code QR d'enrôlement")


def start_enrolment(agent):
    """Give ``agent`` a new secret to enrol, unless one is already waiting; refuse if already enrolled."""
    if agent.has_second_factor:
        raise AgentError("La double authentification est déjà activée pour ce compte.")
    if not agent.totp_secret:
        agent.totp_secret = pyotp.random_base32()
        # Steps spent with an earlier secret say nothing about this one.
        agent.totp_last_step = None
        db.session.flush()
    return agent.totp_secret


def confirm_enrolment(agent, code, now=None):
    """Turn the second factor on once ``code`` proves the app works; return the recovery codes, shown once."""
    if agent.has_second_factor or not agent.totp_secret:
        raise AgentError("Aucun enrôlement n'est en cours pour ce compte.")
    step = _matching_step(agent, code, now)
    if step is None:
        raise AgentError("Code incorrect : saisissez le code à 6 chiffres affiché par votre application.", "code")
    agent.totp_last_step = step
    agent.totp_confirmed_at = utcnow()
    codes = _new_recovery_codes(agent)
    record_event(
        "agent.enrol_second_factor", "agent", agent.id, by=agent, department_code=agent.department_code,
        summary=f"{agent.email} a activé la double authentification.",
    )
    return codes


def verify_second_factor(agent, code, now=None):
    """Accept a TOTP code or an unused recovery code of ``agent`` and spend it; raise AgentError otherwise.

    Return "totp" or "recovery", to tell the agent how many recovery codes remain.
    """
    if not agent.has_second_factor:
        raise AgentError("La double authentification n'est pas activée pour ce compte.")
    step = _matching_step(agent, code, now)
    if step is not None:
        agent.totp_last_step = step
        db.session.flush()
        return "totp"
    recovery = db.session.scalar(
        db.select(RecoveryCode).where(RecoveryCode.agent_id == agent.id, RecoveryCode.used_at.is_(None),
                                      RecoveryCode.code_hash == hash_recovery_code(code))
    )
    if recovery is None:
        raise AgentError(WRONG_CODE, "code")
    recovery.used_at = utcnow()
    db.session.flush()
    record_event(
        "agent.use_recovery_code", "agent", agent.id, by=agent, department_code=agent.department_code,
        summary=f"{agent.email} s'est connecté avec un code de secours.",
    )
    return "recovery"


def remaining_recovery_codes(agent):
    """Return how many unused recovery codes ``agent`` has."""
    return db.session.scalar(
        db.select(db.func.count()).select_from(RecoveryCode)
        .where(RecoveryCode.agent_id == agent.id, RecoveryCode.used_at.is_(None))
    )


def reset_second_factor(agent, by):
    """Remove an agent's second factor so they enrol again, ending their sessions; never one's own."""
    if agent.id == getattr(by, "id", None):
        raise AgentError("Vous ne pouvez pas réinitialiser votre propre double authentification : "
                         "demandez-le à un autre administrateur.")
    if not agent.totp_secret and not agent.has_second_factor:
        raise AgentError(f"Le compte de {agent.email} n'a pas de double authentification à réinitialiser.")
    agent.totp_secret = agent.totp_confirmed_at = agent.totp_last_step = None
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.agent_id == agent.id))
    # Whoever holds the lost authenticator may be signed in with it.
    agent.end_all_sessions()
    db.session.flush()
    record_event(
        "agent.reset_second_factor", "agent", agent.id, by=by, department_code=agent.department_code,
        summary=f"Double authentification de {agent.email} réinitialisée (sessions fermées).",
    )


def hash_recovery_code(code):
    """Return the stored form of a recovery code: SHA-256 of its letters, spaces and dashes ignored.

    Fifty random bits per code make a slow hash needless, and one query finds it.
    """
    letters = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return hashlib.sha256(letters.encode()).hexdigest()


def format_recovery_code(code):
    """Return ``code`` split in two halves for reading: "ABCDE-FGHJK"."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def _new_recovery_codes(agent):
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.agent_id == agent.id))
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
             for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(agent_id=agent.id, code_hash=hash_recovery_code(code)) for code in codes)
    db.session.flush()
    return [format_recovery_code(code) for code in codes]


def _matching_step(agent, code, now=None):
    # The time step whose code ``code`` is, if it is later than the last one accepted; None otherwise.
    digits = "".join((code or "").split())
    if len(digits) != 6 or not digits.isdigit():
        return None
    totp = pyotp.TOTP(agent.totp_secret)
    current = int((now if now is not None else time.time()) // totp.interval)
    for step in range(current - ALLOWED_DRIFT_STEPS, current + ALLOWED_DRIFT_STEPS + 1):
        if agent.totp_last_step is not None and step <= agent.totp_last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None

