"""Public verification of training certificates."""

from flask import current_app

from hub_api.api import Blueprint
from hub_api.extensions import limiter
from hub_api.schemas.enrolments import VerificationSchema
from hub_api.services import certificates as service

blp = Blueprint("certificates", __name__, url_prefix="/api/v1/certificates", description="Certificates")


def _verify_limit() -> str:
    return current_app.config["HUB_VERIFY_RATE_LIMIT"]


@blp.route("/verify/<string(maxlength=64):code>", methods=["GET"])
@blp.public
@limiter.limit(_verify_limit)
@blp.response(200, VerificationSchema)
@blp.alt_response(404, response="NOT_FOUND", description="No certificate has this code")
def verify_certificate(code):
    """Verify a certificate

    Public. Tells whether the certificate is valid (a withdrawn or erased record's is revoked),
    its number, the holder's initials, the cohort and curriculum titles, the date and the
    issuer, and nothing more personal."""
    return service.verify(code)
