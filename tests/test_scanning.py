"""Scanned codes: ours, dossier codes and the chip ID card; serial scanners for real."""

import os
from datetime import date

import pytest

from hardware.devices import DeviceError
from hardware.scanning import ScanError, SerialScanner, parse

CCCD = (
    "040095012345|186123456|Nguyễn Thị Hoa|15081995|Nữ|Xóm 3, xã Nghi Phú, thành phố Vinh, Nghệ An|20042021"
)


def test_the_chip_id_card_fills_in_the_applicant():
    scan = parse(CCCD)
    assert scan.kind == "citizen_id" and scan.value == "040095012345"
    assert scan.fields["full_name"] == "Nguyễn Thị Hoa"
    assert scan.fields["date_of_birth"] == date(1995, 8, 15)
    assert scan.fields["issued_on"] == date(2021, 4, 20)
    assert scan.fields["address"].endswith("Nghệ An")


def test_an_id_card_without_old_number_is_fine():
    assert parse("040095012345||Trần Văn An|01011960|Nam|Vinh|01012022").fields["old_id_number"] is None


@pytest.mark.parametrize(
    "text, message",
    [
        ("04009501234|186123456|A|15081995|Nữ|X|20042021", "12 digits"),
        ("040095012345|186123456|A|31021995|Nữ|X|20042021", "date of birth"),
        ("040095012345|12|A|15081995|Nữ|X|20042021", "old number"),
        ("040095012345|186123456||15081995|Nữ|X|20042021", "no name"),
        ("hello world", "Not a ticket"),
        ("", "Nothing"),
        ("000.00.06.H56-231399-0361", "no valid date"),
    ],
)
def test_anything_else_gets_a_clear_error(text, message):
    with pytest.raises(ScanError, match=message):
        parse(text)


def test_dossier_codes_and_ticket_links():
    dossier = parse("000.00.06.H56-231027-0361")
    assert dossier.kind == "dossier" and dossier.fields["received_on"] == date(2023, 10, 27)
    assert dossier.fields["sequence"] == 361
    ticket = parse("https://hcc.nghean.gov.vn/t/AbCdEfGhIjKlMnOpQr")
    assert (ticket.kind, ticket.value) == ("ticket", "AbCdEfGhIjKlMnOpQr")


def test_a_serial_scanner_on_a_loopback_port():
    scanner = SerialScanner("loop://?terminator=CRLF&timeout=0.2")
    scanner.port.write(CCCD.encode() + b"\r\n" + b"000.00.06.H56-231027-0361\r\n")
    assert parse(scanner.read()).kind == "citizen_id"
    assert parse(scanner.read()).kind == "dossier"
    assert scanner.read() is None
    scanner.close()


def test_a_serial_scanner_on_a_pseudo_terminal_pair(pty_pair):
    scanner_end, host_end = pty_pair
    scanner = SerialScanner(f"serial://{host_end}?baudrate=9600&terminator=CR&timeout=1")
    fd = os.open(scanner_end, os.O_WRONLY)
    os.write(fd, CCCD.encode() + b"\r")
    os.close(fd)
    assert parse(scanner.read()).fields["full_name"] == "Nguyễn Thị Hoa"
    scanner.close()


def test_a_scanner_that_cannot_be_opened_says_so():
    with pytest.raises(DeviceError):
        SerialScanner("serial:///dev/does-not-exist")
    with pytest.raises(DeviceError):
        SerialScanner("loop://?terminator=BANG")


def test_the_scan_api_shows_id_card_fields_only_to_staff_and_post_offices(app, client, officer):
    anonymous = client.post("/api/v1/scans", json={"text": CCCD}).get_json()
    assert anonymous == {"kind": "citizen_id", "value": None, "fields": {}}
    staff = officer.post("/api/v1/scans", json={"text": CCCD}).get_json()
    assert staff["fields"]["full_name"] == "Nguyễn Thị Hoa" and staff["value"] == "040095012345"
    bad = client.post("/api/v1/scans", json={"text": "nonsense"})
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "unreadable_scan"


def test_the_agent_forwards_a_serial_scan_to_its_own_device_pages_only(
    app, database_url, live_server_factory, kiosk_token, pty_pair
):
    import threading

    from kiosk.agent import Agent
    from queue_server.auth.services import issue_device_token
    from queue_server.database import db

    from .live_client import LiveClient

    with app.app_context():
        _, postal_token = issue_device_token(db.session, "postal", "NA-HCC", "Bưu điện Vinh")
        db.session.commit()
    server = live_server_factory(database_url)
    own_page = LiveClient(server.url, token=postal_token)
    other_page = LiveClient(server.url, token=kiosk_token)
    scanner_end, host_end = pty_pair
    agent = Agent(
        server.url,
        postal_token,
        None,
        scanner=SerialScanner(f"serial://{host_end}?terminator=CR&timeout=0.5"),
    )
    forwarding = threading.Thread(target=agent.forward_scans, daemon=True)
    forwarding.start()
    fd = os.open(scanner_end, os.O_WRONLY)
    os.write(fd, CCCD.encode() + b"\r")
    os.close(fd)
    scan = own_page.wait_for("scan")
    assert scan["kind"] == "citizen_id" and scan["fields"]["full_name"] == "Nguyễn Thị Hoa"
    with pytest.raises(AssertionError):
        other_page.wait_for("scan", timeout=1)
    for page in (own_page, other_page):
        page.close()
    agent.stop()
    forwarding.join(5)
