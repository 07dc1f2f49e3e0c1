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
