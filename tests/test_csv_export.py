"""hub_api.csv_export: CSV for spreadsheets: UTF-8 with a BOM, CRLF line ends, no cell run as a formula."""

import csv
import io

import pytest

from hub_api.csv_export import cell_text, render_csv

BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (42, "42"),
        (-3, "-3"),
        (0.8667, "0.8667"),
        (1.0, "1.0"),
        (-5.5, "-5.5"),
        ("Kostanay", "Kostanay"),
        ("Костанай", "Костанай"),
        ("", ""),
        ("2020-Q2", "2020-Q2"),
        ("a=b", "a=b"),  # only the first character counts
        ("x-1", "x-1"),
    ],
)
def test_plain_values(value, text):
    assert cell_text(value) == text


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://x")', "=1+2", "+x", "-1+2", "@cmd", "\tx", "\rx", "=", "-"],
)
def test_text_starting_like_a_formula_is_prefixed_with_an_apostrophe(text):
    assert cell_text(text) == "'" + text


def test_negative_numbers_are_numbers_not_formulas():
    assert (cell_text(-5.5), cell_text(-1)) == ("-5.5", "-1")


def test_text_of_a_negative_number_is_guarded_like_any_text():
    # A string is not a number: the guard does not try to tell "-1" from "-1+2".
    assert cell_text("-1") == "'-1"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ([], ""),
        (["completed"], "completed"),
        (["completed", "women_share", "avg_gain"], "completed;women_share;avg_gain"),
        (("a", "b"), "a;b"),
        ([1, 2], "1;2"),
    ],
)
def test_lists_are_semicolon_joined(value, text):
    assert cell_text(value) == text


def test_a_list_whose_text_starts_like_a_formula_is_guarded():
    assert cell_text(["=cmd", "x"]) == "'=cmd;x"


def test_render_starts_with_the_bom_and_ends_lines_with_crlf():
    data = render_csv(["a", "b"], [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}])

    assert data == BOM + b"a,b\r\n1,x\r\n2,y\r\n"


def test_render_leaves_missing_and_none_values_empty():
    data = render_csv(["code", "count", "suppressed"], [{"code": "total"}, {"count": None, "suppressed": []}])

    assert data == BOM + b"code,count,suppressed\r\ntotal,,\r\n,,\r\n"


def test_render_header_only_when_there_are_no_lines():
    assert render_csv(["metric", "actual"], []) == BOM + b"metric,actual\r\n"


def test_render_encodes_utf8_and_reads_back_with_the_csv_module():
    lines = [
        {"label": "Казахстан", "gain": -5.5, "note": 'say "hi", then\nleave'},
        {"label": "=SUM(A1:A2)", "gain": None, "note": "\tindented"},
    ]

    data = render_csv(["label", "gain", "note"], lines)

    assert data.startswith(BOM)
    text = data[len(BOM) :].decode("utf-8")
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["label", "gain", "note"],
        ["Казахстан", "-5.5", 'say "hi", then\nleave'],
        ["'=SUM(A1:A2)", "", "'\tindented"],
    ]


def test_render_guards_header_names_too():
    assert render_csv(["=x"], []) == BOM + b"'=x\r\n"
