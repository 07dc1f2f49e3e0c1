"""Who may do what: route-level policies and object-level checks, in one place."""

from hub_api.auth.principal import Principal
from hub_api.errors import Forbidden
from hub_api.models.enums import Role, Scope


def authenticated(principal: Principal) -> bool:
    """Any signed-in user or API client."""
    return principal is not None


def catalogue_reader(principal: Principal) -> bool:
    """Every user; API clients granted `catalogue:read`."""
    return principal.is_user or principal.has_scope(Scope.CATALOGUE_READ)


def contact_reader(principal: Principal) -> bool:
    """Admins and coordinators, and catalogue clients; analysts never see names."""
    if principal.is_user:
        return principal.role in (Role.HUB_ADMIN, Role.COORDINATOR)
    return principal.has_scope(Scope.CATALOGUE_READ)


def hub_admin(principal: Principal) -> bool:
    """A signed-in hub administrator."""
    return principal.is_user and principal.is_hub_admin


def institution_editor(principal: Principal) -> bool:
    """Admins, and coordinators for their own institution (checked per object)."""
    return principal.is_user and principal.role in (Role.HUB_ADMIN, Role.COORDINATOR)


# Fields of an institution that only hub administrators may change.
ADMIN_ONLY_INSTITUTION_FIELDS = ("code", "kind", "country", "parent_id", "status")


def ensure_can_edit_institution(principal: Principal, institution_id: int, changes: dict) -> None:
    """Admins edit any institution; a coordinator only its own profile, not its identity."""
    if principal.is_hub_admin:
        return
    if principal.institution_id != institution_id:
        raise Forbidden("Coordinators may edit only their own institution.")
    locked = sorted(set(changes) & set(ADMIN_ONLY_INSTITUTION_FIELDS))
    if locked:
        raise Forbidden(f"Only hub administrators may change {', '.join(locked)}.")


def ensure_can_upload_document(principal: Principal, party_institution_ids: set[int]) -> None:
    """Admins upload to any agreement; a coordinator only where its institution takes part."""
    if principal.is_hub_admin:
        return
    if principal.institution_id is None or principal.institution_id not in party_institution_ids:
        raise Forbidden(
            "Coordinators may upload documents only to agreements their institution takes part in."
        )


def participant_reader(principal: Principal) -> bool:
    """Admins, coordinators, and clients granted `participants:read`; analysts never see people."""
    if principal.is_user:
        return principal.role in (Role.HUB_ADMIN, Role.COORDINATOR)
    return principal.has_scope(Scope.PARTICIPANTS_READ)


def participant_writer(principal: Principal) -> bool:
    """Admins, coordinators (their own institution's people), clients granted `participants:write`."""
    if principal.is_user:
        return principal.role in (Role.HUB_ADMIN, Role.COORDINATOR)
    return principal.has_scope(Scope.PARTICIPANTS_WRITE) and principal.institution_id is not None


def enrolment_writer(principal: Principal) -> bool:
    """Admins, coordinators, and clients granted `enrolments:write` for an institution."""
    if principal.is_user:
        return principal.role in (Role.HUB_ADMIN, Role.COORDINATOR)
    return principal.has_scope(Scope.ENROLMENTS_WRITE) and principal.institution_id is not None


def sees_every_participant(principal: Principal) -> bool:
    """Hub admins, and hub-level clients with `participants:read`, see everyone's participants."""
    if principal.is_user:
        return principal.is_hub_admin
    return principal.institution_id is None and principal.has_scope(Scope.PARTICIPANTS_READ)


def owns_participant(principal: Principal, participant) -> bool:
    """Whether the caller sees the participant's whole record, not only names and results."""
    return sees_every_participant(principal) or (
        principal.institution_id is not None and principal.institution_id == participant.institution_id
    )


def ensure_owns_participants(principal: Principal, institution_id: int) -> None:
    """Admins write any institution's participants; others only their own institution's."""
    if principal.is_hub_admin or principal.institution_id == institution_id:
        return
    raise Forbidden("You may change only your own institution's participants.")


def ensure_hosts_cohort(
    principal: Principal, host_institution_id: int, *, to: str = "run this cohort"
) -> None:
    """Admins run any cohort; coordinators (and clients) only those their institution hosts."""
    if principal.is_hub_admin or principal.institution_id == host_institution_id:
        return
    raise Forbidden(f"Only the host institution and hub administrators {to}.")


def change_reader(principal: Principal) -> bool:
    """Whoever reads the catalogue or participants; each sees the feed entries of what it may read."""
    return catalogue_reader(principal) or participant_reader(principal)


def webhook_manager(principal: Principal) -> bool:
    """Hub admins and clients granted `webhooks:manage`; each manages only its own subscriptions."""
    return principal.has_scope(Scope.WEBHOOKS_MANAGE)


def stats_reader(principal: Principal) -> bool:
    """Every user role (analysts included), and clients granted `stats:read`."""
    return principal.has_scope(Scope.STATS_READ)
