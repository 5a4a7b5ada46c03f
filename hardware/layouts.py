"""What goes on the paper: the queue ticket and the dossier receipt, each as one bitmap.

Vietnamese prints reliably on cheap thermal printers only as a picture (code pages differ per
model and tone marks do not overlay), so the whole ticket is drawn with Pillow in a font that
covers Vietnamese and sent as a raster image. The QR code is part of the picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import qrcode
from barcode import Code128
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

# Printable dots across the paper (180 dpi heads; the TM-T88V profile gives 512 at 80 mm).
PAPER_DOTS = {58: 384, 80: 512}


@dataclass(frozen=True)
class TicketPrint:
    """Everything printed on a queue ticket (no personal data)."""

    centre: str
    number: str
    service: str
    people_ahead: int | None
    wait_minutes: int | None
    counters: str
    issued_at: str  # local time, already formatted
    track_url: str
    priority: bool = False


def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: install fonts-dejavu-core (scripts/system-deps.sh)")
    return ImageFont.truetype(str(path), size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


class _Canvas:
    """Draws centred blocks top to bottom on a tall page, then crops to what was used."""

    def __init__(self, width: int):
        self.width = width
        self.image = Image.new("1", (width, 4000), 1)
        self.draw = ImageDraw.Draw(self.image)
        self.y = 8

    def text(self, text: str, font, gap: int = 6) -> None:
        for line in _wrap(self.draw, text, font, self.width - 16):
            left, top, right, bottom = self.draw.textbbox((0, 0), line, font=font)
            self.draw.text(((self.width - (right - left)) // 2 - left, self.y - top), line, font=font, fill=0)
            self.y += int(bottom - top) + gap  # whole dots: a FreeType font measures in pixels

    def rule(self) -> None:
        self.y += 4
        self.draw.line((8, self.y, self.width - 8, self.y), fill=0, width=2)
        self.y += 10

    def picture(self, picture: Image.Image) -> None:
        self.image.paste(picture, ((self.width - picture.width) // 2, self.y))
        self.y += picture.height + 6

    def result(self) -> Image.Image:
        return self.image.crop((0, 0, self.width, self.y + 16))


def qr_image(data: str, size: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    picture = code.make_image(fill_color="black", back_color="white").get_image().convert("1")
    modules = picture.width
    scale = max(1, size // modules)
    return picture.resize((modules * scale, modules * scale), Image.Resampling.NEAREST)


def code128_image(data: str, max_width: int, height: int = 70) -> Image.Image:
    """A Code128 barcode (symbols encoded by python-barcode) drawn with whole-dot bars.

    Bars must be whole printer dots to stay sharp. If two dots per module do not fit across the
    paper, the barcode is printed lengthwise instead (turned 90 degrees).
    """
    modules = Code128(data).build()[0]
    quiet = 10
    scale = (max_width - 2 * quiet * 2) // len(modules)
    turned = scale < 2
    scale = max(scale, 2)
    quiet *= scale
    picture = Image.new("1", (len(modules) * scale + 2 * quiet, height), 1)
    draw = ImageDraw.Draw(picture)
    for index, module in enumerate(modules):
        if module == "1":
            left = quiet + index * scale
            draw.rectangle((left, 0, left + scale - 1, height - 1), fill=0)
    return picture.rotate(90, expand=True) if turned else picture


@dataclass(frozen=True)
class ReceiptPrint:
    """The citizen's copy of the receipt and appointment (Mẫu 01), on a thermal printer."""

    centre: str
    dossier_code: str
    applicant: str
    procedure: str
    received_at: str  # local time, formatted
    due_at: str
    return_by: str  # "Tại quầy trả kết quả" / "Qua bưu điện: <address>"
    fee: str
    track_url: str
    officer: str = ""
    # A fee still due, paid by transfer (queue_server/dossiers/fees.py): the VietQR string and
    # what the citizen reads beside it (amount, account, the transfer's content). "": none.
    transfer_qr: str = ""
    transfer_lines: tuple[str, ...] = ()


def _dossier_receipt(
    paper_mm: int,
    heading: tuple[str, ...],
    code: str,
    fields: tuple[tuple[str, str], ...],
    documents: tuple[str, ...],
    link: str,
    hint: str,
    transfer: tuple[str, tuple[str, ...]] | None = None,
) -> Image.Image:
    """Mẫu 01 on thermal paper, the one layout of the centre's and the post office's receipts:
    who received it, the title, the code as text and Code128, the fields that have a value, the
    documents handed in, a fee's VietQR code when one is due (``transfer``: the code's string and
    its lines), and a QR code to look the dossier up. Each code says what it is for: a banking
    app reads only the first."""
    width = PAPER_DOTS[paper_mm]
    small = 20 if paper_mm == 80 else 17
    regular, bold = _font(REGULAR, small), _font(BOLD, small)
    canvas = _Canvas(width)
    canvas.text(heading[0].upper(), bold)
    for line in heading[1:]:
        canvas.text(line, regular)
    canvas.rule()
    canvas.text("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", _font(BOLD, small + 2))
    canvas.text(f"Mã hồ sơ: {code}", bold)
    canvas.picture(code128_image(code, width))
    for label, value in fields:
        if value:
            canvas.text(f"{label}: {value}", regular)
    if documents:
        canvas.text("Giấy tờ đã nộp:", bold)
        for line in documents:
            _left_text(canvas, f"- {line}", regular, indent=16)
    qr_size = 200 if paper_mm == 80 else 170
    if transfer is not None:
        code, lines = transfer
        canvas.rule()
        canvas.text("NỘP PHÍ, LỆ PHÍ BẰNG CHUYỂN KHOẢN", bold)
        canvas.text("Quét mã bằng ứng dụng ngân hàng", regular)
        canvas.picture(qr_image(code, qr_size + 40))
        for line in lines:
            _left_text(canvas, line, regular)
    canvas.rule()
    canvas.picture(qr_image(link, qr_size))
    canvas.text(hint, _font(REGULAR, small - 2))
    return canvas.result()


def render_receipt(receipt: ReceiptPrint, paper_mm: int = 80) -> Image.Image:
    return _dossier_receipt(
        paper_mm,
        (receipt.centre,),
        receipt.dossier_code,
        (
            ("Người nộp", receipt.applicant),
            ("Thủ tục", receipt.procedure),
            ("Tiếp nhận lúc", receipt.received_at),
            ("Hẹn trả kết quả", receipt.due_at),
            ("Nơi nhận kết quả", receipt.return_by),
            ("Lệ phí", receipt.fee),
            ("Cán bộ tiếp nhận", receipt.officer),
        ),
        (),
        receipt.track_url,
        "Quét mã để tra cứu tình trạng hồ sơ",
        (receipt.transfer_qr, tuple(receipt.transfer_lines)) if receipt.transfer_qr else None,
    )


def render_ticket(ticket: TicketPrint, paper_mm: int = 80) -> Image.Image:
    width = PAPER_DOTS[paper_mm]
    small = 20 if paper_mm == 80 else 17
    canvas = _Canvas(width)
    canvas.text(ticket.centre.upper(), _font(BOLD, small))
    canvas.rule()
    canvas.text("SỐ THỨ TỰ" + (" – ƯU TIÊN" if ticket.priority else ""), _font(BOLD, small + 4))
    canvas.text(ticket.number, _font(BOLD, 110 if paper_mm == 80 else 84), gap=10)
    canvas.text(ticket.service, _font(BOLD, small + 2))
    if ticket.people_ahead is not None:
        canvas.text(f"Số người đang chờ trước ông/bà: {ticket.people_ahead}", _font(REGULAR, small))
    if ticket.wait_minutes:
        canvas.text(f"Thời gian chờ dự kiến: khoảng {ticket.wait_minutes} phút", _font(REGULAR, small))
    if ticket.counters:
        canvas.text(f"Quầy phục vụ: {ticket.counters}", _font(REGULAR, small))
    canvas.text(f"Giờ lấy số: {ticket.issued_at}", _font(REGULAR, small))
    canvas.rule()
    canvas.text("Vui lòng theo dõi màn hình và loa gọi số", _font(BOLD, small))
    canvas.picture(qr_image(ticket.track_url, 220 if paper_mm == 80 else 180))
    canvas.text("Quét mã để theo dõi số thứ tự trên điện thoại", _font(REGULAR, small - 2))
    return canvas.result()


def _left_text(canvas: _Canvas, text: str, font, indent: int = 0, gap: int = 4) -> None:
    """Lines of a list, flush left (wrapped lines indented), where centring would scatter them."""
    for number, line in enumerate(_wrap(canvas.draw, text, font, canvas.width - 16 - indent)):
        left, top, _, bottom = canvas.draw.textbbox((0, 0), line, font=font)
        canvas.draw.text((8 + (indent if number else 0) - left, canvas.y - top), line, font=font, fill=0)
        canvas.y += int(bottom - top) + gap


@dataclass(frozen=True)
class PostalReceiptPrint:
    """The receipt a post office gives for a dossier it takes in for a centre (Mẫu 01 by post).

    The post office may be offline: the due date and the tracking link come from the server
    only after the dossier is synchronised. Without a link the QR code holds the dossier code
    and the citizen is told to look it up by that code.
    """

    post_office: str
    centre: str
    dossier_code: str
    applicant: str
    procedure: str
    documents: tuple[str, ...]  # one line per document, with its counts
    sets: int
    received_at: str  # local time, formatted
    processing_time: str  # e.g. "10 ngày làm việc"
    return_by: str
    fee: str
    due_at: str = ""  # known once the centre has registered the dossier
    track_url: str = ""
    officer: str = ""


def render_postal_receipt(receipt: PostalReceiptPrint, paper_mm: int = 80) -> Image.Image:
    return _dossier_receipt(
        paper_mm,
        (receipt.post_office, f"Tiếp nhận hồ sơ cho {receipt.centre}"),
        receipt.dossier_code,
        (
            ("Người nộp", receipt.applicant),
            ("Thủ tục", receipt.procedure),
            ("Số bộ hồ sơ", str(receipt.sets)),
            ("Tiếp nhận lúc", receipt.received_at),
            ("Thời hạn giải quyết", receipt.processing_time),
            ("Hẹn trả kết quả", receipt.due_at),
            ("Nơi nhận kết quả", receipt.return_by),
            ("Lệ phí", receipt.fee),
            ("Nhân viên tiếp nhận", receipt.officer),
        ),
        receipt.documents,
        receipt.track_url or receipt.dossier_code,
        "Quét mã để tra cứu tình trạng hồ sơ" if receipt.track_url else "Tra cứu bằng mã hồ sơ",
    )


@dataclass(frozen=True)
class ManifestPrint:
    """A handover manifest (bảng kê giao nhận hồ sơ) that travels with the bundle."""

    title: str  # "BẢNG KÊ GIAO NHẬN HỒ SƠ"
    code: str
    sender: str
    recipient: str
    created_at: str  # local time, formatted
    lines: tuple[str, ...]  # one per dossier: code, applicant, procedure
    clerk: str = ""


def render_manifest(manifest: ManifestPrint, paper_mm: int = 80) -> Image.Image:
    """The manifest as one bitmap: its code as a QR code (scanned at the recipient to start the
    reception), who hands over to whom, the numbered list and room for both signatures.

    The code is a QR code, not Code128: a manifest code (``BK.BC.460000-261203-0001``) takes
    266 Code128 modules, which at two dots each (0.25 mm, the narrowest bar a thermal print
    scans reliably) do not fit across even 80 mm paper, so :func:`code128_image` printed it
    lengthwise and the clerk had to turn the page. The QR code stands upright on both papers
    (about 25 mm), and the scanners of the post office and the centre read it, as they read
    the QR code of the citizen's ID card."""
    width = PAPER_DOTS[paper_mm]
    small = 20 if paper_mm == 80 else 17
    regular, bold = _font(REGULAR, small), _font(BOLD, small)
    canvas = _Canvas(width)
    canvas.text(manifest.title, _font(BOLD, small + 2))
    canvas.text(f"Số: {manifest.code}", bold)
    canvas.picture(qr_image(manifest.code, 200 if paper_mm == 80 else 170))
    canvas.text(f"Bên giao: {manifest.sender}", regular)
    canvas.text(f"Bên nhận: {manifest.recipient}", regular)
    canvas.text(f"Lập lúc: {manifest.created_at}", regular)
    canvas.rule()
    for number, line in enumerate(manifest.lines, 1):
        _left_text(canvas, f"{number}. {line}", regular, indent=24)
    canvas.rule()
    canvas.text(f"Tổng số: {len(manifest.lines)} hồ sơ", bold)
    if manifest.clerk:
        canvas.text(f"Người lập: {manifest.clerk}", regular)
    canvas.y += 12
    for text, centre in (("Bên giao ký tên", width // 4), ("Bên nhận ký tên", 3 * width // 4)):
        length = canvas.draw.textlength(text, font=bold)
        canvas.draw.text((centre - length // 2, canvas.y), text, font=bold, fill=0)
    canvas.y += 120  # room for the signatures
    return canvas.result()


@dataclass(frozen=True)
class ChecklistPrint:
    """What to bring for a procedure, printed at the kiosk from the public catalogue (nothing
    personal): the documents to tick off at home, the time, the fee, whether the post office
    may take it, and a QR code that opens the procedure's page on a phone."""

    centre: str
    procedure: str
    code: str
    handled_by: str
    documents: tuple[str, ...]
    processing_time: str
    fee: str
    postal: str  # a sentence: whether the post office may take it
    page_url: str
    printed_at: str  # local time, formatted


def render_checklist(checklist: ChecklistPrint, paper_mm: int = 80) -> Image.Image:
    width = PAPER_DOTS[paper_mm]
    small = 20 if paper_mm == 80 else 17
    regular, bold = _font(REGULAR, small), _font(BOLD, small)
    canvas = _Canvas(width)
    canvas.text(checklist.centre.upper(), bold)
    canvas.rule()
    canvas.text("GIẤY TỜ CẦN CHUẨN BỊ", _font(BOLD, small + 2))
    canvas.text(checklist.procedure, bold)
    canvas.text(f"Mã thủ tục: {checklist.code}", regular)
    canvas.rule()
    for document in checklist.documents:
        _left_text(canvas, f"☐ {document}", regular, indent=26)
    canvas.rule()
    for line in (
        f"Thời hạn giải quyết: {checklist.processing_time}",
        f"Lệ phí: {checklist.fee}",
        checklist.postal,
        f"Cơ quan giải quyết: {checklist.handled_by}",
    ):
        _left_text(canvas, line, regular, indent=16)
    canvas.rule()
    canvas.picture(qr_image(checklist.page_url, 200 if paper_mm == 80 else 170))
    canvas.text("Quét mã để xem thủ tục trên điện thoại", _font(REGULAR, small - 2))
    canvas.text(f"In lúc {checklist.printed_at}", _font(REGULAR, small - 2))
    return canvas.result()
