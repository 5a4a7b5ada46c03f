"""``/n/<token>``: the opt-out link printed in every message. A phone-size page asks the
citizen to confirm (a link opened by a mail scanner or a preview must not end anything), then
ends the subscription. It shows the channel and the masked address only, nothing more of the
citizen (the token is unguessable, but the page may be seen over a shoulder)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import select

from ..database import db, utcnow
from ..security import csrf
from ..web import page_error
from .addresses import masked
from .labels import CHANNEL
from .models import Subscription
from .operations import opt_out

bp = Blueprint("notify", __name__, template_folder="templates")


def _subscription(token: str) -> Subscription | None:
    return db.session.scalar(select(Subscription).where(Subscription.token == token))


def _page(subscription: Subscription, done: bool):
    return render_template(
        "notify/opt_out.html",
        token=subscription.token,
        site=subscription.site,
        channel=_(CHANNEL[subscription.channel]),
        address=masked(subscription.channel, subscription.address),
        done=done or subscription.opted_out_at is not None,
    )


def _unknown():
    return page_error(
        404, _("Không tìm thấy đăng ký"), _("Đường dẫn này không ứng với đăng ký nhận thông báo nào.")
    )


@bp.get("/n/<token>")
def opt_out_page(token: str):
    subscription = _subscription(token)
    if subscription is None:
        return _unknown()
    return _page(subscription, done=False)


@bp.post("/n/<token>")
def opt_out_confirmed(token: str):
    subscription = _subscription(token)
    if subscription is None:
        return _unknown()
    try:
        csrf.protect()
    except CSRFError:
        return page_error(400, _("Trang đã cũ"), _("Mời ông/bà mở lại đường dẫn trong thông báo và bấm lại."))
    opt_out(db.session(), subscription, utcnow())
    db.session.commit()
    return _page(subscription, done=True)
