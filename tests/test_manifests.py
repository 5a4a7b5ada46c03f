"""Manifests between a post office and the centre, the postal sync endpoint, and the flag a
supervisor receives when a dossier is about to be late."""

from datetime import timedelta

import pytest

from queue_server.database import db, utcnow
from queue_server.dossiers.models import Dossier, DossierEvent
from queue_server.dossiers.watch import flag_due_soon
from queue_server.events import committed

from .helpers import VN, login

APPLICANT = {"name": "Võ Thị Lan", "id_number": "040185001122", "address": "Xóm 3, xã Hưng Lộc"}


def postal_intake(client, **overrides):
    body = {"site": "NA-HCC", "procedure": "1.001756", "applicant": APPLICANT, **overrides}
    response = client.post("/api/v1/dossiers", json=body)
    assert response.status_code == 201, response.json
    return response.json


def test_a_post_office_takes_in_under_its_own_agency_code(post_office, officer):
    dossier = postal_intake(post_office)
    assert dossier["code"].startswith("BC.460000-") and dossier["channel"] == "postal"
    assert dossier["intake_site"] == "NA-BC-VINH" and dossier["site"] == "NA-HCC"
    assert post_office.get(f"/api/v1/dossiers/{dossier['code']}").status_code == 200
    assert officer.get(f"/api/v1/dossiers/{dossier['code']}").status_code == 200
    not_postal = post_office.post(
        "/api/v1/dossiers", json={"site": "NA-HCC", "procedure": "1.004227", "applicant": APPLICANT}
    )
    assert not_postal.status_code == 400 and not_postal.json["error"]["code"] == "not_postal"


def test_a_manifest_with_a_missing_and_an_extra_dossier(post_office, officer):
    listed = [postal_intake(post_office)["code"] for _ in range(3)]
    stray = postal_intake(post_office)["code"]  # in the bag, not on the list
    manifest = post_office.post(
        "/api/v1/manifests", json={"direction": "to_centre", "from_site": "NA-BC-VINH", "to_site": "NA-HCC"}
    ).json
    code = manifest["code"]
    assert code.startswith("BK.BC.460000-")
    for dossier in listed:
        assert (
            post_office.post(f"/api/v1/manifests/{code}/items", json={"dossier": dossier}).status_code == 200
        )
    again = post_office.post(f"/api/v1/manifests/{code}/items", json={"dossier": listed[0]})
    assert len(again.json["items"]) == 3
    early = officer.post(f"/api/v1/manifests/{code}/scan", json={"code": code})
    assert early.status_code == 409 and early.json["error"]["code"] == "manifest_open"
    assert post_office.post(f"/api/v1/manifests/{code}/close").json["status"] == "closed"
    late_add = post_office.post(f"/api/v1/manifests/{code}/items", json={"dossier": stray})
    assert late_add.status_code == 409

    for scanned in (code, listed[0], listed[2], stray, listed[0]):
        response = officer.post(f"/api/v1/manifests/{code}/scan", json={"code": scanned})
        assert response.status_code == 200, response.json
    assert response.json["status"] == "receiving"
    done = officer.post(f"/api/v1/manifests/{code}/finish").json
    assert done["status"] == "received"
    assert done["counts"] == {"expected": 0, "arrived": 2, "missing": 1, "extra": 1}
    states = {item["dossier"]: item["state"] for item in done["items"]}
    assert states == {listed[0]: "arrived", listed[1]: "missing", listed[2]: "arrived", stray: "extra"}
    history = officer.get(f"/api/v1/dossiers/{listed[0]}").json["events"]
    assert history[-1]["action"] == "handover"
    assert history[-1]["to_party"] == "Trung tâm Phục vụ hành chính công tỉnh Nghệ An"
    assert officer.get(f"/api/v1/dossiers/{listed[1]}").json["events"][-1]["action"] == "receive"
    garbage = officer.post(f"/api/v1/manifests/{code}/scan", json={"code": "hello"})
    assert garbage.status_code == 409  # reception is over


def test_a_result_goes_back_by_post_and_its_delivery_is_recorded(app, post_office, officer):
    code = postal_intake(post_office, delivery="post", delivery_address="Xóm 3, xã Hưng Lộc")["code"]
    for action in ("transfer", "start_processing", "result_ready"):
        officer.post(f"/api/v1/dossiers/{code}/actions/{action}", json={})
    early = post_office.post(
        f"/api/v1/dossiers/{code}/actions/deliver", json={"recipient_name": "Võ Thị Lan"}
    )
    assert early.status_code == 403  # not on a return manifest yet
    manifest = officer.post(
        "/api/v1/manifests", json={"direction": "to_post", "from_site": "NA-HCC", "to_site": "NA-BC-VINH"}
    ).json["code"]
    assert manifest.startswith("BK.000.00.06.H40-")
    officer.post(f"/api/v1/manifests/{manifest}/items", json={"dossier": code})
    officer.post(f"/api/v1/manifests/{manifest}/close")
    inbox = post_office.get("/api/v1/postal/inbox").json
    assert inbox[0]["code"] == manifest
    assert inbox[0]["deliveries"][0]["delivery_address"] == "Xóm 3, xã Hưng Lộc"
    post_office.post(f"/api/v1/manifests/{manifest}/scan", json={"code": code})
    assert post_office.post(f"/api/v1/manifests/{manifest}/finish").json["counts"]["arrived"] == 1
    proxy = post_office.post(
        f"/api/v1/dossiers/{code}/actions/deliver", json={"recipient_name": "Võ Văn Nam", "proxy": True}
    )
    assert proxy.status_code == 400 and proxy.json["error"]["code"] == "missing_field"
    delivered = post_office.post(
        f"/api/v1/dossiers/{code}/actions/deliver",
        json={"recipient_name": "Võ Văn Nam", "proxy": True, "authorisation": "Giấy ủy quyền số 12/UQ"},
    )
    assert delivered.status_code == 200, delivered.json
    assert delivered.json["status"] == "returned" and delivered.json["return_method"] == "post"
    assert delivered.json["events"][-1]["data"]["proxy"] is True
    ward = login(app.test_client(), "officer3")
    assert ward.post(f"/api/v1/manifests/{manifest}/finish").status_code == 403


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_the_sync_endpoint_applies_each_operation_once(app, post_office):
    # An hour ago, but today (local time): the codes and the server's sequence are today's.
    now = utcnow().astimezone(app_tz())
    received = max(now - timedelta(hours=1), now.replace(hour=0, minute=0, second=0, microsecond=0))
    operations = [
        {
            "id": f"op-receive-{n:04d}",
            "kind": "dossier.receive",
            "body": {
                "site": "NA-HCC",
                "procedure": "1.001756",
                "code": f"BC.460000-{received.astimezone(app_tz()).strftime('%y%m%d')}-{n:04d}",
                "applicant": {**APPLICANT, "name": f"Công dân {n}"},
                "received_at": received.isoformat(),
                "received_by_name": "Hoàng Minh Tâm",
            },
        }
        for n in (1, 2, 3)
    ]
    operations.insert(1, {"id": "op-bad-00001", "kind": "dossier.receive", "body": {"site": "NA-HCC"}})
    first = post_office.post("/api/v1/postal/sync", json={"operations": operations})
    assert first.status_code == 200
    results = first.json["results"]
    assert [r["ok"] for r in results] == [True, False, True, True]
    assert results[1]["error"]["code"] == "unknown_procedure"
    assert results[0]["result"]["code"].endswith("-0001")
    assert results[0]["result"]["tracking_url"].startswith("http")
    replay = post_office.post("/api/v1/postal/sync", json={"operations": operations}).json["results"]
    assert [r.get("replayed") for r in replay] == [True, None, True, True]
    with app.app_context():
        assert db.session.query(Dossier).count() == 3
        assert db.session.query(DossierEvent).count() == 3
    clash = post_office.post(
        "/api/v1/postal/sync",
        json={"operations": [{**operations[0], "id": "op-other-0001"}]},
    ).json["results"][0]
    assert not clash["ok"]  # the same code under another operation id is refused
    intake_here = post_office.post(
        "/api/v1/dossiers", json={"site": "NA-HCC", "procedure": "1.001756", "applicant": APPLICANT}
    ).json
    assert intake_here["code"].endswith("-0004")  # the server's sequence moved past the client's codes
    catalogue = post_office.get("/api/v1/postal/catalogue").json
    today = utcnow().astimezone(app_tz()).date().isoformat()
    assert (
        catalogue["last_codes"]["BC.460000"][today] == 4
        and catalogue["site_name"] == "Bưu cục Trung tâm Vinh"
    )
    assert post_office.post("/api/v1/postal/sync", json={"operations": "nope"}).status_code == 422
    kiosk_like = app.test_client()
    assert kiosk_like.post("/api/v1/postal/sync", json={"operations": []}).status_code == 401


def app_tz():

    return VN


def test_a_dossier_about_to_be_late_is_flagged_once_to_the_supervisors(app, officer, session):
    code = officer.post(
        "/api/v1/dossiers", json={"site": "NA-HCC", "procedure": "1.001756", "applicant": APPLICANT}
    ).json["code"]
    dossier = session.query(Dossier).filter_by(code=code).one()
    sent = []

    def listen(name, payload):
        sent.append((name, payload))

    committed.connect(listen)
    try:
        assert flag_due_soon(session, now=dossier.due_at - timedelta(days=5)) == []
        assert flag_due_soon(session, now=dossier.due_at - timedelta(minutes=30)) == [code]
        assert flag_due_soon(session, now=dossier.due_at - timedelta(minutes=10)) == []
    finally:
        committed.disconnect(listen)
    due_soon = [payload for name, payload in sent if name == "dossier.due_soon"]
    assert due_soon == [
        {
            "site": "NA-HCC",
            "code": code,
            "due_at": due_soon[0]["due_at"],
            "flags": ["due_soon", "needs_apology"],
        }
    ]
    assert "Võ Thị Lan" not in str(due_soon)
    events = officer.get(f"/api/v1/dossiers/{code}").json["events"]
    assert events[-1]["action"] == "flag" and events[-1]["data"]["flags"] == ["due_soon", "needs_apology"]
