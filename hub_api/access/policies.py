"""Who may call a route: the policies each view declares with `blp.access(...)`."""

from hub_api.auth.principal import Principal
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


def change_reader(principal: Principal) -> bool:
    """Whoever reads the catalogue or participants; each sees the feed entries of what it may read."""
    return catalogue_reader(principal) or participant_reader(principal)


def webhook_manager(principal: Principal) -> bool:
    """Hub admins and clients granted `webhooks:manage`; each manages only its own subscriptions."""
    return principal.has_scope(Scope.WEBHOOKS_MANAGE)


def stats_reader(principal: Principal) -> bool:
    """Every user role (analysts included), and clients granted `stats:read`."""
    return principal.has_scope(Scope.STATS_READ)
