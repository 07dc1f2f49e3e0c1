"""Contact people of an institution: signatories, focal points, heads."""

from flask import url_for

from hub_api.access.policies import contact_reader, institution_editor
from hub_api.api import Blueprint
from hub_api.auth.principal import current_principal
from hub_api.etags import ETAG_HEADER_DOC, check_if_match, with_etag
from hub_api.models import Contact, Institution
from hub_api.pagination import PAGINATION_HEADERS, paginate
from hub_api.schemas.contacts import ContactPatchSchema, ContactQuerySchema, ContactSchema
from hub_api.services import contacts as service
from hub_api.services.lookups import get_or_404

blp = Blueprint(
    "contacts",
    __name__,
    url_prefix="/api/v1/institutions/<id:institution_id>/contacts",
    description="Contact people of an institution",
)

SORTABLE = {
    "name": Contact.name,
    "created_at": Contact.created_at,
    "updated_at": Contact.updated_at,
}
NOT_FOUND = {"response": "NOT_FOUND", "description": "No such institution or contact"}


@blp.route("", methods=["GET"])
@blp.access(contact_reader)
@blp.arguments(ContactQuerySchema, location="query")
@blp.response(200, ContactSchema(many=True), headers=PAGINATION_HEADERS)
@blp.alt_response(404, **NOT_FOUND)
def list_contacts(args, institution_id):
    """List an institution's contacts"""
    get_or_404(Institution, institution_id, label="institution")
    stmt = service.contacts_query(institution_id, args)
    return paginate(stmt, args, model=Contact, sortable=SORTABLE)


@blp.route("", methods=["POST"])
@blp.access(institution_editor)
@blp.arguments(ContactSchema)
@blp.response(201, ContactSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
def create_contact(data, institution_id):
    """Add a contact

    Hub admins, or coordinators of this institution."""
    institution = get_or_404(Institution, institution_id, label="institution")
    contact = service.create_contact(principal=current_principal(), institution=institution, data=data)
    location = url_for("contacts.get_contact", institution_id=institution_id, contact_id=contact.id)
    return with_etag(contact, 201, location=location)


@blp.route("/<id:contact_id>", methods=["GET"])
@blp.access(contact_reader)
@blp.response(200, ContactSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
def get_contact(institution_id, contact_id):
    """Get a contact"""
    return with_etag(service.get_contact(institution_id, contact_id))


@blp.route("/<id:contact_id>", methods=["PATCH"])
@blp.access(institution_editor)
@blp.etag_checked
@blp.arguments(ContactPatchSchema)
@blp.response(200, ContactSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
def update_contact(changes, institution_id, contact_id):
    """Change a contact"""
    contact = service.get_contact(institution_id, contact_id)
    check_if_match(contact)
    return with_etag(service.update_contact(principal=current_principal(), contact=contact, changes=changes))


@blp.route("/<id:contact_id>", methods=["DELETE"])
@blp.access(institution_editor)
@blp.etag_checked
@blp.response(204)
@blp.alt_response(404, **NOT_FOUND)
def delete_contact(institution_id, contact_id):
    """Remove a contact"""
    contact = service.get_contact(institution_id, contact_id)
    check_if_match(contact)
    service.delete_contact(principal=current_principal(), contact=contact)
