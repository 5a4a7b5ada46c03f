"""Bank statement import: ``python -m bench.statements`` (PostgreSQL).

Fills a fresh database with ``--due`` dossiers of the demo centre whose fee is due and
``--paid`` whose fee was paid at the counter (generated inside PostgreSQL), writes a statement
of ``--lines`` credit lines as the banks export it (a title block, Vietnamese headers, amounts
as "200.000"): most pay a due fee, some pay a paid one again, some carry the wrong amount, some
name no dossier. Then, as the supervisor's page does it (the Flask test client, a logged-in
session, the multipart upload), times the preview, the import (every matched fee confirmed
through dossiers/fees.move, each line kept) and the preview of the same file again (every line
already recorded), for CSV and for XLSX, with the machine's load before each step. Prints the
figures for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import time
from datetime import UTC, datetime

from openpyxl import Workbook
from sqlalchemy import text

from queue_server import vietqr

from .stack import engine as database_engine
from .stack import prepare

FEE = 200_000
DOSSIERS = """
INSERT INTO dossiers (client_id, code, tracking_key, form_set, site_id, intake_site_id, book_site_id,
                      procedure_id, channel, status, applicant_name, documents, sets, delivery,
                      fee, fee_payment, fee_status, fee_paid_at, received_at, due_at, paused_seconds,
                      supplement_requests, created_at, updated_at)
SELECT md5(:prefix || g::text), :prefix || lpad(g::text, 5, '0'), md5('k' || :prefix || g::text),
       'TT01/2018', :site, :site, :site, :procedure, 'counter', 'processing', 'Công dân', '[]', 1,
       'counter', :fee, :payment, :status, CAST(:paid_at AS timestamptz),
       now() - interval '7 days', now() + interval '7 days', 0, 0, now(), now()
FROM generate_series(1, :n) AS g
"""
TITLE = [["SAO KÊ TÀI KHOẢN"], ["Số tài khoản: 3600201009999"], []]
HEADER = [
    "STT",
    "Ngày giao dịch",
    "Số bút toán",
    "Số tiền ghi nợ",
    "Số tiền ghi có",
    "Nội dung",
    "Tên người chuyển",
]


def fill(engine, due: int, paid: int) -> tuple[list[str], list[str], float]:
    """The due and the paid dossiers' codes."""
    started = time.perf_counter()
    with engine.begin() as conn:
        site = conn.execute(text("SELECT id FROM sites WHERE code = 'NA-HCC'")).scalar_one()
        procedure = conn.execute(
            text("SELECT id FROM procedures WHERE site_id = :s LIMIT 1"), {"s": site}
        ).scalar()
        conn.execute(
            text(
                "UPDATE sites SET payment_bank_bin = '970405', payment_account_number = '3600201009999'"
                " WHERE id = :s"
            ),
            {"s": site},
        )
        common = {"site": site, "procedure": procedure, "fee": FEE}
        conn.execute(
            text(DOSSIERS),
            {
                **common,
                "n": due,
                "prefix": "000.00.06.H40-261201-",
                "payment": "unpaid",
                "status": "unpaid",
                "paid_at": None,
            },
        )
        conn.execute(
            text(DOSSIERS),
            {
                **common,
                "n": paid,
                "prefix": "000.00.06.H40-261130-",
                "payment": "cash",
                "status": "paid",
                "paid_at": datetime.now(UTC),
            },
        )
        codes = conn.execute(
            text("SELECT code, fee_status FROM dossiers WHERE site_id = :s ORDER BY code"), {"s": site}
        ).all()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    due_codes = [code for code, status in codes if status == "unpaid"]
    paid_codes = [code for code, status in codes if status == "paid"]
    return due_codes, paid_codes, time.perf_counter() - started


def statement_rows(lines: int, due: list[str], paid: list[str]) -> tuple[list[list], dict[str, int]]:
    """``lines`` credit lines: 85 % pay a due fee, 5 % a paid one, 3 % the wrong amount, the
    rest name no dossier."""
    rows, expected = [], {"matched": 0, "paid_twice": 0, "amount_differs": 0, "unknown": 0}
    for n in range(lines):
        share = n % 100
        if share < 85 and n < len(due):
            code, amount, outcome = due[n], FEE, "matched"
        elif share < 90:
            code, amount, outcome = paid[n % len(paid)], FEE, "paid_twice"
        elif share < 93:
            code, amount, outcome = due[n % len(due)], FEE // 2, "amount_differs"
        else:
            code, amount, outcome = None, 50_000, "unknown"
        memo = (
            f"MBVCB.{n:08d}.{vietqr.memo(code).lower()}.NGUYEN VAN A nop phi" if code else f"chuyen tien {n}"
        )
        when = f"{(n % 28) + 1:02d}/12/2026 {n % 10 + 8:02d}:{n % 60:02d}"
        rows.append([n + 1, when, f"FT26{n:010d}", "", f"{amount:,}".replace(",", "."), memo, "NGUYEN VAN A"])
        expected[outcome] += 1
    return rows, expected


def csv_bytes(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(TITLE + [HEADER] + rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows: list[list]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in TITLE + [HEADER] + rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def timed(client, url: str, data: bytes, name: str, lines: int) -> dict:
    load = [round(x, 2) for x in os.getloadavg()]
    started = time.perf_counter()
    response = client.post(url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    seconds = time.perf_counter() - started
    assert response.status_code in (200, 201), response.get_data(as_text=True)[:500]
    return {
        "load": load,
        "seconds": round(seconds, 2),
        "lines_per_s": round(lines / seconds),
        "counts": {k: v for k, v in response.json["counts"].items() if v},
    }


def run(url: str, rows: list[list], kind: str) -> dict:
    from queue_server.app import create_app

    app = create_app(
        {"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "bench", "RATELIMIT_STORAGE_URI": "memory://"}
    )
    client = app.test_client()
    login = client.post("/api/v1/auth/login", json={"username": "supervisor", "password": "giam-sat-demo"})
    client.environ_base["HTTP_X_CSRFTOKEN"] = login.json["csrf_token"]
    data, name = (csv_bytes(rows), "saoke.csv") if kind == "csv" else (xlsx_bytes(rows), "saoke.xlsx")
    base = "/api/v1/sites/NA-HCC/statements"
    result: dict = {"kind": kind, "bytes": len(data)}
    for step, path in (("preview", "/preview"), ("import", ""), ("preview_again", "/preview")):
        result[step] = timed(client, base + path, data, name, len(rows))
        print(kind, step, result[step], flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--database",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://queue:queue@127.0.0.1:5432/queue_bench_statements"
        ),
    )
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--paid", type=int, default=10_000)
    args = parser.parse_args()
    report: dict = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "lines": args.lines,
        "dossiers": {"due": args.due, "paid": args.paid},
        "runs": [],
    }
    for kind in ("csv", "xlsx"):
        # Each format on a fresh database: the second would find every line already recorded.
        prepare(args.database)
        engine = database_engine(args.database)
        due, paid, fill_s = fill(engine, args.due, args.paid)
        engine.dispose()
        rows, expected = statement_rows(args.lines, due, paid)
        report["expected"] = expected
        report["runs"].append({"fill_s": round(fill_s, 1), **run(args.database, rows, kind)})
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
