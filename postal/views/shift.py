"""The clerk's shift: the login page and "Kết thúc ca" (:mod:`postal.shift` holds the rules)."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from .. import shift
from ..extension import current_postal

bp = Blueprint("shift", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET" and g.clerk is not None:
        return redirect(url_for("intake.intake_form"))
    postal = current_postal()
    username = request.form.get("username", "")
    error = None
    if request.method == "POST":
        try:
            clerk = shift.begin(postal.settings, postal.throttle, username, request.form.get("password", ""))
        except shift.LoginRefused as refused:
            error = str(refused)
        else:
            flash(f"Bắt đầu ca làm việc của {clerk.name}.", "ok")
            return redirect(url_for("intake.intake_form"))
    return (
        render_template("login.html", clerks=postal.settings.clerks, username=username, error=error),
        401 if error else 200,
    )


@bp.post("/logout")
def logout():
    name = g.clerk.name
    shift.end()
    flash(f"Đã kết thúc ca làm việc của {name}.", "ok")
    return redirect(url_for("shift.login"))
