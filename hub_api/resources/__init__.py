"""HTTP resources; MODULES fixes the order of the tags in the API documentation."""

from hub_api.resources import (
    agreement_documents,
    agreements,
    api_clients,
    audit_events,
    auth,
    certificates,
    changes,
    cohort_sessions,
    cohorts,
    contacts,
    countries,
    curricula,
    enrolments,
    health,
    institutions,
    participants,
    programmes,
    stats,
    users,
    webhooks,
)

MODULES = (
    auth,
    users,
    api_clients,
    countries,
    institutions,
    contacts,
    programmes,
    agreements,
    agreement_documents,
    curricula,
    participants,
    cohorts,
    cohort_sessions,
    enrolments,
    certificates,
    stats,
    changes,
    webhooks,
    audit_events,
    health,
)


def register_blueprints(api) -> None:
    """Register every resource's blueprint, in documentation order."""
    for module in MODULES:
        api.register_blueprint(module.blp)
