"""Reports over three weeks of a busy centre, checked against figures computed again here in
plain Python from the generated rows; exports opened again."""

import csv
import io
import math
import random
import statistics
from collections import Counter as Tally
from datetime import datetime, time, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import Integer, select

from queue_server.booking.models import BookingStatus
from queue_server.database import db
from queue_server.sites.models import Service, Site

from .helpers import VN, login, psycopg_url
from .report_data import DAYS, FIRST, add_bookings, add_ticket, generate

LAST = FIRST + timedelta(days=DAYS - 1)
PERIOD = f"from={FIRST.isoformat()}&to={LAST.isoformat()}"


def seconds(a, b):
    return (b - a).total_seconds()


def p90(values):
    return statistics.quantiles(values, n=10, method="inclusive")[8]


@pytest.fixture
def data(app):
    # Its own app context: one kept open for the whole test would be shared by the requests
    # (Flask reuses it), and with it whoever logged in last.
    from queue_server.database import db

    with app.app_context():
        return generate(db.session)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_queue_figures_match_an_independent_computation(app, data):
    report = login(app.test_client(), "supervisor").get(f"/api/v1/reports?site=NA-HCC&{PERIOD}").json
    tickets = data["tickets"]
    called = [t for t in tickets if t["status"] in ("done", "no_show")]
    served = [t for t in tickets if t["status"] == "done"]
    waits = [seconds(t["issued_at"], t["called_at"]) for t in called]
    services = [seconds(t["started_at"] or t["called_at"], t["finished_at"]) for t in served]
    queue = report["queue"]
    assert queue["issued"] == len(tickets)
    assert queue["served"] == len(served)
    assert queue["no_show"] == sum(t["status"] == "no_show" for t in tickets)
    assert queue["cancelled"] == sum(t["status"] == "cancelled" for t in tickets)
    assert queue["wait_avg_s"] == pytest.approx(statistics.mean(waits), abs=0.1)
    assert queue["wait_p90_s"] == pytest.approx(p90(waits), abs=10)  # read from buckets 10 seconds wide
    assert queue["service_avg_s"] == pytest.approx(statistics.mean(services), abs=0.1)
    assert queue["service_p90_s"] == pytest.approx(p90(services), abs=10)
    assert queue["within_target"] == sum(w <= 15 * 60 for w in waits)

    heat = [[0] * 24 for _ in range(7)]
    for t in tickets:
        local = t["issued_at"].astimezone(VN)
        heat[local.weekday()][local.hour] += 1
    assert report["heatmap"] == heat
    assert sum(row["issued"] for row in report["daily"]) == len(tickets)
    assert {row["service"]: row["issued"] for row in report["services"]} == {
        code: n for code, n in Tally(t["service_code"] for t in tickets_with_codes(app, tickets)).items()
    }


def tickets_with_codes(app, tickets):
    from queue_server.database import db
    from queue_server.sites.models import Service

    with app.app_context():
        codes = dict(db.session.query(Service.id, Service.code).all())
    return [{**t, "service_code": codes[t["service_id"]]} for t in tickets]


def test_counters_officers_dossiers_and_satisfaction_match(app, data):
    report = login(app.test_client(), "supervisor").get(f"/api/v1/reports?site=NA-HCC&{PERIOD}").json
    served = [t for t in data["tickets"] if t["status"] == "done"]
    by_officer = Tally(t["officer_id"] for t in served)
    from queue_server.auth.models import User
    from queue_server.database import db
    from queue_server.sites.models import Counter

    with app.app_context():
        usernames = dict(db.session.query(User.id, User.username).all())
        numbers = dict(db.session.query(Counter.id, Counter.number).all())
    assert {row["officer"]: row["served"] for row in report["officers"]} == {
        usernames[officer]: n for officer, n in by_officer.items()
    }
    pause_total = Tally()
    for pause in data["pauses"]:
        pause_total[numbers[pause["counter_id"]]] += seconds(pause["started_at"], pause["ended_at"])
    for row in report["counters"]:
        assert row["pause_s"] == pytest.approx(pause_total.get(row["counter"], 0), abs=1.0)
    assert sum(row["pauses"] for row in report["counters"]) == len(data["pauses"])

    start = datetime.combine(FIRST, time(0), VN)
    end = datetime.combine(LAST + timedelta(days=1), time(0), VN)
    dossiers = data["dossiers"]
    received = [d for d in dossiers if start <= d["received_at"] < end]
    finished = [d for d in dossiers if d["finished_at"] and start <= d["finished_at"] < end]
    figures = report["dossiers"]
    assert figures["received"] == len(received)
    assert figures["received_by_channel"] == {
        c: sum(d["channel"] == c for d in received) for c in ("counter", "postal", "online")
    }
    assert figures["resolved_by_outcome"]["late"] == sum(d["outcome"] == "late" for d in finished)
    assert figures["returned_by_post"] == sum(
        d["return_method"] == "post" and start <= d["returned_at"] < end for d in dossiers if d["returned_at"]
    )
    levels = Tally(r["level"] for r in data["ratings"])
    satisfaction = report["satisfaction"]
    assert satisfaction["by_level"] == {
        level: levels[level] for level in ("very_satisfied", "satisfied", "not_satisfied")
    }
    assert satisfaction["satisfied_share"] == pytest.approx(
        (levels["very_satisfied"] + levels["satisfied"]) / len(data["ratings"]), abs=1e-4
    )


def test_exports_open_again_with_the_same_figures(app, data):
    supervisor = login(app.test_client(), "supervisor")
    report = supervisor.get(f"/api/v1/reports?site=NA-HCC&{PERIOD}").json
    response = supervisor.get(f"/api/v1/reports.xlsx?site=NA-HCC&{PERIOD}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [
        "Hàng đợi",
        "Theo dịch vụ",
        "Theo ngày",
        "Giờ cao điểm",
        "Theo quầy",
        "Theo cán bộ",
        "Hồ sơ",
        "Mức độ hài lòng",
        "Đánh giá giải quyết hồ sơ",
        "Tin nhắn gửi công dân",
        "Lịch hẹn",
        "Phí, lệ phí",
    ]
    queue = {row[0]: row[1] for row in book["Hàng đợi"].iter_rows(min_row=3, values_only=True)}
    assert (
        queue["Số đã cấp"] == report["queue"]["issued"] and queue["Đã phục vụ"] == report["queue"]["served"]
    )
    # People read the files: minutes and percentages, not seconds and fractions.
    assert queue["Chờ trung bình (phút)"] == round(report["queue"]["wait_avg_s"] / 60, 1)
    assert queue["Được gọi trong thời gian cam kết (%)"] == round(
        report["queue"]["within_target_share"] * 100, 1
    )
    heat = list(book["Giờ cao điểm"].iter_rows(min_row=3, values_only=True))
    assert heat[0][0] == "Thứ Hai" and list(heat[0][1:]) == report["heatmap"][0]
    dossiers = {row[0]: row[1] for row in book["Hồ sơ"].iter_rows(min_row=3, values_only=True)}
    assert dossiers["Tiếp nhận: Qua bưu điện"] == report["dossiers"]["received_by_channel"]["postal"]
    text = supervisor.get(f"/api/v1/reports.csv?site=NA-HCC&{PERIOD}&section=services").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Mã dịch vụ", "Tên", "Số đã cấp"]
    assert sum(int(row[2]) for row in rows[1:]) == report["queue"]["issued"]


def test_the_bookings_sheet_counts_each_day_and_service_with_totals_and_waits(app, data):
    add_bookings(
        app,
        {
            "NM-DD": [BookingStatus.CHECKED_IN, BookingStatus.CHECKED_IN, BookingStatus.CANCELLED],
            "NM-MT": [BookingStatus.NO_SHOW, BookingStatus.BOOKED],  # the sweep makes the last a no-show
        },
    )
    supervisor = login(app.test_client(), "supervisor")
    report = supervisor.get(f"/api/v1/reports?site=NA-HCC&{PERIOD}").json["bookings"]
    book = load_workbook(io.BytesIO(supervisor.get(f"/api/v1/reports.xlsx?site=NA-HCC&{PERIOD}").data))
    sheet = book["Lịch hẹn"]
    assert sheet["A1"].value.startswith("Lịch hẹn – NA-HCC")
    header, land, environment, totals, booked_wait, walk_in_wait = sheet.iter_rows(
        min_row=2, values_only=True
    )
    assert header == ("Ngày", "Mã dịch vụ", "Tên", "Đã đặt lịch", "Đến đúng hẹn") + (
        "Đến muộn (lấy số thường)",
        "Không đến",
        "Đã hủy",
    )
    assert land[0].date() == FIRST and land[1:] == ("NM-DD", "Đất đai", 3, 2, 0, 0, 1)
    assert environment[1] == "NM-MT" and environment[3:] == (2, 0, 0, 2, 0)
    assert totals == ("Tổng cộng", None, None, 5, 2, 0, 2, 1)
    assert report["totals"] == {"booked": 5, "checked_in": 2, "late": 0, "no_show": 2, "cancelled": 1}
    # No ticket of the generated data was booked: no booked wait; the walk-ins' in minutes.
    assert booked_wait[:2] == ("Chờ trung bình của người đặt lịch (phút)", None)
    assert walk_in_wait[:2] == (
        "Chờ trung bình của người không đặt lịch (phút)",
        round(report["walk_in_wait_avg_s"] / 60, 1),
    )
    text = supervisor.get(f"/api/v1/reports.csv?site=NA-HCC&{PERIOD}&section=bookings").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][3] == "Đã đặt lịch" and rows[3][0] == "Tổng cộng" and rows[3][3] == "5"


def test_an_english_export_names_its_sheets_columns_and_services_in_english(app, data):
    supervisor = login(app.test_client(), "supervisor")
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == "NM-DD"))
        service.name_en = "Land"
        db.session.commit()
    book = load_workbook(
        io.BytesIO(supervisor.get(f"/api/v1/reports.xlsx?site=NA-HCC&{PERIOD}&lang=en").data)
    )
    assert book.sheetnames[:2] == ["Queue", "By service"]
    header, *rows = book["By service"].iter_rows(min_row=2, values_only=True)
    assert header[:3] == ("Service code", "Name", "Tickets issued")
    assert {row[0]: row[1] for row in rows}["NM-DD"] == "Land"
    assert book["Busiest hours"]["A3"].value == "Monday"
    add_bookings(app, {"NM-DD": [BookingStatus.CHECKED_IN]})
    book = load_workbook(
        io.BytesIO(supervisor.get(f"/api/v1/reports.xlsx?site=NA-HCC&{PERIOD}&lang=en").data)
    )
    header, land, totals, *_ = book["Appointments"].iter_rows(min_row=2, values_only=True)
    assert header[:5] == ("Day", "Service code", "Name", "Booked", "Came on time")
    assert land[1:5] == ("NM-DD", "Land", 1, 1) and totals[0] == "Total"


def test_only_supervisors_see_reports_and_only_of_their_sites(app, data):
    assert (
        login(app.test_client(), "officer1").get(f"/api/v1/reports?site=NA-HCC&{PERIOD}").status_code == 403
    )
    supervisor = login(app.test_client(), "supervisor")
    assert supervisor.get(f"/api/v1/reports?site=NA-TRUONGVINH&{PERIOD}").status_code == 403
    everything = supervisor.get(f"/api/v1/reports?site=all&{PERIOD}").json
    assert everything["sites"] == ["NA-HCC"]
    assert (everything["from"], everything["to"]) == (FIRST.isoformat(), LAST.isoformat())
    admin = login(app.test_client(), "admin").get(f"/api/v1/reports?site=all&{PERIOD}").json
    assert admin["sites"] == ["NA-HCC", "NA-TRUONGVINH"] and admin["queue"]["issued"] == len(data["tickets"])
    bad = supervisor.get("/api/v1/reports?site=NA-HCC&from=2026-10-10&to=2026-10-01")
    assert bad.status_code == 400 and bad.json["error"]["code"] == "invalid_period"
    assert app.test_client().get(f"/api/v1/reports?site=NA-HCC&{PERIOD}").status_code == 401


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_rolled_up_days_give_the_same_report_as_the_tickets(app, data):
    from queue_server.database import db
    from queue_server.reports import rollups
    from queue_server.reports.models import ReportDay

    supervisor = login(app.test_client(), "supervisor")
    before = supervisor.get(f"/api/v1/reports?site=NA-HCC&{PERIOD}").json
    with app.app_context():
        site = db.session.merge(data["site"])
        built = rollups.build_ended_days(db.session, site)
        assert built == len({t["business_date"] for t in data["tickets"]})
        assert db.session.query(ReportDay).count() >= built
        assert rollups.build_ended_days(db.session, site) == 0  # nothing left to do
    after = supervisor.get(f"/api/v1/reports?site=NA-HCC&{PERIOD}").json
    assert after == before
    half = f"from={FIRST.isoformat()}&to={(FIRST + timedelta(days=6)).isoformat()}"
    first_week = supervisor.get(f"/api/v1/reports?site=NA-HCC&{half}").json["queue"]["issued"]
    assert first_week == sum(t["business_date"] <= FIRST + timedelta(days=6) for t in data["tickets"])


def _samples():
    """Few values, skewed values and wide spreads: where a histogram's interpolation goes wrong."""
    rng = random.Random(16)
    yield "two services, 5 s and 180 s", [5, 180]
    yield "one value", [42]
    yield "all in one bucket", [61, 62, 63, 64]
    yield "a long tail", [30] * 40 + [5000, 9000, 20000]
    yield "far apart", [1, 1799, 1800, 10799, 10800, 40000]
    for n in (3, 7, 19, 200):
        yield f"log-normal n={n}", [round(rng.lognormvariate(5, 1.5)) for _ in range(n)]
        yield f"uniform n={n}", [rng.randrange(0, 15000) for _ in range(n)]


@pytest.mark.parametrize("values", [pytest.param(v, id=name) for name, v in _samples()])
@pytest.mark.parametrize("fraction", [0.5, 0.9])
def test_the_reports_percentile_agrees_with_postgresqls_within_a_bucket(postgres_url, values, fraction):
    """The report's percentile, read from the stored histogram, against ``percentile_cont`` over
    the same values: off by less than the wider bucket of the two values around the rank, and
    never below the smallest or above the largest bucket."""
    from sqlalchemy import column, create_engine, func, literal_column
    from sqlalchemy import values as rows

    from queue_server.reports.rollups import bucket_of, bucket_width, histogram_percentile

    engine = create_engine(psycopg_url(postgres_url))
    data = rows(column("v", Integer), name="data").data([(v,) for v in values])
    exact_query = select(func.percentile_cont(fraction).within_group(literal_column("v"))).select_from(data)
    binned = select(bucket_of(data.c.v).label("bucket")).subquery()
    with engine.connect() as conn:
        exact = conn.scalar(exact_query)
        buckets = dict(conn.execute(select(binned.c.bucket, func.count()).group_by(binned.c.bucket)).all())
    engine.dispose()
    estimate = histogram_percentile(buckets, fraction)
    ordered = sorted(values)
    rank = fraction * (len(values) - 1)
    upper = ordered[math.ceil(rank)]
    lower_bound = min(buckets)
    assert abs(estimate - exact) < bucket_width(max(b for b in buckets if b <= upper)) + 1e-9
    assert lower_bound <= estimate <= max(buckets) + bucket_width(max(buckets))


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_todays_tickets_still_in_the_queue_are_waiting_and_yesterdays_were_never_called(app):
    """A ticket of today not yet called is waiting (its day is not over); one of yesterday that
    nobody called was never called. Both are issued."""
    from queue_server.database import utcnow

    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.code == "NA-HCC"))
        service = db.session.scalar(select(Service).where(Service.site_id == site.id))
        now = utcnow()
        yesterday = now - timedelta(days=1)
        # Five minutes ago, but never before the local midnight: a run in the first minutes of
        # the centre's day once put these tickets on the day before (CI at 17:02 UTC).
        midnight = datetime.combine(now.astimezone(site.tz).date(), time(0), tzinfo=site.tz)
        for status in ("waiting", "waiting", "transferred", "called"):
            add_ticket(db.session, site, service, max(now - timedelta(minutes=5), midnight), status)
        add_ticket(db.session, site, service, yesterday, "waiting")  # the day ended before its call
        add_ticket(db.session, site, service, yesterday, "cancelled")
        done = {"called_at": yesterday, "finished_at": yesterday + timedelta(minutes=5)}
        add_ticket(db.session, site, service, yesterday, "done", **done)
        db.session.commit()
        today, before = now.astimezone(site.tz).date(), yesterday.astimezone(site.tz).date()
    supervisor = login(app.test_client(), "supervisor")
    both = f"site=NA-HCC&from={before.isoformat()}&to={today.isoformat()}"
    queue = supervisor.get(f"/api/v1/reports?{both}").json["queue"]
    assert (queue["issued"], queue["served"], queue["waiting"], queue["at_counter"]) == (7, 1, 3, 1)
    assert queue["cancelled"] == 2
    past = supervisor.get(f"/api/v1/reports?site=NA-HCC&from={before}&to={before}").json["queue"]
    assert (past["issued"], past["waiting"], past["cancelled"]) == (3, 0, 2)
    text = supervisor.get(f"/api/v1/reports.csv?{both}&section=queue").get_data(as_text=True)
    figures = dict(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert (figures["Đang chờ"], figures["Không được gọi"]) == ("3", "2")


def test_the_csv_opens_in_a_vietnamese_excel_and_in_the_international_dialect(app, data):
    """UTF-8 with a BOM, ";" between cells, decimal commas and dd/mm/yyyy by default; commas,
    points and ISO dates with ``CSV_DIALECT=international``."""
    supervisor = login(app.test_client(), "supervisor")
    report = supervisor.get(f"/api/v1/reports?site=NA-HCC&{PERIOD}").json
    raw = supervisor.get(f"/api/v1/reports.csv?site=NA-HCC&{PERIOD}&section=services").data
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Mã dịch vụ", "Tên", "Số đã cấp", "Đã phục vụ"]
    assert all(len(row) == len(rows[0]) for row in rows)
    first = report["services"][0]
    wait = rows[1][rows[0].index("Chờ trung bình (phút)")]
    assert "," in wait and "." not in wait
    assert float(wait.replace(",", ".")) == round(first["wait_avg_s"] / 60, 1)
    text = supervisor.get(f"/api/v1/reports.csv?site=NA-HCC&{PERIOD}&section=daily").get_data(as_text=True)
    days = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert days[1][0] == FIRST.strftime("%d/%m/%Y")

    app.config["CSV_DIALECT"] = "international"
    text = supervisor.get(f"/api/v1/reports.csv?site=NA-HCC&{PERIOD}&section=services").get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert float(rows[1][rows[0].index("Chờ trung bình (phút)")]) == round(first["wait_avg_s"] / 60, 1)
    text = supervisor.get(f"/api/v1/reports.csv?site=NA-HCC&{PERIOD}&section=daily").get_data(as_text=True)
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1][0] == FIRST.isoformat()


def test_csv_cells_keep_formulas_as_text_in_either_dialect():
    from queue_server.spreadsheets import DIALECTS, write_csv

    for name, dialect in DIALECTS.items():
        buffer = io.StringIO()
        write_csv(buffer, [['=HYPERLINK("x")', 1.5, 2, "a;b"]], dialect)
        row = next(csv.reader(io.StringIO(buffer.getvalue().lstrip("\ufeff")), delimiter=dialect.delimiter))
        assert row == ['\'=HYPERLINK("x")', "1,5" if name == "vi" else "1.5", "2", "a;b"]
