"""``/rate/<site>/<counter number>``: the rating tablet beside a counter.

It waits with the centre's name on screen; when the counter finishes a ticket it asks the citizen
how satisfied they are, thanks them, and goes back to waiting by itself (after ``?timeout=``
seconds, default :data:`ASK_SECONDS`) without storing anything if nobody answers. When the
counter takes in a dossier whose fee is still due, it shows the transfer's VietQR code
(dossiers/fees.py ``show_at_counter``) until the fee is confirmed; when the counter asks the
citizen to evaluate a dossier handed back, the QR code of the dossier's page. Like the kiosk,
it is given its device token (kind ``rating``, bound to this counter) once in the address
fragment, ``#token=...``, and keeps it in the browser's local storage.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from ..database import db
from ..sites.models import Counter, Site
from ..web import N_, js_strings, page_error
from .presenters import FORM_STRINGS, choices

bp = Blueprint("rate", __name__, template_folder="templates")

# How long the question stays on screen without an answer, and the thank-you after one.
ASK_SECONDS = 30
THANKS_SECONDS = 6
# How long a code stays on screen for the citizen to scan: a fee's transfer (unless it is
# confirmed first, dossiers/fees.py) or the dossier's page to evaluate it (evaluations/).
SHOW_SECONDS = 300

STRINGS = (
    N_("Phiếu số {number}"),
    N_("{amount} đồng"),
    N_("Hồ sơ {code}"),
    N_("Máy đánh giá này chưa được cấp quyền. Vui lòng báo cán bộ."),
    N_("Máy đánh giá này được cấp cho quầy khác. Vui lòng báo cán bộ."),
)


@bp.get("/rate/<site_code>/<int:number>")
def tablet(site_code: str, number: int):
    site = db.session.scalar(select(Site).where(Site.code == site_code))
    counter = site and db.session.scalar(
        select(Counter).where(Counter.site_id == site.id, Counter.number == number)
    )
    if counter is None:
        return page_error(404, _("Không tìm thấy quầy"), _("Mã trung tâm hoặc số quầy không đúng."))
    ask_seconds = min(max(request.args.get("timeout", ASK_SECONDS, type=int), 1), 600)
    return render_template(
        "ratings/tablet.html",
        site=site,
        counter=counter,
        choices=choices(),
        ask_seconds=ask_seconds,
        thanks_seconds=min(THANKS_SECONDS, ask_seconds),
        show_seconds=SHOW_SECONDS,
        strings=js_strings(*STRINGS, *FORM_STRINGS),
    )
