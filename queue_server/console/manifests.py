"""``/console/manifests``: hand-over manifests (bảng kê giao nhận) of a site.

The reception screen takes what a keyboard-wedge scanner types: the manifest's code first,
then the code of every dossier in the bundle; the page shows arrived, expected and extra ones
as they come, and the missing ones when the reception ends. A centre also fills return
manifests to a post office with the results to deliver by post. Everything goes through the
manifest API (:mod:`queue_server.manifests.api`), which checks each request.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from ..auth.access import Action, allowed
from ..database import db
from ..manifests.models import Direction, ManifestStatus
from ..manifests.operations import PREFIX
from ..sites.models import Site, SiteKind
from ..web import N_
from .pages import chosen_site, signed_in, staff_context, translated

bp = Blueprint("manifests", __name__, template_folder="templates", url_prefix="/console/manifests")

MANIFEST_STATUSES = {
    ManifestStatus.OPEN: N_("Đang lập"),
    ManifestStatus.CLOSED: N_("Đã đóng, đang chuyển"),
    ManifestStatus.RECEIVING: N_("Đang nhận"),
    ManifestStatus.RECEIVED: N_("Đã nhận xong"),
}
DIRECTIONS = {
    Direction.TO_CENTRE: N_("Bưu điện chuyển đến"),
    Direction.TO_POST: N_("Trả kết quả qua bưu điện"),
}
ITEM_STATES = {
    "expected": N_("Chưa đến"),
    "arrived": N_("Đã đến"),
    "missing": N_("Thiếu"),
    "extra": N_("Thừa (không có trong bảng kê)"),
}
STRINGS = (
    N_("Chưa có bảng kê nào."),
    N_("Quét mã bảng kê trước, rồi đến mã từng hồ sơ."),
    N_("Bảng kê {code} không gửi đến đây."),
    N_("Đang nhận bảng kê {code}: quét mã từng hồ sơ."),
    N_("Đã nhận xong bảng kê {code}."),
    N_("Thiếu {n} hồ sơ: {codes}"),
    N_("Đủ hồ sơ."),
    N_("Không có kết quả nào chờ gửi qua bưu điện."),
    N_("Thêm"),
    N_("Bỏ"),
    N_("Mở"),
    N_("Nhận"),
    N_("Đã đóng bảng kê {code}."),
)


@bp.get("")
def manifest_page():
    actor = signed_in()
    site, sites = chosen_site(actor, Action.HANDOVER)
    returns_results = site.kind in SiteKind.CENTRES and allowed(actor, Action.PROCESS_DOSSIER, site.id)
    post_offices = (
        db.session.scalars(select(Site).where(Site.kind == SiteKind.POST_OFFICE).order_by(Site.name)).all()
        if returns_results
        else []
    )
    context = staff_context(
        actor,
        site,
        sites,
        STRINGS,
        prefix=PREFIX,
        returns_results=returns_results,
        labels={
            "manifest": translated(MANIFEST_STATUSES),
            "direction": translated(DIRECTIONS),
            "item": translated(ITEM_STATES),
        },
    )
    return render_template(
        "console/manifests.html",
        post_offices=post_offices,
        returns_results=returns_results,
        nav="manifests",
        **context,
    )
