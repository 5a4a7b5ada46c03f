"""The citizen's evaluation of a dossier (evaluations/): the indices computed from a real
history, the answers through the API and their errors, who may enter them, and the report's
figures on known data."""

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from queue_server.database import db
from queue_server.dossiers import lifecycle
from queue_server.evaluations import operations
from queue_server.evaluations.criteria import TT01_2018, Scoring, set_for
from queue_server.evaluations.models import Evaluation

from .helpers import act, error_of, intake, local, login, officer, site

GOOD_ANSWERS = {"publicity": "full", "attitude": "courteous", "feedback": "none_given"}
POOR_ANSWERS = {"publicity": "partial", "attitude": "poor", "feedback": "ignored"}
# Monday 2/11/2026 09:00: 1.001756 takes 10 working days, due Tuesday 17/11 at 09:00.
RECEIVED = local(2026, 11, 2, 9, 0)


def received(session, when=RECEIVED, user="officer1", procedure="1.001756"):
    centre = site(session)
    taken = lifecycle.get_procedure(session, centre, procedure)
    body = {"applicant": {"name": "Trần Thị Thu"}}
    dossier, _ = lifecycle.receive(session, centre, centre, taken, officer(session, user), body, now=when)
    session.commit()
    return dossier


def walk(session, dossier, steps):
    """Take each (action, data, when) in turn; commits."""
    for action, data, when in steps:
        lifecycle.apply(session, dossier, action, officer(session), data, now=when)
    session.commit()


def returned_early(session, **kwargs):
    """Taken in, sent to the agency, decided in four days and handed back at the counter."""
    dossier = received(session, **kwargs)
    walk(
        session,
        dossier,
        [
            ("transfer", {}, local(2026, 11, 2, 10, 0)),
            ("start_processing", {}, local(2026, 11, 3, 8, 0)),
            ("result_ready", {}, local(2026, 11, 6, 15, 0)),
            ("return", {"recipient_name": "Trần Thị Thu"}, local(2026, 11, 9, 8, 30)),
        ],
    )
    return dossier


def returned_late_after_a_supplement(session):
    """A supplement asked and brought back (one more trip), the result after the new due date."""
    dossier = received(session)
    walk(
        session,
        dossier,
        [
            ("request_supplement", {"items": ["Tờ khai có chữ ký"], "reason": "Tờ khai chưa ký"}, RECEIVED),
            ("resubmit", {}, local(2026, 11, 4, 9, 0)),
            ("transfer", {}, local(2026, 11, 4, 10, 0)),
            ("result_ready", {}, local(2026, 11, 27, 9, 0)),
            ("return", {"recipient_name": "Trần Thị Thu"}, local(2026, 11, 27, 10, 0)),
        ],
    )
    return dossier


def points(evaluation: Evaluation) -> dict[str, int]:
    return {index["code"]: index["points"] for index in evaluation.indices}


def test_an_early_dossier_without_supplement_gets_full_points_on_what_the_system_measures(session):
    dossier = returned_early(session)
    assert dossier.outcome == "early"
    evaluation = operations.evaluate(session, dossier, GOOD_ANSWERS, "online", now=local(2026, 11, 9, 9, 0))
    session.commit()
    assert points(evaluation) == {
        "total_time": 2,
        "body_time": 2,
        "contacts": 2,
        "bodies": 2,
        "one_stop": 2,
        "publicity": 2,
        "attitude": 2,
        "feedback": 2,
        "online": 1,  # handed in at the counter [assumed: 1 point]
    }
    assert (evaluation.score, evaluation.max_score, evaluation.verdict) == (17, 18, "good")
    values = {index["code"]: index["values"] for index in evaluation.indices}
    assert values["contacts"] == {"supplement_requests": 0, "trips": 1}
    assert values["total_time"]["outcome"] == "early"
    assert values["bodies"] == {"bodies": 1, "places": ["NA-HCC"]}
    assert values["attitude"] == {"answer": "courteous"}
    assert (evaluation.field, evaluation.agency, evaluation.criteria_set) == (
        "Lý lịch tư pháp",
        "Sở Tư pháp",
        "tt01-2018",
    )
    assert evaluation.officer_id == evaluation.returned_by_id == officer(session).user_id


def test_a_late_dossier_with_one_supplement_loses_the_time_points_and_one_for_the_extra_trip(session):
    dossier = returned_late_after_a_supplement(session)
    assert dossier.outcome == "late" and dossier.supplement_requests == 1
    evaluation = operations.evaluate(
        session, dossier, POOR_ANSWERS, "counter", now=local(2026, 11, 27, 11, 0)
    )
    found = points(evaluation)
    assert (found["total_time"], found["body_time"], found["contacts"]) == (0, 0, 1)
    assert {index["code"]: index["values"] for index in evaluation.indices}["contacts"] == {
        "supplement_requests": 1,
        "trips": 2,
    }
    assert (found["publicity"], found["attitude"], found["feedback"]) == (1, 0, 0)
    assert evaluation.score == 0 + 0 + 1 + 2 + 2 + 1 + 0 + 0 + 1 == 7
    assert evaluation.verdict == "fail"


def test_a_transfer_after_its_deadline_costs_the_bodys_time_even_when_the_result_is_early(session):
    dossier = received(session, when=local(2026, 11, 2, 9, 0))
    walk(
        session,
        dossier,
        [
            ("transfer", {}, local(2026, 11, 4, 9, 0)),  # due the same working day
            ("result_ready", {}, local(2026, 11, 6, 9, 0)),
        ],
    )
    found = operations.computed(dossier)
    assert found["total_time"][0] == 2 and found["body_time"] == (
        0,
        {"transfers": 1, "late_transfers": 1, "outcome": "early"},
    )


def test_the_verdict_thresholds_and_the_criteria_set_are_data_with_a_source():
    assert [c.number for c in TT01_2018.criteria] == list(range(1, 10))
    assert TT01_2018.source == "Thông tư 01/2018/TT-VPCP, Điều 13" and TT01_2018.max_score == 18
    assert [c.code for c in TT01_2018.asked] == ["publicity", "attitude", "feedback"]
    assert set_for(local(2026, 12, 1).date()) is TT01_2018
    assert [Scoring().verdict(score) for score in (18, 16, 15, 10, 9)] == [
        "good",
        "good",
        "pass",
        "pass",
        "fail",
    ]
    assert Scoring(good_from=18, pass_from=12).verdict(16) == "pass"


def key_of(dossier_json) -> str:
    return dossier_json["tracking_url"].rsplit("/", 1)[1]


# Decided the day it came in (early) and handed back at the counter.
HAND_BACK = [("transfer", {}), ("result_ready", {}), ("return", {"recipient_name": "Nguyễn Thị Hoa"})]


def hand_back(officer_client, code: str) -> None:
    for action, body in HAND_BACK:
        assert act(officer_client, code, action, **body).status_code == 200


def returned_now(officer_client) -> dict:
    dossier = intake(officer_client).json
    hand_back(officer_client, dossier["code"])
    return dossier


def test_the_phone_evaluates_once_after_the_result_and_bad_answers_get_a_clear_error(app, officer):
    dossier = intake(officer).json
    key = key_of(dossier)
    phone = app.test_client()
    url = f"/api/v1/track/d/{key}/evaluation"
    assert phone.get(url).json["state"] == "waiting"
    early = phone.post(url, json={"answers": GOOD_ANSWERS})
    assert early.status_code == 409 and error_of(early, 409) == "not_evaluable"
    hand_back(officer, dossier["code"])
    state = phone.get(url).json
    assert state["state"] == "open" and state["evaluation"] is None
    assert [c["code"] for c in state["form"]["asked"]] == ["publicity", "attitude", "feedback"]
    assert {c["code"]: c["points"] for c in state["form"]["computed"]}["contacts"] == 2

    bad = [
        ({"answers": {"publicity": "full", "attitude": "courteous"}}, 400, "missing_answer"),
        ({"answers": {**GOOD_ANSWERS, "attitude": "wonderful"}}, 400, "invalid_answer"),
        ({"answers": {**GOOD_ANSWERS, "total_time": "2"}}, 400, "invalid_answer"),
        ({"answers": ["full"]}, 422, "validation_failed"),
        ({}, 422, "validation_failed"),
    ]
    for body, status, code in bad:
        response = phone.post(url, json=body)
        assert error_of(response, status) == code, body
    assert error_of(phone.post("/api/v1/track/d/not-a-key/evaluation", json={"answers": GOOD_ANSWERS}), 404)

    given = phone.post(url, json={"answers": GOOD_ANSWERS})
    assert given.status_code == 201, given.json
    assert given.json["channel"] == "online" and given.json["verdict"] == "good"
    assert given.json["score"] == 17 and given.json["verdict_label"] == "Tốt"
    again = phone.post(url, json={"answers": POOR_ANSWERS})
    assert error_of(again, 409) == "already_evaluated"
    assert phone.get(url).json["state"] == "evaluated"
    with app.app_context():
        assert len(db.session.scalars(select(Evaluation)).all()) == 1
        assert db.session.scalar(select(Evaluation.score)) == 17


def test_the_evaluation_closes_after_the_window(app, session):
    dossier = returned_early(session)
    late = local(2026, 11, 9, 8, 30) + timedelta(days=31)
    with pytest.raises(Exception) as raised:
        operations.evaluate(session, dossier, GOOD_ANSWERS, "online", now=late)
    assert raised.value.code == "evaluation_closed"
    assert operations.state(session, dossier, late) == "closed"


def test_only_the_returning_centres_staff_enter_the_citizens_answers_at_the_counter(app, officer):
    dossier = returned_now(officer)
    url = f"/api/v1/dossiers/{dossier['code']}/evaluation"
    assert app.test_client().post(url, json={"answers": GOOD_ANSWERS}).status_code == 401
    ward_officer = login(app.test_client(), "officer3")
    assert error_of(ward_officer.post(url, json={"answers": GOOD_ANSWERS}), 403) == "forbidden"
    postal = login(app.test_client(), "postal")
    assert postal.post(url, json={"answers": GOOD_ANSWERS}).status_code == 403
    given = officer.post(url, json={"answers": POOR_ANSWERS})
    assert given.status_code == 201 and given.json["channel"] == "counter"
    assert error_of(officer.post(url, json={"answers": GOOD_ANSWERS}), 409) == "already_evaluated"


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_the_report_gives_the_average_score_and_verdicts_per_field_agency_and_officer(app, session):
    first = returned_early(session)  # officer1, 17 points: good
    second = returned_late_after_a_supplement(session)  # officer1, 7 points: fail
    third = returned_early(session, user="officer2", procedure="1.009994")
    operations.evaluate(session, first, GOOD_ANSWERS, "online", now=local(2026, 11, 9, 9, 0))
    operations.evaluate(session, second, POOR_ANSWERS, "counter", now=local(2026, 11, 27, 11, 0))
    third_evaluation = operations.evaluate(
        session, third, POOR_ANSWERS, "online", now=local(2026, 11, 10, 9, 0)
    )
    session.commit()
    assert third_evaluation.score == 12 and third_evaluation.verdict == "pass"

    supervisor = login(app.test_client(), "supervisor")
    query = "site=NA-HCC&from=2026-11-01&to=2026-11-30"
    figures = supervisor.get(f"/api/v1/reports?{query}").json["evaluations"]
    assert figures["totals"] == {
        "evaluations": 3,
        "score_avg": 12.0,
        "good": 1,
        "pass": 1,
        "fail": 1,
        "max_score": 18,
    }
    by_field = {row["field"]: row for row in figures["by_field"]}
    assert by_field["Lý lịch tư pháp"] == {
        "field": "Lý lịch tư pháp",
        "evaluations": 2,
        "score_avg": 12.0,
        "good": 1,
        "pass": 0,
        "fail": 1,
    }
    assert by_field[third.procedure.field]["score_avg"] == 12.0
    by_officer = {row["officer"]: (row["evaluations"], row["score_avg"]) for row in figures["by_officer"]}
    assert by_officer == {"officer1": (2, 12.0), "officer2": (1, 12.0)}
    by_agency = {row["agency"]: row["evaluations"] for row in figures["by_agency"]}
    assert by_agency["Sở Tư pháp"] == 2 and sum(by_agency.values()) == 3
    by_index = {row["code"]: row["points_avg"] for row in figures["by_index"]}
    assert by_index["contacts"] == round((2 + 1 + 2) / 3, 2) and by_index["attitude"] == round(2 / 3, 2)
    # December: nothing.
    empty = supervisor.get("/api/v1/reports?site=NA-HCC&from=2026-12-01&to=2026-12-31").json["evaluations"]
    assert empty["totals"]["evaluations"] == 0 and empty["totals"]["score_avg"] is None

    book = load_workbook(io.BytesIO(supervisor.get(f"/api/v1/reports.xlsx?{query}").data))
    rows = list(book["Đánh giá giải quyết hồ sơ"].iter_rows(min_row=2, values_only=True))
    assert ("Số lượt đánh giá", 3) in [row[:2] for row in rows]
    assert ("officer1", "Trần Văn Hùng", 2, 12, 1, 0, 1) in [row[:7] for row in rows]
    text = supervisor.get(f"/api/v1/reports.csv?{query}&section=evaluations").data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert any(line[:2] == ["Lý lịch tư pháp", "2"] for line in lines)

    assert login(app.test_client(), "officer1").get(f"/api/v1/reports?{query}").status_code == 403
    ward = supervisor.get("/api/v1/reports?site=NA-TRUONGVINH&from=2026-11-01&to=2026-11-30")
    assert ward.status_code == 403
