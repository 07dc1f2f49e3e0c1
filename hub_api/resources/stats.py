"""Statistics for dashboards: JSON or CSV, small cells suppressed, cheap to poll with ETags."""

import hashlib
import json

from flask import Response, current_app, request

from hub_api import clock, replica
from hub_api.access.objects import ensure_can_unsuppress
from hub_api.access.policies import stats_reader
from hub_api.api import Blueprint
from hub_api.auth.principal import current_principal
from hub_api.csv_export import render_csv
from hub_api.schemas.stats import (
    AgreementStatsSchema,
    CohortStatsSchema,
    OverviewSchema,
    ProgrammeStatsSchema,
    StatsArgsSchema,
    TrainingArgsSchema,
    TrainingStatsSchema,
)
from hub_api.services.stats import tables
from hub_api.services.stats.freshness import data_version
from hub_api.services.stats.labels import choose_language
from hub_api.services.stats.overview import overview
from hub_api.services.stats.results import Rendered, results
from hub_api.services.stats.targets import agreement_stats, cohort_stats, programme_stats
from hub_api.services.stats.training import training_stats

blp = Blueprint("stats", __name__, url_prefix="/api/v1/stats", description="Statistics for dashboards")

CACHE_CONTROL = "private, no-cache"  # the caller's own copy, revalidated with If-None-Match
VARY = "Accept, Accept-Language, Authorization"
CSV_CONTENT = {"text/csv": {"schema": {"type": "string"}}}
CSV_DOC = {"responses": {200: {"content": CSV_CONTENT}}}  # int key: merges with the JSON response
NOT_MODIFIED = {"response": "NOT_MODIFIED", "description": "Unchanged since the ETag sent in If-None-Match"}
FILTERS = ("from_date", "to_date", "country", "institution_id", "programme_id", "curriculum_id")
FILTERS += ("agreement_id", "cohort_kind", "delivery_mode")


def _min_cell(args: dict) -> int | None:
    if args["suppress"]:
        return current_app.config["HUB_STATS_MIN_CELL"]
    ensure_can_unsuppress(current_principal())
    return None


def _wants_csv(args: dict) -> bool:
    if args.get("format"):
        return args["format"] == "csv"
    return request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv"


def _etag(*parts) -> str:
    facts = [request.path, sorted(request.args.items(multi=True)), clock.today().isoformat(), *parts]
    digest = hashlib.sha256(json.dumps(facts, default=str).encode()).hexdigest()[:32]
    return f'"{digest}"'


def _headers(etag: str) -> dict:
    return {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": VARY}


def _render(document: dict, as_csv: bool, table, filename: str) -> Rendered:
    if as_csv:
        return Rendered(render_csv(*table(document)), "text/csv", f"{filename}.csv")
    # Keys in the documented order (dimensions, then metrics), as the CSV columns.
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return Rendered(body.encode(), "application/json")


def serve(args: dict, compute, table, filename: str) -> Response:
    """Answer 304 if the caller's copy is current; else the figures, as JSON or as a CSV download.

    The figures are computed once per ETag: callers asking for the same statistic of the same
    data share the rendered body."""
    k = _min_cell(args)
    lang = choose_language(args.get("lang"), request.accept_languages)
    as_csv = _wants_csv(args)
    with replica.reads():  # the fingerprint and the figures from the same copy of the data
        etag = _etag(lang, as_csv, k, *data_version())
        if request.if_none_match.contains_weak(etag.strip('"')):  # RFC 9110: weak comparison
            return Response(status=304, headers=_headers(etag))
        rendered = results().get(etag)
        if rendered is None:
            rendered = _render(compute(k=k, lang=lang), as_csv, table, filename)
            results().put(etag, rendered)
    response = Response(rendered.body, mimetype=rendered.mimetype)
    if rendered.filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{rendered.filename}"'
    response.headers.update(_headers(etag))
    return response


def statistic(rule: str, schema, *, args_schema=StatsArgsSchema, missing: str | None = None):
    """Register a statistic: for stats readers, JSON or CSV, 304 when unchanged, 404 for no such object."""

    def decorator(func):
        if missing:
            func = blp.alt_response(404, response="NOT_FOUND", description=f"No such {missing}")(func)
        func = blp.alt_response(304, **NOT_MODIFIED)(blp.doc(**CSV_DOC)(func))
        func = blp.arguments(args_schema, location="query")(blp.response(200, schema)(func))
        return blp.route(rule, methods=["GET"])(blp.access(stats_reader)(func))

    return decorator


@statistic("/overview", OverviewSchema)
def get_overview(args):
    """The hub at a glance

    Institutions by country and kind, agreements by effective status, cohorts by status, and
    people trained (women among them) per year."""
    return serve(args, overview, tables.overview_table, "overview")


@statistic("/training", TrainingStatsSchema, args_schema=TrainingArgsSchema)
def get_training(args):
    """Training figures by any dimensions

    The unit is an enrolment; a cohort's date is its start. Counts below `min_cell` are null and
    named in `suppressed`, and so are the cells that would let them be worked back."""
    filters = {name: args[name] for name in FILTERS if args.get(name) is not None}

    def compute(*, k, lang):
        return training_stats(group_by=args["group_by"], filters=filters, k=k, lang=lang)

    return serve(args, compute, tables.training_table, "training")


@statistic("/cohorts/<id:cohort_id>", CohortStatsSchema, missing="cohort")
def get_cohort_stats(args, cohort_id):
    """One cohort's figures

    Capacity, seats taken and fill rate, the training metrics, and the same by gender."""

    def compute(*, k, lang):
        return cohort_stats(cohort_id=cohort_id, k=k, lang=lang)

    return serve(args, compute, tables.cohort_table, f"cohort-{cohort_id}")


@statistic("/programmes/<id:programme_id>", ProgrammeStatsSchema, missing="programme")
def get_programme_stats(args, programme_id):
    """A programme's targets against delivery

    `actual` counts what the programme's cohorts delivered; `share_reached` is actual / target."""

    def compute(*, k, lang):
        return programme_stats(programme_id=programme_id, k=k)

    return serve(args, compute, tables.programme_table, f"programme-{programme_id}")


@statistic("/agreements/<id:agreement_id>", AgreementStatsSchema, missing="agreement")
def get_agreement_stats(args, agreement_id):
    """An agreement's commitments against delivery

    Delivered through the cohorts linked to the agreement. A yearly commitment lists every year
    from the agreement's start to its end (or this year): `actual` sums them, and `share_reached`
    compares it with target × years."""

    def compute(*, k, lang):
        return agreement_stats(agreement_id=agreement_id, k=k)

    return serve(args, compute, tables.agreement_table, f"agreement-{agreement_id}")
