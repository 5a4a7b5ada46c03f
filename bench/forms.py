"""How long each printed form takes: ``python -m bench.forms [--rounds 5]``.

Builds, in a scratch SQLite database with the demo centre, dossiers that went through every
step a form prints (a supplement asked and given, a refusal, a late dossier's apology), then
renders Mẫu 01–05 as PDF (WeasyPrint) and the tracking book (Mẫu 06) of a day of 150 dossiers
as PDF and XLSX, several times each, and prints the median and worst time per form for
docs/benchmarks.md. The first rendering of all (WeasyPrint's import, the fonts) is shown apart.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from .stack import prepare

BOOK_DOSSIERS = 150


def timed(render) -> float:
    started = time.perf_counter()
    render()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'forms.sqlite3'}"
        prepare(url)
        os.environ["DATABASE_URL"] = url
        from queue_server.app import create_app
        from queue_server.auth.access import Actor
        from queue_server.auth.models import User
        from queue_server.database import db, utcnow
        from queue_server.dossiers import forms, lifecycle
        from queue_server.dossiers.models import Procedure
        from queue_server.sites.models import Site

        app = create_app()
        with app.app_context():
            session = db.session
            site = session.scalar(select(Site).where(Site.code == "NA-HCC"))
            procedure = session.scalar(select(Procedure).where(Procedure.site_id == site.id))
            actor = Actor(user=session.scalar(select(User).where(User.username == "officer1")))
            applicant = {
                "applicant": {
                    "name": "Nguyễn Thị Hồng Nhung",
                    "id_number": "040187001234",
                    "phone": "0912345678",
                    "address": "Số 12 đường Lê Hồng Phong, phường Trường Vinh, tỉnh Nghệ An",
                }
            }
            now = utcnow()
            early = now - timedelta(days=90)

            def receive():
                dossier, _ = lifecycle.receive(
                    session, site, site, procedure, actor, dict(applicant), now=early
                )
                return dossier

            served = receive()
            for action, data in (
                ("request_supplement", {"items": ["Bản sao giấy khai sinh"], "reason": "Thiếu giấy tờ"}),
                ("resubmit", {}),
                ("transfer", {}),
                ("start_processing", {}),
            ):
                lifecycle.apply(session, served, action, actor, data, now=early + timedelta(hours=2))
            lifecycle.apply(
                session,
                served,
                "apologise",
                actor,
                {
                    "reason": "Chờ ý kiến cơ quan phối hợp",
                    "new_due_at": (now + timedelta(days=10)).isoformat(),
                },
                now=now,
            )
            refused = receive()
            lifecycle.apply(
                session,
                refused,
                "refuse",
                actor,
                {"reason": "Không thuộc thẩm quyền", "rules_reference": "Điều 9"},
            )
            stopped = receive()
            lifecycle.apply(
                session, stopped, "stop", actor, {"requested_via": "post"}, now=early + timedelta(hours=3)
            )
            for _ in range(BOOK_DOSSIERS - 3):  # a busy day's intake for the tracking book
                receive()
            session.commit()
            day = early.date()
            booked = forms.tracking_book_dossiers(session, site, day, day)

            track = "https://hcc.nghean.gov.vn/d/Zr4vY0pQ2mL8sT1x"
            book = f"sổ theo dõi, {len(booked)} hồ sơ"
            renders = {
                "receipt (2 liên)": lambda: forms.render_pdf("receipt", served, track_url=track),
                "supplement_request": lambda: forms.render_pdf("supplement_request", served),
                "refusal": lambda: forms.render_pdf("refusal", refused),
                "apology": lambda: forms.render_pdf("apology", served),
                "stop_notice": lambda: forms.render_pdf("stop_notice", stopped),
                "control_sheet": lambda: forms.render_pdf("control_sheet", served),
                f"{book} (PDF)": lambda: forms.render_tracking_book_pdf(session, site, booked, day, day),
                f"{book} (XLSX)": lambda: forms.tracking_book_xlsx(site, booked, day, day),
            }
            first = timed(next(iter(renders.values())))
            print(f"first rendering (WeasyPrint's import, the fonts): {first:.2f} s")
            print(f"{'form':40} {'median':>8} {'worst':>8}  ({args.rounds} rounds)")
            for name, render in renders.items():
                times = [timed(render) for _ in range(args.rounds)]
                print(f"{name:40} {statistics.median(times):7.3f}s {max(times):7.3f}s")


if __name__ == "__main__":
    main()
