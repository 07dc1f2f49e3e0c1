"""Hub administrators manage user accounts."""

from flask import url_for

from hub_api.access.policies import hub_admin
from hub_api.api import Blueprint
from hub_api.auth.principal import current_principal
from hub_api.etags import ETAG_HEADER_DOC, check_if_match, with_etag
from hub_api.models import User
from hub_api.pagination import PAGINATION_HEADERS, paginate
from hub_api.schemas.users import UserPatchSchema, UserQuerySchema, UserSchema
from hub_api.services import users as service
from hub_api.services.lookups import get_or_404

blp = Blueprint("users", __name__, url_prefix="/api/v1/users", description="User accounts (hub admins)")

SORTABLE = {
    "email": User.email,
    "full_name": User.full_name,
    "created_at": User.created_at,
    "updated_at": User.updated_at,
}


@blp.route("", methods=["GET"])
@blp.access(hub_admin)
@blp.arguments(UserQuerySchema, location="query")
@blp.response(200, UserSchema(many=True), headers=PAGINATION_HEADERS)
def list_users(args):
    """List user accounts

    Filter by role, institution, active flag, or `q` on email and name."""
    return paginate(service.users_query(args), args, model=User, sortable=SORTABLE)


@blp.route("", methods=["POST"])
@blp.access(hub_admin)
@blp.arguments(UserSchema)
@blp.response(201, UserSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(409, response="CONFLICT", description="Email already used")
def create_user(data):
    """Create a user account

    A coordinator must name its institution. The password is stored as an argon2id hash."""
    user = service.create_user(data=data)
    return with_etag(user, 201, location=url_for("users.get_user", user_id=user.id))


@blp.route("/<id:user_id>", methods=["GET"])
@blp.access(hub_admin)
@blp.response(200, UserSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, response="NOT_FOUND", description="No such user")
def get_user(user_id):
    """Get a user account"""
    return with_etag(get_or_404(User, user_id, label="user"))


@blp.route("/<id:user_id>", methods=["PATCH"])
@blp.access(hub_admin)
@blp.etag_checked
@blp.arguments(UserPatchSchema)
@blp.response(200, UserSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, response="NOT_FOUND", description="No such user")
@blp.alt_response(409, response="CONFLICT", description="Email already used, or own account")
def update_user(changes, user_id):
    """Change a user account

    `is_active: false` disables the account and revokes its live tokens at once."""
    user = get_or_404(User, user_id, label="user")
    check_if_match(user)
    return with_etag(service.update_user(principal=current_principal(), user=user, changes=changes))


@blp.route("/<id:user_id>", methods=["DELETE"])
@blp.access(hub_admin)
@blp.etag_checked
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND", description="No such user")
@blp.alt_response(409, response="CONFLICT", description="Own account")
def delete_user(user_id):
    """Delete a user account

    Prefer disabling; deletion removes the account, and the audit trail keeps its email."""
    user = get_or_404(User, user_id, label="user")
    check_if_match(user)
    service.delete_user(principal=current_principal(), user=user)
