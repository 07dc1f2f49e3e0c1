"""The hub's SQLAlchemy models, importable from one place."""

from hub_api.models.account import ApiClient, RefreshToken, TokenFamily, User
from hub_api.models.agreement import (
    Agreement,
    AgreementCommitment,
    AgreementDocument,
    AgreementParty,
    AgreementTransition,
)
from hub_api.models.audit import AuditEvent
from hub_api.models.country import Country
from hub_api.models.curriculum import Curriculum, CurriculumAdoption, CurriculumModule
from hub_api.models.idempotency import IdempotencyKey
from hub_api.models.institution import Contact, Institution
from hub_api.models.programme import Programme, ProgrammeTarget

__all__ = [
    "Agreement",
    "AgreementCommitment",
    "AgreementDocument",
    "AgreementParty",
    "AgreementTransition",
    "ApiClient",
    "AuditEvent",
    "Contact",
    "Country",
    "Curriculum",
    "CurriculumAdoption",
    "CurriculumModule",
    "IdempotencyKey",
    "Institution",
    "Programme",
    "ProgrammeTarget",
    "RefreshToken",
    "TokenFamily",
    "User",
]
