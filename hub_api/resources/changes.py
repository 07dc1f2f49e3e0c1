"""The change feed partner systems follow to stay in sync."""

from hub_api.access.policies import change_reader
from hub_api.api import Blueprint
from hub_api.auth.principal import current_principal
from hub_api.errors import Gone
from hub_api.schemas.changes import ChangePageSchema, ChangeQuerySchema
from hub_api.services.changes.feed import CursorExpired, read_page

blp = Blueprint("changes", __name__, url_prefix="/api/v1/changes", description="Change feed")


@blp.route("", methods=["GET"])
@blp.access(change_reader)
@blp.arguments(ChangeQuerySchema, location="query")
@blp.response(200, ChangePageSchema)
@blp.alt_response(410, response="GONE", description="The cursor is older than the feed keeps")
def list_changes(args):
    """Read the change feed

    Every create, update and delete (erasures included) of institutions, agreements, curricula,
    cohorts, participants and enrolments you may see, in commit order. Send `next_cursor` back as
    `after` for the next page; a page shorter than `limit` means you are up to date. Walking the
    feed while others write misses nothing and repeats nothing. Entries pruned after
    `HUB_CHANGES_RETENTION_DAYS` make an older cursor answer 410: resync from the lists, then
    follow the feed from the `next_cursor` of a fresh read."""
    try:
        return read_page(
            current_principal(), after=args.get("after"), types=args["types"], limit=args["limit"]
        )
    except CursorExpired as exc:
        raise Gone(
            "This cursor points before entries the feed no longer keeps. Resync from the lists "
            "(`updated_since` helps), then follow the feed again from its beginning."
        ) from exc
