"""Shared curricula: versioned course designs, publishing, versions and adoptions."""

from flask import url_for

from hub_api.access.policies import catalogue_reader, institution_editor
from hub_api.api import Blueprint
from hub_api.auth.principal import current_principal
from hub_api.etags import ETAG_HEADER_DOC, check_if_match, with_etag
from hub_api.models import Curriculum, CurriculumAdoption
from hub_api.pagination import PAGINATION_HEADERS, paginate
from hub_api.schemas.curricula import (
    AdoptionPatchSchema,
    AdoptionQuerySchema,
    AdoptionSchema,
    CurriculumPatchSchema,
    CurriculumQuerySchema,
    CurriculumSchema,
)
from hub_api.services import curricula as service

blp = Blueprint("curricula", __name__, url_prefix="/api/v1/curricula", description="Shared curricula")

SORTABLE = {
    "code": Curriculum.code,
    "version": Curriculum.number,
    "published_at": Curriculum.published_at,
    "created_at": Curriculum.created_at,
    "updated_at": Curriculum.updated_at,
}
ADOPTION_SORTABLE = {
    "adopted_on": CurriculumAdoption.adopted_on,
    "created_at": CurriculumAdoption.created_at,
    "updated_at": CurriculumAdoption.updated_at,
}
NOT_FOUND = {"response": "NOT_FOUND", "description": "No such curriculum (or adoption)"}
IMMUTABLE = {"response": "CONFLICT", "description": "Published or retired versions never change"}


def _created(curriculum: Curriculum):
    location = url_for("curricula.get_curriculum", curriculum_id=curriculum.id)
    return with_etag(curriculum, 201, location=location)


@blp.route("", methods=["GET"])
@blp.access(catalogue_reader)
@blp.arguments(CurriculumQuerySchema, location="query")
@blp.response(200, CurriculumSchema(many=True), headers=PAGINATION_HEADERS)
def list_curricula(args):
    """List curricula

    Modules come inline. `latest=true` keeps only the newest published version of each code."""
    return paginate(service.curricula_query(args), args, model=Curriculum, sortable=SORTABLE)


@blp.route("", methods=["POST"])
@blp.access(institution_editor)
@blp.arguments(CurriculumSchema)
@blp.response(201, CurriculumSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(409, response="CONFLICT", description="Code already used")
def create_curriculum(data):
    """Create a curriculum

    Version 1 of a new code, as a draft. Coordinators create curricula their institution owns."""
    return _created(service.create_curriculum(principal=current_principal(), data=data))


@blp.route("/<id:curriculum_id>", methods=["GET"])
@blp.access(catalogue_reader)
@blp.response(200, CurriculumSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
def get_curriculum(curriculum_id):
    """Get a curriculum version"""
    return with_etag(service.get_curriculum(curriculum_id))


@blp.route("/<id:curriculum_id>", methods=["PATCH"])
@blp.access(institution_editor)
@blp.etag_checked
@blp.arguments(CurriculumPatchSchema)
@blp.response(200, CurriculumSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, **IMMUTABLE)
def update_curriculum(changes, curriculum_id):
    """Change a draft curriculum

    `modules`, when given, replaces the list. A published version answers 409."""
    curriculum = service.get_curriculum(curriculum_id)
    check_if_match(curriculum)
    return with_etag(
        service.update_curriculum(principal=current_principal(), curriculum=curriculum, changes=changes)
    )


@blp.route("/<id:curriculum_id>", methods=["DELETE"])
@blp.access(institution_editor)
@blp.etag_checked
@blp.response(204)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, **IMMUTABLE)
def delete_curriculum(curriculum_id):
    """Delete a draft curriculum version"""
    curriculum = service.get_curriculum(curriculum_id)
    check_if_match(curriculum)
    service.delete_curriculum(principal=current_principal(), curriculum=curriculum)


@blp.route("/<id:curriculum_id>/publish", methods=["POST"])
@blp.access(institution_editor)
@blp.response(200, CurriculumSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, **IMMUTABLE)
def publish_curriculum(curriculum_id):
    """Publish a draft

    From then on the version is immutable and cohorts may use it."""
    curriculum = service.get_curriculum(curriculum_id)
    return with_etag(service.publish(principal=current_principal(), curriculum=curriculum))


@blp.route("/<id:curriculum_id>/retire", methods=["POST"])
@blp.access(institution_editor)
@blp.response(200, CurriculumSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, response="CONFLICT", description="Not published")
def retire_curriculum(curriculum_id):
    """Retire a published version

    New cohorts cannot use it; cohorts already using it are unaffected."""
    curriculum = service.get_curriculum(curriculum_id)
    return with_etag(service.retire(principal=current_principal(), curriculum=curriculum))


@blp.route("/<id:curriculum_id>/versions", methods=["POST"])
@blp.access(institution_editor)
@blp.response(201, CurriculumSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, response="CONFLICT", description="A draft version already exists")
def create_version(curriculum_id):
    """Start a new version

    A draft with the next version number of the same code, copying the design and modules."""
    curriculum = service.get_curriculum(curriculum_id)
    return _created(service.new_version(principal=current_principal(), curriculum=curriculum))


@blp.route("/<id:curriculum_id>/adoptions", methods=["GET"])
@blp.access(catalogue_reader)
@blp.arguments(AdoptionQuerySchema, location="query")
@blp.response(200, AdoptionSchema(many=True), headers=PAGINATION_HEADERS)
@blp.alt_response(404, **NOT_FOUND)
def list_adoptions(args, curriculum_id):
    """List a curriculum version's adoptions"""
    service.get_curriculum(curriculum_id)
    stmt = service.adoptions_query(curriculum_id, args)
    return paginate(stmt, args, model=CurriculumAdoption, sortable=ADOPTION_SORTABLE)


@blp.route("/<id:curriculum_id>/adoptions", methods=["POST"])
@blp.access(institution_editor)
@blp.arguments(AdoptionSchema)
@blp.response(201, AdoptionSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, response="CONFLICT", description="Already adopted, or a draft")
def create_adoption(data, curriculum_id):
    """Record an adoption

    Coordinators record their own institution's adoptions; hub admins any."""
    curriculum = service.get_curriculum(curriculum_id)
    adoption = service.create_adoption(principal=current_principal(), curriculum=curriculum, data=data)
    location = url_for("curricula.get_adoption", curriculum_id=curriculum_id, adoption_id=adoption.id)
    return with_etag(adoption, 201, location=location)


@blp.route("/<id:curriculum_id>/adoptions/<id:adoption_id>", methods=["GET"])
@blp.access(catalogue_reader)
@blp.response(200, AdoptionSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
def get_adoption(curriculum_id, adoption_id):
    """Get an adoption"""
    return with_etag(service.get_adoption(curriculum_id, adoption_id))


@blp.route("/<id:curriculum_id>/adoptions/<id:adoption_id>", methods=["PATCH"])
@blp.access(institution_editor)
@blp.etag_checked
@blp.arguments(AdoptionPatchSchema)
@blp.response(200, AdoptionSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
def update_adoption(changes, curriculum_id, adoption_id):
    """Change an adoption"""
    adoption = service.get_adoption(curriculum_id, adoption_id)
    check_if_match(adoption)
    return with_etag(
        service.update_adoption(principal=current_principal(), adoption=adoption, changes=changes)
    )


@blp.route("/<id:curriculum_id>/adoptions/<id:adoption_id>", methods=["DELETE"])
@blp.access(institution_editor)
@blp.etag_checked
@blp.response(204)
@blp.alt_response(404, **NOT_FOUND)
def delete_adoption(curriculum_id, adoption_id):
    """Remove an adoption"""
    adoption = service.get_adoption(curriculum_id, adoption_id)
    check_if_match(adoption)
    service.delete_adoption(principal=current_principal(), adoption=adoption)
