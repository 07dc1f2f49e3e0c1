"""Each statistic as one table (columns and lines) for its CSV download."""

from hub_api.services.stats.training import METRICS

TOTAL = "total"


def training_table(doc: dict) -> tuple[list[str], list[dict]]:
    """The rows' keys in order, one line per row, then the totals line."""
    dims = [key for name in doc["group_by"] for key in (name, f"{name}_label")]
    columns = [*dims, *METRICS, "suppressed"]
    if not dims:
        return columns, [doc["totals"]]
    return columns, [*doc["rows"], {dims[0]: TOTAL, **doc["totals"]}]


OVERVIEW_COLUMNS = [
    "section",
    "dimension",
    "code",
    "label",
    "count",
    "people_trained",
    "women_trained",
    "women_share",
    "suppressed",
]


def _section_lines(section: str, part: dict, breakdowns: dict) -> list[dict]:
    lines = []
    for key, dimension in breakdowns.items():
        for row in part[key]:
            code = row[dimension]
            lines.append(
                {
                    "section": section,
                    "dimension": dimension,
                    "code": code,
                    "label": row[f"{dimension}_label"],
                    "count": row["count"],
                }
            )
    return [*lines, {"section": section, "dimension": TOTAL, "count": part["total"]}]


def overview_table(doc: dict) -> tuple[list[str], list[dict]]:
    """Long format: a line per breakdown entry, each section closed by its total."""
    lines = [
        *_section_lines("institutions", doc["institutions"], {"by_country": "country", "by_kind": "kind"}),
        *_section_lines("agreements", doc["agreements"], {"by_status": "status"}),
        {
            "section": "agreements",
            "dimension": "expiring_within_90_days",
            "count": doc["agreements"]["expiring_within_90_days"],
        },
        *_section_lines("cohorts", doc["cohorts"], {"by_status": "status"}),
    ]
    training = doc["training"]
    for row in training["by_year"]:
        year = {"code": row["year"], "label": row["year"]}
        lines.append({"section": "training", "dimension": "year", **year, **row})
    lines.append({"section": "training", "dimension": TOTAL, **training})
    return OVERVIEW_COLUMNS, lines


def cohort_table(doc: dict) -> tuple[list[str], list[dict]]:
    """A line per gender, then the cohort's totals; seats repeat on every line."""
    seats = {key: doc[key] for key in ("capacity", "seats_taken", "fill_rate")}
    columns = ["gender", "gender_label", *seats, *METRICS, "suppressed"]
    lines = [{**row, **seats} for row in doc["by_gender"]]
    return columns, [*lines, {**doc, "gender": TOTAL}]


def programme_table(doc: dict) -> tuple[list[str], list[dict]]:
    """A line per target."""
    return ["metric", "target", "actual", "share_reached", "suppressed"], doc["targets"]


def agreement_table(doc: dict) -> tuple[list[str], list[dict]]:
    """Per commitment, a line per year, then its line for the whole period (`year` = total)."""
    lines = []
    for commitment in doc["commitments"]:
        fixed = {key: commitment[key] for key in ("metric", "per", "target")}
        lines.extend({**fixed, **row} for row in commitment["by_year"])
        lines.append({**commitment, "year": TOTAL})
    return ["metric", "per", "year", "target", "actual", "share_reached", "suppressed"], lines
