"""Importing the procedure catalogue from CSV and XLSX, all or nothing."""

import os
import subprocess
import sys

from openpyxl import Workbook

from queue_server.dossiers.catalogue import import_procedures, read_rows
from queue_server.dossiers.models import Procedure

from .helpers import ROOT, site

HEADER = ["code", "name", "department", "field", "processing_time", "unit", "fee", "postal", "documents"]
ROWS = [
    [
        "1.010999",
        "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "SXD",
        "Xây dựng",
        "15",
        "working_days",
        "75.000",
        "có",
        "Đơn đề nghị cấp giấy phép (1 bản); Bản vẽ thiết kế (2 bản)",
    ],
    [
        "2.000488",
        "Cấp phiếu lý lịch tư pháp",
        "STP",
        "Tư pháp",
        "10",
        "working_days",
        "200000",
        "yes",
        "Tờ khai",
    ],
]


def write_csv(path, rows):
    path.write_text(
        "\n".join(",".join(f'"{cell}"' for cell in row) for row in [HEADER, *rows]), encoding="utf-8"
    )
    return path


def test_a_csv_catalogue_is_imported_with_documents_fees_and_postal_flag(session, tmp_path):
    report = import_procedures(session, site(session), read_rows(write_csv(tmp_path / "tthc.csv", ROWS)))
    session.commit()
    assert (report.created, report.updated, report.errors) == (2, 0, [])
    permit = session.query(Procedure).filter_by(code="1.010999").one()
    assert permit.department.code == "SXD" and permit.fee == 75000 and permit.postal_allowed
    assert permit.documents == [
        {"name": "Đơn đề nghị cấp giấy phép", "copies": 1},
        {"name": "Bản vẽ thiết kế", "copies": 2},
    ]
    again = import_procedures(session, site(session), read_rows(write_csv(tmp_path / "tthc.csv", ROWS)))
    assert (again.created, again.updated) == (0, 2)


def test_an_xlsx_catalogue_reads_the_same(session, tmp_path):
    book = Workbook()
    for row in [HEADER, *ROWS]:
        book.active.append(row)
    book.save(tmp_path / "tthc.xlsx")
    report = import_procedures(session, site(session), read_rows(tmp_path / "tthc.xlsx"))
    assert report.created == 2 and not report.errors


def test_one_bad_row_stops_the_whole_import_and_every_problem_is_listed(session, tmp_path):
    bad = [*ROWS, ["3.1", "X", "NOPE", "", "-2", "fortnights", "abc", "", ""], ROWS[0]]
    before = session.query(Procedure).count()  # the demo's own catalogue
    report = import_procedures(session, site(session), read_rows(write_csv(tmp_path / "bad.csv", bad)))
    assert report.created == 0 and session.query(Procedure).count() == before
    assert len(report.errors) == 2
    assert (
        "row 4" in report.errors[0]
        and "unknown department" in report.errors[0]
        and "unit" in report.errors[0]
    )
    assert "row 5" in report.errors[1] and "appears twice" in report.errors[1]


def test_the_cli_imports_or_explains(app, database_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": database_url}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "import-procedures", "--site", "NA-HCC"]
    ok = subprocess.run(
        [*command, str(write_csv(tmp_path / "ok.csv", ROWS))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0 and "2 procedures created" in ok.stdout
    bad = subprocess.run(
        [
            *command,
            str(write_csv(tmp_path / "bad.csv", [["x", "", "SXD", "", "1", "working_days", "", "", ""]])),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0 and "Nothing imported" in bad.stderr and "no name" in bad.stderr
