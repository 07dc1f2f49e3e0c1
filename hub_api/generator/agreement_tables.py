"""Rows of the planned agreements, their parties, commitments and lifecycle transitions."""

from collections.abc import Iterator
from datetime import date

from hub_api.generator import vocabulary as words
from hub_api.generator.agreements import ACTIVE, SIGNED, TERMINATED, Agreement
from hub_api.generator.context import Context, json_text, search_text
from hub_api.generator.tables import Table, numbered

ACTOR = "hub-api generate"
COLUMNS = (
    "id", "reference", "title", "kind", "status", "areas", "signed_place", "signed_on", "effective_from",
    "expires_on", "auto_renew", "programme_id", "predecessor_id", "notes", "search_text",
    "created_at", "updated_at", "version",
)  # fmt: skip
PARTY_COLUMNS = (
    "id", "agreement_id", "institution_id", "role", "signatory_name", "signatory_title", "signed_on",
)  # fmt: skip
COMMITMENT_COLUMNS = ("id", "agreement_id", "metric", "target", "per")
TRANSITION_COLUMNS = (
    "id",
    "agreement_id",
    "from_status",
    "to_status",
    "on",
    "note",
    "actor_label",
    "created_at",
)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _row(ctx: Context, a: Agreement) -> tuple:
    signed_place = a.parties[0][0].city if a.status in (SIGNED, ACTIVE, TERMINATED) else None
    return (
        a.id, a.reference, json_text(a.title), a.kind, a.status, json_text(a.areas), signed_place,
        _day(a.signed_on), _day(a.effective_from), _day(a.expires_on), a.expires_on is None, a.programme_id,
        a.predecessor_id, None, search_text(a.reference, *a.title.values()), *ctx.stamp,
    )  # fmt: skip


def agreement_tables(ctx: Context, agreements: list[Agreement]) -> Iterator[Table]:
    """The agreements table and its parties, commitments and transitions, in writing order."""
    first = ctx.first_ids
    yield Table("agreements", COLUMNS, [_row(ctx, a) for a in agreements])
    parties = (
        (a.id, institution.id, role, None, words.SIGNATORY_TITLES[institution.kind], _day(a.signed_on))
        for a in agreements
        for institution, role in a.parties
    )
    yield Table("agreement_parties", PARTY_COLUMNS, numbered(first["agreement_parties"], parties))
    commitments = ((a.id, *commitment) for a in agreements for commitment in a.commitments)
    yield Table(
        "agreement_commitments", COMMITMENT_COLUMNS, numbered(first["agreement_commitments"], commitments)
    )
    transitions = (
        (a.id, before, after, on.isoformat(), None, ACTOR, ctx.now)
        for a in agreements
        for before, after, on in a.history
    )
    yield Table(
        "agreement_transitions", TRANSITION_COLUMNS, numbered(first["agreement_transitions"], transitions)
    )
