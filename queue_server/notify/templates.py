"""The wording of every message: the defaults, a site's own (:class:`.models.MessageTemplate`),
and the placeholders each event may use.

The defaults are Vietnamese message ids, translated like every other text (English where the
citizen chose it). A text message (SMS brandname, Zalo) has its own shorter default: an SMS
of more than 70 Vietnamese characters is billed as several. An admin may replace any of them
per site, event, channel and language; :func:`check_template` refuses, when it is saved, a
text whose placeholders the event does not have, and :func:`render` falls back to the
default if a saved text still cannot be filled, so a message is never lost to a typo.

The opt-out link is not part of a template: :func:`render` adds it to every message, so that
no site's wording can leave it out.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ApiError
from ..web import N_
from .models import ChannelKind, MessageTemplate

COMMON = frozenset({"site", "link"})


@dataclass(frozen=True)
class Default:
    """An event's default wording: what it is called (for the admin's list), the e-mail's
    subject, the full text, the short text of SMS and Zalo, and its placeholders."""

    label: str
    subject: str
    body: str
    short: str
    placeholders: frozenset[str]


def _default(label: str, subject: str, body: str, short: str, *names: str) -> Default:
    return Default(label, subject, body, short, COMMON | frozenset(names))


# The events a citizen is told about, in the order the admin's page lists them.
DEFAULTS: dict[str, Default] = {
    "ticket.issued": _default(
        N_("Đã lấy số"),
        N_("Số thứ tự {number} tại {site}"),
        N_(
            "Ông/Bà đã lấy số {number} ({service}) tại {site}. Ông/Bà sẽ được báo khi sắp đến"
            " lượt. Theo dõi: {link}"
        ),
        N_("{site}: so {number} ({service}). Theo doi: {link}"),
        "number",
        "service",
    ),
    "ticket.near_turn": _default(
        N_("Sắp đến lượt"),
        N_("Sắp đến lượt số {number}"),
        N_(
            "Số {number} ({service}) tại {site}: còn {ahead} người trước ông/bà. Mời ông/bà"
            " có mặt gần quầy. Theo dõi: {link}"
        ),
        N_("{site}: so {number} con {ahead} nguoi truoc. Moi ong/ba den gan quay."),
        "number",
        "service",
        "ahead",
    ),
    "ticket.called": _default(
        N_("Được mời đến quầy"),
        N_("Mời số {number} đến quầy {counter}"),
        N_("Mời ông/bà có số {number} đến quầy {counter} tại {site}."),
        N_("{site}: moi so {number} den quay {counter}."),
        "number",
        "service",
        "counter",
    ),
    "dossier.received": _default(
        N_("Đã tiếp nhận hồ sơ"),
        N_("Hồ sơ {code} đã được tiếp nhận"),
        N_(
            "{site} đã tiếp nhận hồ sơ {code} ({procedure}) của ông/bà. Ngày hẹn trả kết quả:"
            " {due}. Theo dõi: {link}"
        ),
        N_("{site}: da tiep nhan ho so {code}, hen tra {due}. {link}"),
        "code",
        "procedure",
        "due",
    ),
    "dossier.payment_due": _default(
        N_("Chờ nộp phí, lệ phí"),
        N_("Hồ sơ {code}: mời ông/bà nộp phí, lệ phí"),
        N_(
            "Hồ sơ {code} ({procedure}) của ông/bà được chuyển giải quyết sau khi nộp phí, lệ phí"
            " {amount} đồng. Mời ông/bà nộp tại quầy hoặc chuyển khoản theo mã VietQR tại: {link}"
        ),
        N_("{site}: ho so {code} cho nop phi {amount} dong. Nop tai: {link}"),
        "code",
        "procedure",
        "amount",
    ),
    "dossier.supplement_requested": _default(
        N_("Yêu cầu bổ sung hồ sơ"),
        N_("Hồ sơ {code} cần bổ sung"),
        N_("Hồ sơ {code} ({procedure}) của ông/bà cần bổ sung: {items}. Mời ông/bà xem chi tiết: {link}"),
        N_("{site}: ho so {code} can bo sung. Xem: {link}"),
        "code",
        "procedure",
        "items",
    ),
    "dossier.refused": _default(
        N_("Từ chối giải quyết"),
        N_("Hồ sơ {code} không được giải quyết"),
        N_("Hồ sơ {code} ({procedure}) của ông/bà không được giải quyết. Mời ông/bà xem lý do: {link}"),
        N_("{site}: ho so {code} bi tu choi. Xem: {link}"),
        "code",
        "procedure",
    ),
    "dossier.stopped": _default(
        N_("Dừng giải quyết"),
        N_("Hồ sơ {code} đã dừng giải quyết"),
        N_("Hồ sơ {code} ({procedure}) đã dừng giải quyết theo yêu cầu của ông/bà. Theo dõi: {link}"),
        N_("{site}: ho so {code} da dung giai quyet. {link}"),
        "code",
        "procedure",
    ),
    "dossier.apology": _default(
        N_("Xin lỗi và hẹn lại ngày trả"),
        N_("Hồ sơ {code}: hẹn lại ngày trả kết quả"),
        N_(
            "{site} xin lỗi ông/bà vì hồ sơ {code} ({procedure}) chưa giải quyết kịp hạn."
            " Ngày hẹn trả kết quả mới: {due}. Theo dõi: {link}"
        ),
        N_("{site} xin loi: ho so {code} hen tra lai ngay {due}. {link}"),
        "code",
        "procedure",
        "due",
    ),
    "dossier.result_ready": _default(
        N_("Đã có kết quả"),
        N_("Hồ sơ {code} đã có kết quả"),
        N_("Hồ sơ {code} ({procedure}) của ông/bà đã có kết quả. Theo dõi: {link}"),
        N_("{site}: ho so {code} da co ket qua. {link}"),
        "code",
        "procedure",
    ),
    "dossier.returned": _default(
        N_("Đã trả kết quả"),
        N_("Hồ sơ {code} đã trả kết quả"),
        N_("Kết quả hồ sơ {code} ({procedure}) đã được trả cho ông/bà. Cảm ơn ông/bà."),
        N_("{site}: da tra ket qua ho so {code}."),
        "code",
        "procedure",
    ),
    "dossier.delivered": _default(
        N_("Đã phát kết quả qua bưu điện"),
        N_("Hồ sơ {code}: bưu điện đã phát kết quả"),
        N_("Bưu điện đã phát kết quả hồ sơ {code} ({procedure}) cho ông/bà. Cảm ơn ông/bà."),
        N_("{site}: buu dien da phat ket qua ho so {code}."),
        "code",
        "procedure",
    ),
    "booking.confirmed": _default(
        N_("Đã đặt lịch hẹn"),
        N_("Lịch hẹn {when} tại {site}"),
        N_("Ông/Bà đã đặt lịch hẹn {service} lúc {when} tại {site}. Xem hoặc huỷ lịch: {link}"),
        N_("{site}: lich hen {service} luc {when}. {link}"),
        "service",
        "when",
    ),
    "booking.reminder": _default(
        N_("Nhắc lịch hẹn"),
        N_("Nhắc lịch hẹn {when}"),
        N_("Nhắc ông/bà lịch hẹn {service} lúc {when} tại {site}. Xem hoặc huỷ lịch: {link}"),
        N_("{site}: nhac lich hen {service} luc {when}. {link}"),
        "service",
        "when",
    ),
    "booking.cancelled": _default(
        N_("Đã huỷ lịch hẹn"),
        N_("Lịch hẹn {when} đã huỷ"),
        N_("Lịch hẹn {service} lúc {when} tại {site} đã được huỷ."),
        N_("{site}: lich hen {service} luc {when} da huy."),
        "service",
        "when",
    ),
}
# The values each event's text may use, for the admin's page.
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    event: tuple(sorted(default.placeholders)) for event, default in DEFAULTS.items()
}
OPT_OUT = N_("Ngừng nhận thông báo: {url}")
OPT_OUT_SHORT = N_("Huy: {url}")
SHORT_CHANNELS = ChannelKind.BY_PHONE


def placeholders(text: str) -> set[str]:
    """The names between braces in ``text``; ValueError when the braces do not pair up."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def check_template(event: str, text: str) -> str:
    """``text`` if it may be saved as ``event``'s wording, else ApiError ``invalid_template``
    naming what is wrong (for the admin's page)."""
    if event not in DEFAULTS:
        raise ApiError("unknown_event", f"Unknown event {event!r}.", field="event")
    try:
        names = placeholders(text)
    except ValueError:
        raise ApiError("invalid_template", "A brace { or } is not closed.", field="body") from None
    unknown = sorted(name for name in names if name not in DEFAULTS[event].placeholders)
    if unknown:
        allowed = ", ".join("{" + name + "}" for name in sorted(DEFAULTS[event].placeholders))
        raise ApiError(
            "invalid_template",
            f"Unknown placeholder {', '.join('{' + name + '}' for name in unknown)};"
            f" this message may use {allowed}.",
            field="body",
        )
    return text


def default_texts(event: str, channel: str, language: str) -> tuple[str, str]:
    """The default (subject, body) of ``event`` on ``channel`` in ``language``."""
    default = DEFAULTS[event]
    with force_locale(language):
        body = default.short if channel in SHORT_CHANNELS else default.body
        return _(default.subject), _(body)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def _fill(text: str, allowed: frozenset[str], values: dict[str, str]) -> str:
    """``text`` with its placeholders filled; ValueError (or KeyError) when it cannot be."""
    if not placeholders(text) <= allowed:
        raise KeyError("placeholder")
    return text.format_map({name: values.get(name, "") for name in allowed})


def render(
    session: Session,
    *,
    site_id: int,
    event: str,
    channel: str,
    language: str,
    values: dict[str, str],
    opt_out_url: str,
    own: dict | None = None,
) -> Rendered:
    """The message as it will be sent and recorded: the site's wording if it has one that can
    be filled, else the default; then the opt-out link. ``own``: the site's templates already
    read (:func:`site_templates`), to read them once for many messages."""
    default = DEFAULTS[event]
    if own is None:
        own = site_templates(session, site_id)
    template = own.get((event, channel, language))
    subject, body = default_texts(event, channel, language)
    if template is not None:
        try:
            subject, body = template.subject or subject, template.body
            subject, body = (
                _fill(subject, default.placeholders, values),
                _fill(body, default.placeholders, values),
            )
        except (ValueError, KeyError, IndexError, AttributeError):
            template = None
            subject, body = default_texts(event, channel, language)
    if template is None:
        subject, body = (
            _fill(subject, default.placeholders, values),
            _fill(body, default.placeholders, values),
        )
    short = channel in SHORT_CHANNELS
    with force_locale(language):
        footer = _(OPT_OUT_SHORT if short else OPT_OUT).format(url=opt_out_url)
    return Rendered(subject=subject[:300], body=f"{body}\n{footer}" if short else f"{body}\n\n{footer}")


def site_templates(session: Session, site_id: int) -> dict[tuple[str, str, str], MessageTemplate]:
    """A site's own wordings by (event, channel, language)."""
    rows = session.scalars(select(MessageTemplate).where(MessageTemplate.site_id == site_id))
    return {(row.event, row.channel, row.language): row for row in rows}
