"""``/display/<site>``: the hall screen; ``/display/<site>/counter/<n>``: one counter's screen.

Both are public pages (they show ticket numbers and counters only) fed by the live
Socket.IO room of the site.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from queue_server.database import db
from queue_server.inputs import row_id
from queue_server.queueing.snapshot import RECENT_CALLS
from queue_server.sites import calls
from queue_server.sites.models import Counter, Site
from queue_server.web import N_, js_strings, page_error

from .speech import SpeechUnavailable, chime, clip_folders, speak, spell_out

bp = Blueprint(
    "display",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/display/static",
)

STRINGS = (
    N_("Quầy {n}"),
    N_("Tạm dừng"),
    N_("Đóng"),
    N_("Mời số {number} đến quầy {counter}"),
    N_("người đang chờ"),
    N_("Ưu tiên"),
    N_("Chưa có số nào được gọi hôm nay"),
    N_("Ông/Bà vui lòng chờ đến lượt"),
)
COUNTER_STRINGS = (
    N_("Tạm dừng"),
    N_("Quầy đang đóng"),
    N_("Ưu tiên"),
    N_("Ảnh cán bộ {name}"),
)


def _site(code: str) -> Site | None:
    return db.session.scalar(select(Site).where(Site.code == code))


@bp.get("/display/<site_code>")
def hall(site_code: str):
    site = _site(site_code)
    if site is None:
        return page_error(404, _("Không tìm thấy trung tâm"), _("Mã trung tâm không đúng."))
    return render_template(
        "display/hall.html",
        site=site,
        strings=js_strings(*STRINGS),
        page_seconds=current_app.config["DISPLAY_PAGE_SECONDS"],
        recent_calls=RECENT_CALLS,
    )


@bp.get("/display/<site_code>/counter/<int:number>")
def counter_screen(site_code: str, number: int):
    site = _site(site_code)
    counter = site and db.session.scalar(
        select(Counter).where(Counter.site_id == site.id, Counter.number == number)
    )
    if counter is None:
        return page_error(404, _("Không tìm thấy quầy"), _("Mã trung tâm hoặc số quầy không đúng."))
    return render_template(
        "display/counter.html", site=site, counter=counter, strings=js_strings(*COUNTER_STRINGS)
    )


@bp.get("/display/<site_code>/call.wav")
def call_audio(site_code: str):
    """The site's call sentence for a number and a counter, spoken (only that template): from
    the centre's recorded clips where it has some, by espeak-ng otherwise (display/speech.py)."""
    site = _site(site_code)
    number = request.args.get("number", "")
    counter = row_id(request.args.get("counter", ""))
    if site is None or not number.isalnum() or len(number) > 12 or counter is None:
        return page_error(404, _("Không có thông báo"), _("Tham số không hợp lệ."))
    if current_app.config["CALL_NUMBER_READING"] == "digits":
        number = spell_out(number)
    sentence = calls.render(site.call_template, number, counter)
    folders = clip_folders(current_app.config["CALL_CLIPS_DIR"], site.code)
    # The reads are over: end their transaction before espeak-ng runs (10-100 ms), or on
    # SQLite the site's write lock (every transaction takes it, see database.begin_immediate)
    # would keep kiosks and officers waiting for the speech.
    db.session.rollback()
    try:
        audio = speak(sentence, folders)
    except SpeechUnavailable as error:
        return page_error(503, _("Không có giọng đọc"), str(error))
    return Response(audio, mimetype="audio/wav", headers={"Cache-Control": "max-age=3600"})


@bp.get("/display/chime.wav")
def chime_audio():
    return Response(chime(), mimetype="audio/wav", headers={"Cache-Control": "max-age=86400"})
