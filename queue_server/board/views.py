"""``/public/<site>``: the site's public board, for anyone (no login; nothing personal).

The page is the same for every reader of a language, so it says so
(:func:`.figures.public_response`): a proxy (nginx in the scale-out, docs/deployment.md) or
the browser serves the crowd, and a reader who has it gets a 304. ``/public/<site>/qr.svg``
leads a phone there (the hall's slide shows it).
"""

from __future__ import annotations

from flask import Blueprint, make_response, render_template, url_for
from flask_babel import gettext as _

from ..web import page_error, public_url, qr_svg
from . import figures, presenters

bp = Blueprint("board", __name__, template_folder="templates")


def no_site():
    return page_error(
        404,
        _("Không tìm thấy trung tâm"),
        _("Địa chỉ này không ứng với trung tâm nào. Ông/Bà vui lòng kiểm tra lại mã trung tâm."),
    )


@bp.get("/public/<site_code>")
def board_page(site_code: str):
    try:
        board = figures.board(site_code)
    except figures.UnknownSite:
        return no_site()
    response = make_response(
        render_template(
            "board/board.html",
            board=board,
            month=presenters.period(board.month),
            year=presenters.period(board.year),
            columns=presenters.COLUMNS,
            figures=presenters.FIGURES,
            month_title=presenters.month_title(board.month),
            updated=presenters.updated(board),
        )
    )
    return figures.public_response(response, board)


@bp.get("/public/<site_code>/qr.svg")
def board_qr(site_code: str):
    """The QR code of the site's board (on the hall's slide), for an existing site only."""
    try:
        figures.board(site_code)
    except figures.UnknownSite:
        return no_site()
    return qr_svg(public_url(url_for("board.board_page", site_code=site_code)))
