"""The post-office client (``postal/``): a day of intakes offline, a server killed in the middle
of the sync, manifests in both directions, and the intake page in a real browser.

The client runs in the test process against a real gunicorn (``bench/harness.py``) that the tests
kill with SIGKILL and start again on the same port, the way a centre's server or a commune's
link fails.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import zxingcpp
from PIL import Image
from sqlalchemy import create_engine, text
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from bench.harness import Gunicorn, free_port, wait_until
from postal import shift
from postal.app import create_app
from postal.config import Clerk, Settings
from postal.intake import find_procedure
from postal.store import OpState, Store, utcnow
from postal.sync import Syncer, SyncLoop

from .helpers import ROOT, VN, device_token, read_codes, staff_session

AGENCY = "BC.460000"  # the demo post office's agency code (queue_server/demo.py)
POST_OFFICE = "NA-BC-VINH"
CENTRE = "NA-HCC"
CRIMINAL_RECORD = "1.001756"  # Cấp Phiếu lý lịch tư pháp: postal_allowed in the demo
QR = "040089001234||Nguyễn Thị Hoa|15081990|Nữ|Xóm 3, xã Nghi Phú, thành phố Vinh, Nghệ An|01022021"

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Minh", "Thu", "Quốc", "Ngọc", "Đức", "Thanh"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hải", "Hoa", "Khánh", "Lan", "Long", "Mai", "Nam"]
CLERK_PASSWORD = "ca-sang-bc-vinh"
CLERKS = (
    Clerk("tam", "Hoàng Minh Tâm", generate_password_hash(CLERK_PASSWORD)),
    Clerk("lan", "Trần Thị Lan", generate_password_hash("ca-chieu-bc-vinh")),
)
COMMUNES = ["xã Nghi Phú", "xã Hưng Lộc", "phường Trường Vinh", "xã Nghi Kim", "phường Vinh Phú"]


@pytest.fixture
def postal_token(app) -> str:
    return device_token(app, "postal", POST_OFFICE, "Bưu cục Vinh – quầy 1")


def person(i: int) -> dict:
    """An applicant as a commune post office sees one (12-digit CCCD of Nghệ An, 040...)."""
    return {
        "name": f"{SURNAMES[i % 10]} {MIDDLE[i % 8]} {GIVEN[(i * 7) % 13]}",
        "id_number": f"0400{85 + i % 15:02d}{(100000 + i * 7919) % 1000000:06d}",
        "phone": f"09{(12345670 + i * 13) % 100000000:08d}",
        "address": f"Xóm {i % 12 + 1}, {COMMUNES[i % 5]}, Nghệ An",
        "email": None,
    }


def people(count: int) -> list[dict]:
    return [person(i) for i in range(count)]


def intake(
    store: Store, person: dict, received_at: datetime, delivery: str = "counter", scans: list = ()
) -> str:
    """Record an intake the way the form does (through the catalogue cached offline)."""
    centre, procedure = find_procedure(store.catalogue(), CENTRE, CRIMINAL_RECORD)
    body = {
        "site": CENTRE,
        "procedure": CRIMINAL_RECORD,
        "applicant": person,
        "documents": [
            {"name": d["name"], "originals": d["copies"], "certified_copies": 0, "copies": 0}
            for d in procedure["documents"]
        ],
        "sets": 1,
        "delivery": delivery,
        "delivery_address": person["address"] if delivery == "post" else None,
        "fee": procedure["fee"],
        "fee_payment": "cash",
        "note": None,
        "received_by_name": "Hoàng Minh Tâm",
    }
    names = {"site_name": centre["name"], "procedure_name": procedure["name"]}
    return store.add_dossier(body, names, received_at, scans)


def server_dossiers(database_url: str) -> list[dict]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT d.code, d.client_id, d.status, d.return_method, d.received_at FROM dossiers d"
                    " JOIN sites s ON s.id = d.intake_site_id WHERE s.code = :site ORDER BY d.code"
                ),
                {"site": POST_OFFICE},
            )
            return [dict(row._mapping) for row in rows]
    finally:
        engine.dispose()


def count_rows(database_url: str, table: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()


def printed_codes(folder: Path) -> list[set[str]]:
    """What a scanner reads on each printed job (QR codes and barcodes), oldest first."""
    jobs = []
    for png in sorted(folder.glob("job-*.png")):
        jobs.append(read_codes(Image.open(png)))
    return jobs


class PageClient:
    """The clerk's pages through Flask's test client, with the form token every POST needs;
    ``clerk`` logs in (begins a shift) first."""

    def __init__(self, app, clerk: str | None = "tam", password: str = CLERK_PASSWORD):
        self.client = app.test_client()
        self.client.get("/login")
        with self.client.session_transaction() as session:
            self.csrf = session["csrf"]
        if clerk:
            response = self.post("/login", {"username": clerk, "password": password})
            assert response.status_code == 302, response.get_data(as_text=True)

    def get(self, path: str):
        return self.client.get(path)

    def post(self, path: str, data: dict | None = None):
        return self.client.post(path, data={"csrf": self.csrf, **(data or {})})


def pages(
    store: Store,
    tmp_path: Path,
    server_url: str = "http://127.0.0.1:9",
    clerk: str | None = "tam",
    password: str = CLERK_PASSWORD,
) -> PageClient:
    """The pages of a client; ``clerk`` begins a shift (None: nobody has logged in)."""
    settings = Settings(server_url, "unused", store.path, f"sim://{tmp_path / 'printer'}", clerks=CLERKS)
    return PageClient(create_app(settings, store), clerk, password)


class CrashingSession(requests.Session):
    """The client's HTTP session; once armed, the server is SIGKILLed 20 ms after the second
    batch leaves, so that it dies while applying it and the answer never comes back."""

    def __init__(self, server: Gunicorn):
        super().__init__()
        self.server = server
        self.armed = False
        self.batches = 0
        self.killed = threading.Event()

    def request(self, method, url, *args, **kwargs):
        if self.armed and url.endswith("/postal/sync"):
            self.batches += 1
            if self.batches == 2:
                threading.Timer(0.02, self._crash).start()
        return super().request(method, url, *args, **kwargs)

    def _crash(self) -> None:
        self.server.kill()
        self.killed.set()


def test_a_day_of_offline_intakes_reaches_the_server_exactly_once_through_a_server_crash(
    app, database_url, live_server_factory, postal_token, tmp_path
):
    server = live_server_factory(database_url)
    store = Store(tmp_path / "postal.sqlite3")
    http = CrashingSession(server)
    syncer = Syncer(
        store, server.url, postal_token, batch_size=5, connect_timeout=2, read_timeout=10, http=http
    )
    assert syncer.run_once()  # installed while the link worked: the catalogue is cached
    server.kill()

    # A whole day of intakes with no server at all: yesterday, 07:30 to 16:30 local time.
    day = (utcnow().astimezone(VN) - timedelta(days=1)).date()
    opening = datetime(day.year, day.month, day.day, 7, 30, tzinfo=VN)
    codes = [
        intake(store, person, opening + timedelta(minutes=i * 13.5)) for i, person in enumerate(people(40))
    ]
    assert codes == [f"{AGENCY}-{day:%y%m%d}-{n:04d}" for n in range(1, 41)]
    assert not syncer.run_once() and syncer.status.state == "offline"
    assert store.counts()["pending"] + store.counts()["sent"] == 40

    # The server comes back; the sync loop starts and the server dies in its second batch.
    server.start()
    http.armed = True
    loop = SyncLoop(syncer, interval=0.2, backoff_min=0.1, backoff_max=0.4)
    started = time.monotonic()
    loop.start()
    try:
        assert http.killed.wait(20), "the server was not killed during the sync"
        server.start()
        wait_until(lambda: store.counts()["done"] == 40, 30, "all 40 intakes confirmed")
    finally:
        loop.stop()
    elapsed = time.monotonic() - started
    print(f"40 intakes synced in batches of 5 through a crash and restart in {elapsed:.1f} s")

    assert store.counts() == {"pending": 0, "sent": 0, "done": 40, "rejected": 0, "uploads": 0}
    on_server = server_dossiers(database_url)
    assert [row["code"] for row in on_server] == codes  # each exactly once, with the client's codes
    ops = {d["code"]: d["op_id"] for d in store.dossiers(day)}
    assert {row["code"]: row["client_id"] for row in on_server} == ops
    assert all(d["result"]["tracking_url"] and d["result"]["due_at"] for d in store.dossiers(day))

    # Every answer lost: the whole outbox is sent again and nothing new is created.
    with store.transaction() as local:
        local.execute("UPDATE outbox SET state = 'pending'")
    started = time.monotonic()
    report = syncer.push()
    print(f"40 operations sent again (all replayed) in {time.monotonic() - started:.2f} s")
    assert (report.sent, report.done, report.replayed, report.rejected) == (40, 40, 40, 0)
    assert server_dossiers(database_url) == on_server
    assert count_rows(database_url, "sync_operations") == 40
    http.close()


class CountingSession(requests.Session):
    """The client's HTTP session, noting the status of each sync request's answer."""

    def __init__(self):
        super().__init__()
        self.statuses: list[int] = []

    def request(self, method, url, *args, **kwargs):
        response = super().request(method, url, *args, **kwargs)
        if url.endswith("/postal/sync"):
            self.statuses.append(response.status_code)
        return response


def test_a_batch_larger_than_the_server_takes_at_once_goes_again_in_halves(
    app, database_url, live_server_factory, postal_token, tmp_path
):
    """The server takes at most 1 MiB of JSON a request (JSON_MAX_KB): a batch of intakes that
    each list a hundred long documents is larger, and is sent again in halves, not given up."""
    server = live_server_factory(database_url)
    store = Store(tmp_path / "postal.sqlite3")
    http = CountingSession()
    syncer = Syncer(store, server.url, postal_token, batch_size=12, http=http)
    assert syncer.run_once()
    document = "Bản sao có chứng thực Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở số "
    received = utcnow() - timedelta(hours=1)
    for i, applicant in enumerate(people(12)):
        body = {
            "site": CENTRE,
            "procedure": CRIMINAL_RECORD,
            "applicant": applicant,
            "documents": [{"name": f"{document * 5}{i}.{n}"[:480], "copies": 1} for n in range(100)],
            "fee": 0,
            "fee_payment": "exempt",
            "received_by_name": "Hoàng Minh Tâm",
        }
        store.add_dossier(body, {"site_name": "Trung tâm", "procedure_name": "Lý lịch tư pháp"}, received)

    report = syncer.push()
    assert http.statuses == [413, 200, 200]  # 12 intakes are about 1.7 MiB of JSON, 6 fit
    assert (report.batches, report.done, report.rejected) == (2, 12, 0)
    assert len(server_dossiers(database_url)) == 12
    http.close()


def test_a_manifest_made_offline_is_scanned_in_at_the_centre_with_one_missing_and_one_extra(
    app, database_url, live_server_factory, postal_token, tmp_path
):
    server = live_server_factory(database_url)
    store = Store(tmp_path / "postal.sqlite3")
    syncer = Syncer(store, server.url, postal_token, connect_timeout=2)
    assert syncer.run_once()
    server.kill()

    now = utcnow().astimezone(VN)
    codes = [intake(store, person, now - timedelta(minutes=30 - i)) for i, person in enumerate(people(4))]
    page = pages(store, tmp_path)
    response = page.post("/manifests", {"site": CENTRE, "dossiers": codes[:3]})
    manifest_id = int(response.location.rsplit("/", 1)[1])
    closed = page.post(f"/manifests/{manifest_id}/close")
    assert "Đã chốt và in bảng kê" in page.get(closed.location).get_data(as_text=True)
    manifest = store.manifest(manifest_id)
    code = manifest["code"]
    assert code == f"BK.{AGENCY}-{now:%y%m%d}-0001" and manifest["state"] == "closed"
    assert [d["code"] for d in manifest["dossiers"]] == codes[:3]
    assert code in printed_codes(tmp_path / "printer")[-1]  # the bundle's barcode reads back
    assert manifest["closed_by_name"] == "Hoàng Minh Tâm"  # the clerk of the shift

    server.start()
    assert syncer.run_once()
    assert store.counts()["done"] == 5  # four intakes and the manifest

    # At the centre: the officer scans the bundle, which lacks the third and holds the fourth.
    officer = staff_session(server.url, "officer1")
    for scanned in (code, codes[0], codes[1], codes[3]):
        assert officer.post(f"{server.url}/api/v1/manifests/{code}/scan", json={"code": scanned}).ok
    finished = officer.post(f"{server.url}/api/v1/manifests/{code}/finish").json()
    states = {item["dossier"]: item["state"] for item in finished["items"]}
    assert states == {codes[0]: "arrived", codes[1]: "arrived", codes[2]: "missing", codes[3]: "extra"}
    assert finished["counts"] == {"expected": 0, "arrived": 2, "missing": 1, "extra": 1}

    # The post office learns it on its next round.
    assert syncer.run_once()
    remote = store.manifest(manifest_id)["remote"]
    assert remote["status"] == "received" and remote["counts"] == finished["counts"]
    html = page.get(f"/manifests/{manifest_id}").get_data(as_text=True)
    assert 'data-remote-state="missing">thiếu' in html and 'data-remote-state="extra">thừa' in html
    officer.close()
    syncer.http.close()


def test_a_result_comes_back_by_post_and_is_delivered_to_a_proxy_while_offline(
    app, database_url, live_server_factory, postal_token, tmp_path
):
    server = live_server_factory(database_url)
    store = Store(tmp_path / "postal.sqlite3")
    syncer = Syncer(store, server.url, postal_token, connect_timeout=2)
    assert syncer.run_once()
    citizen = people(1)[0]
    scan = ("to-khai-lltp.pdf", "application/pdf", b"%PDF-1.4\n% to khai\n%%EOF\n")
    dossier = intake(store, citizen, utcnow() - timedelta(hours=2), delivery="post", scans=[scan])
    assert syncer.run_once() and store.dossier(dossier)["state"] == "done"
    assert [a["state"] for a in store.dossier(dossier)["attachments"]] == ["done"]  # uploaded after it

    # At the centre: the result is ready and goes back on a return manifest to the post office.
    officer = staff_session(server.url, "officer1")
    for action in ("transfer", "start_processing", "result_ready"):
        assert officer.post(f"{server.url}/api/v1/dossiers/{dossier}/actions/{action}", json={}).ok
    manifest = officer.post(
        f"{server.url}/api/v1/manifests",
        json={"direction": "to_post", "from_site": CENTRE, "to_site": POST_OFFICE},
    ).json()["code"]
    assert officer.post(f"{server.url}/api/v1/manifests/{manifest}/items", json={"dossier": dossier}).ok
    assert officer.post(f"{server.url}/api/v1/manifests/{manifest}/close").ok

    assert syncer.run_once()  # the inbox is fetched
    server.kill()

    # Offline: scan the bundle in, finish, one failed attempt, then the delivery to a proxy.
    page = pages(store, tmp_path)
    assert manifest in page.get("/inbox").get_data(as_text=True)
    assert page.post("/inbox/open", {"code": manifest}).location.endswith(f"/inbox/{manifest}")
    page.post(f"/inbox/{manifest}/scan", {"code": dossier})
    page.post(f"/inbox/{manifest}/finish")
    assert store.inbox_manifest(manifest)["counts"] == {"expected": 0, "arrived": 1, "missing": 0, "extra": 0}
    deliver = f"/inbox/{manifest}/deliver/{dossier}"
    tried = (utcnow().astimezone(VN) - timedelta(minutes=50)).strftime("%Y-%m-%dT%H:%M")
    assert (
        page.post(
            deliver, {"outcome": "undelivered", "reason": "Không có người ở nhà", "at": tried}
        ).status_code
        == 302
    )
    proxy = {
        "outcome": "delivered",
        "recipient_name": "Lê Văn Cường",
        "recipient_id_number": "040095004321",
        "proxy": "1",
        "at": (utcnow().astimezone(VN) - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"),
    }
    refused = page.post(deliver, proxy)
    assert refused.status_code == 422 and "giấy ủy quyền" in refused.get_data(as_text=True)
    proxy["authorisation"] = "Giấy ủy quyền số 15/UQ ngày 20/11/2026 của bà " + citizen["name"]
    # The citizen's evaluation, asked at the delivery: every question or none.
    proxy["evaluation_publicity"] = "full"
    half = page.post(deliver, proxy)
    assert half.status_code == 422 and "chọn câu trả lời cho mọi tiêu chí" in half.get_data(as_text=True)
    proxy.update(evaluation_attitude="courteous", evaluation_feedback="partly")
    assert page.post(deliver, proxy).status_code == 302
    # scan of the manifest, of the dossier, finish, two attempts, the evaluation
    assert store.counts()["pending"] == 6

    server.start()
    assert syncer.run_once()
    assert store.counts()["done"] == 7 and store.counts()["rejected"] == 0  # with the intake
    on_server = officer.get(f"{server.url}/api/v1/dossiers/{dossier}").json()
    assert on_server["status"] == "returned" and on_server["return_method"] == "post"
    assert [a["filename"] for a in on_server["attachments"]] == ["to-khai-lltp.pdf"]
    undelivered, delivered = [e for e in on_server["events"] if e["action"] in ("undeliver", "deliver")]
    assert undelivered["data"]["reason"] == "Không có người ở nhà"
    assert delivered["data"]["proxy"] is True and delivered["to_party"] == "Lê Văn Cường"
    assert officer.get(f"{server.url}/api/v1/manifests/{manifest}").json()["status"] == "received"
    key = on_server["tracking_url"].rsplit("/", 1)[1]
    evaluation = requests.get(f"{server.url}/api/v1/track/d/{key}/evaluation", timeout=10).json()[
        "evaluation"
    ]
    assert evaluation["channel"] == "post"
    assert evaluation["answers"] == {"publicity": "full", "attitude": "courteous", "feedback": "partly"}
    # Handed in and returned by post: 2 points for the time, trips, bodies and one-stop, 1 for
    # the postal channel, then 2 + 2 + 1 asked.
    assert evaluation["score"] == 2 * 5 + 1 + 5 and evaluation["verdict"] == "good"
    officer.close()
    syncer.http.close()


@pytest.fixture
def offline_client(app, postal_token, tmp_path):
    """The client's pages on a free port with the server's catalogue, and no server: the post
    office is offline. Yields (base URL, store)."""
    store = Store(tmp_path / "postal.sqlite3")
    catalogue = app.test_client().get(
        "/api/v1/postal/catalogue", headers={"Authorization": f"Bearer {postal_token}"}
    )
    store.save_catalogue(catalogue.json, utcnow())
    nowhere = f"http://127.0.0.1:{free_port()}"
    loop = SyncLoop(Syncer(store, nowhere, postal_token, connect_timeout=1), interval=60, backoff_min=30)
    settings = Settings(nowhere, postal_token, store.path, f"sim://{tmp_path / 'printer'}", clerks=CLERKS)
    web = make_server("127.0.0.1", free_port(), create_app(settings, store, loop), threaded=True)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    loop.start()
    assert loop.wait_round(10)
    try:
        yield f"http://127.0.0.1:{web.server_port}", store
    finally:
        loop.stop()
        web.shutdown()


def begin_shift(page, base_url: str, clerk: str = "tam", password: str = CLERK_PASSWORD) -> None:
    page.goto(f"{base_url}/intake")  # no shift yet: the login page
    page.select_option("#username", clerk)
    page.fill("#password", password)
    page.click("#login")


def test_the_intake_page_fills_the_applicant_from_the_id_card_and_saves_offline(
    offline_client, tmp_path, browser
):
    from playwright.sync_api import expect

    base_url, store = offline_client
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    try:
        page = context.new_page()
        begin_shift(page, base_url)  # asked once per shift, not on each dossier
        expect(page.locator("#shift-clerk")).to_have_text("Hoàng Minh Tâm")
        expect(page.locator("#sync-badge")).to_contain_text("Mất kết nối")

        page.fill("#cccd-scan", "không phải mã căn cước")
        page.press("#cccd-scan", "Enter")
        expect(page.locator("#cccd-scan-result")).to_contain_text("Không đọc được mã vừa quét")
        page.fill("#cccd-scan", QR)
        page.press("#cccd-scan", "Enter")
        expect(page.locator("#applicant_name")).to_have_value("Nguyễn Thị Hoa")
        expect(page.locator("#applicant_id_number")).to_have_value("040089001234")
        expect(page.locator("#applicant_address")).to_have_value(
            "Xóm 3, xã Nghi Phú, thành phố Vinh, Nghệ An"
        )

        # The province has two centres that the post takes dossiers for: the clerk chooses one.
        page.select_option("#site", "NA-HCC")
        page.select_option("#procedure", CRIMINAL_RECORD)
        expect(page.locator("#fee")).to_have_value("200000")
        expect(page.locator("#procedure-info")).to_contain_text("10 ngày làm việc · lệ phí 200.000 đồng")
        page.check("#doc-0")
        expect(page.locator("#doc-0-originals")).to_have_value("1")
        page.check("input[name=delivery][value=post]")
        page.click("#same-address")
        page.fill("#applicant_phone", "0912 345 678")
        page.fill("#fee", "hai trăm")
        page.click("#save")
        expect(page.locator("#form-errors")).to_contain_text("Nhập lệ phí bằng số đồng")
        expect(page.locator("#doc-0")).to_be_checked()  # the form comes back as it was
        expect(page.locator("#fee")).to_have_value("hai trăm")  # the clerk's own, not refilled

        page.fill("#fee", "200000")
        page.click("#save")
        code = f"{AGENCY}-{utcnow().astimezone(VN):%y%m%d}-0001"
        row = page.locator(f"[id='row-{code}']")
        expect(row).to_contain_text("Chờ gửi")
        expect(row).to_contain_text("Nguyễn Thị Hoa")
        expect(page.locator(".banner-ok")).to_contain_text(f"Đã lưu hồ sơ {code} và in biên nhận")
    finally:
        context.close()

    saved = store.dossier(code)
    assert saved["state"] in OpState.UNCONFIRMED and saved["body"]["delivery"] == "post"
    assert saved["body"]["received_by_name"] == "Hoàng Minh Tâm"
    assert saved["body"]["delivery_address"] == "Xóm 3, xã Nghi Phú, thành phố Vinh, Nghệ An"
    assert saved["body"]["documents"] == [
        {
            "name": "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
            "originals": 1,
            "certified_copies": 0,
            "copies": 0,
        }
    ]
    assert code in printed_codes(tmp_path / "printer")[-1]  # offline receipt: the QR holds the code


# A catalogue as the server sends it, enough to record intakes with no server at all.
CATALOGUE = {
    "site": POST_OFFICE,
    "agency_code": AGENCY,
    "centres": [
        {
            "site": CENTRE,
            "name": "Trung tâm Phục vụ hành chính công tỉnh Nghệ An",
            "procedures": [
                {
                    "code": CRIMINAL_RECORD,
                    "name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
                    "department_name": "Sở Tư pháp",
                    "processing_amount": 10.0,
                    "processing_unit": "working_days",
                    "fee": 200000,
                    "documents": [{"name": "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "copies": 1}],
                    "postal_allowed": True,
                }
            ],
        }
    ],
}
RECORDING_CLIENT = """
import itertools, sys
from postal.store import Store, utcnow
from tests.test_postal_client import intake, person
store = Store(sys.argv[1])
for i in itertools.count():
    intake(store, person(i), utcnow())
    print(i + 1, flush=True)
"""


def test_a_client_killed_while_recording_keeps_each_intake_with_its_operation_and_no_gap(tmp_path):
    path = tmp_path / "postal.sqlite3"
    store = Store(path)
    store.save_catalogue(CATALOGUE, utcnow())
    store.close()
    client = subprocess.Popen(
        [sys.executable, "-c", RECORDING_CLIENT, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    started = None
    for line in client.stdout:
        started = started or time.monotonic()
        if int(line) == 200:
            break
    rate = 199 / (time.monotonic() - started)
    client.kill()  # SIGKILL, somewhere in the middle of the next intake
    client.wait(10)
    client.stdout.close()
    print(f"intakes recorded locally at {rate:.0f}/s")

    store = Store(path)
    with store.reading() as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        codes = [row[0] for row in db.execute("SELECT code FROM dossiers ORDER BY code")]
        operations = db.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'dossier.receive'").fetchone()[0]
        unmatched = db.execute(
            "SELECT COUNT(*) FROM outbox o LEFT JOIN dossiers d ON d.op_id = o.id WHERE d.code IS NULL"
        ).fetchone()[0]
        last = db.execute("SELECT MAX(last_value) FROM code_sequences").fetchone()[0]
    day = utcnow().astimezone(VN)
    assert len(codes) >= 200 and operations == len(codes) and unmatched == 0 and last == len(codes)
    assert codes == [f"{AGENCY}-{day:%y%m%d}-{n:04d}" for n in range(1, len(codes) + 1)]
    assert intake(store, person(0), utcnow()) == f"{AGENCY}-{day:%y%m%d}-{len(codes) + 1:04d}"


def test_settings_come_from_the_file_and_an_environment_variable_wins(tmp_path):
    from postal import config

    path = tmp_path / "postal.toml"
    path.write_text(
        '[server]\nurl = "http://10.0.0.5:5000/"\ntoken = "postal_abc"\n'
        '[client]\ndb = "/var/lib/postal/postal.sqlite3"\nport = 5200\n[sync]\nbatch_size = 20\n',
        encoding="utf-8",
    )
    settings = config.load(path, {"SYNC_BATCH_SIZE": "5", "PRINTER": "escpos+tcp://10.0.0.9:9100"})
    assert (settings.server_url, settings.device_token, settings.port) == (
        "http://10.0.0.5:5000",
        "postal_abc",
        5200,
    )
    assert (settings.batch_size, settings.printer) == (5, "escpos+tcp://10.0.0.9:9100")
    assert config.load(None, {"SERVER_URL": "http://s", "DEVICE_TOKEN": "t"}).printer.startswith("sim:///")
    with pytest.raises(config.SettingsError, match="DEVICE_TOKEN"):
        config.load(None, {"SERVER_URL": "http://s"})
    with pytest.raises(config.SettingsError, match="SYNC_BATCH_SIZE must be 1 to 200"):
        config.load(path, {"SYNC_BATCH_SIZE": "500"})


def test_a_client_whose_database_was_lost_numbers_above_what_the_server_knows(tmp_path):
    from datetime import date

    from postal.store import Store

    store = Store(tmp_path / "fresh.sqlite3")
    store.save_catalogue(
        {
            "site": "NA-BC-VINH",
            "agency_code": "BC.460000",
            "last_codes": {"BC.460000": {"2026-11-22": 41}, "BK.BC.460000": {"2026-11-22": 3}},
            "centres": [],
        },
        datetime.now(UTC),
    )
    with store.transaction() as db:
        assert Store._allocate(db, "BC.460000", date(2026, 11, 22)) == "BC.460000-261122-0042"
        assert Store._allocate(db, "BK.BC.460000", date(2026, 11, 22)) == "BK.BC.460000-261122-0004"
        assert Store._allocate(db, "BC.460000", date(2026, 11, 23)) == "BC.460000-261123-0001"


def test_at_the_post_office_pc_the_fee_comes_from_the_catalogue_until_the_clerk_types_one(
    offline_client, contexts
):
    from playwright.sync_api import expect

    from .browser import OFFICE, assert_fits, check_accessibility, screenshot

    base_url, _ = offline_client
    page = contexts(viewport=OFFICE)
    begin_shift(page, base_url)
    expect(page.locator("#shift")).to_contain_text("Ca của Hoàng Minh Tâm")
    expect(page.locator("#received-by")).to_have_text("Nhân viên tiếp nhận: Hoàng Minh Tâm")
    expect(page.locator("#fee")).to_have_value("")
    page.select_option("#site", CENTRE)
    page.select_option("#procedure", CRIMINAL_RECORD)
    expect(page.locator("#fee")).to_have_value("200000")
    expect(page.locator("#procedure-info")).to_contain_text("lệ phí 200.000 đồng")
    page.select_option("#procedure", "1.009994")  # another procedure: its own fee
    expect(page.locator("#fee")).to_have_value("75000")
    check_accessibility(page)
    screenshot(page, "postal-intake-768p")

    page.fill("#fee", "50000")  # the clerk's own figure stays when the procedure changes
    page.select_option("#procedure", CRIMINAL_RECORD)
    expect(page.locator("#fee")).to_have_value("50000")
    page.fill("#fee", "")  # emptied: the catalogue's again at the next choice
    page.select_option("#procedure", "1.009994")
    expect(page.locator("#fee")).to_have_value("75000")

    page.click("#end-shift")
    expect(page.locator(".banner-ok")).to_contain_text("Đã kết thúc ca làm việc của Hoàng Minh Tâm")
    expect(page.locator("#password")).to_be_visible()
    assert_fits(page)
    check_accessibility(page)
    screenshot(page, "postal-login-768p")
    page.goto(f"{base_url}/dossiers")
    expect(page.locator("h1")).to_have_text("Bắt đầu ca làm việc")


def test_a_clerk_logs_in_once_per_shift_and_every_record_carries_their_name(tmp_path, caplog):
    store = Store(tmp_path / "postal.sqlite3")
    store.save_catalogue(CATALOGUE, utcnow())
    nobody = pages(store, tmp_path, clerk=None)
    form = {
        "applicant_name": "Nguyễn Thị Hoa",
        "site": CENTRE,
        "procedure": CRIMINAL_RECORD,
        "doc-0": "1",
        "doc-0-originals": "1",
        "sets": "1",
        "fee": "200000",
        "fee_payment": "cash",
        "delivery": "counter",
        "received_by_name": "Ai đó khác",  # not a field any more: never believed
    }
    assert nobody.get("/intake").location.endswith("/login")
    assert nobody.post("/intake", form).location.endswith("/login")
    assert store.dossiers(None, "Hoa") == []

    refused = nobody.post("/login", {"username": "tam", "password": "sai-mat-khau"})
    assert refused.status_code == 401 and "Tên đăng nhập hoặc mật khẩu không đúng." in refused.get_data(True)
    assert nobody.post("/login", {"username": "khong-co", "password": "x"}).status_code == 401
    for _ in range(4):
        nobody.post("/login", {"username": "tam", "password": "sai-mat-khau"})
    locked = nobody.post("/login", {"username": "tam", "password": CLERK_PASSWORD})
    assert locked.status_code == 401 and "Đăng nhập sai quá nhiều lần" in locked.get_data(True)
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "failed login for clerk 'tam'" in logged  # the attempts are logged, the passwords never
    assert CLERK_PASSWORD not in logged and "sai-mat-khau" not in logged

    lan = pages(store, tmp_path, clerk="lan", password="ca-chieu-bc-vinh")
    assert 'Ca của <strong id="shift-clerk">Trần Thị Lan</strong>' in lan.get("/intake").get_data(True)
    saved = lan.post("/intake", form)
    assert saved.status_code == 302, saved.get_data(True)
    (dossier,) = store.dossiers(None, "Hoa")
    assert store.dossier(dossier["code"])["body"]["received_by_name"] == "Trần Thị Lan"

    # Another clerk corrects it: Lan stays the one who received it.
    tam = pages(store, tmp_path)
    corrected = tam.post(f"/dossiers/{dossier['code']}/edit", {**form, "applicant_name": "Nguyễn Thị Hòa"})
    assert corrected.status_code == 302, corrected.get_data(True)
    body = store.dossier(dossier["code"])["body"]
    assert (body["applicant"]["name"], body["received_by_name"]) == ("Nguyễn Thị Hòa", "Trần Thị Lan")

    # The manifest is closed in the name of the clerk of the shift.
    made = tam.post("/manifests", {"site": CENTRE, "dossiers": [dossier["code"]]})
    manifest_id = int(made.location.rsplit("/", 1)[1])
    tam.post(f"/manifests/{manifest_id}/close", {"clerk": "Ai đó khác"})
    assert store.manifest(manifest_id)["closed_by_name"] == "Hoàng Minh Tâm"

    # The shift ends with "Kết thúc ca", or by itself after SHIFT_MAX_HOURS.
    assert lan.post("/logout").location.endswith("/login")
    assert lan.get("/intake").location.endswith("/login")
    with tam.client.session_transaction() as session:
        session["shift_started"] = (utcnow() - timedelta(hours=shift.SHIFT_MAX_HOURS, minutes=1)).isoformat()
    assert tam.get("/intake").location.endswith("/login")


def test_clerks_are_set_in_the_settings_file_with_hashes_never_passwords(tmp_path):
    from postal import config

    path = tmp_path / "postal.toml"
    hashed = generate_password_hash("ca-sang-bc-vinh")
    path.write_text(
        '[server]\nurl = "http://s"\ntoken = "t"\n'
        f'[[clerks]]\nusername = "tam"\nname = "Hoàng Minh Tâm"\npassword_hash = "{hashed}"\n',
        encoding="utf-8",
    )
    (clerk,) = config.load(path, {}).clerks
    assert (clerk.username, clerk.name, clerk.password_hash) == ("tam", "Hoàng Minh Tâm", hashed)
    assert hashed not in repr(clerk)
    path.write_text(
        '[server]\nurl = "http://s"\ntoken = "t"\n'
        '[[clerks]]\nusername = "tam"\nname = "Hoàng Minh Tâm"\npassword_hash = "ca-sang-bc-vinh"\n',
        encoding="utf-8",
    )
    with pytest.raises(config.SettingsError, match="never the password itself") as refused:
        config.load(path, {})
    assert "ca-sang-bc-vinh" not in str(refused.value)
    assert config.load(None, {"SERVER_URL": "http://s", "DEVICE_TOKEN": "t"}).clerks == ()
    settings = Settings("http://s", "t", tmp_path / "p.sqlite3", f"sim://{tmp_path}")
    page = create_app(settings, Store(tmp_path / "p.sqlite3")).test_client().get("/login")
    assert "Máy này chưa khai báo nhân viên nào" in page.get_data(as_text=True)


@pytest.mark.parametrize("paper", [58, 80])
def test_the_manifest_s_code_prints_upright(tmp_path, paper):
    """It used to be a Code128 too long for two dots a bar, printed lengthwise."""
    from hardware.layouts import ManifestPrint
    from postal.printing import print_manifest

    code = f"BK.{AGENCY}-261203-0001"
    manifest = ManifestPrint(
        title="BẢNG KÊ GIAO NHẬN HỒ SƠ",
        code=code,
        sender="Bưu cục Trung tâm Vinh",
        recipient="Trung tâm Phục vụ hành chính công tỉnh Nghệ An",
        created_at="09:30 03/12/2026",
        lines=(f"{AGENCY}-261203-0001 - Nguyễn Thị Hoa - Cấp Phiếu lý lịch tư pháp",),
        clerk="Hoàng Minh Tâm",
    )
    print_manifest(f"sim://{tmp_path}?paper={paper}", manifest)
    (png,) = tmp_path.glob("job-*.png")
    (symbol,) = zxingcpp.read_barcodes(Image.open(png).convert("L"))
    assert symbol.text == code
    assert symbol.orientation == 0, f"printed turned by {symbol.orientation} degrees"
