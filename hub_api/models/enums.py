"""Enumerations that the API exposes as fixed vocabularies."""

from enum import StrEnum


class InstitutionKind(StrEnum):
    """What sort of body an institution is."""

    ACADEMY = "academy"
    UNIVERSITY = "university"
    PENITENTIARY_SERVICE = "penitentiary_service"
    PROBATION_SERVICE = "probation_service"
    MINISTRY = "ministry"
    INTERNATIONAL_ORGANISATION = "international_organisation"
    DONOR = "donor"
    NGO = "ngo"
    OTHER = "other"


class InstitutionStatus(StrEnum):
    """Whether an institution takes part in the hub's work today."""

    ACTIVE = "active"
    INACTIVE = "inactive"


class ContactRole(StrEnum):
    """The part a contact person plays for their institution."""

    SIGNATORY = "signatory"
    FOCAL_POINT = "focal_point"
    HEAD = "head"
    COORDINATOR = "coordinator"
    TRAINER = "trainer"
    OTHER = "other"


class Role(StrEnum):
    """The role of a user account."""

    HUB_ADMIN = "hub_admin"
    COORDINATOR = "coordinator"
    ANALYST = "analyst"


class Scope(StrEnum):
    """What an API client may do on behalf of its institution."""

    CATALOGUE_READ = "catalogue:read"
    PARTICIPANTS_READ = "participants:read"
    PARTICIPANTS_WRITE = "participants:write"
    ENROLMENTS_WRITE = "enrolments:write"
    STATS_READ = "stats:read"
    WEBHOOKS_MANAGE = "webhooks:manage"


LANGUAGES = ("en", "ru", "kk", "ky", "tg", "uz", "tk")


class ProgrammeMetric(StrEnum):
    """What a programme target or an agreement commitment counts."""

    PARTICIPANTS_TRAINED = "participants_trained"
    WOMEN_TRAINED = "women_trained"
    COHORTS_COMPLETED = "cohorts_completed"
    TRAINERS_CERTIFIED = "trainers_certified"


class AgreementKind(StrEnum):
    """The legal form of an agreement."""

    MOU = "mou"
    COOPERATION_AGREEMENT = "cooperation_agreement"
    WORKPLAN = "workplan"
    LETTER_OF_INTENT = "letter_of_intent"
    ADDENDUM = "addendum"


class AgreementStatus(StrEnum):
    """Lifecycle of an agreement; `expired` and `superseded` are derived, never stored."""

    DRAFT = "draft"
    NEGOTIATION = "negotiation"
    SIGNED = "signed"
    ACTIVE = "active"
    TERMINATED = "terminated"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"


class PartyRole(StrEnum):
    """How an institution takes part in an agreement."""

    PARTY = "party"
    SUPPORTING = "supporting"
    WITNESS = "witness"


class CooperationArea(StrEnum):
    """What the parties agree to cooperate on."""

    CAPACITY_BUILDING = "capacity_building"
    STAFF_QUALIFICATION = "staff_qualification"
    JOINT_EDUCATION = "joint_education"
    CURRICULUM_SHARING = "curriculum_sharing"
    STAFF_EXCHANGE = "staff_exchange"
    RESEARCH = "research"
    OTHER = "other"


class CommitmentPeriod(StrEnum):
    """Whether a commitment's target is per year or over the agreement's life."""

    YEAR = "year"
    TOTAL = "total"


class CurriculumStatus(StrEnum):
    """Lifecycle of a curriculum version: only drafts change."""

    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class StaffCategory(StrEnum):
    """The staff categories training is designed for."""

    PSYCHOLOGIST = "psychologist"
    PVE_INSPECTOR = "pve_inspector"
    SECURITY_OFFICER = "security_officer"
    PROBATION_OFFICER = "probation_officer"
    MEDIA_OFFICER = "media_officer"
    INSTRUCTOR = "instructor"
    MANAGER = "manager"
    OTHER = "other"


class DeliveryMode(StrEnum):
    """How training is delivered."""

    IN_PERSON = "in_person"
    ONLINE = "online"
    BLENDED = "blended"
    E_LEARNING = "e_learning"


class Standard(StrEnum):
    """International standards and handbooks a curriculum rests on."""

    NELSON_MANDELA_RULES = "nelson_mandela_rules"
    BANGKOK_RULES = "bangkok_rules"
    TOKYO_RULES = "tokyo_rules"
    UNODC_VEP_HANDBOOK = "unodc_vep_handbook"
    UNODC_DYNAMIC_SECURITY_HANDBOOK = "unodc_dynamic_security_handbook"
    UNODC_PRISON_INTELLIGENCE_HANDBOOK = "unodc_prison_intelligence_handbook"
    OTHER = "other"


class CohortKind(StrEnum):
    """The format of a training event."""

    COURSE = "course"
    WEBINAR = "webinar"
    TOT = "tot"
    E_LEARNING = "e_learning"
    EXCHANGE_VISIT = "exchange_visit"
    STUDY_VISIT = "study_visit"
    SEMINAR = "seminar"


class CohortStatus(StrEnum):
    """Lifecycle of a cohort: planned → open → in_progress → completed, or cancelled."""

    PLANNED = "planned"
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Gender(StrEnum):
    """A participant's gender, as they chose to state it."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNDISCLOSED = "undisclosed"


class EnrolmentStatus(StrEnum):
    """Where a participant stands in a cohort."""

    NOMINATED = "nominated"
    ENROLLED = "enrolled"
    COMPLETED = "completed"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"
    NO_SHOW = "no_show"
