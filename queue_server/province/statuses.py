"""Each move of a dossier (``dossiers/lifecycle.py``: intake and :data:`TRANSITIONS`) as the
national status code the provincial system is told, and what it is told with it.

Source: the Cổng Dịch vụ công quốc gia's status list for synchronised dossiers (the list of
"trạng thái hồ sơ" provincial systems report: 1 mới đăng ký, 2 được tiếp nhận, 3 không được
tiếp nhận, 4 đang xử lý, 5 yêu cầu bổ sung, 6 yêu cầu thực hiện nghĩa vụ tài chính, 7 công
dân yêu cầu rút hồ sơ, 8 dừng xử lý, 9 đã xử lý xong, 10 đã trả kết quả). That list is not in
this repository and was not checked against the current technical guide [assumed]: every code
is a default a site replaces in its link (``ProvinceLink.status_codes``), and docs/province.md
lists them. The legal steps themselves are Nghị định 118/2025/NĐ-CP and Thông tư 03/2025/TT-VPCP
(see ``dossiers/lifecycle.py``).

An action mapped to "" is not sent: a fee move, a flag, a hand-over between centres, a consent
and a failed delivery by post change no status the province keeps.
"""

from __future__ import annotations

from datetime import datetime

from ..dossiers.models import Dossier, DossierEvent
from ..web import N_

# action -> national status code [assumed, see the module's docstring]
DEFAULT_CODES: dict[str, str] = {
    "receive": "2",  # được tiếp nhận
    "turn_away": "3",  # không được tiếp nhận (Mẫu 02 guidance or Mẫu 03 refusal at intake)
    "request_supplement": "5",  # yêu cầu bổ sung
    "resubmit": "4",  # đang xử lý (the complete dossier is back)
    "transfer": "4",  # đang xử lý (with the agency)
    "start_processing": "4",
    "apologise": "4",  # đang xử lý, with the new due date
    "refuse": "8",  # dừng xử lý (refused after intake; the reason, free text, is not sent)
    "stop": "7",  # công dân yêu cầu rút hồ sơ (Mẫu 05)
    "result_ready": "9",  # đã xử lý xong
    "return": "10",  # đã trả kết quả
    "deliver": "10",  # đã trả kết quả (by post)
    "undeliver": "",
}
# What a site may map: every state move of the lifecycle, and intake's two ends.
ACTIONS = tuple(DEFAULT_CODES)
CODE_MAX = 20

# The reconciliation page's names of the moves.
ACTION_LABELS = {
    "receive": N_("Tiếp nhận"),
    "turn_away": N_("Không tiếp nhận"),
    "request_supplement": N_("Yêu cầu bổ sung"),
    "resubmit": N_("Đã bổ sung"),
    "transfer": N_("Chuyển cơ quan giải quyết"),
    "start_processing": N_("Bắt đầu giải quyết"),
    "apologise": N_("Xin lỗi, hẹn lại"),
    "refuse": N_("Từ chối giải quyết"),
    "stop": N_("Dừng giải quyết"),
    "result_ready": N_("Có kết quả"),
    "return": N_("Trả kết quả"),
    "deliver": N_("Đã phát kết quả qua bưu điện"),
    "undeliver": N_("Phát không thành công"),
}
assert set(ACTION_LABELS) == set(DEFAULT_CODES)


def code_for(action: str, own: dict | None) -> str:
    """The national code of ``action`` at a site with its ``own`` codes; "" when not sent."""
    return (own or {}).get(action, DEFAULT_CODES.get(action, ""))


def _instant(value: datetime | None, dossier: Dossier) -> str | None:
    return value.astimezone(dossier.site.tz).isoformat() if value is not None else None


def payload(dossier: Dossier, event: DossierEvent, code: str, province_code: str | None) -> dict:
    """What the province is told of one change, without personal data: the dossier's code (and
    the province's own, for an imported dossier), the procedure's code, the national status
    code, when, the agency and the due date, in the site's time zone."""
    site = dossier.site
    return {
        "dossier_code": dossier.code,
        "province_dossier_code": province_code,
        "procedure_code": dossier.procedure.code,
        "status_code": code,
        "action": event.action,
        "at": _instant(event.at, dossier),
        "agency_code": site.agency_code,
        "agency_name": site.name,
        "due_at": _instant(dossier.promised_at, dossier),
    }
