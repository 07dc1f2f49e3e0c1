"""User accounts: creation, changes, disabling (which ends live sessions) and removal."""

import sqlalchemy as sa

from hub_api.auth import tokens
from hub_api.auth.passwords import hash_secret
from hub_api.auth.principal import Principal
from hub_api.errors import Conflict, ValidationFailed
from hub_api.extensions import db
from hub_api.models import Institution, User
from hub_api.models.enums import Role
from hub_api.queries import escape_like
from hub_api.services.lookups import require_reference


def users_query(filters: dict) -> sa.Select:
    """Users matching the list filters."""
    stmt = sa.select(User)
    for name in ("role", "institution_id", "is_active"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(User, name) == filters[name])
    if filters.get("q"):
        pattern = f"%{escape_like(filters['q'].lower())}%"
        stmt = stmt.where(
            sa.or_(
                User.email.like(pattern, escape="\\"),
                sa.func.lower(User.full_name).like(pattern, escape="\\"),
            )
        )
    return stmt


def _normalise(data: dict) -> dict:
    data = dict(data)
    if "email" in data:
        data["email"] = data["email"].strip().lower()
    if "password" in data:
        data["password_hash"] = hash_secret(data.pop("password"))
    return data


def _check_email_free(email: str, *, user_id: int | None = None) -> None:
    """Refuse an email another account uses, naming the field on every database."""
    taken = db.session.scalar(sa.select(User.id).where(User.email == email, User.id != user_id))
    if taken is not None:
        raise Conflict(
            "A user with this email already exists.",
            errors={"email": ["a user with this email already exists"]},
        )


def _check_role_and_institution(role: Role, institution_id: int | None) -> None:
    require_reference(Institution, institution_id, field="institution_id", label="institution")
    if role is Role.COORDINATOR and institution_id is None:
        raise ValidationFailed(
            "A coordinator must belong to an institution.",
            errors={"institution_id": ["Required for coordinators."]},
        )


def create_user(*, data: dict) -> User:
    """Create an account with an argon2id-hashed password."""
    data = _normalise(data)
    _check_email_free(data["email"])
    _check_role_and_institution(data["role"], data.get("institution_id"))
    user = User(**data)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(*, principal: Principal, user: User, changes: dict) -> User:
    """Change an account; disabling it or changing its password ends its live sessions."""
    changes = _normalise(changes)
    if (
        user.id == principal.id
        and principal.is_user
        and (changes.get("is_active") is False or changes.get("role", Role.HUB_ADMIN) is not Role.HUB_ADMIN)
    ):
        raise Conflict("You cannot disable or demote your own account; ask another hub admin.")
    if "email" in changes:
        _check_email_free(changes["email"], user_id=user.id)
    _check_role_and_institution(
        changes.get("role", user.role), changes.get("institution_id", user.institution_id)
    )
    ends_sessions = changes.get("is_active") is False or "password_hash" in changes
    for key, value in changes.items():
        setattr(user, key, value)
    db.session.flush()
    if ends_sessions:
        tokens.revoke_all_for(user=user, reason="account_changed")
    return user


def delete_user(*, principal: Principal, user: User) -> None:
    """Remove an account (its sessions go with it); the audit trail keeps its email."""
    if principal.is_user and user.id == principal.id:
        raise Conflict("You cannot delete your own account.")
    db.session.delete(user)
    db.session.flush()
