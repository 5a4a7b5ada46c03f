"""Printed tickets, read back from the real ESC/POS bytes the way a scanner reads the paper."""

import socket
import threading

import pytest
from PIL import Image

from hardware.devices import DeviceError
from hardware.layouts import ReceiptPrint, TicketPrint, render_receipt, render_ticket
from hardware.printers import open_printer
from hardware.raster import raster_image

from .helpers import read_codes

TICKET = TicketPrint(
    centre="Trung tâm Phục vụ hành chính công tỉnh Nghệ An",
    number="3001",
    service="Cấp giấy phép xây dựng",
    people_ahead=4,
    wait_minutes=15,
    counters="6, 8",
    issued_at="08:15 23/11/2026",
    track_url="http://queue.example/t/AbCdEf123",
)


@pytest.mark.parametrize("paper", [58, 80])
def test_the_ticket_is_one_bitmap_as_wide_as_the_paper_with_a_readable_qr(paper):
    image = render_ticket(TICKET, paper)
    assert image.width == {58: 384, 80: 512}[paper]
    assert TICKET.track_url in read_codes(image)


def test_the_simulator_keeps_the_bytes_and_a_preview_that_decode_back(tmp_path):
    printer = open_printer(f"sim://{tmp_path}")
    printer.print_image(render_ticket(TICKET))
    (job,) = tmp_path.glob("job-*.bin")
    data = job.read_bytes()
    assert data.startswith(b"\x1b@")  # ESC @, initialise
    assert b"\x1dV" in data  # GS V, cut
    printed = raster_image(data)
    assert printed.width == 512
    assert TICKET.track_url in read_codes(printed)
    assert TICKET.track_url in read_codes(Image.open(job.with_suffix(".png")))


@pytest.mark.parametrize("state", ["offline", "paper_out", "cover_open"])
def test_a_failing_printer_raises_a_clear_error_and_prints_nothing(tmp_path, state):
    (tmp_path / "state").write_text(state)
    printer = open_printer(f"sim://{tmp_path}")
    assert printer.status() == state
    with pytest.raises(DeviceError, match=state.replace("_", " ")):
        printer.print_image(render_ticket(TICKET))
    assert not list(tmp_path.glob("job-*"))


def test_a_printer_going_offline_mid_job_is_an_error_not_a_printed_ticket(tmp_path):
    (tmp_path / "state").write_text("offline_mid_job")
    printer = open_printer(f"sim://{tmp_path}")
    with pytest.raises(DeviceError, match="middle of the job"):
        printer.print_image(render_ticket(TICKET))
    assert not list(tmp_path.glob("job-*[0-9].bin"))
    (partial,) = tmp_path.glob("*.partial.bin")
    cut_short = raster_image(partial.read_bytes())
    assert cut_short is None or read_codes(cut_short) == set()


def test_a_network_printer_receives_the_job_over_tcp():
    received = bytearray()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]

    def accept():
        connection, _ = server.accept()
        with connection:
            while chunk := connection.recv(65536):
                received.extend(chunk)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    printer = open_printer(f"escpos+tcp://127.0.0.1:{port}")
    printer.print_image(render_ticket(TICKET))
    printer.close()
    thread.join(5)
    server.close()
    assert TICKET.track_url in read_codes(raster_image(bytes(received)))


@pytest.mark.parametrize(
    "device",
    [
        "printer",
        "escpos+fax://x",
        "sim://",
        "escpos+usb://zz:yy",
        "sim:///tmp/x?paper=70",
        "sim:///tmp/x?paper=wide",
    ],
)
def test_bad_device_strings_are_refused_clearly(device):
    with pytest.raises(DeviceError):
        open_printer(device)


RECEIPT = ReceiptPrint(
    centre="Trung tâm Phục vụ hành chính công tỉnh Nghệ An",
    dossier_code="000.00.06.H56-231027-0361",
    applicant="Nguyễn Thị Hoa",
    procedure="Cấp giấy phép xây dựng nhà ở riêng lẻ",
    received_at="09:32 27/10/2023",
    due_at="09:00 03/11/2023",
    return_by="Tại quầy trả kết quả",
    fee="0 đồng",
    track_url="http://queue.example/d/XyZ987654321",
)


@pytest.mark.parametrize("paper", [58, 80])
def test_the_receipt_carries_a_code128_of_the_dossier_code_and_a_qr_code(tmp_path, paper):
    printer = open_printer(f"sim://{tmp_path}?paper={paper}")
    printer.print_image(render_receipt(RECEIPT, paper))
    (job,) = tmp_path.glob("job-*.bin")
    printed = raster_image(job.read_bytes())
    assert printed.width == {58: 384, 80: 512}[paper]
    assert read_codes(printed) == {RECEIPT.dossier_code, RECEIPT.track_url}
