"""Intake regardless of administrative boundary (Nghị định 118/2025 Điều 14 and 18): a commune
centre receives a dossier for a procedure the provincial centre handles, under its own agency
code and book; it travels on a centre-to-centre manifest with scan-in and discrepancies; the
result comes back on a results manifest to where the citizen chose to collect it; each side
sees its part, and the reports count both ways."""

from __future__ import annotations

from queue_server.database import db, utcnow
from queue_server.sites.models import Site, SiteKind

from .helpers import APPLICANT, BOTH_DATABASES, VN, act, login

WARD = "NA-TRUONGVINH"


def take_in_at_ward(ward, **fields):
    body = {"site": "NA-HCC", "intake_site": WARD, "procedure": "1.001756", "applicant": APPLICANT, **fields}
    return ward.post("/api/v1/dossiers", json=body)


def carry(
    sender, receiver, direction: str, from_site: str, to_site: str, codes: list[str], scanned=None
) -> dict:
    """A manifest filled and closed by ``sender``, scanned in (``scanned``, default all) and
    finished by ``receiver``."""
    opened = sender.post(
        "/api/v1/manifests", json={"direction": direction, "from_site": from_site, "to_site": to_site}
    )
    assert opened.status_code == 201, opened.json
    manifest = opened.json["code"]
    for code in codes:
        added = sender.post(f"/api/v1/manifests/{manifest}/items", json={"dossier": code})
        assert added.status_code == 200, added.json
    assert sender.post(f"/api/v1/manifests/{manifest}/close").status_code == 200
    for code in [manifest, *(codes if scanned is None else scanned)]:
        assert receiver.post(f"/api/v1/manifests/{manifest}/scan", json={"code": code}).status_code == 200
    finished = receiver.post(f"/api/v1/manifests/{manifest}/finish")
    assert finished.status_code == 200
    return finished.json


@BOTH_DATABASES
def test_a_dossier_received_at_the_ward_for_the_province_goes_there_and_its_result_comes_back(app, officer):
    ward = login(app.test_client(), "officer3")
    catalogue = ward.get(f"/api/v1/procedures?site={WARD}").json
    handled_by = {p["code"]: p["site"] for p in catalogue}
    assert handled_by["1.001193"] == WARD and handled_by["1.001756"] == "NA-HCC"
    assert catalogue[0]["site"] == WARD  # its own procedures first

    created = take_in_at_ward(ward)
    assert created.status_code == 201, created.json
    dossier = created.json
    code = dossier["code"]
    assert code.startswith("000.27.30.H40-")  # the receiving centre's agency code
    assert dossier["intake_site"] == WARD and dossier["site"] == "NA-HCC"
    assert dossier["receiving_site"] == WARD and dossier["return_site"] == WARD
    assert dossier["book"]["site"] == WARD and dossier["book"]["entry"] == 1
    assert dossier["events"][0]["to_party"] == "Trung tâm Phục vụ hành chính công phường Trường Vinh"

    # Each side sees its part.
    assert code in [d["code"] for d in ward.get(f"/api/v1/dossiers?site={WARD}&scope=received").json]
    assert code not in [d["code"] for d in ward.get(f"/api/v1/dossiers?site={WARD}&scope=handled").json]
    assert code in [d["code"] for d in officer.get("/api/v1/dossiers?site=NA-HCC&scope=handled").json]
    assert ward.get(f"/api/v1/dossiers/{code}").status_code == 200
    assert act(ward, code, "transfer").status_code == 403  # the handling centre sends it to its agency

    # The ward sends it on; the province scans it in, a dossier short on another manifest.
    missing = take_in_at_ward(ward, applicant={**APPLICANT, "name": "Lê Thị Cúc"}).json["code"]
    arrived = carry(ward, officer, "to_centre", WARD, "NA-HCC", [code, missing], scanned=[code])
    assert arrived["counts"] == {"expected": 0, "arrived": 1, "missing": 1, "extra": 0}
    handover = officer.get(f"/api/v1/dossiers/{code}").json["events"][-1]
    assert handover["action"] == "handover" and handover["to_party"].endswith("tỉnh Nghệ An")

    for action in ("transfer", "start_processing", "result_ready"):
        assert act(officer, code, action).status_code == 200, action
    assert act(officer, code, "return", recipient_name="x").status_code == 403  # the ward hands it back
    early = act(ward, code, "return", recipient_name=APPLICANT["name"])
    assert early.status_code == 409 and early.json["error"]["code"] == "result_not_here"
    wrong = officer.post(
        "/api/v1/manifests", json={"direction": "results", "from_site": "NA-HCC", "to_site": "NA-BC-VINH"}
    )
    assert wrong.status_code == 400 and wrong.json["error"]["code"] == "invalid_sites"

    back = carry(officer, ward, "results", "NA-HCC", WARD, [code])
    assert back["counts"]["arrived"] == 1
    returned = act(ward, code, "return", recipient_name=APPLICANT["name"])
    assert returned.status_code == 200 and returned.json["status"] == "returned"
    assert returned.json["events"][-1]["from_party"] == "Trung tâm Phục vụ hành chính công phường Trường Vinh"

    # The reports count both ways.
    today = utcnow().astimezone(VN).date().isoformat()
    period = f"from={today}&to={today}"
    admin = login(app.test_client(), "admin")
    province = admin.get(f"/api/v1/reports?site=NA-HCC&{period}").json["dossiers"]
    commune = admin.get(f"/api/v1/reports?site={WARD}&{period}").json["dossiers"]
    assert (province["received"], province["handled"], province["handled_from_elsewhere"]) == (0, 2, 2)
    assert (commune["received"], commune["received_for_others"], commune["handled"]) == (2, 2, 0)


def test_the_citizen_may_collect_at_the_handling_centre_or_by_post(app, officer):
    ward = login(app.test_client(), "officer3")
    at_province = take_in_at_ward(ward, return_to="handling").json
    assert at_province["return_site"] == "NA-HCC"
    by_post = take_in_at_ward(ward, delivery="post", delivery_address="Số 5 Quang Trung").json
    assert by_post["return_site"] is None and by_post["delivery"] == "post"
    code = at_province["code"]
    carry(ward, officer, "to_centre", WARD, "NA-HCC", [code])
    for action in ("transfer", "result_ready"):
        act(officer, code, action)
    assert act(officer, code, "return", recipient_name=APPLICANT["name"]).status_code == 200


def test_the_ward_takes_back_a_supplement_and_a_request_to_stop(app):
    ward = login(app.test_client(), "officer3")
    first = take_in_at_ward(ward).json["code"]
    assert act(ward, first, "stop", requested_via="in_person").status_code == 200
    second = take_in_at_ward(ward).json["code"]
    assert act(ward, second, "request_supplement", items=["Bản sao CCCD"], reason="Mờ").status_code == 200
    assert act(ward, second, "resubmit").status_code == 200


def test_intake_stays_within_the_province_and_at_a_centre_one_acts_for(app, officer):
    with app.app_context():
        db.session.add(
            Site(
                code="HT-HCC",
                name="Trung tâm PVHCC tỉnh Hà Tĩnh",
                kind=SiteKind.PROVINCIAL_CENTRE,
                province="Hà Tĩnh",
                agency_code="000.00.06.H42",
            )
        )
        db.session.commit()
    admin = login(app.test_client(), "admin")
    elsewhere = admin.post(
        "/api/v1/dossiers",
        json={"site": "NA-HCC", "intake_site": "HT-HCC", "procedure": "1.001756", "applicant": APPLICANT},
    )
    assert elsewhere.status_code == 400 and elsewhere.json["error"]["code"] == "other_province"
    not_mine = officer.post(
        "/api/v1/dossiers",
        json={"site": "NA-HCC", "intake_site": WARD, "procedure": "1.001756", "applicant": APPLICANT},
    )
    assert not_mine.status_code == 403
    assert admin.get("/api/v1/procedures?site=HT-HCC").json == []  # another province's catalogue
