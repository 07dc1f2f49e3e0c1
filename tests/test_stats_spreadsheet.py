"""The training CSV opened by a real spreadsheet: LibreOffice Calc converts it to .xlsx, which is read back.

Needs `soffice` (LibreOffice) on PATH, e.g. `apt-get install --no-install-recommends
libreoffice-calc-nogui`; without it these tests are skipped. The CSV is imported as UTF-8 with
commas and double quotes (filter options 44,34,76): what a person picks in Calc's import dialog.
Run headless, LibreOffice 7.4 does not detect the BOM by itself and would read the bytes as
Windows-1252. The .xlsx is read with zipfile and ElementTree (openpyxl is not installed): a cell
has a type (`s` text, `n` number) and, if Calc took it for a formula, an `<f>` element.
"""

import shutil
import subprocess
import zipfile
from datetime import date
from xml.etree import ElementTree

import pytest

from hub_api.models.enums import EnrolmentStatus, Gender, StaffCategory
from tests.factories import InstitutionFactory
from tests.training_factories import CohortFactory, ParticipantRowFactory, PublishedCurriculumFactory, enrol

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="needs LibreOffice (soffice) on PATH")

UTF8_CSV = "CSV:44,34,76"  # comma-separated, double-quoted, UTF-8
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
FORMULA_NAME = '=HYPERLINK("http://x")'


def to_xlsx(csv_bytes: bytes, directory) -> dict[str, tuple[str, str, bool]]:
    """Convert CSV bytes with LibreOffice; return each cell as ref → (type, text, is formula)."""
    source = directory / "training.csv"
    source.write_bytes(csv_bytes)
    profile = (directory / "profile").as_uri()  # a profile of its own: parallel runs do not collide
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            f"--infilter={UTF8_CSV}",
            *("--convert-to", "xlsx", "--outdir", str(directory), str(source)),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with zipfile.ZipFile(directory / "training.xlsx") as book:
        strings = [
            "".join(t.text or "" for t in item.iter(f"{MAIN}t"))
            for item in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).iter(f"{MAIN}si")
        ]
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    cells = {}
    for c in sheet.iter(f"{MAIN}c"):
        kind, value = c.get("t", "n"), c.findtext(f"{MAIN}v")
        text = strings[int(value)] if kind == "s" else value
        cells[c.get("r")] = (kind, text, c.find(f"{MAIN}f") is not None)
    return cells


def column_of(cells: dict, header: str) -> str:
    """The column letter whose first-row cell reads `header`."""
    [ref] = [
        ref
        for ref, (_, text, _) in cells.items()
        if ref.endswith("1") and ref[:-1].isalpha() and text == header
    ]
    return ref[:-1]


@pytest.fixture
def two_institutions(dbs):
    """A Cyrillic-named academy and a formula-named one, two officers each; the latter's lose 5 and 6."""
    cyrillic = InstitutionFactory(code="KTA", name={"en": "Kostanay Academy", "ru": "Костанайская академия"})
    formula = InstitutionFactory(code="EVIL", name={"en": FORMULA_NAME})
    cohort = CohortFactory(
        curriculum_id=PublishedCurriculumFactory(owner_institution_id=cyrillic.id).id,
        host_institution_id=cyrillic.id,
        starts_on=date(2020, 5, 11),
    )
    for institution, scores in ((cyrillic, [(40, 70), (50, 90)]), (formula, [(50, 45), (50, 44)])):
        for pre, post in scores:
            person = ParticipantRowFactory(
                institution_id=institution.id, gender=Gender.FEMALE, staff_category=StaffCategory.PSYCHOLOGIST
            )
            enrolment = enrol(dbs, cohort, person, EnrolmentStatus.COMPLETED)
            enrolment.pre_score, enrolment.post_score = pre, post
    dbs.commit()
    return cyrillic, formula


def test_calc_keeps_cyrillic_text_guarded_labels_and_numbers(client, admin, two_institutions, tmp_path):
    response = client.get(
        "/api/v1/stats/training?group_by=institution&suppress=false&lang=ru&format=csv", headers=admin.headers
    )
    assert response.status_code == 200, response.get_data(as_text=True)

    cells = to_xlsx(response.data, tmp_path)

    label, gain, nominated = (column_of(cells, h) for h in ("institution_label", "avg_gain", "nominated"))
    assert cells["A1"] == ("s", "institution", False)  # the BOM is not glued to the first header
    assert cells[f"{label}2"] == ("s", "Костанайская академия", False)
    assert cells[f"{label}3"] == ("s", "'" + FORMULA_NAME, False)  # text, never a formula
    assert cells[f"{gain}2"] == ("n", "35", False)  # (30 + 40) / 2
    assert cells[f"{gain}3"] == ("n", "-5.5", False)  # negative, and still a number
    assert cells[f"{nominated}2"] == ("n", "2", False)
    assert cells["A4"] == ("s", "total", False)


def test_calc_would_run_an_unguarded_formula(tmp_path):
    """The check above can fail: the same conversion turns an unguarded `=1+2` into a formula."""
    cells = to_xlsx("\ufeffa,b\r\n=1+2,'=1+2\r\n".encode(), tmp_path)

    assert cells["A2"] == ("n", "3", True)
    assert cells["B2"] == ("s", "'=1+2", False)
