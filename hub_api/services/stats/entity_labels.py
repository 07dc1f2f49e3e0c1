"""Labels for the codes in statistics rows: names of countries and entities, enum and period words."""

import sqlalchemy as sa

from hub_api.extensions import db
from hub_api.models import Agreement, Country, Curriculum, Institution, Programme
from hub_api.services.stats.dimensions import DIMENSIONS
from hub_api.services.stats.labels import enum_label, period_label, text_in


def _curriculum_title(row, lang: str) -> str:
    return f"{text_in(row.title, lang)} (v{row.number})"


# Per entity: the key column, the columns read, and how a row becomes a label.
ENTITY_LOOKUPS = {
    "country": (Country.code, (Country.code, Country.name), lambda row, lang: text_in(row.name, lang)),
    "institution": (
        Institution.id,
        (Institution.id, Institution.name),
        lambda row, lang: text_in(row.name, lang),
    ),
    "programme": (Programme.id, (Programme.id, Programme.name), lambda row, lang: text_in(row.name, lang)),
    "curriculum": (Curriculum.id, (Curriculum.id, Curriculum.title, Curriculum.number), _curriculum_title),
    "agreement": (
        Agreement.id,
        (Agreement.id, Agreement.title),
        lambda row, lang: text_in(row.title, lang),
    ),
}


def entity_labels(kind: str, codes: set, lang: str) -> dict:
    """code → label for one kind of entity, in one query."""
    present = {code for code in codes if code is not None}
    if not present:
        return {}
    key, columns, label = ENTITY_LOOKUPS[kind]
    rows = db.session.execute(sa.select(*columns).where(key.in_(present)))
    return {row[0]: label(row, lang) for row in rows}


def label_of(kind: str, code, lang: str, names: dict) -> str:
    """The label of one code of a dimension whose entity names were looked up into `names`."""
    if kind == "enum" or code is None:
        return enum_label(code, lang)
    if kind == "period":
        return period_label(code, lang)
    return names.get(code, str(code))


def label_rows(group_by: list[str], codes: list[tuple], lang: str) -> list[dict]:
    """For each row's codes, `{dimension: code, dimension_label: label}` in `group_by` order."""
    names = {}
    for position, name in enumerate(group_by):
        kind = DIMENSIONS[name].labels
        if kind not in ("enum", "period"):
            names[name] = entity_labels(kind, {row[position] for row in codes}, lang)
    rows = []
    for row in codes:
        labelled = {}
        for position, name in enumerate(group_by):
            kind = DIMENSIONS[name].labels
            labelled[name] = row[position]
            labelled[f"{name}_label"] = label_of(kind, row[position], lang, names.get(name, {}))
        rows.append(labelled)
    return rows
