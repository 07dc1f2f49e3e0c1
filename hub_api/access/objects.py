"""Who may act on one object: checks the services run before a write, raising Forbidden (403)."""

from hub_api.auth.principal import Principal
from hub_api.errors import Forbidden

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


def ensure_can_manage_curriculum(principal: Principal, owner_institution_id: int) -> None:
    """Hub admins manage any curriculum; coordinators those their institution owns."""
    if principal.is_hub_admin or principal.institution_id == owner_institution_id:
        return
    raise Forbidden(
        "Only hub administrators and the owning institution's coordinators manage this curriculum."
    )


def ensure_can_record_adoption(principal: Principal, institution_id: int) -> None:
    """Hub admins record any adoption; a coordinator only its own institution's."""
    if principal.is_hub_admin or principal.institution_id == institution_id:
        return
    raise Forbidden("Coordinators may record adoptions only for their own institution.")


def ensure_owns_participants(principal: Principal, institution_id: int) -> None:
    """Admins write any institution's participants; others only their own institution's."""
    if principal.is_hub_admin or principal.institution_id == institution_id:
        return
    raise Forbidden("You may change only your own institution's participants.")


def ensure_can_nominate(principal: Principal, participant_institution_id: int) -> None:
    """Admins nominate anyone; coordinators and clients only their own institution's participants."""
    if principal.is_hub_admin or participant_institution_id == principal.institution_id:
        return
    raise Forbidden("Coordinators nominate only their own institution's participants.")


def ensure_can_change_enrolment(principal: Principal, institution_id: int, host_institution_id: int) -> None:
    """The participant's institution and the cohort's host may change an enrolment (each its part)."""
    if principal.is_hub_admin or principal.institution_id in (institution_id, host_institution_id):
        return
    raise Forbidden("This enrolment is not yours to change.")


def ensure_hosts_cohort(
    principal: Principal, host_institution_id: int, *, to: str = "run this cohort"
) -> None:
    """Admins run any cohort; coordinators (and clients) only those their institution hosts."""
    if principal.is_hub_admin or principal.institution_id == host_institution_id:
        return
    raise Forbidden(f"Only the host institution and hub administrators {to}.")


def ensure_can_move_cohort(principal: Principal) -> None:
    """Only hub administrators give a cohort another host."""
    if not principal.is_hub_admin:
        raise Forbidden("Only hub administrators move a cohort to another host.")


def ensure_can_unsuppress(principal: Principal) -> None:
    """Only hub administrators read statistics with small cells shown."""
    if not principal.is_hub_admin:
        raise Forbidden("Only hub administrators may ask for suppress=false.")
