"""The public board (/public/<site>): its figures against dossiers the test creates (this month
and this year, per field), nothing personal on the page, the cache (no SQL for the second
reader, headers a proxy can use), the unknown site, and the page on a phone and an office PC."""

from __future__ import annotations

import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, select

from queue_server import cache
from queue_server.board import figures
from queue_server.database import db
from queue_server.dossiers.models import Attachment, Dossier, Procedure
from queue_server.queueing.models import Ticket
from queue_server.ratings.models import Rating
from queue_server.sites.models import Service

from .browser import HALL_SIZES, assert_fits, check_accessibility, screenshot
from .helpers import APPLICANT, BOTH_DATABASES, PERSONAL, intake, local, login, site, statements_sent
from .report_data import add_ticket

LAW = "Lý lịch tư pháp"  # 1.001756
BUILDING = "Xây dựng"  # 1.009994
LAND = "Đất đai"  # 1.004227
NOW = local(2026, 3, 10, 12)


def add_dossier(session, procedure: str, received: datetime, *, code_site="NA-HCC", **columns) -> None:
    """A dossier of the seeded applicant received at ``received`` (inserted as the report
    tests insert theirs); ``scans`` attachments; the caller commits."""
    centre = site(session, code_site)
    taken = session.scalar(select(Procedure).where(Procedure.code == procedure))
    scans = columns.pop("scans", 0)
    row = {
        "client_id": secrets.token_hex(12),
        "code": f"000.00.06.H40-{received:%y%m%d}-{secrets.randbelow(10**6):06d}",
        "tracking_key": secrets.token_urlsafe(16),
        "form_set": "TT01/2018",
        "site_id": taken.site_id,
        "intake_site_id": centre.id,
        "book_site_id": centre.id,
        "procedure_id": taken.id,
        "channel": "counter",
        "status": "processing",
        "applicant_name": APPLICANT["name"],
        "applicant_id_number": APPLICANT["id_number"],
        "applicant_phone": APPLICANT["phone"],
        "applicant_address": APPLICANT["address"],
        "documents": [],
        "sets": 1,
        "delivery": "counter",
        "fee": taken.fee,
        "fee_payment": "cash",
        "fee_status": "paid" if taken.fee else "none",
        "received_at": received,
        "due_at": received + timedelta(days=14),
        "paused_seconds": 0,
        "supplement_requests": 0,
        "created_at": received,
        "updated_at": received,
        **columns,
    }
    session.execute(insert(Dossier), [row])
    dossier_id = session.scalar(select(Dossier.id).where(Dossier.client_id == row["client_id"]))
    for n in range(scans):
        session.add(
            Attachment(
                dossier_id=dossier_id,
                filename=f"scan{n}.pdf",
                content_type="application/pdf",
                size=1000,
                sha256="0" * 64,
                storage_key=f"test/{dossier_id}/{n}",
                created_at=received,
            )
        )


def add_rating(session, level: str, at: datetime) -> None:
    centre = site(session)
    service = session.scalar(select(Service).where(Service.site_id == centre.id))
    token = add_ticket(session, centre, service, at - timedelta(minutes=20), "done")["public_token"]
    ticket_id = session.scalar(select(Ticket.id).where(Ticket.public_token == token))
    session.add(
        Rating(
            ticket_id=ticket_id,
            site_id=centre.id,
            service_id=service.id,
            level=level,
            channel="tablet",
            created_at=at,
        )
    )


@pytest.fixture
def seeded(session):
    """Dossiers of three fields at NA-HCC in March 2026 and before, with every case a figure
    tells apart (see each line), and ratings in March and February."""
    add_dossier(  # on time, returned, two scans, paid by transfer
        session,
        "1.001756",
        local(2026, 3, 2, 9),
        finished_at=local(2026, 3, 5, 9),
        outcome="on_time",
        returned_at=local(2026, 3, 6, 9),
        return_method="counter",
        status="returned",
        scans=2,
        fee_payment="bank",
    )
    add_dossier(  # late, with the apology's new date; paid in cash
        session,
        "1.001756",
        local(2026, 3, 3, 9),
        finished_at=local(2026, 3, 9, 9),
        outcome="late",
        apology_due_at=local(2026, 3, 12, 9),
        status="result_ready",
    )
    add_dossier(
        session, "1.009994", local(2026, 3, 4, 9), scans=1, fee_payment="card"
    )  # by card, in progress
    add_dossier(  # received in February, its result early in March (no fee)
        session,
        "1.004227",
        local(2026, 2, 10, 9),
        finished_at=local(2026, 3, 1, 9),
        outcome="early",
        returned_at=local(2026, 3, 2, 9),
        return_method="counter",
        status="returned",
    )
    add_dossier(  # January: late without an apology
        session,
        "1.001756",
        local(2026, 1, 15, 9),
        finished_at=local(2026, 1, 20, 9),
        outcome="late",
        returned_at=local(2026, 1, 21, 9),
        return_method="counter",
        status="returned",
    )
    add_dossier(  # last year's, refused in January: out of the on-time share
        session,
        "1.001756",
        local(2025, 12, 20, 9),
        finished_at=local(2026, 1, 5, 9),
        outcome="refused",
        status="refused",
    )
    add_dossier(  # turned away at intake: never received
        session,
        "1.009994",
        local(2026, 3, 5, 9),
        registered=False,
        status="refused",
        fee_status="none",
    )
    add_dossier(session, "1.001193", local(2026, 3, 8, 9), code_site="NA-TRUONGVINH")  # another centre's
    for level in ("very_satisfied", "satisfied", "not_satisfied"):
        add_rating(session, level, local(2026, 3, 6, 10))
    add_rating(session, "satisfied", local(2026, 2, 6, 10))
    session.commit()
    return session


def counts(**given) -> dict:
    return {name: given.get(name, 0) for name in figures.BOARD_COUNTS}


@BOTH_DATABASES
def test_board_counts_this_month_and_this_year_overall_and_per_field(seeded):
    board = figures.compute(seeded, "NA-HCC", NOW)
    month, year = board.month, board.year
    assert (month.first, month.last) == (NOW.date().replace(day=1), NOW.date())
    assert (year.first, year.last) == (NOW.date().replace(month=1, day=1), NOW.date())

    assert dict(month.fields) == {
        LAW: counts(
            received=2,
            returned=1,
            resolved=2,
            in_time=1,
            late=1,
            apologised=1,
            digitised=1,
            fees_paid=2,
            cashless=1,
        ),
        BUILDING: counts(received=1, digitised=1, fees_paid=1, cashless=1),
        LAND: counts(returned=1, resolved=1, in_time=1),
    }
    assert month.overall == counts(
        received=3,
        returned=2,
        resolved=3,
        in_time=2,
        late=1,
        apologised=1,
        digitised=2,
        fees_paid=3,
        cashless=2,
    )
    assert [name for name, _ in month.fields] == [LAW, BUILDING, LAND]  # most received first
    assert (month.satisfied, month.ratings) == (2, 3)

    assert year.overall == counts(
        received=5,
        returned=3,
        resolved=4,
        in_time=2,
        late=2,
        apologised=1,
        digitised=2,
        fees_paid=4,
        cashless=2,
    )
    assert dict(year.fields)[LAW] == counts(
        received=3,
        returned=2,
        resolved=3,
        in_time=1,
        late=2,
        apologised=1,
        digitised=1,
        fees_paid=3,
        cashless=1,
    )
    assert (year.satisfied, year.ratings) == (3, 4)


def test_page_shows_shares_with_their_denominators_and_nothing_personal(app, officer, client):
    created = intake(officer, fee_payment="bank")
    assert created.status_code == 201, created.get_data(as_text=True)
    page = client.get("/public/NA-HCC")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Công khai kết quả giải quyết thủ tục hành chính" in html
    assert LAW in html
    assert "100 % (1/1)" in html  # paid by transfer: one fee of one
    with app.app_context():
        key = db.session.scalar(select(Dossier.tracking_key).where(Dossier.code == created.json["code"]))
    for personal in (*PERSONAL, created.json["code"], key):
        assert personal not in html
    assert '<html lang="en">' in client.get("/public/NA-HCC?lang=en").get_data(as_text=True)


def test_second_reader_within_the_ttl_runs_no_sql_and_a_proxy_may_keep_it(app, client):
    with app.app_context():
        engine = db.engine
    with statements_sent(engine) as statements:
        first = client.get("/public/NA-HCC")
        assert first.status_code == 200 and statements, "the first reader counts"
        statements.clear()
        second = client.get("/public/NA-HCC")
        assert second.status_code == 200
        assert statements == []
        assert second.get_data() == first.get_data()
        assert second.cache_control.public and 0 < second.cache_control.max_age <= 300
        headers = second.headers
        assert headers["ETag"] and headers["Last-Modified"] and "Cookie" in headers["Vary"]
        again = client.get("/public/NA-HCC", headers={"If-None-Match": second.headers["ETag"]})
        assert again.status_code == 304 and statements == []
        cache.clear()
        client.get("/public/NA-HCC")
        assert statements, "once the copy is gone, the figures are counted again"


def test_unknown_site_is_a_vietnamese_404_page(client):
    response = client.get("/public/KHONG-CO")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "Không tìm thấy trung tâm" in html and "Ông/Bà" in html


@pytest.mark.parametrize("size", [{"width": 390, "height": 844}, {"width": 1366, "height": 768}])
def test_board_reads_on_a_phone_and_an_office_pc(seeded, server, contexts, size):
    now = datetime.now(NOW.tzinfo)
    add_dossier(seeded, "1.009994", now - timedelta(minutes=5), scans=1, fee_payment="card")
    add_dossier(seeded, "1.004227", now - timedelta(minutes=4))
    seeded.commit()
    page = contexts(viewport=size)
    page.goto(f"{server.url}/public/NA-HCC")
    page.wait_for_selector(".board-period")
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
    check_accessibility(page)
    screenshot(page, f"public-board-{size['width']}")


def test_a_supervisor_puts_the_board_in_the_halls_signage(app, client):
    feed = "/display/NA-HCC/signage.json"
    assert client.get(feed).json["media"] == []
    supervisor = login(app.test_client(), "supervisor")
    saved = supervisor.patch("/api/v1/admin/sites/NA-HCC", json={"board_on_hall": True})
    assert saved.status_code == 200 and saved.json["board_on_hall"] is True
    (item,) = client.get(feed).json["media"]
    assert (item["kind"], item["duration_seconds"]) == ("board", 20)
    slide = client.get(item["url"])
    assert slide.cache_control.public and slide.headers["ETag"]
    assert [figure["name"] for figure in slide.json["figures"]] == [
        "received",
        "returned",
        "on_time",
        "late",
        "digitised",
        "cashless",
        "satisfied",
    ]
    assert client.get(slide.json["qr"]).mimetype == "image/svg+xml"
    assert client.get("/display/KHONG-CO/board.json").status_code == 404


@pytest.fixture
def hall_server(seeded, database_url, live_server_factory, monkeypatch):
    """A live server whose hall shows the board after 2 s without a call, with dossiers of
    this month."""
    monkeypatch.setenv("SIGNAGE_IDLE_SECONDS", "2")
    now = datetime.now(NOW.tzinfo)
    add_dossier(seeded, "1.001756", now - timedelta(minutes=9), scans=1, fee_payment="bank")
    add_dossier(seeded, "1.009994", now - timedelta(minutes=8), fee_payment="card")
    site(seeded).board_on_hall = True
    seeded.commit()
    return live_server_factory(database_url)


@pytest.mark.parametrize("size", HALL_SIZES)
def test_the_hall_shows_this_months_board_between_calls_without_scrolling(hall_server, contexts, size):
    hall = contexts(viewport=HALL_SIZES[size])
    hall.goto(f"{hall_server.url}/display/NA-HCC")
    slide = hall.locator("#signage-playlist .signage-board")
    slide.locator("[data-figure='cashless'] dd").wait_for(timeout=10000)
    assert slide.locator("[data-figure='cashless'] dd").inner_text() == "100 % (2/2)"
    assert slide.locator("[data-figure='received'] dd").inner_text() == "2"
    hall.wait_for_function("() => document.querySelector('.signage-board img')?.complete")
    clipped = hall.evaluate(
        """() => [...document.querySelectorAll('.signage-board, .signage-board *')]
            .filter((node) => node.scrollHeight > node.clientHeight + 1
                || node.scrollWidth > node.clientWidth + 1)
            .map((node) => node.className || node.tagName)"""
    )
    assert clipped == [], f"the slide cuts off: {clipped}"
    assert_fits(hall)
    check_accessibility(hall)
    screenshot(hall, f"hall-board-{size}")


def test_a_crowd_that_misses_together_counts_once():
    """Readers arriving together on an expired copy wait for one count, not one count each."""
    cache.clear()
    counted = []

    def count():
        time.sleep(0.2)
        counted.append(1)
        return len(counted)

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: cache.remember(("board-test", 1), count, ttl=60), range(20)))
    assert answers == [1] * 20 and len(counted) == 1
