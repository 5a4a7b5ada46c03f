"""Print jobs from the kiosk to its agent's printer: kept until printed, retried, never lost."""

from datetime import timedelta

import zxingcpp
from PIL import Image

from hardware.printers import open_printer
from kiosk.agent import Agent
from queue_server.auth.services import issue_device_token
from queue_server.database import db, utcnow
from queue_server.printing import operations
from queue_server.printing.models import PrintJob

from .helpers import issue_over_http
from .live_client import LiveClient


def kiosk_print(server_url, token, ticket_id):
    import requests

    response = requests.post(
        f"{server_url}/api/v1/tickets/{ticket_id}/print",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 202, response.text
    return response.json()


def job_state(server_url, token, job_id):
    import requests

    return requests.get(
        f"{server_url}/api/v1/print-jobs/{job_id}", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).json()


def test_a_kiosk_ticket_is_printed_by_the_agent_with_a_qr_code_that_leads_to_it(
    app, database_url, live_server_factory, kiosk_token, tmp_path
):
    server = live_server_factory(database_url)
    ticket = issue_over_http(server.url, kiosk_token)
    job = kiosk_print(server.url, kiosk_token, ticket["id"])
    assert job["status"] == "queued"
    agent = Agent(server.url, kiosk_token, open_printer(f"sim://{tmp_path}"))
    assert agent.run_once() == 1
    assert job_state(server.url, kiosk_token, job["id"])["status"] == "printed"
    (preview,) = tmp_path.glob("job-*.png")
    codes = {r.text for r in zxingcpp.read_barcodes(Image.open(preview).convert("L"))}
    assert codes == {ticket["track_url"]}
    with app.app_context():
        from queue_server.auth.models import DeviceToken

        device = db.session.query(DeviceToken).one()
        assert device.health["printer"] == "ok"


def test_a_job_waits_while_the_paper_is_out_and_prints_when_the_roll_is_in(
    app, database_url, live_server_factory, kiosk_token, tmp_path
):
    """The agent polls every second: while the roll is changed it fetches nothing and no
    attempt is counted, the kiosk's answer says why, and the ticket prints once the roll is in."""
    server = live_server_factory(database_url)
    ticket = issue_over_http(server.url, kiosk_token)
    job = kiosk_print(server.url, kiosk_token, ticket["id"])
    (tmp_path / "state").write_text("paper_out")
    supervisor_screen = LiveClient(server.url)
    agent = Agent(server.url, kiosk_token, open_printer(f"sim://{tmp_path}"))
    assert [agent.run_once() for _ in range(10)] == [0] * 10  # ten seconds of a roll being changed
    assert supervisor_screen.wait_for("device.changed")["printer"] == "paper_out"
    supervisor_screen.close()
    state = job_state(server.url, kiosk_token, job["id"])
    assert (state["status"], state["attempts"], state["printer"]) == ("queued", 0, "paper_out")
    (tmp_path / "state").write_text("ok")
    assert agent.run_once() == 1
    state = job_state(server.url, kiosk_token, job["id"])
    assert (state["status"], state["attempts"], state["printer"]) == ("printed", 1, "ok")
    assert len(list(tmp_path.glob("job-*.png"))) == 1


def test_a_fault_counts_no_attempt_and_holds_the_jobs_but_a_ticket_still_expires(session, kiosk_token):
    """A failure the agent reports with a fault (the roll ran out in the middle of a job) puts the
    job back without an attempt; while the fault lasts nothing is handed out; a ticket still
    expires after its time to live."""
    from queue_server.auth.models import DeviceToken
    from queue_server.queueing.operations import issue_ticket

    from .helpers import SYSTEM, site

    device = session.query(DeviceToken).one()
    ticket = issue_ticket(session, site(session), "NM-DD", SYSTEM)
    job = operations.enqueue_ticket(session, device, ticket, {"number": ticket.number})
    now = utcnow()
    for second in range(8):  # more failures than MAX_ATTEMPTS, all while the cover is open
        assert operations.jobs_to_print(session, device, now + timedelta(seconds=second)) == [job]
        operations.report(session, job, printed=False, error="printer cover open", printer="cover_open")
    assert (job.status, job.attempts) == ("queued", 0)
    operations.record_printer_state(device, "cover_open")
    assert operations.jobs_to_print(session, device, now + timedelta(seconds=10)) == []
    operations.record_printer_state(device, "ok")
    assert operations.jobs_to_print(session, device, now + timedelta(seconds=11)) == [job]
    operations.report(session, job, printed=False, error="jammed", printer="ok")  # not a fault
    assert job.attempts == 1
    operations.record_printer_state(device, "paper_out")
    assert operations.jobs_to_print(session, device, now + timedelta(minutes=5)) == []
    assert job.status == "failed" and job.last_error == "jammed"


def test_a_job_fetched_but_never_confirmed_is_sent_again(session, kiosk_token):
    from queue_server.auth.models import DeviceToken
    from queue_server.queueing.operations import issue_ticket

    from .helpers import SYSTEM, site

    device = session.query(DeviceToken).one()
    ticket = issue_ticket(session, site(session), "NM-DD", SYSTEM)
    job = operations.enqueue_ticket(session, device, ticket, {"number": ticket.number})
    now = utcnow()
    assert operations.jobs_to_print(session, device, now) == [job]
    assert operations.jobs_to_print(session, device, now + timedelta(seconds=5)) == []
    assert operations.jobs_to_print(session, device, now + timedelta(seconds=25)) == [job]
    operations.report(session, job, printed=True)
    operations.report(session, job, printed=False, error="late duplicate report")
    assert job.status == "printed"


def test_a_ticket_nobody_printed_in_time_is_given_up(session, kiosk_token):
    from queue_server.auth.models import DeviceToken
    from queue_server.queueing.operations import issue_ticket

    from .helpers import SYSTEM, site

    device = session.query(DeviceToken).one()
    ticket = issue_ticket(session, site(session), "NM-DD", SYSTEM)
    job = operations.enqueue_ticket(session, device, ticket, {"number": ticket.number})
    assert operations.jobs_to_print(session, device, utcnow() + timedelta(minutes=5)) == []
    assert job.status == "failed" and job.last_error == "not printed in time"


def test_only_the_kiosk_itself_may_print_and_fetch_its_jobs(app, client, kiosk, officer):
    ticket = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"}).get_json()
    assert officer.post(f"/api/v1/tickets/{ticket['id']}/print").status_code == 403
    assert client.get("/api/v1/devices/me/print-jobs").status_code == 401
    job = kiosk.post(f"/api/v1/tickets/{ticket['id']}/print").get_json()
    with app.app_context():
        _, other = issue_device_token(db.session, "kiosk", "NA-HCC")
        db.session.commit()
    stranger = client.get(f"/api/v1/print-jobs/{job['id']}", headers={"Authorization": f"Bearer {other}"})
    assert stranger.status_code == 403
    with app.app_context():
        _, ward_kiosk = issue_device_token(db.session, "kiosk", "NA-TRUONGVINH")
        db.session.commit()
    elsewhere = client.post(
        f"/api/v1/tickets/{ticket['id']}/print", headers={"Authorization": f"Bearer {ward_kiosk}"}
    )
    assert elsewhere.status_code == 403
    assert officer.get(f"/api/v1/print-jobs/{job['id']}").get_json()["status"] == "queued"
    assert officer.post(f"/api/v1/print-jobs/{job['id']}/reprint").status_code == 202
    with app.app_context():
        assert db.session.query(PrintJob).count() == 2
