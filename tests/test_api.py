"""The HTTP API: the contract used by kiosks, consoles, displays and integrations."""

import pytest
from openapi_spec_validator import validate
from sqlalchemy import event

from queue_server.auth.models import DeviceToken
from queue_server.auth.services import issue_device_token, revoke_device_token
from queue_server.database import db
from queue_server.overload import Line

from .helpers import BOTH_DATABASES, counter, error_of, issue, login, staff, statements_sent

PERSONAL_KEYS = {"id_number", "phone", "address", "email", "full_name", "username", "officer_id"}


@BOTH_DATABASES
def test_kiosk_takes_a_number_with_place_wait_counters_and_tracking_link(app, kiosk):
    with app.app_context():
        staff(db.session, [1, 2, 3])
    first = issue(kiosk)
    second = issue(kiosk)
    assert first["number"] == "3001" and second["number"] == "3002"
    assert second["status"] == "waiting"
    assert second["position"] == 2 and second["people_ahead"] == 1
    # One person ahead, three counters open for land: called within one average service time.
    assert second["estimated_wait_s"] == 420
    assert second["counters"] == [1, 2, 3]
    assert "/t/" in second["track_url"]


@BOTH_DATABASES
def test_priority_ticket_goes_ahead_of_waiting_ordinary_tickets(kiosk):
    issue(kiosk)
    priority = issue(kiosk, priority="elderly")
    assert priority["priority"] is True and priority["position"] == 1


@BOTH_DATABASES
def test_a_press_reads_its_place_with_its_commit(app, kiosk, officer):
    """The place in the queue is read with the commit (``journal.read_at_commit``): on
    PostgreSQL after the COMMIT of the log's one message, on SQLite just before it, after the
    writes. A called ticket is no longer ahead."""
    with app.app_context():
        staff(db.session, [3])
    for _ in range(3):
        issue(kiosk)
    officer.post("/api/v1/counters/3/call-next")
    with app.app_context(), statements_sent(db.engine) as sent:
        event.listen(db.engine, "commit", committed := lambda connection: sent.append(("(commit)", None)))
        fourth = issue(kiosk)
        event.remove(db.engine, "commit", committed)
    assert (fourth["position"], fourth["people_ahead"], fourth["counters"]) == (3, 2, [3])
    counted = [n for n, (sql, _) in enumerate(sent) if "count(*)" in sql]
    if db.engine.dialect.name == "postgresql":  # sent by the journal's own cursor, after its COMMIT
        assert counted == []
    else:  # in the transaction, after its writes
        assert len(counted) == 1 and sent[counted[0] + 1][0] == "(commit)", [sql for sql, _ in sent]


def test_public_ticket_views_carry_no_personal_data(kiosk, client):
    ticket = issue(kiosk)
    token = ticket["track_url"].rsplit("/", 1)[1]
    for url in (f"/api/v1/tickets/{ticket['id']}", f"/api/v1/track/{token}"):
        body = client.get(url).get_json()
        assert body["number"] == "3001"
        assert not PERSONAL_KEYS & set(body)
    assert error_of(client.get("/api/v1/track/not-a-token"), 404) == "unknown_ticket"


def test_officer_calls_recalls_and_finishes(kiosk, officer):
    ticket = issue(kiosk)
    called = officer.post("/api/v1/counters/3/call-next")
    assert called.status_code == 200
    body = called.get_json()
    assert body["ticket"]["id"] == ticket["id"] and body["ticket"]["counter"] == 3
    assert body["announcement"] == "Xin mời công dân có số thứ tự 3001 đến quầy số 3"
    assert officer.post(f"/api/v1/tickets/{ticket['id']}/recall").get_json()["recall_count"] == 1
    assert officer.post(f"/api/v1/tickets/{ticket['id']}/finish").get_json()["status"] == "done"
    assert officer.post("/api/v1/counters/3/call-next").status_code == 204


def test_skip_reactivate_and_transfer_through_the_api(kiosk, officer):
    ticket = issue(kiosk)
    officer.post("/api/v1/counters/3/call-next")
    assert officer.post(f"/api/v1/tickets/{ticket['id']}/skip").get_json()["status"] == "no_show"
    assert officer.post(f"/api/v1/tickets/{ticket['id']}/reactivate").get_json()["status"] == "waiting"
    moved = officer.post(f"/api/v1/tickets/{ticket['id']}/transfer", json={"service": "TC-DKDN"})
    assert moved.get_json()["status"] == "transferred" and moved.get_json()["service"] == "TC-DKDN"
    assert officer.post("/api/v1/counters/4/call-next").get_json()["ticket"]["number"] == "3001"
    to_counter = officer.post(f"/api/v1/tickets/{ticket['id']}/transfer", json={"counter": 12})
    assert to_counter.get_json()["target_counter"] == 12


def test_pause_resume_and_counters_listing(officer, client):
    paused = officer.post("/api/v1/counters/3/pause", json={"reason": "Nghỉ giữa giờ"})
    assert paused.get_json()["state"] == "paused"
    counters = {c["number"]: c for c in client.get("/api/v1/sites/NA-HCC/counters").get_json()}
    assert counters[3]["state"] == "paused" and counters[3]["pause_reason"] == "Nghỉ giữa giờ"
    assert counters[3]["services"] == ["NM-DD"]
    assert error_of(officer.post("/api/v1/counters/3/call-next"), 409) == "counter_not_open"
    assert officer.post("/api/v1/counters/3/resume").get_json()["state"] == "open"
    assert error_of(officer.post("/api/v1/counters/3/pause", json={}), 422) == "validation_failed"


def test_services_and_queue_show_waiting_and_now_serving(kiosk, officer, client):
    for _ in range(3):
        issue(kiosk)
    officer.post("/api/v1/counters/3/call-next")
    services = {s["code"]: s for s in client.get("/api/v1/sites/NA-HCC/services").get_json()}
    # Counters 1 and 2 serve land too, but only counter 3 has an officer (who just called).
    assert services["NM-DD"]["waiting"] == 2 and services["NM-DD"]["counters_open"] == 1
    queue = client.get("/api/v1/sites/NA-HCC/queue").get_json()
    serving = {c["number"]: c["current"] for c in queue["counters"]}
    assert serving[3]["number"] == "3001"
    assert [t["number"] for t in queue["waiting"]] == ["3002", "3003"]
    assert queue["recent_calls"][0] == {**queue["recent_calls"][0], "number": "3001", "counter": 3}
    assert queue["seq"] == 1  # the call: tickets issued take no place in the sequence


def test_walk_in(officer):
    response = officer.post("/api/v1/counters/3/walk-in", json={"service": "NM-DD"})
    assert response.status_code == 201
    assert response.get_json()["status"] == "serving"


@pytest.mark.parametrize(
    "body, content_type, status, code",
    [
        ("{not json", "application/json", 400, "bad_request"),
        ('{"service": 5}', "application/json", 422, "validation_failed"),
        ('{"service": "NM-DD", "priority": "vip"}', "application/json", 422, "validation_failed"),
        ('{"service": "NM-DD", "channel": "fax"}', "application/json", 422, "validation_failed"),
        ('{"service": "NM-DD", "extra": 1}', "application/json", 422, "validation_failed"),
        ("{}", "application/json", 422, "validation_failed"),
        ("[1, 2]", "application/json", 422, "validation_failed"),
        ('{"service": "NOPE"}', "application/json", 404, "unknown_service"),
        ('{"service": "' + "x" * 5000 + '"}', "application/json", 422, "validation_failed"),
    ],
)
def test_bad_ticket_requests_get_clear_4xx_errors(kiosk, body, content_type, status, code):
    response = kiosk.post("/api/v1/sites/NA-HCC/tickets", data=body, content_type=content_type)
    assert error_of(response, status) == code


def test_unknown_things_are_404_and_wrong_methods_405(officer, client):
    assert error_of(client.get("/api/v1/sites/NOPE/services"), 404) == "unknown_site"
    assert error_of(client.get("/api/v1/tickets/999999"), 404) == "unknown_ticket"
    assert error_of(officer.post("/api/v1/counters/999/call-next"), 404) == "unknown_counter"
    assert error_of(client.delete("/api/v1/sites"), 405) == "method_not_allowed"
    assert error_of(client.get("/api/v1/no-such-thing"), 404) == "not_found"


def test_wrong_state_is_409_with_the_current_state(kiosk, officer):
    ticket = issue(kiosk)
    response = officer.post(f"/api/v1/tickets/{ticket['id']}/finish")
    assert error_of(response, 409) == "wrong_state"
    assert response.get_json()["error"]["status_now"] == "waiting"


def test_transfer_with_no_destination_is_refused(kiosk, officer):
    ticket = issue(kiosk)
    assert (
        error_of(officer.post(f"/api/v1/tickets/{ticket['id']}/transfer", json={}), 400) == "invalid_transfer"
    )
    assert (
        error_of(officer.post(f"/api/v1/tickets/{ticket['id']}/transfer", json={"counter": 999}), 404)
        == "unknown_counter"
    )


def test_anonymous_callers_cannot_issue_or_operate(client, kiosk):
    ticket = issue(kiosk)
    assert (
        error_of(client.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"}), 401)
        == "login_required"
    )
    assert error_of(client.post("/api/v1/counters/3/call-next"), 401) == "login_required"
    assert error_of(client.post(f"/api/v1/tickets/{ticket['id']}/finish"), 401) == "login_required"


def test_officers_act_only_at_their_own_sites(app, kiosk):
    ticket = issue(kiosk)
    commune_officer = login(app.test_client(), "officer3")
    assert error_of(commune_officer.post("/api/v1/counters/3/call-next"), 403) == "forbidden"
    assert (
        error_of(
            commune_officer.post(f"/api/v1/tickets/{ticket['id']}/transfer", json={"service": "NM-MT"}), 403
        )
        == "forbidden"
    )
    postal_clerk = login(app.test_client(), "postal")
    assert error_of(postal_clerk.post("/api/v1/counters/3/call-next"), 403) == "forbidden"
    admin = login(app.test_client(), "admin")
    assert admin.post("/api/v1/counters/3/call-next").status_code == 200


def test_kiosk_token_issues_only_at_its_site_and_cannot_operate_counters(kiosk):
    assert (
        error_of(kiosk.post("/api/v1/sites/NA-TRUONGVINH/tickets", json={"service": "HT"}), 403)
        == "forbidden"
    )
    issue(kiosk)
    assert error_of(kiosk.post("/api/v1/counters/3/call-next"), 403) == "forbidden"


def test_a_display_token_cannot_issue_tickets(app):
    with app.app_context():
        _, token = issue_device_token(db.session, "display", "NA-HCC", "hall screen")
        db.session.commit()
    client = app.test_client()
    response = client.post(
        "/api/v1/sites/NA-HCC/tickets",
        json={"service": "NM-DD"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert error_of(response, 403) == "forbidden"


def test_a_revoked_device_token_is_refused_at_once(app, kiosk, kiosk_token):
    issue(kiosk)
    with app.app_context():
        device = db.session.query(DeviceToken).one()
        revoke_device_token(device)
        db.session.commit()
    response = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"})
    assert error_of(response, 401) == "invalid_token"


def test_a_kiosks_press_reads_the_kiosk_with_its_site_and_service(app, kiosk):
    """The calling kiosk's row comes with the press's own statement (``find_press``, with
    ``auth.access.token_to_look_up``): no statement reads the device on its own."""
    with app.app_context(), statements_sent(db.engine) as sent:
        issue(kiosk)
    reading_devices = [sql for sql, _ in sent if sql.lstrip().startswith("SELECT") and "device_tokens" in sql]
    assert len(reading_devices) == 1 and "FROM sites" in reading_devices[0], reading_devices


def test_an_unknown_device_token_takes_no_number(app, kiosk, client):
    """Refused as before the kiosk's row came with the press's (401), and nothing is taken;
    at a site that does not exist, the site is what is wrong (404)."""
    issue(kiosk)
    stranger = {"Authorization": "Bearer kiosk_not-a-token"}
    press = {"service": "NM-DD", "client_id": "press-of-a-stranger"}
    refused = client.post("/api/v1/sites/NA-HCC/tickets", json=press, headers=stranger)
    assert error_of(refused, 401) == "invalid_token"
    nowhere = client.post("/api/v1/sites/NO-SUCH/tickets", json=press, headers=stranger)
    assert error_of(nowhere, 404) == "unknown_site"
    assert issue(kiosk)["number"] == "3002"  # the refused press took no number


def test_device_tokens_are_stored_hashed_and_contact_is_recorded(app, kiosk, kiosk_token):
    issue(kiosk)
    with app.app_context():
        device = db.session.query(DeviceToken).one()
        assert kiosk_token not in device.token_hash and len(device.token_hash) == 64
        assert device.last_seen_at is not None


def test_login_logout_and_me(client):
    assert (
        error_of(client.post("/api/v1/auth/login", json={"username": "officer1", "password": "wrong"}), 401)
        == "invalid_credentials"
    )
    assert (
        error_of(client.post("/api/v1/auth/login", json={"username": "ghost", "password": "x"}), 401)
        == "invalid_credentials"
    )
    login(client, "officer1")
    assert client.get("/api/v1/auth/me").get_json()["sites"] == ["NA-HCC"]
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert error_of(client.get("/api/v1/auth/me"), 401) == "login_required"


def test_openapi_document_is_valid_and_lists_the_contract(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    for path in (
        "/api/v1/sites/{site_code}/tickets",
        "/api/v1/counters/{counter_id}/call-next",
        "/api/v1/tickets/{ticket_id}/transfer",
        "/api/v1/auth/login",
    ):
        assert path in document["paths"]
    ui = client.get("/api/v1/docs")
    assert ui.status_code == 200 and b"swagger-ui" in ui.data
    assert client.get("/vendor/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200
    assert client.get("/vendor/socket.io-client/socket.io.min.js").status_code == 200
    assert client.get("/vendor/left-pad/index.js").status_code == 404


def test_only_supervisors_and_admins_list_devices(app, kiosk, officer):
    kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"})
    assert error_of(officer.get("/api/v1/sites/NA-HCC/devices"), 403) == "forbidden"
    supervisor = login(app.test_client(), "supervisor")
    (device,) = supervisor.get("/api/v1/sites/NA-HCC/devices").get_json()
    assert device["kind"] == "kiosk" and device["last_seen_at"] is not None
    assert error_of(supervisor.get("/api/v1/sites/NA-TRUONGVINH/devices"), 403) == "forbidden"


def test_a_press_the_line_cannot_serve_in_time_is_told_when_there_will_be_room(app, kiosk):
    """Beyond ISSUE_MAX_INFLIGHT numbers at once a press waits in line; one that the line
    could not serve within ISSUE_MAX_WAIT_MS gets a 503 at once, says after how long there is
    expected to be room (the presses ahead, at the mean time one takes), takes nothing, and the
    kiosk's resend of the same press is served once there is room."""
    app.config.update(ISSUE_MAX_INFLIGHT=1, ISSUE_MAX_WAIT_MS=100)
    line = Line(1)
    line.working, line.mean_s = 1, 0.25  # one number being taken, a quarter of a second each
    app.extensions["shed_load"] = {"ISSUE_MAX_INFLIGHT": line}
    press = {"service": "NM-DD", "client_id": "press-busy-0001"}
    refused = kiosk.post("/api/v1/sites/NA-HCC/tickets", json=press)
    assert error_of(refused, 503) == "busy"
    assert refused.get_json()["error"]["retry_after_ms"] == 250 and refused.headers["Retry-After"] == "1"
    assert kiosk.get("/api/v1/sites/NA-HCC/queue").get_json()["waiting_total"] == 0
    assert kiosk.get("/api/v1/sites").status_code == 200  # other requests are not held back
    line.leave(0.25)
    taken = kiosk.post("/api/v1/sites/NA-HCC/tickets", json=press)
    assert taken.status_code == 201 and taken.get_json()["number"] == "3001"
    assert kiosk.post("/api/v1/sites/NA-HCC/tickets", json=press).status_code == 200  # the same one
    assert line.working == 0 and not line.waiting


def test_a_service_whose_counters_have_no_officer_promises_no_wait(app, kiosk, client):
    """Counter 7 alone serves trade (CT-TM): open, but it calls nobody until an officer is at it,
    and the services list, the queue, the issued ticket and its tracking all say so alike."""

    def trade():
        services = client.get("/api/v1/sites/NA-HCC/services").get_json()
        queue = client.get("/api/v1/sites/NA-HCC/queue").get_json()["services"]
        (listed,) = [s for s in services if s["code"] == "CT-TM"]
        (snapshot,) = [s for s in queue if s["code"] == "CT-TM"]
        assert (snapshot["counters_open"], snapshot["estimated_wait_s"]) == (
            listed["counters_open"],
            listed["estimated_wait_s"],
        )
        return listed["counters_open"], listed["estimated_wait_s"]

    def tracked(ticket):
        body = client.get(f"/api/v1/track/{ticket['track_url'].rsplit('/', 1)[1]}").get_json()
        return body["counters"], body["estimated_wait_s"]

    assert trade() == (0, None)
    ticket = issue(kiosk, "CT-TM")  # the centre is open: the number is given all the same
    assert (ticket["counters"], ticket["estimated_wait_s"]) == ([], None)
    assert tracked(ticket) == ([], None)
    with app.app_context():
        staff(db.session, [7])
    assert trade() == (1, 420)
    assert tracked(ticket) == ([7], 0)
    for state in ("paused", "closed"):
        with app.app_context():
            counter(db.session, 7).state = state
            db.session.commit()
        assert trade() == (0, None)
        assert tracked(ticket) == ([], None)


def test_the_issue_answer_is_exactly_what_its_schema_documents(app, kiosk):
    """The view writes the ticket it shaped itself (no second pass through marshmallow); the
    OpenAPI document promises IssuedTicketSchema, so the two must agree field by field."""
    from queue_server.queueing.schemas import IssuedTicketSchema

    with app.app_context():
        staff(db.session, [1])
    for extra in ({}, {"priority": "elderly", "client_id": "press-42"}):
        body = issue(kiosk, **extra)
        assert set(body) == set(IssuedTicketSchema().fields)
        assert IssuedTicketSchema().dump(body) == body
        assert IssuedTicketSchema().validate(body) == {}
    again = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD", "client_id": "press-42"})
    assert again.status_code == 200 and again.get_json() == IssuedTicketSchema().dump(again.get_json())
