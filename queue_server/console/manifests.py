"""``/console/manifests``: hand-over manifests (bảng kê giao nhận) of a site.

The reception screen takes what a keyboard-wedge scanner types: the manifest's code first,
then the code of every dossier in the bundle; the page shows arrived, expected and extra ones
as they come, and the missing ones when the reception ends. A centre also fills manifests of
its own: the dossiers it took in for another centre of the province, the results it sends back
to the centre where they are collected, and the results a post office delivers. Everything goes
through the manifest API (:mod:`queue_server.manifests.api`), which checks each request.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from hardware.scanning import MANIFEST_PREFIX

from ..auth.access import Action, allowed
from ..database import db
from ..manifests.labels import STATUS as MANIFEST_STATUSES
from ..manifests.models import Direction
from ..sites.models import Site
from ..sites.province import province_site_ids
from ..staffpages import chosen_site, signed_in, staff_context, translated
from ..web import N_

bp = Blueprint("manifests", __name__, template_folder="templates", url_prefix="/console/manifests")

DIRECTIONS = {
    Direction.TO_CENTRE: N_("Chuyển hồ sơ đến nơi giải quyết"),
    Direction.RESULTS: N_("Chuyển kết quả về nơi trả"),
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
    N_("Không có hồ sơ nào chờ gửi đến nơi này."),
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
    destinations = _destinations(actor, site)
    context = staff_context(
        actor,
        site,
        sites,
        STRINGS,
        prefix=MANIFEST_PREFIX,
        sends=bool(destinations),
        labels={
            "manifest": translated(MANIFEST_STATUSES),
            "direction": translated(DIRECTIONS),
            "item": translated(ITEM_STATES),
        },
    )
    return render_template(
        "console/manifests.html",
        destinations=destinations,
        sends=bool(destinations),
        directions=translated(DIRECTIONS),
        nav="manifests",
        **context,
    )


def _destinations(actor, site: Site) -> dict[str, list[Site]]:
    """Where this centre's staff may send a manifest, by direction: the other centres of the
    province (dossiers taken in here for them; results collected there) and the post offices
    (results delivered by post). A post office's own manifests are its client's."""
    if not site.is_centre:
        return {}
    others = db.session.scalars(
        select(Site).where(Site.id.in_(province_site_ids(site)), Site.id != site.id).order_by(Site.name)
    ).all()
    centres = [other for other in others if other.is_centre]
    found = {Direction.TO_CENTRE: centres}
    if allowed(actor, Action.PROCESS_DOSSIER, site.id):
        found[Direction.RESULTS] = centres
        found[Direction.TO_POST] = [other for other in others if not other.is_centre]
    return {direction: places for direction, places in found.items() if places}
