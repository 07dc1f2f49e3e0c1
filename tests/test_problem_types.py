"""Problem types: each is listed once, documented in the README, and no refusal uses one that is not."""

import re
from pathlib import Path

import pytest

import hub_api
from hub_api.errors import HubError
from hub_api.problem_types import GENERIC, PREFIX, STATUS_OF, type_uri

README = Path(__file__).resolve().parent.parent / "README.md"


def all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from all_subclasses(sub)


def test_the_readme_documents_exactly_the_listed_types():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Problem types") :]
    rows = re.findall(r"^\| `urn:hub-api:problem:([a-z-]+)` \| (\d{3}) \| (.+) \|$", section, re.M)
    assert {slug: int(status) for slug, status, _ in rows} == STATUS_OF
    assert len(rows) == len(STATUS_OF)
    assert all(len(advice) > 20 for _, _, advice in rows)  # each says what to do


def test_every_domain_refusal_has_a_listed_type():
    assert hub_api.create_app  # every module that defines a refusal is imported with the app
    refusals = list(all_subclasses(HubError))
    assert len(refusals) >= 10
    for refusal in [HubError, *refusals]:
        assert type_uri(refusal.status, refusal.slug) == PREFIX + refusal.slug, refusal


def test_an_unlisted_type_is_refused_and_an_unlisted_status_is_about_blank():
    with pytest.raises(LookupError):
        type_uri(409, "made-up")
    with pytest.raises(LookupError):
        type_uri(404, "conflict")  # a listed type under another status
    assert type_uri(418) == GENERIC
    assert type_uri(404) == PREFIX + "not-found"
