"""Curriculum rules: drafts change, published versions never do, versions count up per code."""

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from hub_api.access.objects import ensure_can_manage_curriculum, ensure_can_record_adoption
from hub_api.auth.principal import Principal
from hub_api.errors import Conflict, NotFound, ValidationFailed
from hub_api.extensions import db
from hub_api.models import Agreement, Curriculum, CurriculumAdoption, CurriculumModule, Institution
from hub_api.models.base import utcnow
from hub_api.models.enums import CurriculumStatus
from hub_api.queries import json_list_contains, search_matches
from hub_api.services.lookups import get_or_404, require_reference

LOAD_OPTIONS = (selectinload(Curriculum.modules), selectinload(Curriculum.derivatives))
JSON_LIST_FILTERS = {
    "audience": Curriculum.audiences,
    "standard": Curriculum.standards,
    "delivery_mode": Curriculum.delivery_modes,
    "language": Curriculum.languages,
}


def curricula_query(filters: dict) -> sa.Select:
    """Curricula matching the list filters, modules and derivatives loaded."""
    stmt = sa.select(Curriculum).options(*LOAD_OPTIONS)
    for name in ("code", "status", "owner_institution_id", "derived_from_id"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(Curriculum, name) == filters[name])
    for name, column in JSON_LIST_FILTERS.items():
        if filters.get(name):
            stmt = stmt.where(json_list_contains(column, filters[name]))
    if filters.get("latest"):
        newer = aliased(Curriculum)
        stmt = stmt.where(
            Curriculum.status == CurriculumStatus.PUBLISHED,
            ~sa.select(newer.id)
            .where(
                newer.code == Curriculum.code,
                newer.status == CurriculumStatus.PUBLISHED,
                newer.number > Curriculum.number,
            )
            .exists(),
        )
    if filters.get("adopted_by") is not None:
        stmt = stmt.where(
            sa.select(CurriculumAdoption.id)
            .where(
                CurriculumAdoption.curriculum_id == Curriculum.id,
                CurriculumAdoption.institution_id == filters["adopted_by"],
            )
            .exists()
        )
    if filters.get("q"):
        stmt = stmt.where(search_matches(Curriculum.search_text, filters["q"]))
    return stmt


def get_curriculum(curriculum_id: int) -> Curriculum:
    """The curriculum version, or 404."""
    return get_or_404(Curriculum, curriculum_id, label="curriculum")


def _ensure_draft(curriculum: Curriculum) -> None:
    if curriculum.status is not CurriculumStatus.DRAFT:
        raise Conflict(
            f"Version {curriculum.number} of {curriculum.code} is {curriculum.status.value} and cannot "
            f"change; create a new version with POST /api/v1/curricula/{curriculum.id}/versions."
        )


def _apply(curriculum: Curriculum, data: dict) -> None:
    data = dict(data)
    if "modules" in data:
        curriculum.modules = _modules_by_position(curriculum, data.pop("modules"))
    if data.get("derived_from_id") is not None:
        source = require_reference(
            Curriculum, data["derived_from_id"], field="derived_from_id", label="curriculum"
        )
        if curriculum.id is not None and _in_lineage(source, curriculum.id):
            raise ValidationFailed(
                "A curriculum cannot be derived from itself or from one of its own adaptations.",
                errors={"derived_from_id": ["This source would create a cycle."]},
            )
    for key, value in data.items():
        setattr(curriculum, key, value)
    curriculum.updated_at = utcnow()  # module-only changes still count as a change (ETag, sync)


def _modules_by_position(curriculum: Curriculum, specs: list[dict]) -> list[CurriculumModule]:
    """The new module list: rows at a kept position are updated in place, the rest added or dropped."""
    existing = {module.position: module for module in curriculum.modules}
    modules = []
    for spec in sorted(specs, key=lambda m: m["position"]):  # in position order, as a reload lists them
        module = existing.pop(spec["position"], None) or CurriculumModule(position=spec["position"])
        module.title = spec["title"]
        module.hours = Decimal(str(spec["hours"]))
        module.learning_outcomes = spec["learning_outcomes"]
        modules.append(module)
    for dropped in existing.values():
        db.session.delete(dropped)  # explicit, so the audit trail records the removal
    return modules


def _in_lineage(source: Curriculum, curriculum_id: int) -> bool:
    seen: set[int] = set()
    while source is not None and source.id not in seen:
        if source.id == curriculum_id:
            return True
        seen.add(source.id)
        source = source.derived_from
    return False


def create_curriculum(*, principal: Principal, data: dict) -> Curriculum:
    """Create version 1 of a new curriculum code as a draft."""
    ensure_can_manage_curriculum(principal, data["owner_institution_id"])
    require_reference(
        Institution, data["owner_institution_id"], field="owner_institution_id", label="institution"
    )
    if db.session.scalar(sa.select(Curriculum.id).where(Curriculum.code == data["code"]).limit(1)):
        raise Conflict(
            f"Curriculum {data['code']} already exists; add a version with POST /curricula/{{id}}/versions.",
            errors={"code": ["Already used."]},
        )
    curriculum = Curriculum(number=1, status=CurriculumStatus.DRAFT)
    _apply(curriculum, data)
    db.session.add(curriculum)
    db.session.flush()
    return curriculum


def update_curriculum(*, principal: Principal, curriculum: Curriculum, changes: dict) -> Curriculum:
    """Change a draft; published and retired versions are immutable."""
    ensure_can_manage_curriculum(principal, curriculum.owner_institution_id)
    _ensure_draft(curriculum)
    _apply(curriculum, changes)
    db.session.flush()
    return curriculum


def delete_curriculum(*, principal: Principal, curriculum: Curriculum) -> None:
    """Remove a draft version that nothing derives from."""
    ensure_can_manage_curriculum(principal, curriculum.owner_institution_id)
    _ensure_draft(curriculum)
    if curriculum.derivatives:
        raise Conflict("Other curricula are derived from this one; unlink them first.")
    db.session.delete(curriculum)
    db.session.flush()


def publish(*, principal: Principal, curriculum: Curriculum) -> Curriculum:
    """Freeze a draft: from now on it is read-only and can be used by cohorts."""
    ensure_can_manage_curriculum(principal, curriculum.owner_institution_id)
    _ensure_draft(curriculum)
    if not curriculum.modules:
        raise ValidationFailed("Add at least one module before publishing.", errors={"modules": ["Empty."]})
    curriculum.status = CurriculumStatus.PUBLISHED
    curriculum.published_at = utcnow()
    db.session.flush()
    return curriculum


def retire(*, principal: Principal, curriculum: Curriculum) -> Curriculum:
    """Withdraw a published version from new use; what already uses it is unaffected."""
    ensure_can_manage_curriculum(principal, curriculum.owner_institution_id)
    if curriculum.status is not CurriculumStatus.PUBLISHED:
        raise Conflict(f"Only published versions can be retired; this one is {curriculum.status.value}.")
    curriculum.status = CurriculumStatus.RETIRED
    curriculum.retired_at = utcnow()
    db.session.flush()
    return curriculum


def new_version(*, principal: Principal, curriculum: Curriculum) -> Curriculum:
    """A draft with the next version number of the same code, copying the design and modules."""
    ensure_can_manage_curriculum(principal, curriculum.owner_institution_id)
    versions = db.session.execute(
        sa.select(Curriculum.number, Curriculum.status).where(Curriculum.code == curriculum.code)
    ).all()
    draft = next((v for v, status in versions if status is CurriculumStatus.DRAFT), None)
    if draft is not None:
        raise Conflict(f"Version {draft} of {curriculum.code} is still a draft; edit or publish it first.")
    copy = Curriculum(
        code=curriculum.code,
        number=max(v for v, _ in versions) + 1,
        status=CurriculumStatus.DRAFT,
        title=dict(curriculum.title),
        summary=dict(curriculum.summary) if curriculum.summary else None,
        owner_institution_id=curriculum.owner_institution_id,
        languages=list(curriculum.languages),
        delivery_modes=list(curriculum.delivery_modes),
        audiences=list(curriculum.audiences),
        standards=list(curriculum.standards),
        derived_from_id=curriculum.derived_from_id,
        modules=[
            CurriculumModule(
                position=m.position,
                title=dict(m.title),
                hours=m.hours,
                learning_outcomes=list(m.learning_outcomes),
            )
            for m in curriculum.modules
        ],
    )
    db.session.add(copy)
    db.session.flush()
    return copy


def adoptions_query(curriculum_id: int, filters: dict) -> sa.Select:
    """A curriculum's adoptions matching the filters."""
    stmt = sa.select(CurriculumAdoption).where(CurriculumAdoption.curriculum_id == curriculum_id)
    for name in ("institution_id", "agreement_id"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(CurriculumAdoption, name) == filters[name])
    return stmt


def get_adoption(curriculum_id: int, adoption_id: int) -> CurriculumAdoption:
    """The adoption, if it belongs to that curriculum; otherwise 404."""
    adoption = db.session.get(CurriculumAdoption, adoption_id)
    if adoption is None or adoption.curriculum_id != curriculum_id:
        raise NotFound(f"Curriculum {curriculum_id} has no adoption with id {adoption_id}.")
    return adoption


def _check_agreement(agreement_id: int | None, institution_id: int) -> None:
    agreement = require_reference(Agreement, agreement_id, field="agreement_id", label="agreement")
    if agreement is not None and institution_id not in {p.institution_id for p in agreement.parties}:
        raise ValidationFailed(
            "The adopting institution is not a party to that agreement.",
            errors={"agreement_id": [f"Institution {institution_id} is not among its parties."]},
        )


def _check_adoption_free(curriculum_id: int, institution_id: int) -> None:
    clash = db.session.scalar(
        sa.select(CurriculumAdoption.id).where(
            CurriculumAdoption.curriculum_id == curriculum_id,
            CurriculumAdoption.institution_id == institution_id,
        )
    )
    if clash is not None:
        raise Conflict(
            f"Institution {institution_id} already adopted this version (adoption {clash}).",
            errors={"institution_id": ["Already adopted."]},
        )


def create_adoption(*, principal: Principal, curriculum: Curriculum, data: dict) -> CurriculumAdoption:
    """Record that an institution adopted a published (or retired) version."""
    ensure_can_record_adoption(principal, data["institution_id"])
    if curriculum.status is CurriculumStatus.DRAFT:
        raise Conflict("A draft cannot be adopted; publish it first.")
    require_reference(Institution, data["institution_id"], field="institution_id", label="institution")
    _check_adoption_free(curriculum.id, data["institution_id"])
    _check_agreement(data.get("agreement_id"), data["institution_id"])
    adoption = CurriculumAdoption(curriculum_id=curriculum.id, **data)
    db.session.add(adoption)
    db.session.flush()
    return adoption


def update_adoption(
    *, principal: Principal, adoption: CurriculumAdoption, changes: dict
) -> CurriculumAdoption:
    """Change an adoption's details."""
    ensure_can_record_adoption(principal, adoption.institution_id)
    if "agreement_id" in changes:
        _check_agreement(changes["agreement_id"], adoption.institution_id)
    for key, value in changes.items():
        setattr(adoption, key, value)
    db.session.flush()
    return adoption


def delete_adoption(*, principal: Principal, adoption: CurriculumAdoption) -> None:
    """Remove an adoption record."""
    ensure_can_record_adoption(principal, adoption.institution_id)
    db.session.delete(adoption)
    db.session.flush()
