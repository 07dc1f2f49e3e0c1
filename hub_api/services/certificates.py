"""Certificates: issued on completion, revoked on withdrawal or erasure, verifiable by anyone."""

import re
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from hub_api import clock
from hub_api.errors import NotFound
from hub_api.extensions import db
from hub_api.models import Certificate, Cohort, Enrolment
from hub_api.models.base import utcnow

CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
CODE_BYTES = 18  # 144 random bits: not guessable, and short enough to print as a QR code or URL


def issue(enrolment: Enrolment) -> Certificate:
    """Issue the enrolment's certificate, or reinstate the one it had (written with the enrolment)."""
    certificate = enrolment.certificate
    if certificate is None:
        today = clock.today()
        certificate = Certificate(
            number=f"HUB-{today.year}-{enrolment.id:06d}",
            code=secrets.token_urlsafe(CODE_BYTES),
            issued_on=today,
        )
        enrolment.certificate = certificate
    else:
        certificate.revoked_at = None
    return certificate


def revoke(enrolment: Enrolment) -> None:
    """Mark the enrolment's certificate, if any, as no longer valid."""
    certificate = enrolment.certificate
    if certificate is not None and certificate.revoked_at is None:
        certificate.revoked_at = utcnow()


def initials(given_name: str | None, family_name: str | None) -> str | None:
    """`A. B.` from a person's names; nothing once the identity is erased."""
    letters = [name.strip()[0].upper() for name in (given_name, family_name) if name and name.strip()]
    return " ".join(f"{letter}." for letter in letters) or None


def verify(code: str) -> dict:
    """What the public may know about a certificate: validity, number, initials, course, issuer."""
    if not CODE_PATTERN.fullmatch(code):  # never send the database what no code can look like
        raise NotFound("No certificate has this verification code.")
    certificate = db.session.scalar(
        sa.select(Certificate)
        .where(Certificate.code == code)
        .options(
            joinedload(Certificate.enrolment).options(
                joinedload(Enrolment.participant),
                joinedload(Enrolment.cohort).options(
                    joinedload(Cohort.curriculum), joinedload(Cohort.host_institution)
                ),
            )
        )
    )
    if certificate is None:
        raise NotFound("No certificate has this verification code.")
    enrolment = certificate.enrolment
    participant, cohort = enrolment.participant, enrolment.cohort
    return {
        "valid": certificate.valid,
        "certificate_number": certificate.number,
        "holder_initials": initials(participant.given_name, participant.family_name),
        "cohort_title": cohort.title,
        "curriculum_title": cohort.curriculum.title,
        "issued_on": certificate.issued_on,
        "issuer": cohort.host_institution.name,
    }
