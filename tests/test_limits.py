"""What a request may bring (issue 16, requests): its size, its JSON, its integers, its text and
its lists, each refused with a 4xx in the API's error format, never a 500; the call template;
what people typed, written as text in every spreadsheet; the post-office sync's stored answers,
each its own device's."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import datetime

import pytest
import requests
import socketio
from openpyxl import load_workbook
from sqlalchemy import select, update

from queue_server import inputs
from queue_server.auth.models import User
from queue_server.database import db, utcnow
from queue_server.dossiers import rules
from queue_server.sites.models import Counter, Service, Site, SiteKind
from queue_server.sync.operations import MAX_MANIFEST_DOSSIERS
from queue_server.sync.protocol import MAX_BATCH

from .helpers import APPLICANT, BOTH_DATABASES, VN, device_client, device_token, login, staff_session

INTAKE = {"site": "NA-HCC", "procedure": "1.001756", "applicant": APPLICANT}
FORMULAS = ('=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\t=1")


def refusal(response, *statuses) -> dict:
    """The error of a 4xx answer in the API's format."""
    assert response.status_code in statuses, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    return body["error"]


def post_raw(client, path: str, text: str):
    return client.post(path, data=text, content_type="application/json")


def intake_text(**raw_fields: str) -> str:
    """An intake body with some fields written as raw JSON text (for what json.dumps cannot write)."""
    body = json.dumps(INTAKE)[:-1]
    return body + "".join(f', "{name}": {text}' for name, text in raw_fields.items()) + "}"


# -- sizes -----------------------------------------------------------------------------------------


def test_a_scan_may_be_as_large_as_a_scan_and_any_other_body_far_smaller(
    app, database_url, live_server_factory, tmp_path, monkeypatch
):
    """Through gunicorn: the whole request may carry a scan (here 2 MiB, and 1 MiB of envelope),
    a JSON body only 1 MiB; larger ones are refused as JSON before they are read, a body sent in
    chunks (no Content-Length) too."""
    monkeypatch.setenv("ATTACHMENTS_DIR", str(tmp_path))
    monkeypatch.setenv("ATTACHMENT_MAX_MB", "2")
    monkeypatch.setenv("SIGNAGE_MAX_MB", "2")  # the request's limit follows the larger upload
    server = live_server_factory(database_url)
    officer = staff_session(server.url, "officer1")
    code = officer.post(f"{server.url}/api/v1/dossiers", json=INTAKE, timeout=10).json()["code"]
    attachments = f"{server.url}/api/v1/dossiers/{code}/attachments"

    scan = b"%PDF-1.4\n" + os.urandom(3 * 2**19)  # 1.5 MiB: more than any JSON body may be
    stored = officer.post(attachments, files={"file": ("scan.pdf", scan, "application/pdf")}, timeout=30)
    assert stored.status_code == 201, stored.text
    assert stored.json()["size"] == len(scan)

    too_large = b"%PDF-1.4\n" + os.urandom(4 * 2**20)
    refused = officer.post(attachments, files={"file": ("big.pdf", too_large, "application/pdf")}, timeout=30)
    assert refused.status_code == 413
    assert refused.json()["error"]["code"] == "payload_too_large"
    assert "3 MiB" in refused.json()["error"]["message"]

    note = json.dumps("a" * (3 * 2**19))
    big_json = officer.post(
        f"{server.url}/api/v1/dossiers",
        data=intake_text(note=note),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert big_json.status_code == 413 and big_json.json()["error"]["code"] == "payload_too_large"
    assert "1 MiB" in big_json.json()["error"]["message"]

    def chunks():
        yield intake_text(note=note).encode()

    chunked = officer.post(
        f"{server.url}/api/v1/dossiers",
        data=chunks(),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert chunked.status_code == 413, chunked.text[:300]
    assert chunked.json()["error"]["code"] == "payload_too_large"
    assert requests.get(f"{server.url}/api/v1/sites", timeout=5).ok  # the worker lives on


# -- JSON ------------------------------------------------------------------------------------------

BAD_JSON = [
    pytest.param("[" * 100_000 + "]" * 100_000, "nested deeper than 32 levels", id="100000-deep"),
    pytest.param("[" * 33 + "]" * 33, "nested deeper than 32 levels", id="33-deep"),
    pytest.param(intake_text(note='"Ghi ch\\ud800"'), "unpaired surrogates", id="surrogate"),
    pytest.param(intake_text(note='"Ghi\\u0000chú"'), "NUL", id="nul"),
    pytest.param(intake_text(fee="1e999"), "too large", id="1e999"),
    pytest.param(intake_text(fee="NaN"), "NaN is not a JSON number", id="nan"),
    pytest.param(intake_text(fee="-Infinity"), "-Infinity is not a JSON number", id="infinity"),
    pytest.param(intake_text(fee="9" * 5000), "integers must lie between -2147483648 and", id="5000-digits"),
    pytest.param(intake_text(fee=str(2**31)), "integers must lie between", id="2**31"),
    pytest.param(intake_text(ticket_id=str(2**40)), "integers must lie between", id="id-2**40"),
]


@BOTH_DATABASES
@pytest.mark.parametrize("text, reason", BAD_JSON)
def test_json_the_database_cannot_hold_is_refused_with_a_clear_message(app, text, reason):
    officer = login(app.test_client(), "officer1")
    error = refusal(post_raw(officer, "/api/v1/dossiers", text), 400)
    assert error["code"] == "bad_request" and reason in error["message"], error


@BOTH_DATABASES
def test_integers_beyond_the_database_are_refused_wherever_they_come_in(app, kiosk):
    officer = login(app.test_client(), "officer1")
    # Numbers sent as text or as a float, which the JSON parser cannot see.
    fee_as_text = officer.post("/api/v1/dossiers", json={**INTAKE, "fee": str(2**40)})
    assert refusal(fee_as_text, 422)["fields"]["json"]["fee"]
    ticket_as_float = officer.post("/api/v1/dossiers", json={**INTAKE, "ticket_id": 1e10})
    assert refusal(ticket_as_float, 422)["fields"]["json"]["ticket_id"]
    assert refusal(officer.post("/api/v1/dossiers", json={**INTAKE, "fee": rules.FEE_MAX + 1}), 422)
    # Query strings.
    offset = officer.get(f"/api/v1/dossiers?site=NA-HCC&offset={2**63}")
    assert refusal(offset, 422)["fields"]["query"]["offset"]
    # Paths: no row, so 404.
    assert refusal(officer.get(f"/api/v1/tickets/{2**40}"), 404)["code"] == "not_found"
    ticket = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"}).json
    transfer = officer.post(f"/api/v1/tickets/{ticket['id']}/transfer", json={"counter": str(2**40)})
    assert refusal(transfer, 422)["fields"]["json"]["counter"]
    # The same intake within the bounds is taken.
    assert officer.post("/api/v1/dossiers", json={**INTAKE, "fee": rules.FEE_MAX}).status_code == 201


def test_every_integer_and_list_a_request_may_carry_is_bounded_in_the_api_document(app):
    """Each integer of a request (body, query, path) lies within the database's, and each list
    has a maximum length: a field added without one fails here."""
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    components = document["components"]["schemas"]
    unbounded = []

    def walk(schema: dict, where: str) -> None:
        while "$ref" in schema:
            schema = components[schema["$ref"].rsplit("/", 1)[1]]
        for part in schema.get("allOf", []) + schema.get("anyOf", []) + schema.get("oneOf", []):
            walk(part, where)
        if schema.get("type") == "array":
            if "maxItems" not in schema:
                unbounded.append(where)
            walk(schema.get("items", {}), f"{where}[]")
        if schema.get("type") == "integer" and not (
            schema.get("minimum", inputs.DB_INT_MIN - 1) >= inputs.DB_INT_MIN
            and schema.get("maximum", inputs.DB_INT_MAX + 1) <= inputs.DB_INT_MAX
        ):
            unbounded.append(where)
        for name, child in schema.get("properties", {}).items():
            walk(child, f"{where}.{name}")
        if isinstance(schema.get("additionalProperties"), dict):
            walk(schema["additionalProperties"], f"{where}{{}}")

    operations = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            operations += 1
            for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]:
                walk(parameter.get("schema", {}), f"{method} {path} {parameter['name']}")
            for body in operation.get("requestBody", {}).get("content", {}).values():
                walk(body["schema"], f"{method} {path} body")
    assert operations > 50 and unbounded == []


# -- text ------------------------------------------------------------------------------------------


@BOTH_DATABASES
def test_a_nul_character_in_the_address_or_a_form_field_is_refused(app, tmp_path):
    app.config["ATTACHMENTS_DIR"] = tmp_path
    officer = login(app.test_client(), "officer1")
    assert refusal(officer.get("/api/v1/dossiers?site=NA-HCC&q=ab%00cd"), 400)["code"] == "invalid_characters"
    assert refusal(officer.get("/api/v1/dossiers/ab%00cd"), 400)["code"] == "invalid_characters"
    code = officer.post("/api/v1/dossiers", json=INTAKE).json["code"]
    path = f"/api/v1/dossiers/{code}/attachments"
    scan = b"%PDF-1.4\n scan"
    bad_id = officer.post(path, data={"client_id": "scan\x00000001", "file": (io.BytesIO(scan), "a.pdf")})
    assert refusal(bad_id, 400)["code"] == "invalid_client_id"
    bad_name = officer.post(path, data={"file": (io.BytesIO(scan), "scan\x00.pdf")})
    assert refusal(bad_name, 400)["code"] == "invalid_filename"
    assert officer.post(path, data={"file": (io.BytesIO(scan), "scan.pdf")}).status_code == 201


# -- lists -----------------------------------------------------------------------------------------


def post_office_client(app, site: str):
    """A post office's client; each call a device of its own."""
    return device_client(app, device_token(app, "postal", site, f"quầy {site}"))


def receive(op_id: str, **body) -> dict:
    return {"id": op_id, "kind": "dossier.receive", "body": {**INTAKE, **body}}


@BOTH_DATABASES
def test_every_list_of_a_request_has_a_bound(app, post_office):
    officer = login(app.test_client(), "officer1")
    documents = [{"name": f"Giấy tờ {n}", "copies": 1} for n in range(rules.DOCUMENTS_MAX + 1)]
    too_many = officer.post("/api/v1/dossiers", json={**INTAKE, "documents": documents})
    assert refusal(too_many, 422)["fields"]["json"]["documents"]
    guidance = {**INTAKE, "decision": "incomplete", "reason": "Thiếu", "items": ["Tờ khai"] * 101}
    assert refusal(officer.post("/api/v1/dossiers", json=guidance), 422)["fields"]["json"]["items"]
    assert officer.post("/api/v1/dossiers", json={**INTAKE, "documents": documents[:-1]}).status_code == 201

    # The post office's batch, and the lists inside its operations, which no schema sees.
    batch = [receive(f"op-list-{n:06d}") for n in range(MAX_BATCH + 1)]
    assert refusal(post_office.post("/api/v1/postal/sync", json={"operations": batch}), 422)
    manifest = {
        "id": "op-manifest-0001",
        "kind": "manifest.open",
        "body": {"to_site": "NA-HCC", "dossiers": ["X"] * (MAX_MANIFEST_DOSSIERS + 1)},
    }
    results = post_office.post(
        "/api/v1/postal/sync", json={"operations": [receive("op-docs-00001", documents=documents), manifest]}
    ).json["results"]
    assert [(r["ok"], r["error"]["code"]) for r in results] == [
        (False, "invalid_documents"),
        (False, "invalid_body"),
    ]

    admin = login(app.test_client(), "admin")
    account = {"username": "many.sites", "password": "a-long-password-1", "role": "officer"}
    sites = admin.post("/api/v1/admin/users", json={**account, "sites": ["NA-HCC"] * 501})
    assert refusal(sites, 422)["fields"]["json"]["sites"]


# -- the live socket -------------------------------------------------------------------------------


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_live_socket_refuses_what_the_database_cannot_hold(app, database_url, live_server_factory):
    """A screen that gives a counter id beyond the database's integer, a site code with a NUL, a
    ticket key or a token with half a surrogate pair is refused at once, as an unknown one is
    (it used to fail in the database: no answer, a traceback in the log)."""
    server = live_server_factory(database_url)
    for auth in (
        {"site": "NA-HCC", "counter": 2**40},
        {"site": "NA-HCC", "counter": "²"},
        {"site": "NA-HCC\x00"},
        {"ticket": "key\ud800"},
        {"site": "NA-HCC", "token": "kiosk_\ud800"},
        {"site": "NA-HCC", "counter": 99999},  # an unknown one, for comparison
    ):
        client = socketio.Client(reconnection=False)
        refused = []
        client.on("connect_error", refused.append)
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=5)
        client.disconnect()
        assert refused == [{"message": "Connection refused by server"}], auth
    assert "Traceback" not in server.log_tail()


# -- the call template -----------------------------------------------------------------------------

BAD_TEMPLATES = (
    "Mời số {number} quầy {counter} {number.__class__}",
    "Mời số {number[0]} quầy {counter}",
    "Mời số {number!r} quầy {counter}",
    "Mời số {number:>999999999} quầy {counter}",
    "Mời số {number:} quầy {counter}",
    "Mời số {number} quầy {counter} {0}",
    "Mời số {number} quầy {counter} {}",
    "Mời số {{number}} quầy {counter}",
    "Mời số {number} quầy {counter} }",
    "Mời số {number} quầy {counter} {so}",
    "Mời số {number}",
)


@pytest.mark.parametrize("template", BAD_TEMPLATES)
def test_the_call_template_takes_its_two_placeholders_bare_and_nothing_else(app, template):
    supervisor = login(app.test_client(), "supervisor")
    changed = supervisor.patch("/api/v1/admin/sites/NA-HCC", json={"call_template": template})
    error = refusal(changed, 400)
    assert error["code"] == "invalid_call_template" and error["field"] == "call_template"


def test_the_call_template_is_at_most_200_characters(app):
    supervisor = login(app.test_client(), "supervisor")
    sentence = "Xin mời công dân có số {number} đến quầy {counter}."
    longest = sentence + "." * (200 - len(sentence))
    assert supervisor.patch("/api/v1/admin/sites/NA-HCC", json={"call_template": longest}).status_code == 200
    longer = supervisor.patch("/api/v1/admin/sites/NA-HCC", json={"call_template": longest + "."})
    assert refusal(longer, 422)["fields"]["json"]["call_template"]
    page = supervisor.get("/admin/sites", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'name="call_template" maxlength="200"' in page


def test_a_template_stored_before_the_rule_is_spoken_as_written_never_evaluated(app, kiosk, officer):
    stored = "Mời {number} quầy {counter} {number.__class__} {counter:>999999999} {0} {number!r} {{x}}"
    with app.app_context():
        db.session.execute(update(Site).where(Site.code == "NA-HCC").values(call_template=stored))
        db.session.commit()
    kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"})
    called = officer.post("/api/v1/counters/3/call-next")
    assert called.status_code == 200, called.get_data(as_text=True)[:300]
    expected = "Mời 3001 quầy 3 {number.__class__} {counter:>999999999} {0} {number!r} {{x}}"
    assert called.json["announcement"] == expected
    recalled = officer.post(f"/api/v1/tickets/{called.json['ticket']['id']}/recall")
    assert recalled.status_code == 200
    audio = app.test_client().get("/display/NA-HCC/call.wav?number=3001&counter=3")
    assert audio.status_code == 200 and audio.mimetype == "audio/wav"
    assert app.test_client().get("/display/NA-HCC/call.wav?number=3001&counter=²").status_code == 404


# -- spreadsheets ----------------------------------------------------------------------------------


def test_names_typed_like_formulas_are_text_in_the_tracking_book(app, officer):
    codes = {}
    for name in (*FORMULAS, "Trần\x01Văn"):
        created = officer.post("/api/v1/dossiers", json={**INTAKE, "applicant": {"name": name}})
        assert created.status_code == 201, created.json
        codes[created.json["code"]] = created.json["applicant"]["name"]
    today = utcnow().astimezone(VN).date().isoformat()
    book = officer.get(f"/api/v1/sites/NA-HCC/tracking-book.xlsx?from={today}&to={today}")
    assert book.status_code == 200
    sheet = load_workbook(io.BytesIO(book.data)).active
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=5) if row[1].value}
    assert set(rows) == set(codes)
    for code, name in codes.items():
        applicant = rows[code][4]
        assert applicant.data_type == "s" and applicant.value == name.replace("\x01", "")
        assert rows[code][3].data_type == "n" and rows[code][3].value == 1  # sets: a number
        assert isinstance(rows[code][7].value, datetime)  # received: a date-time
    assert any(rows[code][4].value.startswith("=") for code in codes)


@BOTH_DATABASES
def test_names_and_reasons_typed_like_formulas_are_text_in_the_report_files(app, kiosk, officer):
    hyperlink, plus, minus, at, _ = FORMULAS
    with app.app_context():
        db.session.execute(update(User).where(User.username == "officer1").values(full_name=hyperlink))
        db.session.execute(update(Service).where(Service.code == "NM-DD").values(name=plus))
        db.session.execute(update(Counter).where(Counter.id == 3).values(name=minus))
        db.session.commit()
    kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"})
    ticket = officer.post("/api/v1/counters/3/call-next").json["ticket"]
    assert officer.post(f"/api/v1/tickets/{ticket['id']}/finish").status_code == 200
    assert officer.post("/api/v1/counters/3/pause", json={"reason": at}).status_code == 200
    assert officer.post("/api/v1/counters/3/resume").status_code == 200
    today = utcnow().astimezone(VN).date().isoformat()
    period = f"site=NA-HCC&from={today}&to={today}"
    supervisor = login(app.test_client(), "supervisor")

    book = load_workbook(io.BytesIO(supervisor.get(f"/api/v1/reports.xlsx?{period}").data))
    typed = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=3):
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                    typed[cell.value] = cell
    assert {hyperlink, plus, minus} <= set(typed) and any(v.startswith(at) for v in typed)
    assert all(cell.data_type == "s" for cell in typed.values())
    officers = list(book["Theo cán bộ"].iter_rows(min_row=3, values_only=True))
    assert officers[0][:3] == ("officer1", hyperlink, 1)  # the count served stays a number

    for section, expected in (("officers", hyperlink), ("services", plus), ("counters", minus)):
        text = supervisor.get(f"/api/v1/reports.csv?{period}&section={section}").get_data(as_text=True)
        cells = [
            cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";") for cell in row
        ]
        assert "'" + expected in cells and expected not in cells, (section, cells)
        assert "1" in cells  # a number stays a number
    counters = supervisor.get(f"/api/v1/reports.csv?{period}&section=counters").get_data(as_text=True)
    assert "'" + at in counters


# -- the post-office sync --------------------------------------------------------------------------


@pytest.fixture
def second_post_office(app) -> str:
    """Another post office of the province, with its own agency code."""
    with app.app_context():
        vinh = db.session.scalar(select(Site).where(Site.code == "NA-BC-VINH"))
        db.session.add(
            Site(
                code="NA-BC-CUALO",
                name="Bưu cục Cửa Lò",
                kind=SiteKind.POST_OFFICE,
                agency_code="BC.463000",
                province=vinh.province,
            )
        )
        db.session.commit()
    return "NA-BC-CUALO"


@BOTH_DATABASES
def test_a_stored_sync_answer_goes_back_to_its_own_device_only(app, post_office, second_post_office):
    other = post_office_client(app, second_post_office)
    same_office = post_office_client(app, "NA-BC-VINH")
    operation = receive("op-mine-000001", applicant={**APPLICANT, "name": "Lê Thị Riêng"})

    first = post_office.post("/api/v1/postal/sync", json={"operations": [operation]}).json["results"][0]
    assert first["ok"] and not first["replayed"]
    code = first["result"]["code"]

    for intruder in (other, same_office):
        for attempt in (operation, {**operation, "kind": "manifest.open", "body": {"to_site": "NA-HCC"}}):
            answer = intruder.post("/api/v1/postal/sync", json={"operations": [attempt]})
            assert answer.status_code == 200
            result = answer.json["results"][0]
            assert result == {
                "id": operation["id"],
                "ok": False,
                "error": {"code": "operation_id_taken", "message": result["error"]["message"]},
            }
            assert code not in answer.get_data(as_text=True) and "Riêng" not in answer.get_data(as_text=True)

    replay = post_office.post("/api/v1/postal/sync", json={"operations": [operation]}).json["results"][0]
    assert replay == {**first, "replayed": True}
    with app.app_context():
        from queue_server.dossiers.models import Dossier
        from queue_server.manifests.models import Manifest

        assert db.session.query(Dossier).count() == 1 and db.session.query(Manifest).count() == 0
