"""The hall screen's public files: what its signage shows today, the playlist's images and
videos, and the photo of an officer at a counter. No login: a hall screen is a plain browser.

- ``/display/<site>/signage.json``: today's notices and playlist. Cached
  ``signage.FEED_MAX_AGE`` seconds and answered 304 to a screen that has it already (ETag); the
  hall reads it again every ``signage.POLL_SECONDS``.
- ``/display/<site>/board.json``: the slide of the site's public board (this month), which
  the feed lists last when the site shows it (``Site.board_on_hall``); cached as the board is
  (queue_server/board/figures.py).
- ``/display/<site>/media/<id>``: an item's file, with its own type, cached for a day (a file
  never changes under its id) and served in ranges (a video is read in parts).
- ``/display/<site>/photos/<user>``: an officer's photo, only while they work at a counter of
  the site (queue_server/auth/photos.py).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from queue_server.auth import photos
from queue_server.auth.models import User
from queue_server.board import figures, presenters
from queue_server.database import db, utcnow
from queue_server.sites import signage
from queue_server.sites.calendar import business_date
from queue_server.sites.models import Site
from queue_server.web import page_error

bp = Blueprint("signage", __name__)

MEDIA_MAX_AGE = 86400


def _site(code: str) -> Site | None:
    return db.session.scalar(select(Site).where(Site.code == code))


def _not_found():
    return page_error(404, _("Không tìm thấy"), _("Địa chỉ này không có nội dung nào để hiển thị."))


@bp.get("/display/<site_code>/signage.json")
def feed(site_code: str):
    site = _site(site_code)
    if site is None:
        return _not_found()
    shown = signage.feed(db.session(), site, business_date(site, utcnow()))
    if site.board_on_hall:
        shown["media"].append(
            {
                "id": "board",
                "kind": "board",
                "url": url_for("signage.board_slide", site_code=site.code),
                "duration_seconds": current_app.config["HALL_BOARD_SECONDS"],
                "title": "",
            }
        )
    response = jsonify(shown)
    response.cache_control.public = True
    response.cache_control.max_age = signage.FEED_MAX_AGE
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/display/<site_code>/board.json")
def board_slide(site_code: str):
    try:
        board = figures.board(site_code)
    except figures.UnknownSite:
        return _not_found()
    qr = url_for("board.board_qr", site_code=site_code)
    return figures.public_response(jsonify(presenters.slide(board, qr)), board)


@bp.get("/display/<site_code>/media/<int:media_id>")
def media(site_code: str, media_id: int):
    site = _site(site_code)
    item = db.session.get(signage.SignageMedia, media_id) if site else None
    if site is None or item is None or item.site_id != site.id:
        return _not_found()
    path = signage.path_of(item.storage_key)
    if not path.is_file():
        return _not_found()
    return send_file(
        path, mimetype=item.content_type, conditional=True, etag=item.storage_key[-64:], max_age=MEDIA_MAX_AGE
    )


@bp.get("/display/<site_code>/photos/<int:user_id>")
def photo(site_code: str, user_id: int):
    site = _site(site_code)
    user = db.session.get(User, user_id) if site else None
    if site is None or user is None or not photos.shown_at(db.session(), user, site):
        return _not_found()
    assert user.photo is not None  # shown_at is false without one
    path = photos.photo_storage().root / user.photo
    if not path.is_file():
        return _not_found()
    response = send_file(path, mimetype="image/jpeg", conditional=True, etag=user.photo[-64:])
    response.cache_control.no_cache = True  # asked again each time: public only while at a counter
    response.cache_control.public = True
    return response
