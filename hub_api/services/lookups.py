"""Loading objects by id with a 404 that names what is missing."""

from hub_api.errors import NotFound, ValidationFailed
from hub_api.extensions import db


def get_or_404(model, object_id: int, *, label: str):
    """The object with this id, or a 404 naming the kind of object."""
    obj = db.session.get(model, object_id)
    if obj is None:
        raise NotFound(f"There is no {label} with id {object_id}.")
    return obj


def require_reference(model, object_id: int | None, *, field: str, label: str):
    """A referenced object from a request body, or a 422 on that field."""
    if object_id is None:
        return None
    obj = db.session.get(model, object_id)
    if obj is None:
        raise ValidationFailed(
            f"{field} refers to no existing {label}.",
            errors={field: [f"No {label} with id {object_id}."]},
        )
    return obj
