"""The short notice on the processing of personal data, shown wherever a citizen's data is
taken in (the counter's intake page, the post office's intake page).

Law 91/2025/QH15 makes consent valid only when the person knows what data is processed and
why, who controls it, and their rights (Điều 9 [summary: quoted alike by two secondary
sources]); the person has the right to know about the processing of their data (Điều 4
[summary]). The processing itself needs no consent where the law has a state body process data
for its tasks (Điều 19 lists the cases [summary: the article number is cited for them, its
wording not seen]), which a one-stop unit's intake is; so the notice informs, and asks for
consent only for what is optional: being contacted by phone, SMS or Zalo about the dossier
(a box the officer ticks after asking, never ticked beforehand: Nghị định 356/2025 forbids
consent by default [summary]).

The notice says: the purpose, the data, who controls it (the centre: the site's name), who
else processes it, for how long (the retention settings), the person's rights and where to ask.
One template; a centre replaces it with a text file of its own (``PRIVACY_NOTICE_FILE``,
paragraphs separated by an empty line, placeholders ``{controller}``, ``{retention}``, ``{scans}``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..placeholders import fill
from ..web import N_

TITLE = N_("Thông báo về việc xử lý dữ liệu cá nhân")
PARAGRAPHS = (
    N_(
        "{controller} thu thập họ tên, số định danh cá nhân, số điện thoại, địa chỉ, thư điện tử "
        "và bản chụp giấy tờ trong hồ sơ của ông/bà để tiếp nhận, giải quyết thủ tục hành chính "
        "và trả kết quả."
    ),
    N_(
        "Dữ liệu chỉ do cán bộ tiếp nhận, cơ quan giải quyết hồ sơ và, khi ông/bà gửi hoặc nhận "
        "qua bưu điện, nhân viên bưu điện sử dụng cho việc này."
    ),
    N_(
        "Dữ liệu được lưu {retention} kể từ khi hồ sơ kết thúc, bản chụp giấy tờ {scans}, sau đó "
        "được xóa hoặc ẩn danh."
    ),
    N_(
        "Ông/Bà có quyền được biết, xem, yêu cầu chỉnh sửa, cung cấp, xóa hoặc hạn chế xử lý dữ "
        "liệu của mình theo quy định của pháp luật, và có quyền khiếu nại. Mọi yêu cầu xin gửi "
        "tại quầy tiếp nhận của {controller}."
    ),
    N_(
        "Cán bộ chỉ liên hệ với ông/bà qua điện thoại, tin nhắn hoặc Zalo về hồ sơ này khi ông/bà "
        "đồng ý; ông/bà có thể rút lại sự đồng ý bất cứ lúc nào."
    ),
)
CONSENT_LABEL = N_(
    "Công dân đồng ý được liên hệ qua điện thoại, tin nhắn hoặc Zalo về hồ sơ này "
    "(chỉ đánh dấu sau khi đã hỏi công dân)"
)
KEPT_FOR_YEARS = N_("{n} năm")
KEPT_FOR_DAYS = N_("{n} ngày")
KEPT_BY_LAW = N_("theo thời hạn lưu trữ hồ sơ của pháp luật")


def _same(message: str) -> str:
    return message


def duration(days: int, translate: Callable[[str], str] = _same) -> str:
    """A retention period as the notice says it: ``5 năm``, ``90 ngày``; 0 (never purged):
    as long as the archives' rules keep the dossier."""
    if days <= 0:
        return translate(KEPT_BY_LAW)
    if days % 365 == 0:
        return translate(KEPT_FOR_YEARS).format(n=days // 365)
    return translate(KEPT_FOR_DAYS).format(n=days)


def paragraphs(
    controller: str,
    *,
    dossier_days: int,
    scans_days: int,
    override: str | None = None,
    translate: Callable[[str], str] = _same,
) -> list[str]:
    """The notice's paragraphs for ``controller`` (the centre's name): the centre's own text
    when it has one, else the built-in one in the page's language (``translate``)."""
    values = {
        "controller": controller,
        "retention": duration(dossier_days, translate),
        "scans": duration(scans_days, translate),
    }
    if override:
        texts = [part.strip() for part in override.split("\n\n") if part.strip()]
    else:
        texts = [translate(text) for text in PARAGRAPHS]
    # A centre's own text is filled like the built-in one, never by str.format: a mistyped
    # placeholder stays as written instead of failing the intake page.
    return [fill(text, values) for text in texts]


def settings() -> dict:
    """This application's retention periods and the centre's own text, if any (also sent to the
    post-office client with its catalogue, which fills in the same template offline)."""
    from flask import current_app

    config = current_app.config
    path = config.get("PRIVACY_NOTICE_FILE")
    return {
        "dossier_days": config["RETENTION_DOSSIER_DAYS"],
        "scans_days": config["RETENTION_SCANS_DAYS"],
        "notice": Path(path).read_text(encoding="utf-8") if path else None,
    }


def for_controller(controller: str, translate: Callable[[str], str] = _same) -> dict:
    """The notice with this application's settings: ``{"title", "paragraphs", "consent_label"}``."""
    return {
        "title": translate(TITLE),
        "paragraphs": paragraphs(controller, **settings_as_arguments(), translate=translate),
        "consent_label": translate(CONSENT_LABEL),
    }


def settings_as_arguments() -> dict:
    found = settings()
    return {
        "dossier_days": found["dossier_days"],
        "scans_days": found["scans_days"],
        "override": found["notice"],
    }
