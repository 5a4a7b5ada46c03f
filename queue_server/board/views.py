"""``/public/<site>``: the site's public board, for anyone (no login; nothing personal).

The page is the same for every reader of a language, so it says so: ``Cache-Control: public``
for what is left of the figures' lifetime in this process, ``Last-Modified`` when they were
counted, and an ETag, so that a proxy (nginx in the scale-out, docs/deployment.md) or the
browser serves the crowd and a reader who has it gets a 304. The language comes from
``?lang`` or the cookie it sets, hence ``Vary: Cookie``.
"""

from __future__ import annotations

from flask import Blueprint, make_response, render_template, request
from flask_babel import gettext as _

from ..database import utcnow
from ..web import page_error
from . import figures, presenters

bp = Blueprint("board", __name__, template_folder="templates")


@bp.get("/public/<site_code>")
def board_page(site_code: str):
    try:
        board = figures.board(site_code)
    except figures.UnknownSite:
        return page_error(
            404,
            _("Không tìm thấy trung tâm"),
            _("Địa chỉ này không ứng với trung tâm nào. Ông/Bà vui lòng kiểm tra lại mã trung tâm."),
        )
    response = make_response(
        render_template(
            "board/board.html",
            board=board,
            month=presenters.period(board.month),
            year=presenters.period(board.year),
            columns=presenters.COLUMNS,
        )
    )
    age = (utcnow() - board.computed_at).total_seconds()
    response.cache_control.public = True
    response.cache_control.max_age = max(0, int(figures.ttl_seconds() - age))
    response.last_modified = board.computed_at
    response.vary.add("Cookie")
    response.add_etag()
    return response.make_conditional(request)
