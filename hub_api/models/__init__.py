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
from hub_api.models.change import Change, ChangeFeedState
from hub_api.models.cohort import Attendance, Cohort, CohortSession, SeatAllocation
from hub_api.models.country import Country
from hub_api.models.curriculum import Curriculum, CurriculumAdoption, CurriculumModule
from hub_api.models.enrolment import Certificate, Enrolment
from hub_api.models.idempotency import IdempotencyKey
from hub_api.models.institution import Contact, Institution
from hub_api.models.participant import Participant
from hub_api.models.programme import Programme, ProgrammeTarget
from hub_api.models.webhook import (
    AgreementExpiryNotice,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

__all__ = [
    "Agreement",
    "AgreementCommitment",
    "AgreementDocument",
    "AgreementExpiryNotice",
    "AgreementParty",
    "AgreementTransition",
    "ApiClient",
    "Attendance",
    "AuditEvent",
    "Certificate",
    "Change",
    "ChangeFeedState",
    "Cohort",
    "CohortSession",
    "Contact",
    "Country",
    "Curriculum",
    "CurriculumAdoption",
    "CurriculumModule",
    "Enrolment",
    "IdempotencyKey",
    "Institution",
    "Participant",
    "Programme",
    "ProgrammeTarget",
    "RefreshToken",
    "SeatAllocation",
    "TokenFamily",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSubscription",
]
