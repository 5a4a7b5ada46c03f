"""The sets of legal forms as data: which forms each circular has, their numbers and titles, and
which set is in force on a given day.

- **Thông tư 01/2018/TT-VPCP** (Phụ lục): Mẫu 01-05 and the tracking book, Mẫu 06. Dossiers
  received before Thông tư 03/2025 applies keep it, reprints included.
- **Thông tư 03/2025/TT-VPCP** (Phụ lục I), seven forms: 01 receipt, 02 supplement request, 03
  refusal, 04 apology *and request to extend* (one document), 05 **stop notice** (new), 06
  control sheet (was 05), 07 tracking book (was 06). Only the titles were seen (docs/domain.md
  [summary]); the layouts start from Thông tư 01/2018's for the forms whose title and purpose
  did not change, and what is assumed is said in each :class:`Form`'s ``assumed``.

The day a set starts is a setting (:attr:`.policy.Policy.tt03_from`, 15/9/2025 by default: the
circular's date; its effective-date clause was not found). Forms are known to the code by their
*kind* (``receipt``, ``stop_notice``...), to people by number and title, which differ by set:
"Mẫu 05" is the control sheet of a 2024 dossier and the stop notice of a 2026 one.

What a centre writes on the forms (heading lines, the place on the date line, the symbols after
a notice's number) is its own data (:class:`.models.FormSettings`, defaults here); the layouts
are Jinja templates a centre may replace per set (``FORM_TEMPLATES_DIR/<folder>/<kind>.html``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from ..errors import Conflict, NotFound
from .policy import Policy


class FormKind:
    RECEIPT = "receipt"  # giấy tiếp nhận hồ sơ và hẹn trả kết quả
    SUPPLEMENT_REQUEST = "supplement_request"  # phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
    REFUSAL = "refusal"  # phiếu từ chối tiếp nhận giải quyết hồ sơ
    APOLOGY = "apology"  # xin lỗi và hẹn lại / đề nghị gia hạn
    STOP_NOTICE = "stop_notice"  # thông báo dừng giải quyết hồ sơ
    CONTROL_SHEET = "control_sheet"  # phiếu kiểm soát quá trình giải quyết hồ sơ
    TRACKING_BOOK = "tracking_book"  # sổ theo dõi hồ sơ
    # The forms printed for one dossier (the book covers many).
    DOSSIER = (RECEIPT, SUPPLEMENT_REQUEST, REFUSAL, APOLOGY, STOP_NOTICE, CONTROL_SHEET)
    # Notices that carry a number in the issuing centre's yearly register ("Số: 12/PTCTN").
    NUMBERED = (SUPPLEMENT_REQUEST, REFUSAL, APOLOGY, STOP_NOTICE)


# The event whose content a form prints; forms without one print the dossier itself.
NEEDS = {
    FormKind.SUPPLEMENT_REQUEST: ("request_supplement", "turn_away"),
    FormKind.REFUSAL: ("refuse", "turn_away"),
    FormKind.APOLOGY: ("apologise",),
    FormKind.STOP_NOTICE: ("stop",),
}


@dataclass(frozen=True)
class Form:
    """One form of a set: its kind, its number in the circular, its title, its paper."""

    kind: str
    number: str
    title: str
    page_size: str  # a CSS @page size
    # What the layout assumes where the text was not seen (in Vietnamese: shown to centres).
    assumed: str = ""

    @property
    def label(self) -> str:
        """How a person names it: ``Mẫu 05 - Thông báo dừng giải quyết hồ sơ``."""
        return f"Mẫu {self.number} - {self.title}"

    def filename(self, code: str) -> str:
        """``<code>-mau-05-thong-bao-dung-giai-quyet-ho-so.pdf`` (without the extension)."""
        return f"{code}-mau-{self.number}-{slug(self.title)}"


@dataclass(frozen=True)
class FormSet:
    code: str  # stored on the dossier
    name: str  # the circular
    folder: str  # where its own templates live
    forms: tuple[Form, ...]
    # The symbols after a notice's number, until the centre sets its own (assumed, not legal).
    symbols: dict[str, str] = field(default_factory=dict)

    def kinds(self) -> tuple[str, ...]:
        return tuple(form.kind for form in self.forms)

    def get(self, kind: str) -> Form | None:
        return next((form for form in self.forms if form.kind == kind), None)

    def by_number(self, number: str) -> Form | None:
        return next((form for form in self.forms if form.number == number), None)


TT01_2018 = FormSet(
    code="TT01/2018",
    name="Thông tư 01/2018/TT-VPCP",
    folder="tt01_2018",
    forms=(
        Form(FormKind.RECEIPT, "01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "A5 portrait"),
        Form(FormKind.SUPPLEMENT_REQUEST, "02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "A5 portrait"),
        Form(FormKind.REFUSAL, "03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "A5 portrait"),
        Form(FormKind.APOLOGY, "04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả", "A5 portrait"),
        Form(FormKind.CONTROL_SHEET, "05", "Phiếu kiểm soát quá trình giải quyết hồ sơ", "A4 portrait"),
        Form(FormKind.TRACKING_BOOK, "06", "Sổ theo dõi hồ sơ", "A4 landscape"),
    ),
    symbols={
        FormKind.SUPPLEMENT_REQUEST: "PYCBS",
        FormKind.REFUSAL: "PTCTN",
        FormKind.APOLOGY: "PXL",
    },
)

TT03_2025 = FormSet(
    code="TT03/2025",
    name="Thông tư 03/2025/TT-VPCP",
    folder="tt03_2025",
    forms=(
        Form(
            FormKind.RECEIPT,
            "01",
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            "A5 portrait",
            assumed="Bố cục theo Mẫu 01 của Thông tư 01/2018 (cùng tên, cùng mục đích).",
        ),
        Form(
            FormKind.SUPPLEMENT_REQUEST,
            "02",
            "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            "A5 portrait",
            assumed="Bố cục theo Mẫu 02 của Thông tư 01/2018; ghi rõ thời gian giải quyết tính lại từ đầu.",
        ),
        Form(
            FormKind.REFUSAL,
            "03",
            "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
            "A5 portrait",
            assumed="Bố cục theo Mẫu 03 của Thông tư 01/2018.",
        ),
        Form(
            FormKind.APOLOGY,
            "04",
            "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
            "A5 portrait",
            assumed="Nội dung Mẫu 04 của Thông tư 01/2018, thêm đề nghị gia hạn và ngày hẹn mới.",
        ),
        Form(
            FormKind.STOP_NOTICE,
            "05",
            "Thông báo dừng giải quyết hồ sơ",
            "A5 portrait",
            assumed="Nội dung theo Điều 7 Thông tư 03/2025: yêu cầu, ngày và cách gửi yêu cầu, hồ sơ, "
            "trạng thái khi dừng, phí, lệ phí được hoàn trả hoặc không thu.",
        ),
        Form(
            FormKind.CONTROL_SHEET,
            "06",
            "Phiếu kiểm soát quá trình giải quyết hồ sơ",
            "A4 portrait",
            assumed="Bố cục theo Mẫu 05 của Thông tư 01/2018.",
        ),
        Form(
            FormKind.TRACKING_BOOK,
            "07",
            "Sổ theo dõi hồ sơ",
            "A4 landscape",
            assumed="Các cột theo Mẫu 06 của Thông tư 01/2018.",
        ),
    ),
    symbols={
        FormKind.SUPPLEMENT_REQUEST: "PYCBS",
        FormKind.REFUSAL: "PTCTN",
        FormKind.APOLOGY: "VBXL",
        FormKind.STOP_NOTICE: "TB-DGQ",
    },
)

SETS: dict[str, FormSet] = {form_set.code: form_set for form_set in (TT01_2018, TT03_2025)}


def in_force(day: date, policy: Policy | None = None) -> FormSet:
    """The set a dossier received on ``day`` (the receiving centre's local date) keeps."""
    policy = policy or Policy.current()
    return TT03_2025 if day >= policy.tt03_from else TT01_2018


def get_set(code: str) -> FormSet:
    try:
        return SETS[code]
    except KeyError:
        raise NotFound("unknown_form_set", f"No form set {code!r}; one of {', '.join(SETS)}.") from None


def form_for(set_code: str, name: str, acted_on: date | None = None) -> tuple[FormSet, Form]:
    """The form a person asks for by number ("05") or the code by kind ("stop_notice") in the
    dossier's set.

    A kind the dossier's set lacks (the stop notice of a dossier received under Thông tư
    01/2018 and stopped under Nghị định 118/2025) is printed from the set in force on the day
    of the act (``acted_on``), the only form the law gives for it.
    """
    form_set = get_set(set_code)
    form = form_set.by_number(name) or form_set.get(name)
    if form is None and name in FormKind.DOSSIER and acted_on is not None:
        form_set = in_force(acted_on)
        form = form_set.get(name)
    if form is None:
        numbers = ", ".join(f.number for f in form_set.forms if f.kind in FormKind.DOSSIER)
        raise NotFound("unknown_form", f"No form {name!r} in {form_set.name}; one of {numbers}.")
    if form.kind not in FormKind.DOSSIER:
        raise Conflict("form_not_applicable", f"{form.label} covers many dossiers: print it per period.")
    return form_set, form


def slug(text: str) -> str:
    """``Thông báo dừng giải quyết hồ sơ`` -> ``thong-bao-dung-giai-quyet-ho-so``."""
    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
